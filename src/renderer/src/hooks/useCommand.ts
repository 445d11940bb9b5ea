import { useCallback, useEffect, useRef, useState } from 'react';
import type { CommandName, Commands, EventName } from '../../../shared/contract';
import { call, errorText, subscribe } from '../outbox';

export interface CommandState<T> {
  data: T | undefined;
  error: string | null;
  loading: boolean;
  refetch(): void;
}

/**
 * Runs a read command and keeps its answer, running it again when its arguments change or when
 * one of `refetchOn` events arrives. Answers that come back out of order are dropped, so a slow
 * old query never overwrites a newer one.
 */
export function useCommand<K extends CommandName>(
  name: K,
  args: Parameters<Commands[K]>,
  refetchOn: EventName[] = [],
  enabled = true,
): CommandState<ReturnType<Commands[K]>> {
  const [data, setData] = useState<ReturnType<Commands[K]> | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(enabled);
  const seq = useRef(0);
  const key = JSON.stringify(args);
  const argsRef = useRef(args);
  argsRef.current = args;

  const run = useCallback(() => {
    if (!enabled) return;
    const mine = ++seq.current;
    setLoading(true);
    call(name, ...argsRef.current).then(
      (value) => {
        if (mine !== seq.current) return;
        setData(value);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (mine !== seq.current) return;
        setError(errorText(e));
        setLoading(false);
      },
    );
  }, [name, key, enabled]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(run, [run]);

  const events = refetchOn.join(',');
  useEffect(() => {
    if (!events) return;
    const offs = (events.split(',') as EventName[]).map((e) => subscribe(e, () => run()));
    return () => offs.forEach((off) => off());
  }, [events, run]);

  return { data, error, loading, refetch: run };
}
