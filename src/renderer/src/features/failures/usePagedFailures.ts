import { useCallback, useEffect, useRef, useState } from 'react';
import type { FailureGroup, FailureRow } from '../../../../shared/model';
import type { Category } from '../../../../shared/categories';
import { call, errorText, subscribe } from '../../outbox';

export const PAGE_SIZE = 100;
/** Pages kept on each side of the visible ones; farther pages are dropped (and fetched again if scrolled back to). */
const PAGES_KEPT_AROUND = 5;

/** The first and last page holding the rows from `start` to `end`. */
function pagesOf([start, end]: readonly [number, number]): [number, number] {
  return [Math.floor(start / PAGE_SIZE), Math.floor(Math.max(start, end) / PAGE_SIZE)];
}

export interface FailureFilter {
  group: FailureGroup;
  accountId?: number;
  category?: Category;
  domain?: string;
  search?: string;
}

const NO_GROUPS: Record<FailureGroup, number> = { needs_you: 0, retrying: 0, wont_retry: 0, resolved: 0 };

function sameGroups(a: Record<FailureGroup, number>, b: Record<FailureGroup, number>): boolean {
  return a.needs_you === b.needs_you && a.retrying === b.retrying && a.wont_retry === b.wont_retry && a.resolved === b.resolved;
}

type ListAnswer = Awaited<ReturnType<typeof call<'failures/list'>>>;

// The home view's first page, asked for as soon as the script runs instead of after React's
// first render and effects: the engine works while the page builds itself.
let early: { key: string; answer: Promise<ListAnswer> } | null = null;

export function prefetchFirstPage(): void {
  const query = { group: 'needs_you' as const, offset: 0, limit: PAGE_SIZE };
  const answer = call('failures/list', query);
  answer.catch(() => {}); // the list reports it when it takes the answer
  early = { key: JSON.stringify(query), answer };
}

function ask(query: Parameters<typeof call<'failures/list'>>[1]): Promise<ListAnswer> {
  const taken = early;
  early = null;
  if (taken && taken.key === JSON.stringify(query)) return taken.answer;
  return call('failures/list', query);
}

/**
 * The failure list as pages fetched from the engine on demand: only the pages the list is
 * showing are ever loaded, so 100,000 failures cost the same as 100. Engine events mark the
 * loaded pages stale; the visible ones are fetched again (old rows stay on screen until the
 * new ones arrive, so nothing flickers).
 */
export function usePagedFailures(filter: FailureFilter) {
  const [total, setTotal] = useState(0);
  const [groups, setGroups] = useState(NO_GROUPS);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const pages = useRef(new Map<number, FailureRow[]>());
  const inFlight = useRef(new Set<number>());
  const generation = useRef(0);
  const visible = useRef<[number, number]>([0, 0]);
  const key = JSON.stringify(filter);
  const filterRef = useRef(filter);
  filterRef.current = filter;

  // Requests sent and not yet answered, of any generation, and what to start once they are all
  // back (see `begin`).
  const outstanding = useRef(0);
  const pending = useRef<null | (() => void)>(null);

  const settled = useCallback(() => {
    outstanding.current--;
    if (outstanding.current === 0 && pending.current) {
      const start = pending.current;
      pending.current = null;
      start();
    }
  }, []);

  const fetchPage = useCallback((page: number, gen: number) => {
    const flight = inFlight.current;
    if (flight.has(page)) return;
    flight.add(page);
    outstanding.current++;
    const f = filterRef.current;
    ask({
      group: f.group,
      accountId: f.accountId,
      category: f.category,
      domain: f.domain || undefined,
      search: f.search || undefined,
      offset: page * PAGE_SIZE,
      limit: PAGE_SIZE,
    }).then(
      (res) => {
        flight.delete(page);
        settled();
        if (gen !== generation.current) return;
        if (fresh.current) {
          fresh.current = false;
          pages.current = new Map();
        }
        pages.current.set(page, res.rows);
        setTotal(res.total);
        setGroups((g) => (sameGroups(g, res.groups) ? g : res.groups));
        setLoaded(true);
        setError(null);
        setVersion((v) => v + 1);
      },
      (e: unknown) => {
        flight.delete(page);
        settled();
        if (gen !== generation.current) return;
        setError(errorText(e));
        setLoaded(true);
      },
    );
  }, [settled]);

  // A new generation (a new filter, or a refresh after engine events) asks at once when nothing
  // is in flight. Otherwise it waits for the older answers, which will be ignored, and then asks
  // once for the newest state only: typing "campaign 7" while the engine is busy becomes one
  // more query, not ten queued behind each other, and no fixed typing pause delays the answer.
  const begin = useCallback((start: () => void) => {
    generation.current++;
    inFlight.current = new Set();
    if (outstanding.current > 0) pending.current = start;
    else start();
  }, []);

  // A new filter: the old rows stay on screen until the first page of the answer replaces them
  // all at once (no flash of placeholders, and one DOM update instead of two).
  const fresh = useRef(false);
  useEffect(() => {
    fresh.current = true;
    begin(() => {
      const [first, last] = pagesOf(visible.current);
      fetchPage(0, generation.current);
      for (let p = first; p <= last; p++) {
        if (p > 0) fetchPage(p, generation.current);
      }
    });
  }, [key, begin, fetchPage]);

  const ensureRange = useCallback(
    (start: number, end: number) => {
      visible.current = [start, end];
      const [first, last] = pagesOf(visible.current);
      // Memory stays flat however far the list is scrolled: fewer live rows, shorter GC pauses.
      for (const p of pages.current.keys()) {
        if (p < first - PAGES_KEPT_AROUND || p > last + PAGES_KEPT_AROUND) pages.current.delete(p);
      }
      // A waiting generation fetches the visible range when it starts.
      if (pending.current) return;
      for (let p = first; p <= last; p++) {
        if (!pages.current.has(p)) fetchPage(p, generation.current);
      }
    },
    [fetchPage],
  );

  const reload = useCallback(() => {
    // A generation still waiting to start fetches everything visible afresh anyway.
    if (pending.current) return;
    begin(() => {
      const [first, last] = pagesOf(visible.current);
      // Keep the visible pages on screen while they refresh; forget the rest.
      for (const p of [...pages.current.keys()]) if (p < first || p > last) pages.current.delete(p);
      for (let p = first; p <= last; p++) fetchPage(p, generation.current);
    });
  }, [begin, fetchPage]);

  // Bursts of engine events (a batch of 500 failures) become one refresh.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const schedule = () => {
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        reload();
      }, 150);
    };
    const offs = [subscribe('failures/changed', schedule), subscribe('queue/changed', schedule)];
    return () => {
      offs.forEach((off) => off());
      if (timer) clearTimeout(timer);
    };
  }, [reload]);

  const rowAt = useCallback((index: number): FailureRow | undefined => {
    return pages.current.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
  }, []);

  return { total, groups, loaded, error, version, rowAt, ensureRange, reload };
}
