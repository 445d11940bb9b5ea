import type { Db } from './db';

export interface SyncStateRow {
  account_id: number;
  folder: string;
  uidvalidity: number | null;
  highest_uid: number;
  highest_modseq: string | null;
  last_sync_at: number | null;
  last_error: string | null;
}

/** Where the bounce watcher got to in each folder: UIDVALIDITY, highest UID handled, MODSEQ. */
export function createSyncStateRepo(db: Db) {
  const get = db.prepare<[number, string], SyncStateRow>('SELECT * FROM sync_state WHERE account_id = ? AND folder = ?');
  const upsert = db.prepare(`
    INSERT INTO sync_state (account_id, folder, uidvalidity, highest_uid, highest_modseq, last_sync_at, last_error)
    VALUES (@accountId, @folder, @uidValidity, @highestUid, @highestModseq, @now, NULL)
    ON CONFLICT(account_id, folder) DO UPDATE SET uidvalidity = excluded.uidvalidity, highest_uid = excluded.highest_uid,
      highest_modseq = excluded.highest_modseq, last_sync_at = excluded.last_sync_at, last_error = NULL`);
  const setError = db.prepare(`
    INSERT INTO sync_state (account_id, folder, highest_uid, last_sync_at, last_error) VALUES (@accountId, @folder, 0, @now, @error)
    ON CONFLICT(account_id, folder) DO UPDATE SET last_error = excluded.last_error, last_sync_at = excluded.last_sync_at`);
  const forAccount = db.prepare<[number], SyncStateRow>('SELECT * FROM sync_state WHERE account_id = ? ORDER BY folder');
  return {
    get(accountId: number, folder: string): SyncStateRow | undefined {
      return get.get(accountId, folder);
    },
    /** Records progress; call in the same transaction as the bounces it covers. */
    save(s: { accountId: number; folder: string; uidValidity: number; highestUid: number; highestModseq: string | null; now: number }): void {
      upsert.run(s);
    },
    noteError(accountId: number, folder: string, error: string, now: number): void {
      setError.run({ accountId, folder, error: error.slice(0, 2000), now });
    },
    listForAccount(accountId: number) {
      return forAccount.all(accountId);
    },
  };
}
export type SyncStateRepo = ReturnType<typeof createSyncStateRepo>;
