import type { Db } from './db';
import type { Category, Kind } from '../../../shared/categories';
import type {
  AttemptView, BounceView, DueReason, FailureGroup, FailureRow, FailureSource, MessageState, MessageView, StatusSummary,
} from '../../../shared/model';
import { buildSearchHits, GROUP_INDEX, type HitColumnsRow, type HitRow, type SearchHits } from './search-hits';

/**
 * Read-only joined queries for the window: the failure list (grouped, filtered, searched and
 * paged), one failure in detail, the charts and the status summary. Nothing here writes.
 *
 * The list is built from fixed SQL fragments chosen by which filters are present (never from
 * the input text), and each shape is prepared once and cached, so SQLite can plan every shape
 * with the right index instead of one catch-all `(? IS NULL OR …)` query that scans.
 */

export interface FailureQuery {
  group?: FailureGroup;
  accountId?: number;
  category?: Category;
  domain?: string;
  search?: string;
  offset: number;
  limit: number;
}

export interface FailureListPage {
  rows: FailureRow[];
  total: number;
  groups: Record<FailureGroup, number>;
}

interface FailureDbRow {
  id: number;
  message_id: number | null;
  header_message_id: string | null;
  account_id: number | null;
  account_name: string | null;
  recipient: string | null;
  category: Category;
  kind: Kind;
  rule: string;
  source: FailureSource;
  status: string | null;
  reply_code: number | null;
  diagnostic: string | null;
  subject: string | null;
  detected_at: number;
  resolved_at: number | null;
  grp: FailureGroup;
  next_attempt_at: number | null;
  due_reason: DueReason | null;
  msg_state: MessageState | null;
}

/** The list diagnostic is cut; the detail has it whole. */
const LIST_DIAGNOSTIC_CHARS = 400;

/** The one rule that puts a failure in a group, as an SQL CASE giving `value(group)`. */
function groupCase(value: (group: FailureGroup) => string): string {
  return `CASE WHEN f.resolved_at IS NOT NULL THEN ${value('resolved')}
  WHEN f.kind = 'fix' THEN ${value('needs_you')} WHEN f.kind = 'temporary' THEN ${value('retrying')} ELSE ${value('wont_retry')} END`;
}

const GROUP_SQL = groupCase((g) => `'${g}'`);

/**
 * `detected_at * 4 + group number` in one column, for search hits (see search-hits.ts): each
 * column read per row costs (a broad text matches most of the table), and the group is all that
 * a search without filters needs.
 */
const HIT_WHEN_SQL = `f.detected_at * 4 + ${groupCase((g) => String(GROUP_INDEX[g]))}`;

/** A list row's columns, over `failures f` joined by LIST_ROW_JOINS. */
const LIST_ROW_COLUMNS = `f.id, f.message_id, m.message_id AS header_message_id, f.account_id, a.name AS account_name,
  f.recipient, f.category, f.kind, f.rule, f.source, f.status, f.reply_code,
  substr(f.diagnostic, 1, ${LIST_DIAGNOSTIC_CHARS}) AS diagnostic, m.subject, f.detected_at, f.resolved_at,
  ${GROUP_SQL} AS grp, m.next_attempt_at, m.due_reason, m.state AS msg_state`;
const LIST_ROW_JOINS = `LEFT JOIN messages m ON m.id = f.message_id
  LEFT JOIN accounts a ON a.id = f.account_id`;

const GROUP_WHERE: Record<FailureGroup, string> = {
  needs_you: "f.resolved_at IS NULL AND f.kind = 'fix'",
  retrying: "f.resolved_at IS NULL AND f.kind = 'temporary'",
  wont_retry: "f.resolved_at IS NULL AND f.kind = 'permanent'",
  resolved: "f.resolved_at IS NOT NULL AND f.kind != 'none'",
};

/** A raw bounce larger than this is cut for the window (the whole one stays in the database). */
const RAW_VIEW_BYTES = 2 * 1024 * 1024;

export const EMPTY_GROUPS: Record<FailureGroup, number> = { needs_you: 0, retrying: 0, wont_retry: 0, resolved: 0 };

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Trigrams need three characters; shorter searches fall back to LIKE (they match broadly anyway). */
const TRIGRAM_MIN_CHARS = 3;

function usesTrigrams(search: string | undefined): boolean {
  return !!search && [...search.trim()].length >= TRIGRAM_MIN_CHARS;
}

/** The search text as one FTS5 phrase: with the trigram tokenizer, a case-insensitive substring. */
function ftsPhrase(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

function toFailureRow(r: FailureDbRow): FailureRow {
  const waiting = r.msg_state === 'queued' && r.resolved_at === null;
  return {
    id: r.id,
    messageDbId: r.message_id,
    messageId: r.header_message_id,
    accountId: r.account_id,
    accountName: r.account_name,
    recipient: r.recipient,
    category: r.category,
    kind: r.kind,
    source: r.source,
    status: r.status,
    replyCode: r.reply_code,
    diagnostic: r.diagnostic,
    subject: r.subject,
    detectedAt: r.detected_at,
    resolvedAt: r.resolved_at,
    group: r.grp,
    nextAttemptAt: waiting ? r.next_attempt_at : null,
    dueReason: waiting ? r.due_reason : null,
  };
}

function parseList(json: string | null): string[] {
  if (!json) return [];
  try {
    const value = JSON.parse(json) as unknown;
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

export function createViews(db: Db) {
  const listCache = new Map<string, ReturnType<Db['prepare']>>();
  // Group counts for a filter, kept until anything is written: paging through the list then
  // costs one indexed page read instead of a count over every row. `total_changes()` moves on
  // this connection's writes, `data_version` on other connections' commits.
  const changeMark = db.prepare<[], { c: number; v: number }>('SELECT total_changes() AS c, (SELECT data_version FROM pragma_data_version) AS v');
  let countsMark = '';
  const countsByFilter = new Map<string, Record<FailureGroup, number>>();
  const countCache = new Map<string, ReturnType<Db['prepare']>>();
  // A trigram search, run once per text until the next write (see search-hits.ts). A few texts
  // are kept so that typing back ("campaign 7" → "campaign" → "campaign 7") finds them again.
  const hitsByPhrase = new Map<string, SearchHits>();
  const HITS_KEPT = 4;
  const searchHits = db.prepare<{ phrase: string }, HitRow>(`
    SELECT f.id, ${HIT_WHEN_SQL} AS hit_when
    FROM failures f
    WHERE f.kind != 'none' AND f.id IN (SELECT rowid FROM failures_search WHERE failures_search MATCH @phrase)`).raw();
  const hitColumns = db.prepare<[string], HitColumnsRow>(
    'SELECT f.id, f.account_id, f.category, f.recipient_domain FROM failures f WHERE f.id IN (SELECT value FROM json_each(?))',
  ).raw();
  const rowsByIds = db.prepare<[string], FailureDbRow>(`
    SELECT ${LIST_ROW_COLUMNS}
    FROM failures f
    ${LIST_ROW_JOINS}
    WHERE f.id IN (SELECT value FROM json_each(?))
    ORDER BY f.detected_at DESC, f.id DESC`);

  function hitsFor(phrase: string): SearchHits {
    let hits = hitsByPhrase.get(phrase);
    if (hits) {
      // most recently used last, so the oldest text is the one dropped
      hitsByPhrase.delete(phrase);
    } else {
      hits = buildSearchHits(searchHits.all({ phrase }), (ids) => hitColumns.all(JSON.stringify(ids)));
      if (hitsByPhrase.size >= HITS_KEPT) hitsByPhrase.delete(hitsByPhrase.keys().next().value!);
    }
    hitsByPhrase.set(phrase, hits);
    return hits;
  }

  function filterSql(q: FailureQuery): { key: string; where: string[]; needsMessage: boolean } {
    const where: string[] = ["f.kind != 'none'"];
    let key = '';
    let needsMessage = false;
    if (q.accountId !== undefined) {
      where.push('f.account_id = @accountId');
      key += 'a';
    }
    if (q.category !== undefined) {
      where.push('f.category = @category');
      key += 'c';
    }
    if (q.domain) {
      where.push('f.recipient_domain = @domain');
      key += 'd';
    }
    // Searches of three characters or more go through the trigram index and search-hits.ts.
    if (q.search && !usesTrigrams(q.search)) {
      // LIKE is case-insensitive for ASCII, which covers addresses and most reply texts.
      where.push(`(f.recipient LIKE @pattern ESCAPE '\\' OR f.diagnostic LIKE @pattern ESCAPE '\\'
        OR m.subject LIKE @pattern ESCAPE '\\' OR f.category LIKE @pattern ESCAPE '\\')`);
      key += 'l';
      needsMessage = true;
    }
    return { key, where, needsMessage };
  }

  function params(q: FailureQuery) {
    return {
      accountId: q.accountId ?? null,
      category: q.category ?? null,
      domain: q.domain ? q.domain.trim().replace(/^@/, '').toLowerCase() : null,
      pattern: q.search && !usesTrigrams(q.search) ? `%${escapeLike(q.search.trim())}%` : null,
      phrase: usesTrigrams(q.search) ? ftsPhrase(q.search!.trim()) : null,
      offset: q.offset,
      limit: q.limit,
    };
  }

  // The page's ids are picked first, from an index alone, and only those rows are joined: a
  // page deep in the list (OFFSET 50,000) then skips index entries, not joined rows.
  function listStatement(q: FailureQuery) {
    const { key, where, needsMessage } = filterSql(q);
    const group = q.group ?? 'all';
    const cacheKey = `${group}:${key}`;
    let stmt = listCache.get(cacheKey);
    if (!stmt) {
      const all = q.group ? [...where, GROUP_WHERE[q.group]] : where;
      stmt = db.prepare(`
        SELECT ${LIST_ROW_COLUMNS}
        FROM (
          SELECT f.id FROM failures f ${needsMessage ? 'LEFT JOIN messages m ON m.id = f.message_id' : ''}
          WHERE ${all.join(' AND ')}
          ORDER BY f.detected_at DESC, f.id DESC
          LIMIT @limit OFFSET @offset
        ) AS page
        JOIN failures f ON f.id = page.id
        ${LIST_ROW_JOINS}
        ORDER BY f.detected_at DESC, f.id DESC`);
      listCache.set(cacheKey, stmt);
    }
    return stmt;
  }

  // Without a search, each group's count is a range count on one index (no sort, no table
  // reads); a short (LIKE) search reads every row once and groups them, kept until the next write.
  function countStatement(q: FailureQuery) {
    const { key, where, needsMessage } = filterSql(q);
    let stmt = countCache.get(key);
    if (!stmt) {
      if (q.search) {
        stmt = db.prepare(`
          SELECT ${GROUP_SQL} AS grp, count(*) AS n
          FROM failures f ${needsMessage ? 'LEFT JOIN messages m ON m.id = f.message_id' : ''}
          WHERE ${where.join(' AND ')}
          GROUP BY grp`);
      } else {
        const groups = Object.entries(GROUP_WHERE).map(
          ([grp, cond]) => `SELECT '${grp}' AS grp, (SELECT count(*) FROM failures f WHERE ${[...where, cond].join(' AND ')}) AS n`,
        );
        stmt = db.prepare(groups.join(' UNION ALL '));
      }
      countCache.set(key, stmt);
    }
    return stmt;
  }

  const failureById = db.prepare<[number], FailureDbRow>(`
    SELECT f.id, f.message_id, m.message_id AS header_message_id, f.account_id, a.name AS account_name,
      f.recipient, f.category, f.kind, f.rule, f.source, f.status, f.reply_code, f.diagnostic, m.subject,
      f.detected_at, f.resolved_at, ${GROUP_SQL} AS grp, m.next_attempt_at, m.due_reason, m.state AS msg_state
    FROM failures f
    LEFT JOIN messages m ON m.id = f.message_id
    LEFT JOIN accounts a ON a.id = f.account_id
    WHERE f.id = ?`);
  const failureLinks = db.prepare<[number], { bounce_id: number | null; attempt_id: number | null; rule: string; account_max: number | null }>(`
    SELECT f.bounce_id, f.attempt_id, f.rule, a.max_message_bytes AS account_max
    FROM failures f LEFT JOIN accounts a ON a.id = f.account_id WHERE f.id = ?`);
  const messageById = db.prepare<[number], {
    id: number; message_id: string | null; account_id: number; account_name: string; source: MessageView['source'];
    mail_from: string; subject: string | null; size_bytes: number; has_attachments: number; state: MessageState;
    next_attempt_at: number | null; due_reason: DueReason | null; hold_category: Category | null; hold_detail: string | null;
    attempt_count: number; created_at: number; sent_at: number | null;
  }>(`
    SELECT m.id, m.message_id, m.account_id, a.name AS account_name, m.source, m.mail_from, m.subject, m.size_bytes,
      m.has_attachments, m.state, m.next_attempt_at, m.due_reason, m.hold_category, m.hold_detail, m.attempt_count,
      m.created_at, m.sent_at
    FROM messages m JOIN accounts a ON a.id = m.account_id WHERE m.id = ?`);
  const recipientsOf = db.prepare<[number], { address: string }>(
    'SELECT address FROM message_recipients WHERE message_id = ? ORDER BY rowid',
  );
  const attemptsOf = db.prepare<[number], {
    id: number; started_at: number; finished_at: number | null; outcome: AttemptView['outcome']; stage: AttemptView['stage'];
    reply_code: number | null; enhanced: string | null; reply_text: string | null; error_code: string | null;
    accepted_json: string; rejected_json: string; size_bytes: number | null; server_size_limit: number | null;
    category: Category | null; rule: string | null;
  }>(`
    SELECT id, started_at, finished_at, outcome, stage, reply_code, enhanced, reply_text, error_code, accepted_json,
      rejected_json, size_bytes, server_size_limit, category, rule
    FROM attempts WHERE message_id = ? ORDER BY started_at, id`);
  const bounceById = db.prepare<[number], {
    id: number; folder: string; type: string; received_at: number | null; original_message_id: string | null;
    link_method: string | null; raw_head: Buffer | null; raw_size: number | null;
  }>(`
    SELECT id, folder, type, received_at, original_message_id, link_method,
      substr(raw, 1, ${RAW_VIEW_BYTES}) AS raw_head, length(raw) AS raw_size
    FROM bounces WHERE id = ?`);
  const latestBounceForMessage = db.prepare<[number], { id: number }>(
    'SELECT id FROM bounces WHERE linked_message_id = ? ORDER BY created_at DESC, id DESC LIMIT 1',
  );

  const sendsByHour = db.prepare<{ start: number; accountId: number | null }, { bucket: number; sent: number; recipients: number }>(`
    SELECT CAST((finished_at - @start) / 3600000 AS INTEGER) AS bucket, count(*) AS sent, sum(accepted_count) AS recipients
    FROM attempts
    WHERE outcome IN ('sent', 'partial') AND finished_at >= @start AND (@accountId IS NULL OR account_id = @accountId)
    GROUP BY bucket`);
  const failuresByDay = db.prepare<{ start: number }, { bucket: number; category: Category; n: number }>(`
    SELECT CAST((detected_at - @start) / 86400000 AS INTEGER) AS bucket, category, count(*) AS n
    FROM failures WHERE detected_at >= @start AND kind != 'none'
    GROUP BY bucket, category`);
  // One range count per group on failures_open: no sort over every row.
  const allGroupCounts = db.prepare<[], { grp: FailureGroup; n: number }>(
    Object.entries(GROUP_WHERE)
      .map(([grp, cond]) => `SELECT '${grp}' AS grp, (SELECT count(*) FROM failures f WHERE ${cond}) AS n`)
      .join(' UNION ALL '),
  );
  const pausedAccounts = db.prepare<[], { total: number; paused: number }>(
    'SELECT count(*) AS total, coalesce(sum(paused), 0) AS paused FROM accounts',
  );
  const accountLimits = db.prepare<[number], { limits_json: string }>('SELECT limits_json FROM accounts WHERE id = ?');
  const onlyAccount = db.prepare<[], { id: number }>('SELECT id FROM accounts ORDER BY id LIMIT 2');
  const openFailureIdsReady = db.prepare<[string], { id: number }>(`
    SELECT f.id FROM failures f WHERE f.resolved_at IS NULL AND f.category = ? AND f.message_id IS NOT NULL
    ORDER BY f.detected_at`);
  const failureTargets = db.prepare<[number], { id: number; message_id: number | null; recipient: string | null; category: Category; kind: Kind; resolved_at: number | null; account_id: number | null }>(
    'SELECT id, message_id, recipient, category, kind, resolved_at, account_id FROM failures WHERE id = ?',
  );
  const distinctDomains = db.prepare<[], { domain: string; n: number }>(`
    SELECT recipient_domain AS domain, count(*) AS n FROM failures
    WHERE resolved_at IS NULL AND recipient_domain IS NOT NULL AND recipient_domain != ''
    GROUP BY recipient_domain ORDER BY n DESC LIMIT 50`);

  return {
    /** One page of the failure list, the total for the chosen group and the counts of every group under the same filters. */
    failureList(q: FailureQuery): FailureListPage {
      const p = params(q);
      const m = changeMark.get()!;
      const mark = `${m.c}:${m.v}`;
      if (mark !== countsMark) {
        countsMark = mark;
        countsByFilter.clear();
        hitsByPhrase.clear();
      }
      if (p.phrase !== null) {
        const hits = hitsFor(p.phrase);
        const filter = { accountId: p.accountId, category: p.category, domain: p.domain };
        const groups = hits.counts(filter);
        const total = q.group ? groups[q.group] : groups.needs_you + groups.retrying + groups.wont_retry + groups.resolved;
        const ids = hits.page(filter, q.group, q.offset, q.limit);
        const rows = ids.length ? rowsByIds.all(JSON.stringify(ids)).map(toFailureRow) : [];
        return { rows, total, groups };
      }
      const countKey = JSON.stringify([p.accountId, p.category, p.domain, p.pattern, p.phrase]);
      let groups = countsByFilter.get(countKey);
      if (!groups) {
        groups = { ...EMPTY_GROUPS };
        for (const r of countStatement(q).all(p) as { grp: FailureGroup; n: number }[]) groups[r.grp] = r.n;
        if (countsByFilter.size > 50) countsByFilter.clear();
        countsByFilter.set(countKey, groups);
      }
      const total = q.group ? groups[q.group] : groups.needs_you + groups.retrying + groups.wont_retry + groups.resolved;
      const rows = (listStatement(q).all(p) as FailureDbRow[]).map(toFailureRow);
      return { rows, total, groups: { ...groups } };
    },

    failure(id: number): (FailureRow & { rule: string; bounceId: number | null; attemptId: number | null; accountMaxBytes: number | null }) | null {
      const r = failureById.get(id);
      if (!r) return null;
      const links = failureLinks.get(id)!;
      return { ...toFailureRow(r), rule: links.rule, bounceId: links.bounce_id, attemptId: links.attempt_id, accountMaxBytes: links.account_max };
    },

    message(id: number): MessageView | null {
      const m = messageById.get(id);
      if (!m) return null;
      return {
        id: m.id,
        messageId: m.message_id,
        accountId: m.account_id,
        accountName: m.account_name,
        source: m.source,
        from: m.mail_from,
        recipients: recipientsOf.all(id).map((r) => r.address),
        subject: m.subject,
        sizeBytes: m.size_bytes,
        hasAttachments: m.has_attachments === 1,
        state: m.state,
        nextAttemptAt: m.state === 'queued' ? m.next_attempt_at : null,
        dueReason: m.state === 'queued' ? m.due_reason : null,
        holdCategory: m.hold_category,
        holdDetail: m.hold_detail,
        attemptCount: m.attempt_count,
        createdAt: m.created_at,
        sentAt: m.sent_at,
      };
    },

    attempts(messageId: number): AttemptView[] {
      return attemptsOf.all(messageId).map((a) => ({
        id: a.id,
        startedAt: a.started_at,
        finishedAt: a.finished_at,
        outcome: a.outcome,
        stage: a.stage,
        replyCode: a.reply_code,
        enhanced: a.enhanced,
        replyText: a.reply_text,
        errorCode: a.error_code,
        accepted: parseList(a.accepted_json),
        rejected: parseList(a.rejected_json),
        sizeBytes: a.size_bytes,
        serverSizeLimit: a.server_size_limit,
        category: a.category,
        rule: a.rule,
      }));
    },

    /** The bounce a failure came from, or else the newest bounce linked to its message. */
    bounce(bounceId: number | null, messageId: number | null): BounceView | null {
      const id = bounceId ?? (messageId !== null ? latestBounceForMessage.get(messageId)?.id ?? null : null);
      if (id === null) return null;
      const b = bounceById.get(id);
      if (!b) return null;
      let raw = b.raw_head ? Buffer.from(b.raw_head).toString('utf8') : '';
      if (b.raw_size !== null && b.raw_size > RAW_VIEW_BYTES) raw += `\n\n[… ${b.raw_size - RAW_VIEW_BYTES} more bytes not shown]`;
      return {
        id: b.id,
        folder: b.folder,
        type: b.type,
        receivedAt: b.received_at,
        originalMessageId: b.original_message_id,
        linkMethod: b.link_method,
        raw,
      };
    },

    /** Messages sent per hour over the 24 hours before `now`, oldest first. */
    sendsPerHour(now: number, accountId: number | null): { start: number; sent: number }[] {
      const start = Math.floor(now / 3_600_000) * 3_600_000 - 23 * 3_600_000;
      const buckets = Array.from({ length: 24 }, (_, i) => ({ start: start + i * 3_600_000, sent: 0 }));
      for (const r of sendsByHour.all({ start, accountId })) {
        // @start arrives as a REAL, so the division may not be whole.
        const b = Math.floor(r.bucket);
        if (b >= 0 && b < 24) buckets[b].sent += r.sent;
      }
      return buckets;
    },

    /** Failures per category per day over `days` days ending today (UTC days), oldest first. */
    failuresPerDay(now: number, days: number): { start: number; counts: Partial<Record<Category, number>> }[] {
      const start = Math.floor(now / 86_400_000) * 86_400_000 - (days - 1) * 86_400_000;
      const out = Array.from({ length: days }, (_, i) => ({ start: start + i * 86_400_000, counts: {} as Partial<Record<Category, number>> }));
      for (const r of failuresByDay.all({ start })) {
        const b = Math.floor(r.bucket);
        if (b >= 0 && b < days) out[b].counts[r.category] = (out[b].counts[r.category] ?? 0) + r.n;
      }
      return out;
    },

    /** The account whose limits a chart should show: the one asked for, or the only one there is. */
    chartAccount(accountId: number | null): number | null {
      if (accountId !== null) return accountId;
      const rows = onlyAccount.all();
      return rows.length === 1 ? rows[0].id : null;
    },

    accountLimitsJson(accountId: number): string | null {
      return accountLimits.get(accountId)?.limits_json ?? null;
    },

    groupCounts(): Record<FailureGroup, number> {
      const groups = { ...EMPTY_GROUPS };
      for (const r of allGroupCounts.all()) groups[r.grp] = r.n;
      return groups;
    },

    /** The tray's and the header's summary. `globalPaused` comes from the scheduler. */
    statusSummary(globalPaused: boolean): StatusSummary {
      const g = this.groupCounts();
      const acc = pausedAccounts.get() ?? { total: 0, paused: 0 };
      return {
        tray: g.needs_you > 0 ? 'needs_you' : g.retrying > 0 ? 'retrying' : 'clear',
        needsYou: g.needs_you,
        retrying: g.retrying,
        wontRetry: g.wont_retry,
        resolved: g.resolved,
        paused: globalPaused || (acc.total > 0 && acc.paused === acc.total),
      };
    },

    /** Open failures of a category that point at a stored message, oldest first (for "resend all in category"). */
    openFailureIdsInCategory(category: Category): number[] {
      return openFailureIdsReady.all(category).map((r) => r.id);
    },

    failureTarget(id: number) {
      return failureTargets.get(id) ?? null;
    },

    /** The recipient domains with the most open failures, for the filter's suggestions. */
    topDomains(): { domain: string; n: number }[] {
      return distinctDomains.all();
    },
  };
}
export type Views = ReturnType<typeof createViews>;
