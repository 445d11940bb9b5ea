import type { Db } from './db';
import type { Category } from '../../../shared/categories';

/** Addresses that must not be mailed again without the user's say-so. Stored lower-cased. */
export function createSuppressionsRepo(db: Db) {
  const add = db.prepare<[string, string, string | null, number | null, number]>(
    'INSERT OR IGNORE INTO suppressions (address, category, reason, failure_id, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  const remove = db.prepare<[string]>('DELETE FROM suppressions WHERE address = ?');
  const has = db.prepare<[string], { category: Category }>('SELECT category FROM suppressions WHERE address = ?');
  const all = db.prepare<[], { address: string; category: Category; reason: string | null; created_at: number }>(
    'SELECT address, category, reason, created_at FROM suppressions ORDER BY created_at DESC',
  );
  return {
    add(address: string, category: Category, now: number, reason: string | null = null, failureId: number | null = null): boolean {
      return add.run(address.toLowerCase(), category, reason, failureId, now).changes > 0;
    },
    remove(address: string): boolean {
      return remove.run(address.toLowerCase()).changes > 0;
    },
    /** The category that suppressed the address, or null. */
    lookup(address: string): Category | null {
      return has.get(address.toLowerCase())?.category ?? null;
    },
    list() {
      return all.all();
    },
  };
}
export type SuppressionsRepo = ReturnType<typeof createSuppressionsRepo>;
