import type { Db } from './db';

export interface PaceRow {
  account_id: number;
  interval_ms: number;
  floor_ms: number;
  throttled_at: number | null;
  updated_at: number;
}

/** The pace each account settled on after throttling (table account_pace). */
export function createPaceRepo(db: Db) {
  const get = db.prepare<[number], PaceRow>('SELECT * FROM account_pace WHERE account_id = ?');
  const put = db.prepare(`
    INSERT INTO account_pace (account_id, interval_ms, floor_ms, throttled_at, updated_at)
    VALUES (@accountId, @intervalMs, @floorMs, @throttledAt, @now)
    ON CONFLICT(account_id) DO UPDATE SET interval_ms = excluded.interval_ms, floor_ms = excluded.floor_ms,
      throttled_at = excluded.throttled_at, updated_at = excluded.updated_at`);
  return {
    get(accountId: number): PaceRow | undefined {
      return get.get(accountId);
    },
    put(accountId: number, p: { intervalMs: number; floorMs: number; throttledAt: number | null }, now: number): void {
      put.run({ accountId, intervalMs: p.intervalMs, floorMs: p.floorMs, throttledAt: p.throttledAt, now });
    },
  };
}
export type PaceRepo = ReturnType<typeof createPaceRepo>;
