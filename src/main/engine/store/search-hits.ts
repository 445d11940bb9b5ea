import type { Category } from '../../../shared/categories';
import type { FailureGroup } from '../../../shared/model';

/**
 * The failures one search text matches, newest first, with what the window pages and filters on.
 *
 * A trigram search costs the same whatever page or filter is asked for (the posting lists of
 * common trigrams such as "cam" or "ple" cover most rows), so it is run once per text and these
 * hits answer the group counts, every filter and every page until the next write. Pure data:
 * the queries that fill it live in views.ts.
 */

/** A group's number in a hit's `when` (`detected_at * 4 + number`, built in views.ts). */
export const GROUP_INDEX: Record<FailureGroup, number> = { needs_you: 0, retrying: 1, wont_retry: 2, resolved: 3 };

/** One matching failure as the hits query returns it (`raw()` rows: no per-row object keys). */
export type HitRow = [id: number, when: number];
/** The filter columns of a hit, read only once a filter is combined with the search. */
export type HitColumnsRow = [id: number, accountId: number | null, category: Category, domain: string | null];

export interface HitFilter {
  accountId: number | null;
  category: Category | null;
  domain: string | null;
}

export interface SearchHits {
  readonly size: number;
  counts(filter: HitFilter): Record<FailureGroup, number>;
  /** The ids of the page, in list order. */
  page(filter: HitFilter, group: FailureGroup | undefined, offset: number, limit: number): number[];
}

/**
 * The positions of the hits in the list's order: newest first, then the higher id (the SQL
 * list's ORDER BY). A comparator sort of 100,000 hits took ~50 ms; this sorts numbers natively.
 * The hits come in id order, so a position is the id's rank; each time becomes its rank among
 * the distinct times, and `time rank * n + position` is a unique key below n² (exact in a double).
 */
function listOrder(ids: Float64Array, times: Float64Array): Uint32Array {
  const n = ids.length;
  const order = new Uint32Array(n);
  for (let i = 1; i < n; i++) {
    if (ids[i] <= ids[i - 1]) {
      // not in id order after all: the plain sort
      const slow = Array.from({ length: n }, (_, k) => k).sort((a, b) => times[b] - times[a] || ids[b] - ids[a]);
      for (let k = 0; k < n; k++) order[k] = slow[k];
      return order;
    }
  }
  const distinct = Float64Array.from(times).sort();
  let u = 0;
  for (let i = 0; i < n; i++) if (i === 0 || distinct[i] !== distinct[u - 1]) distinct[u++] = distinct[i];
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let lo = 0;
    let hi = u - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (distinct[mid] < times[i]) lo = mid + 1;
      else hi = mid;
    }
    keys[i] = lo * n + i;
  }
  keys.sort();
  // ascending keys are oldest first, the list wants the newest
  for (let i = 0; i < n; i++) order[n - 1 - i] = keys[i] % n;
  return order;
}

/** `loadColumns` gets the hits' ids and returns their filter columns, in any order. */
export function buildSearchHits(rows: HitRow[], loadColumns: (ids: number[]) => HitColumnsRow[]): SearchHits {
  const n = rows.length;
  const ids = new Float64Array(n);
  const times = new Float64Array(n);
  const groups = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const when = rows[i][1];
    ids[i] = rows[i][0];
    times[i] = Math.floor(when / 4);
    groups[i] = when - times[i] * 4;
  }
  const order = listOrder(ids, times);
  // plain loops: TypedArray.from with a mapping function took ~10 ms per 60,000 here
  const sortedIds = new Float64Array(n);
  const sortedGroups = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    sortedIds[i] = ids[order[i]];
    sortedGroups[i] = groups[order[i]];
  }

  let columns: { accounts: Float64Array; categories: Category[]; domains: (string | null)[] } | null = null;
  function filterColumns() {
    if (columns) return columns;
    const at = new Map<number, number>();
    for (let i = 0; i < n; i++) at.set(sortedIds[i], i);
    const accounts = new Float64Array(n).fill(Number.NaN);
    const categories: Category[] = new Array(n);
    const domains: (string | null)[] = new Array(n).fill(null);
    for (const [id, accountId, category, domain] of loadColumns(Array.from(sortedIds))) {
      const i = at.get(id);
      if (i === undefined) continue;
      accounts[i] = accountId ?? Number.NaN; // NaN equals nothing: a filter by account never picks an unowned failure
      categories[i] = category;
      domains[i] = domain;
    }
    columns = { accounts, categories, domains };
    return columns;
  }

  function matcher(f: HitFilter): ((i: number) => boolean) | null {
    const { accountId, category, domain } = f;
    if (accountId === null && category === null && domain === null) return null;
    const { accounts, categories, domains } = filterColumns();
    return (i) =>
      (accountId === null || accounts[i] === accountId) && (category === null || categories[i] === category) && (domain === null || domains[i] === domain);
  }

  return {
    size: n,
    counts(filter) {
      const match = matcher(filter);
      const tally = [0, 0, 0, 0];
      for (let i = 0; i < n; i++) if (!match || match(i)) tally[sortedGroups[i]]++;
      return { needs_you: tally[0], retrying: tally[1], wont_retry: tally[2], resolved: tally[3] };
    },
    page(filter, group, offset, limit) {
      const match = matcher(filter);
      const g = group === undefined ? -1 : GROUP_INDEX[group];
      const out: number[] = [];
      let seen = 0;
      for (let i = 0; i < n && out.length < limit; i++) {
        if ((g !== -1 && sortedGroups[i] !== g) || (match && !match(i))) continue;
        if (seen++ >= offset) out.push(sortedIds[i]);
      }
      return out;
    },
  };
}
