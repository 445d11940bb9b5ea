import { describe, expect, it } from 'vitest';
import type { Category } from '../../../src/shared/categories';
import type { FailureGroup } from '../../../src/shared/model';
import { buildSearchHits, type HitColumnsRow, type HitRow } from '../../../src/main/engine/store/search-hits';

// The hits' own order and filters, against a plain sort and filter of the same rows.

const GROUPS: FailureGroup[] = ['needs_you', 'retrying', 'wont_retry', 'resolved'];
const CATEGORIES: Category[] = ['auth_failed', 'recipient_unknown', 'sending_limit'];

interface Hit { id: number; at: number; group: number; accountId: number | null; category: Category; domain: string | null }

/** A small deterministic generator, so a failure names the same rows every run. */
function rows(count: number, seed: number): Hit[] {
  let x = seed;
  const next = (m: number) => {
    // xorshift32: stays within 32-bit integers, so no precision is lost
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % m;
  };
  // distinct ids with gaps, shuffled
  const ids = Array.from({ length: count }, (_, i) => 1 + i * 3 + next(3));
  for (let i = count - 1; i > 0; i--) {
    const j = next(i + 1);
    [ids[i], ids[j]] = [ids[j], ids[i]];
  }
  return ids.map((id) => ({
    id,
    at: 1_700_000_000_000 + next(40) * 1000, // few distinct times: ties are the rule
    group: next(4),
    accountId: next(5) === 0 ? null : 1 + next(2),
    category: CATEGORIES[next(3)],
    domain: next(4) === 0 ? null : ['a.test', 'b.test'][next(2)],
  }));
}

function build(hits: Hit[]) {
  let loads = 0;
  const built = buildSearchHits(
    hits.map((h): HitRow => [h.id, h.at * 4 + h.group]),
    (ids) => {
      loads++;
      const byId = new Map(hits.map((h) => [h.id, h]));
      return ids.map((id): HitColumnsRow => [id, byId.get(id)!.accountId, byId.get(id)!.category, byId.get(id)!.domain]).reverse();
    },
  );
  return { built, loads: () => loads };
}

const newestFirst = (a: Hit, b: Hit) => b.at - a.at || b.id - a.id;

describe('search hits', () => {
  for (const [name, arrange] of [
    ['in id order, as the query returns them', (h: Hit[]) => [...h].sort((a, b) => a.id - b.id)],
    ['in any order', (h: Hit[]) => h],
  ] as const) {
    it(`pages newest first, then by the higher id, when the rows come ${name}`, () => {
      const hits = rows(3_000, 7);
      const { built } = build(arrange(hits));
      const all = { accountId: null, category: null, domain: null };
      expect(built.page(all, undefined, 0, 10_000)).toEqual([...hits].sort(newestFirst).map((h) => h.id));
      for (const [g, group] of GROUPS.entries()) {
        const want = hits.filter((h) => h.group === g).sort(newestFirst).map((h) => h.id);
        expect(built.page(all, group, 0, 10_000)).toEqual(want);
        expect(built.page(all, group, 25, 10)).toEqual(want.slice(25, 35));
      }
    });
  }

  it('counts and pages under every filter, and reads the filter columns once, only when a filter is used', () => {
    const hits = rows(2_000, 11);
    const { built, loads } = build([...hits].sort((a, b) => a.id - b.id));
    built.counts({ accountId: null, category: null, domain: null });
    expect(loads()).toBe(0);
    for (const accountId of [null, 1, 2]) {
      for (const category of [null, ...CATEGORIES]) {
        for (const domain of [null, 'a.test']) {
          const f = { accountId, category, domain };
          const kept = hits.filter((h) => (accountId === null || h.accountId === accountId) && (category === null || h.category === category) && (domain === null || h.domain === domain));
          const counts = built.counts(f);
          expect(counts).toEqual(Object.fromEntries(GROUPS.map((g, i) => [g, kept.filter((h) => h.group === i).length])));
          expect(built.page(f, 'retrying', 3, 20)).toEqual(kept.filter((h) => h.group === 1).sort(newestFirst).slice(3, 23).map((h) => h.id));
        }
      }
    }
    expect(loads()).toBe(1);
  });

  it('is empty for no rows', () => {
    const { built } = build([]);
    expect(built.counts({ accountId: 1, category: null, domain: null })).toEqual({ needs_you: 0, retrying: 0, wont_retry: 0, resolved: 0 });
    expect(built.page({ accountId: null, category: null, domain: null }, undefined, 0, 10)).toEqual([]);
  });
});
