import { useEffect, useRef } from 'react';
import type { EventName, Events } from '../../../shared/contract';
import { subscribe } from '../outbox';

/** Listens to one engine event while the component is mounted; the latest callback is always used. */
export function useEvent<E extends EventName>(event: E, listener: (payload: Events[E]) => void): void {
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => subscribe(event, (payload) => ref.current(payload)), [event]);
}
