import type { Category, Kind } from '../../../shared/categories';
import type { FailureSource } from '../../../shared/model';
import { transaction, type Db } from './db';
import { domainOf } from './messages';

export interface NewFailure {
  messageId: number | null;
  accountId: number | null;
  attemptId?: number | null;
  bounceId?: number | null;
  /** null when the failure concerns the whole message (auth, quota, size …) */
  recipient: string | null;
  category: Category;
  kind: Kind;
  rule: string;
  source: FailureSource;
  status?: string | null;
  replyCode?: number | null;
  /** the provider's words, unchanged */
  diagnostic: string | null;
  remoteMta?: string | null;
  detectedAt: number;
}

export type Resolution = 'resent' | 'delivered' | 'discarded' | 'retried' | 'superseded' | 'reconnected';

/** Per-recipient failures from SMTP replies, bounces and local checks. */
export function createFailuresRepo(db: Db) {
  const insert = db.prepare(`
    INSERT INTO failures (message_id, account_id, attempt_id, bounce_id, recipient, recipient_domain, category, kind, rule,
      source, status, reply_code, diagnostic, remote_mta, detected_at)
    VALUES (@messageId, @accountId, @attemptId, @bounceId, @recipient, @domain, @category, @kind, @rule,
      @source, @status, @replyCode, @diagnostic, @remoteMta, @detectedAt)`);
  // The window's search index (see failures_search in the schema); same transaction as the row.
  const index = db.prepare(`
    INSERT INTO failures_search (rowid, recipient, diagnostic, subject, category)
    VALUES (@id, @recipient, @diagnostic, (SELECT subject FROM messages WHERE id = @messageId), @category)`);
  const resolveById = db.prepare<[number, string, number]>(
    'UPDATE failures SET resolved_at = ?, resolution = ? WHERE id = ? AND resolved_at IS NULL',
  );
  const resolveOpenForMessage = db.prepare<[number, string, number]>(
    'UPDATE failures SET resolved_at = ?, resolution = ? WHERE message_id = ? AND resolved_at IS NULL',
  );
  // A later attempt delivered: the message-wide failures and those of the recipients it reached are over.
  const resolveDelivered = db.prepare<[number, number, string]>(
    `UPDATE failures SET resolved_at = ?, resolution = 'delivered' WHERE message_id = ? AND resolved_at IS NULL
       AND (recipient IS NULL OR recipient IN (SELECT value FROM json_each(?)))`,
  );
  const openForMessage = db.prepare<[number], { id: number; recipient: string | null; category: Category; kind: Kind }>(
    'SELECT id, recipient, category, kind FROM failures WHERE message_id = ? AND resolved_at IS NULL',
  );

  function insertRow(f: NewFailure): number {
    const id = Number(
      insert.run({
        messageId: f.messageId,
        accountId: f.accountId,
        attemptId: f.attemptId ?? null,
        bounceId: f.bounceId ?? null,
        recipient: f.recipient,
        domain: f.recipient ? domainOf(f.recipient) : null,
        category: f.category,
        kind: f.kind,
        rule: f.rule,
        source: f.source,
        status: f.status ?? null,
        replyCode: f.replyCode ?? null,
        diagnostic: f.diagnostic,
        remoteMta: f.remoteMta ?? null,
        detectedAt: f.detectedAt,
      }).lastInsertRowid,
    );
    index.run({ id, recipient: f.recipient, diagnostic: f.diagnostic, messageId: f.messageId, category: f.category });
    return id;
  }

  return {
    insert(f: NewFailure): number {
      // Inside the caller's transaction when there is one; a nested savepoint would make FTS5
      // flush its buffer on every row.
      if (!db.inTransaction) return transaction(db, () => insertRow(f));
      return insertRow(f);
    },
    resolve(id: number, resolution: Resolution, now: number): boolean {
      return resolveById.run(now, resolution, id).changes > 0;
    },
    resolveOpenForMessage(messageId: number, resolution: Resolution, now: number): number {
      return resolveOpenForMessage.run(now, resolution, messageId).changes;
    },
    /** After an attempt that reached `accepted`: resolves the message-wide failures and those recipients' failures. */
    resolveDelivered(messageId: number, accepted: string[], now: number): number {
      return resolveDelivered.run(now, messageId, JSON.stringify(accepted)).changes;
    },
    openForMessage(messageId: number) {
      return openForMessage.all(messageId);
    },
  };
}
export type FailuresRepo = ReturnType<typeof createFailuresRepo>;
