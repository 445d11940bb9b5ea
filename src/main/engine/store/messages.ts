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
  // --- outbox additions ---
  const noteAttempt = db.prepare(`
    UPDATE messages SET attempt_count = attempt_count + 1, first_attempt_at = coalesce(first_attempt_at, @at),
      last_attempt_at = @at, sent_at = CASE WHEN @sent = 1 THEN coalesce(sent_at, @at) ELSE sent_at END, updated_at = @at
    WHERE id = @id`);
  const pageWithAccount = db.prepare<[number, number], MessageRow & { account_name: string }>(`
    SELECT m.*, a.name AS account_name FROM messages m JOIN accounts a ON a.id = m.account_id
    WHERE m.id > ? ORDER BY m.id LIMIT ?`);
  const releaseHeld = db.prepare(`
    UPDATE messages SET state = 'queued', next_attempt_at = @now, due_reason = 'released', hold_category = NULL,
      hold_detail = NULL, updated_at = @now
    WHERE account_id = @accountId AND state = 'held' AND hold_category IN (SELECT value FROM json_each(@categories))`);
  const queueResend = db.prepare(`
    UPDATE messages SET state = 'queued', next_attempt_at = @now, due_reason = 'resend', hold_category = NULL,
      hold_detail = NULL, force_send = @force, updated_at = @now
    WHERE id = @id`);
  const dueIds = db.prepare<[number, number], { id: number }>(
    "SELECT id FROM messages WHERE state = 'queued' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?",
  );

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
    /** Counts an attempt on the message (and its first send time when it went out). */
    noteAttempt(id: number, at: number, sent: boolean): void {
      noteAttempt.run({ at, sent: sent ? 1 : 0, id });
    },
    /** Messages with their account's name, in id order from `afterId` (for listings). */
    pageWithAccount(afterId: number, limit: number) {
      return pageWithAccount.all(afterId, limit);
    },
    /** Puts an account's messages held for one of `categories` back in the queue, due now. */
    releaseHeld(accountId: number, categories: string[], now: number): number {
      return releaseHeld.run({ accountId, categories: JSON.stringify(categories), now }).changes;
    },
    /** Queues the message again for a resend, due now (force: skip quota and backoff once). */
    queueResend(id: number, now: number, force: boolean): void {
      queueResend.run({ id, now, force: force ? 1 : 0 });
    },
    /** Queued messages whose time has come, oldest first. */
    dueIds(now: number, limit: number): number[] {
      return dueIds.all(now, limit).map((r) => r.id);
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

// --- schedule: due times ---
// The scheduler's view of the messages table: due rows per account, the atomic claim
// (queued → sending), holds and releases. Every query walks messages_account_due
// (account_id, state, next_attempt_at), so picking a head never reads the whole queue.

export interface QueueHead {
  id: number;
  account_id: number;
  next_attempt_at: number;
  due_reason: DueReason | null;
  hold_category: Category | null;
  rcpt_json: string;
  force_send: number;
  attempt_count: number;
  first_attempt_at: number | null;
  created_at: number;
}

export interface QueueListRow extends QueueHead {
  message_id: string | null;
  subject: string | null;
  hold_detail: string | null;
}

export function createQueueRepo(db: Db) {
  const head = db.prepare<[number], QueueHead>(`
    SELECT id, account_id, next_attempt_at, due_reason, hold_category, rcpt_json, force_send, attempt_count,
      first_attempt_at, created_at
    FROM messages WHERE account_id = ? AND state = 'queued' ORDER BY next_attempt_at, id LIMIT 1`);
  const forcedHead = db.prepare<[number], QueueHead>(`
    SELECT id, account_id, next_attempt_at, due_reason, hold_category, rcpt_json, force_send, attempt_count,
      first_attempt_at, created_at
    FROM messages INDEXED BY messages_forced
    WHERE account_id = ? AND force_send = 1 AND state = 'queued' ORDER BY next_attempt_at LIMIT 1`);
  const page = db.prepare<[number, number, number, number, number], QueueListRow>(`
    SELECT id, account_id, next_attempt_at, due_reason, hold_category, hold_detail, rcpt_json, force_send, attempt_count,
      first_attempt_at, created_at, message_id, subject
    FROM messages WHERE account_id = ? AND state = 'queued'
      AND (next_attempt_at > ? OR (next_attempt_at = ? AND id > ?))
    ORDER BY next_attempt_at, id LIMIT ?`);
  const claim = db.prepare<[number, number]>(
    "UPDATE messages SET state = 'sending', force_send = 0, updated_at = ? WHERE id = ? AND state = 'queued'",
  );
  const inState = db.prepare<[string], { id: number; account_id: number }>('SELECT id, account_id FROM messages WHERE state = ?');
  const holdAll = db.prepare<[string, string, number, number]>(`
    UPDATE messages SET state = 'held', hold_category = ?, hold_detail = ?, next_attempt_at = NULL, due_reason = NULL,
      updated_at = ?
    WHERE account_id = ? AND state = 'queued'`);
  const release = db.prepare<[number, number, number, string, string, string]>(`
    UPDATE messages SET state = 'queued', next_attempt_at = ?, due_reason = 'released', hold_category = NULL,
      hold_detail = NULL, updated_at = ?
    WHERE account_id = ? AND state = 'held' AND hold_category IN (?, ?, ?)`);
  const counts = db.prepare<[], { state: string; n: number; retried: number }>(`
    SELECT state, count(*) AS n, sum(attempt_count > 0) AS retried FROM messages
    WHERE state IN ('queued', 'sending', 'held', 'failed') GROUP BY state`);
  const queuedCount = db.prepare<[number], { n: number }>(
    "SELECT count(*) AS n FROM messages WHERE account_id = ? AND state = 'queued'",
  );
  const queuedAccounts = db.prepare<[], { account_id: number }>(
    "SELECT DISTINCT account_id FROM messages WHERE state = 'queued'",
  );

  return {
    /** The next queued message of an account: earliest due time, then oldest. */
    head(accountId: number): QueueHead | undefined {
      return head.get(accountId);
    },
    /** The account's earliest "resend now (force)" message, which skips the quota and the line. */
    forcedHead(accountId: number): QueueHead | undefined {
      return forcedHead.get(accountId);
    },
    /** Queued messages of an account in due order, after the cursor (keyset paging). */
    page(accountId: number, after: { at: number; id: number } | null, limit: number): QueueListRow[] {
      const at = after?.at ?? -Number.MAX_SAFE_INTEGER;
      return page.all(accountId, at, at, after?.id ?? 0, limit);
    },
    /** queued → sending, atomically; false when someone else changed it first. */
    claim(id: number, now: number): boolean {
      return claim.run(now, id).changes > 0;
    },
    idsInState(state: 'sending' | 'queued' | 'held'): { id: number; account_id: number }[] {
      return inState.all(state);
    },
    /** Holds every queued message of the account (its sign-in or the account itself failed). */
    holdAllForAccount(accountId: number, category: Category, detail: string, now: number): number {
      return holdAll.run(category, detail, now, accountId).changes;
    },
    /** Puts messages held by the account's sign-in, suspension or settings back into the queue. */
    releaseAccount(accountId: number, at: number, now: number): number {
      return release.run(at, now, accountId, 'auth_failed', 'account_suspended', 'config_error').changes;
    },
    /** Message counts for the tray: waiting (retried ones apart), held, failed. */
    stateCounts(): Record<string, { n: number; retried: number }> {
      const out: Record<string, { n: number; retried: number }> = {};
      for (const r of counts.all()) out[r.state] = { n: r.n, retried: r.retried };
      return out;
    },
    queuedCount(accountId: number): number {
      return queuedCount.get(accountId)?.n ?? 0;
    },
    accountsWithQueued(): number[] {
      return queuedAccounts.all().map((r) => r.account_id);
    },
  };
}
export type QueueRepo = ReturnType<typeof createQueueRepo>;
