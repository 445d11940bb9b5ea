import type { Category } from '../../../shared/categories';
import type { FailureGroup } from '../../../shared/model';

/**
 * The failures one search text matches, newest first, with the columns the window filters on.
 *
 * A trigram search costs the same whatever page or filter is asked for (the posting lists of
 * common trigrams such as "cam" or "ple" cover most rows), so it is run once per text and these
 * hits answer the group counts, every filter and every page until the next write. Pure data:
 * the query that fills it lives in views.ts.
 */

const GROUP_INDEX: Record<FailureGroup, number> = { needs_you: 0, retrying: 1, wont_retry: 2, resolved: 3 };

/** The group as a number, the hits query's `grp` column (a number per row costs less to read than a string). */
export const GROUP_NUMBER_SQL = `CASE WHEN f.resolved_at IS NOT NULL THEN 3
  WHEN f.kind = 'fix' THEN 0 WHEN f.kind = 'temporary' THEN 1 ELSE 2 END`;

/** One matching failure as the hits query returns it (`raw()` rows: no per-row object keys). */
export type HitRow = [id: number, accountId: number | null, category: Category, domain: string | null, detectedAt: number, group: number];

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

export function buildSearchHits(rows: HitRow[]): SearchHits {
  // The list's order: newest first, then the higher id (the same as the SQL list's ORDER BY).
  rows.sort((a, b) => b[4] - a[4] || b[0] - a[0]);
  const n = rows.length;
  const ids = new Float64Array(n);
  const accounts = new Float64Array(n);
  const groups = new Uint8Array(n);
  const categories: Category[] = new Array(n);
  const domains: (string | null)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    ids[i] = r[0];
    accounts[i] = r[1] ?? Number.NaN; // NaN equals nothing: a filter by account never picks an unowned failure
    categories[i] = r[2];
    domains[i] = r[3];
    groups[i] = r[5];
  }

  function matcher(f: HitFilter): (i: number) => boolean {
    const { accountId, category, domain } = f;
    return (i) =>
      (accountId === null || accounts[i] === accountId) && (category === null || categories[i] === category) && (domain === null || domains[i] === domain);
  }

  return {
    size: n,
    counts(filter) {
      const match = matcher(filter);
      const tally = [0, 0, 0, 0];
      for (let i = 0; i < n; i++) if (match(i)) tally[groups[i]]++;
      return { needs_you: tally[0], retrying: tally[1], wont_retry: tally[2], resolved: tally[3] };
    },
    page(filter, group, offset, limit) {
      const match = matcher(filter);
      const g = group === undefined ? -1 : GROUP_INDEX[group];
      const out: number[] = [];
      let seen = 0;
      for (let i = 0; i < n && out.length < limit; i++) {
        if ((g !== -1 && groups[i] !== g) || !match(i)) continue;
        if (seen++ >= offset) out.push(ids[i]);
      }
      return out;
    },
  };
}
