import type { Db } from './db';
import type { Category, Kind } from '../../../shared/categories';
import type { SmtpStage } from '../../../shared/classification';
import type { AttemptView } from '../../../shared/model';

export type AttemptOutcome = 'sent' | 'partial' | 'failed' | 'interrupted';

export interface AttemptRow {
  id: number;
  message_id: number;
  account_id: number;
  started_at: number;
  finished_at: number | null;
  outcome: AttemptOutcome | null;
  stage: SmtpStage | null;
  reply_code: number | null;
  enhanced: string | null;
  reply_text: string | null;
  error_code: string | null;
  accepted_json: string;
  rejected_json: string;
  accepted_count: number;
  size_bytes: number | null;
  server_size_limit: number | null;
  category: Category | null;
  kind: Kind | null;
  rule: string | null;
}

/** Everything known about one finished SMTP attempt. */
export interface AttemptRecord {
  messageId: number;
  accountId: number;
  startedAt: number;
  finishedAt: number;
  outcome: AttemptOutcome;
  stage: SmtpStage | null;
  replyCode: number | null;
  enhanced: string | null;
  replyText: string | null;
  errorCode: string | null;
  accepted: string[];
  rejected: string[];
  sizeBytes: number | null;
  serverSizeLimit: number | null;
  category: Category | null;
  kind: Kind | null;
  rule: string | null;
}

function parseList(text: string): string[] {
  try {
    const v = JSON.parse(text);
    return Array.isArray(v) ? v.map(String) : [];
  } catch {
    return [];
  }
}

export function attemptView(row: AttemptRow): AttemptView {
  return {
    id: row.id,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    outcome: row.outcome,
    stage: row.stage,
    replyCode: row.reply_code,
    enhanced: row.enhanced,
    replyText: row.reply_text,
    errorCode: row.error_code,
    accepted: parseList(row.accepted_json),
    rejected: parseList(row.rejected_json),
    sizeBytes: row.size_bytes,
    serverSizeLimit: row.server_size_limit,
    category: row.category,
    rule: row.rule,
  };
}

/** SMTP attempts: one row per try, with the provider's reply kept verbatim. */
export function createAttemptsRepo(db: Db) {
  const insert = db.prepare(`
    INSERT INTO attempts (message_id, account_id, started_at, finished_at, outcome, stage, reply_code, enhanced,
      reply_text, error_code, accepted_json, rejected_json, accepted_count, size_bytes, server_size_limit, category, kind, rule)
    VALUES (@messageId, @accountId, @startedAt, @finishedAt, @outcome, @stage, @replyCode, @enhanced,
      @replyText, @errorCode, @acceptedJson, @rejectedJson, @acceptedCount, @sizeBytes, @serverSizeLimit, @category, @kind, @rule)`);
  const start = db.prepare<[number, number, number, number | null]>(
    'INSERT INTO attempts (message_id, account_id, started_at, size_bytes) VALUES (?, ?, ?, ?)',
  );
  const finish = db.prepare(`
    UPDATE attempts SET finished_at = @finishedAt, outcome = @outcome, stage = @stage, reply_code = @replyCode,
      enhanced = @enhanced, reply_text = @replyText, error_code = @errorCode, accepted_json = @acceptedJson,
      rejected_json = @rejectedJson, accepted_count = @acceptedCount, size_bytes = @sizeBytes,
      server_size_limit = @serverSizeLimit, category = @category, kind = @kind, rule = @rule
    WHERE id = @id`);
  const forMessage = db.prepare<[number], AttemptRow>('SELECT * FROM attempts WHERE message_id = ? ORDER BY started_at, id');
  const byId = db.prepare<[number], AttemptRow>('SELECT * FROM attempts WHERE id = ?');
  const countMessages = db.prepare<[number, number], { n: number }>(`
    SELECT count(*) AS n FROM attempts
    WHERE account_id = ? AND outcome IN ('sent', 'partial') AND finished_at >= ?`);
  const countRecipients = db.prepare<[number, number], { n: number | null }>(`
    SELECT sum(accepted_count) AS n FROM attempts
    WHERE account_id = ? AND outcome IN ('sent', 'partial') AND finished_at >= ?`);
  const unfinished = db.prepare<[], AttemptRow>('SELECT * FROM attempts WHERE finished_at IS NULL');
  const interrupt = db.prepare<[number, number]>(
    "UPDATE attempts SET finished_at = ?, outcome = 'interrupted' WHERE id = ? AND finished_at IS NULL",
  );

  function params(a: AttemptRecord) {
    return {
      messageId: a.messageId,
      accountId: a.accountId,
      startedAt: a.startedAt,
      finishedAt: a.finishedAt,
      outcome: a.outcome,
      stage: a.stage,
      replyCode: a.replyCode,
      enhanced: a.enhanced,
      replyText: a.replyText,
      errorCode: a.errorCode,
      acceptedJson: JSON.stringify(a.accepted),
      rejectedJson: JSON.stringify(a.rejected),
      acceptedCount: a.accepted.length,
      sizeBytes: a.sizeBytes,
      serverSizeLimit: a.serverSizeLimit,
      category: a.category,
      kind: a.kind,
      rule: a.rule,
    };
  }

  return {
    /** Inserts a finished attempt in one statement (call inside the outcome's transaction). */
    insert(a: AttemptRecord): number {
      return Number(insert.run(params(a)).lastInsertRowid);
    },
    /** Opens an attempt before the network exchange, so a crash leaves a visible unfinished row. */
    start(messageId: number, accountId: number, startedAt: number, sizeBytes: number | null): number {
      return Number(start.run(messageId, accountId, startedAt, sizeBytes).lastInsertRowid);
    },
    finish(id: number, a: AttemptRecord): void {
      finish.run({ ...params(a), id });
    },
    get(id: number): AttemptRow | undefined {
      return byId.get(id);
    },
    listForMessage(messageId: number): AttemptRow[] {
      return forMessage.all(messageId);
    },
    views(messageId: number): AttemptView[] {
      return forMessage.all(messageId).map(attemptView);
    },
    /** Sends accepted by the provider since `since`: what quota windows count. */
    countAcceptedSince(accountId: number, since: number, counts: 'messages' | 'recipients'): number {
      return counts === 'messages'
        ? countMessages.get(accountId, since)?.n ?? 0
        : countRecipients.get(accountId, since)?.n ?? 0;
    },
    /** Attempts that never finished (the process died mid-send). */
    unfinished(): AttemptRow[] {
      return unfinished.all();
    },
    markInterrupted(id: number, now: number): boolean {
      return interrupt.run(now, id).changes > 0;
    },
  };
}
export type AttemptsRepo = ReturnType<typeof createAttemptsRepo>;

// --- schedule: quota counting (read-only) ---
// What the quota windows count: accepted sends per account, walked through the covering index
// attempts_account_time, so a window's sum never reads attempt rows themselves.
export function createAttemptUsageRepo(db: Db) {
  const unitsMessages = db.prepare<[number, number], { n: number }>(`
    SELECT count(*) AS n FROM attempts
    WHERE account_id = ? AND outcome IN ('sent', 'partial') AND finished_at > ?`);
  const unitsRecipients = db.prepare<[number, number], { n: number | null }>(`
    SELECT sum(max(accepted_count, 1)) AS n FROM attempts
    WHERE account_id = ? AND outcome IN ('sent', 'partial') AND finished_at > ?`);
  // The running total in time order; the first row reaching the amount is the send whose
  // leaving the window frees enough room.
  const reachMessages = db.prepare<[number, number, number], { at: number }>(`
    SELECT finished_at AS at FROM attempts
    WHERE account_id = ? AND outcome IN ('sent', 'partial') AND finished_at > ?
    ORDER BY finished_at LIMIT 1 OFFSET ?`);
  const reachRecipients = db.prepare<[number, number, number], { at: number }>(`
    SELECT at FROM (
      SELECT finished_at AS at, sum(max(accepted_count, 1)) OVER (ORDER BY finished_at, id) AS total FROM attempts
      WHERE account_id = ? AND outcome IN ('sent', 'partial') AND finished_at > ?
    ) WHERE total >= ? LIMIT 1`);
  const acceptedSince = db.prepare<[number, number], { id: number; at: number; recipients: number }>(`
    SELECT id, finished_at AS at, accepted_count AS recipients FROM attempts
    WHERE account_id = ? AND outcome IN ('sent', 'partial') AND finished_at > ? ORDER BY finished_at, id`);
  // The account's latest attempts by id walk attempts_account backwards: no scan of the table.
  const latest = db.prepare<[number], { message_id: number; started_at: number; outcome: AttemptOutcome | null; category: Category | null }>(
    'SELECT message_id, started_at, outcome, category FROM attempts WHERE account_id = ? ORDER BY id DESC LIMIT 1',
  );
  const recent = db.prepare<[number, number], { outcome: AttemptOutcome | null; category: Category | null }>(
    'SELECT outcome, category FROM attempts WHERE account_id = ? ORDER BY id DESC LIMIT ?',
  );
  const failedForMessage = db.prepare<[number], { n: number }>(
    "SELECT count(*) AS n FROM attempts WHERE message_id = ? AND outcome = 'failed'",
  );
  return {
    /** Units accepted strictly after `from`: messages, or recipients (a send counts at least one). */
    unitsAfter(accountId: number, from: number, counts: 'messages' | 'recipients'): number {
      return counts === 'messages'
        ? unitsMessages.get(accountId, from)?.n ?? 0
        : unitsRecipients.get(accountId, from)?.n ?? 0;
    },
    /** Time of the accepted send (after `from`, oldest first) at which the units add up to `amount`. */
    timeWhenReached(accountId: number, from: number, amount: number, counts: 'messages' | 'recipients'): number | null {
      if (amount <= 0) return null;
      const row = counts === 'messages'
        ? reachMessages.get(accountId, from, amount - 1)
        : reachRecipients.get(accountId, from, amount);
      return row?.at ?? null;
    },
    /** The accepted sends after `from`, oldest first (the scheduler's in-memory window log). */
    acceptedSince(accountId: number, from: number): { id: number; at: number; recipients: number }[] {
      return acceptedSince.all(accountId, from);
    },
    /** When the account's latest attempt started (pace spacing survives a restart). */
    lastStartedAt(accountId: number): number | null {
      return latest.get(accountId)?.started_at ?? null;
    },
    /** The account's most recent attempt (which message, how it ended). */
    latestForAccount(accountId: number) {
      return latest.get(accountId);
    },
    /** How many of the account's latest attempts in a row failed with one of `categories`. */
    failureStreak(accountId: number, categories: readonly Category[], limit = 64): number {
      let n = 0;
      for (const r of recent.all(accountId, limit)) {
        if (r.outcome === 'interrupted') continue;
        if (r.outcome !== 'failed' || !r.category || !categories.includes(r.category)) break;
        n++;
      }
      return n;
    },
    failedCountForMessage(messageId: number): number {
      return failedForMessage.get(messageId)?.n ?? 0;
    },
  };
}
export type AttemptUsageRepo = ReturnType<typeof createAttemptUsageRepo>;
