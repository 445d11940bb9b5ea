import type { Db } from './db';
import type { Category } from '../../../shared/categories';
import type { DueReason, MessageState } from '../../../shared/model';

export interface MessageRow {
  id: number;
  account_id: number;
  message_id: string | null;
  source: 'app' | 'intake' | 'resend';
  mail_from: string;
  rcpt_json: string;
  subject: string | null;
  size_bytes: number;
  has_attachments: number;
  state: MessageState;
  next_attempt_at: number | null;
  due_reason: DueReason | null;
  hold_category: Category | null;
  hold_detail: string | null;
  attempt_count: number;
  force_send: number;
  resend_of: number | null;
  created_at: number;
  first_attempt_at: number | null;
  last_attempt_at: number | null;
  sent_at: number | null;
  updated_at: number;
}

export interface NewMessage {
  accountId: number;
  messageId: string | null;
  source: 'app' | 'intake' | 'resend';
  mailFrom: string;
  recipients: string[];
  subject: string | null;
  sizeBytes: number;
  hasAttachments: boolean;
  raw: Buffer;
  now: number;
  /** null = not queued (e.g. held at once because a recipient is suppressed or it is too large) */
  nextAttemptAt: number | null;
  dueReason: DueReason | null;
  state?: MessageState;
  holdCategory?: Category | null;
  holdDetail?: string | null;
  resendOf?: number | null;
}

export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1).toLowerCase();
}

/**
 * The messages, their raw bytes and their recipients. The scheduler owns the due-time
 * transitions (queued ⇄ sending, next_attempt_at); the outbox owns creation and outcomes.
 */
export function createMessagesRepo(db: Db) {
  const insert = db.prepare(`
    INSERT INTO messages (account_id, message_id, source, mail_from, rcpt_json, subject, size_bytes, has_attachments,
      state, next_attempt_at, due_reason, hold_category, hold_detail, resend_of, created_at, updated_at)
    VALUES (@accountId, @messageId, @source, @mailFrom, @rcptJson, @subject, @sizeBytes, @hasAttachments,
      @state, @nextAttemptAt, @dueReason, @holdCategory, @holdDetail, @resendOf, @now, @now)`);
  const insertBody = db.prepare<[number, Buffer]>('INSERT INTO message_bodies (message_id, raw) VALUES (?, ?)');
  const insertRecipient = db.prepare<[number, string, string]>(
    'INSERT OR IGNORE INTO message_recipients (message_id, address, domain) VALUES (?, ?, ?)',
  );
  const byId = db.prepare<[number], MessageRow>('SELECT * FROM messages WHERE id = ?');
  const rawById = db.prepare<[number], { raw: Buffer }>('SELECT raw FROM message_bodies WHERE message_id = ?');
  const byMessageId = db.prepare<[string], MessageRow>(
    'SELECT * FROM messages WHERE message_id = ? ORDER BY created_at DESC LIMIT 1',
  );
  const byMessageIdForAccount = db.prepare<[string, number], MessageRow>(
    'SELECT * FROM messages WHERE message_id = ? AND account_id = ? ORDER BY created_at DESC LIMIT 1',
  );
  const byRecipientBetween = db.prepare<[string, number, number], MessageRow>(`
    SELECT m.* FROM message_recipients r JOIN messages m ON m.id = r.message_id
    WHERE r.address = ? AND m.created_at BETWEEN ? AND ?
    ORDER BY m.created_at DESC LIMIT 1`);
  const recipientsOf = db.prepare<[number], { address: string; domain: string; state: string }>(
    'SELECT address, domain, state FROM message_recipients WHERE message_id = ?',
  );
  const setRecipientState = db.prepare<[string, number, string]>(
    'UPDATE message_recipients SET state = ? WHERE message_id = ? AND address = ?',
  );
  const setState = db.prepare(`
    UPDATE messages SET state = @state, next_attempt_at = @nextAttemptAt, due_reason = @dueReason,
      hold_category = @holdCategory, hold_detail = @holdDetail, updated_at = @now
    WHERE id = @id`);
  const setRecipients = db.prepare<[string, number, number]>('UPDATE messages SET rcpt_json = ?, updated_at = ? WHERE id = ?');

  return {
    /** Inserts a message with its bytes and recipients. Call inside a transaction when batching. */
    insert(m: NewMessage): number {
      const info = insert.run({
        accountId: m.accountId,
        messageId: m.messageId,
        source: m.source,
        mailFrom: m.mailFrom,
        rcptJson: JSON.stringify(m.recipients),
        subject: m.subject,
        sizeBytes: m.sizeBytes,
        hasAttachments: m.hasAttachments ? 1 : 0,
        state: m.state ?? (m.nextAttemptAt === null ? 'held' : 'queued'),
        nextAttemptAt: m.nextAttemptAt,
        dueReason: m.dueReason,
        holdCategory: m.holdCategory ?? null,
        holdDetail: m.holdDetail ?? null,
        resendOf: m.resendOf ?? null,
        now: m.now,
      });
      const id = Number(info.lastInsertRowid);
      insertBody.run(id, m.raw);
      for (const address of m.recipients) insertRecipient.run(id, address, domainOf(address));
      return id;
    },
    get(id: number): MessageRow | undefined {
      return byId.get(id);
    },
    raw(id: number): Buffer | undefined {
      return rawById.get(id)?.raw;
    },
    findByMessageId(messageId: string, accountId?: number): MessageRow | undefined {
      return accountId === undefined ? byMessageId.get(messageId) : byMessageIdForAccount.get(messageId, accountId);
    },
    /** The newest message to `address` created in [from, to]: links a bounce that lost its Message-ID. */
    findByRecipientBetween(address: string, from: number, to: number): MessageRow | undefined {
      return byRecipientBetween.get(address.toLowerCase(), from, to) ?? byRecipientBetween.get(address, from, to);
    },
    recipients(id: number) {
      return recipientsOf.all(id);
    },
    setRecipientState(id: number, address: string, state: 'pending' | 'accepted' | 'rejected' | 'delivered' | 'bounced' | 'suppressed'): void {
      setRecipientState.run(state, id, address);
    },
    /** Replaces the envelope recipients still to deliver (e.g. resend only to the failed ones). */
    setPendingRecipients(id: number, recipients: string[], now: number): void {
      setRecipients.run(JSON.stringify(recipients), now, id);
    },
    setState(
      id: number,
      state: MessageState,
      now: number,
      extra: { nextAttemptAt?: number | null; dueReason?: DueReason | null; holdCategory?: Category | null; holdDetail?: string | null } = {},
    ): void {
      setState.run({
        id,
        state,
        now,
        nextAttemptAt: extra.nextAttemptAt ?? null,
        dueReason: extra.dueReason ?? null,
        holdCategory: extra.holdCategory ?? null,
        holdDetail: extra.holdDetail ?? null,
      });
    },
  };
}
export type MessagesRepo = ReturnType<typeof createMessagesRepo>;
