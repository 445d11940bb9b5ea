import type { Db } from './db';

export type LinkMethod = 'message-id' | 'recipient-time' | 'sent-folder' | 'none';

export interface NewBounce {
  accountId: number;
  folder: string;
  uidValidity: number;
  uid: number;
  reportMessageId: string | null;
  receivedAt: number | null;
  /** the report type from the parser (bounce, delay, delivered, auto_reply, complaint, not_bounce) or 'unknown' */
  type: string;
  raw: Buffer | null;
  parsedJson: string | null;
  originalMessageId: string | null;
  linkedMessageId: number | null;
  linkMethod: LinkMethod;
  contentHash: string | null;
  sizeBytes: number | null;
  now: number;
}

export interface BounceRow {
  id: number;
  account_id: number;
  folder: string;
  uidvalidity: number;
  uid: number;
  report_message_id: string | null;
  received_at: number | null;
  type: string;
  raw: Buffer | null;
  parsed_json: string | null;
  original_message_id: string | null;
  linked_message_id: number | null;
  link_method: LinkMethod | null;
  content_hash: string | null;
  size_bytes: number | null;
  created_at: number;
}

/** Reports found in watched folders: bounces, delays, success DSNs, auto-replies, complaints. */
export function createBouncesRepo(db: Db) {
  const insert = db.prepare(`
    INSERT OR IGNORE INTO bounces (account_id, folder, uidvalidity, uid, report_message_id, received_at, type, raw,
      parsed_json, original_message_id, linked_message_id, link_method, content_hash, size_bytes, created_at)
    VALUES (@accountId, @folder, @uidValidity, @uid, @reportMessageId, @receivedAt, @type, @raw,
      @parsedJson, @originalMessageId, @linkedMessageId, @linkMethod, @contentHash, @sizeBytes, @now)`);
  const byPosition = db.prepare<[number, string, number, number], { id: number }>(
    'SELECT id FROM bounces WHERE account_id = ? AND folder = ? AND uidvalidity = ? AND uid = ?',
  );
  const byReportId = db.prepare<[number, string], { id: number }>(
    'SELECT id FROM bounces WHERE account_id = ? AND report_message_id = ? LIMIT 1',
  );
  const byHash = db.prepare<[number, string], { id: number }>('SELECT id FROM bounces WHERE account_id = ? AND content_hash = ? LIMIT 1');
  const seenUids = db.prepare<[number, string, number, number, number], { uid: number }>(
    'SELECT uid FROM bounces WHERE account_id = ? AND folder = ? AND uidvalidity = ? AND uid BETWEEN ? AND ?',
  );
  const byId = db.prepare<[number], BounceRow>('SELECT * FROM bounces WHERE id = ?');
  const forAccount = db.prepare<[number], Omit<BounceRow, 'raw'>>(
    `SELECT id, account_id, folder, uidvalidity, uid, report_message_id, received_at, type, parsed_json, original_message_id,
       linked_message_id, link_method, content_hash, size_bytes, created_at
     FROM bounces WHERE account_id = ? ORDER BY id`,
  );
  const countForAccount = db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM bounces WHERE account_id = ?');

  return {
    /** Stores a report; returns its id, or null when that folder position was stored before. */
    insert(b: NewBounce): number | null {
      const info = insert.run({ ...b, uidValidity: b.uidValidity, uid: b.uid });
      return info.changes > 0 ? Number(info.lastInsertRowid) : null;
    },
    /** Has this report been stored already: same folder position, same own Message-ID, or the same bytes? */
    findDuplicate(accountId: number, pos: { folder: string; uidValidity: number; uid: number }, reportMessageId: string | null, contentHash: string | null): number | null {
      const row =
        byPosition.get(accountId, pos.folder, pos.uidValidity, pos.uid) ??
        (reportMessageId ? byReportId.get(accountId, reportMessageId) : undefined) ??
        (contentHash ? byHash.get(accountId, contentHash) : undefined);
      return row?.id ?? null;
    },
    /** UIDs of a folder already stored, within [from, to]. */
    storedUids(accountId: number, folder: string, uidValidity: number, from: number, to: number): Set<number> {
      return new Set(seenUids.all(accountId, folder, uidValidity, from, to).map((r) => r.uid));
    },
    get(id: number): BounceRow | undefined {
      return byId.get(id);
    },
    listForAccount(accountId: number) {
      return forAccount.all(accountId);
    },
    countForAccount(accountId: number): number {
      return countForAccount.get(accountId)?.n ?? 0;
    },
  };
}
export type BouncesRepo = ReturnType<typeof createBouncesRepo>;
