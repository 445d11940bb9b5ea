// The scheduler: decides when each waiting message goes out and calls the sender. Due times are
// rows (messages.next_attempt_at + due_reason), the windows are counted from stored attempts,
// and one timer — through the Clock port — is armed for the earliest moment anything can move.
// The sender never calls back in here; it returns an outcome and `decide` says what follows.
import type { Category } from '../../../shared/categories';
import type { DueReason, QuotaLimit, QuotaWindowName, StatusSummary } from '../../../shared/model';
import type { EngineContext } from '../index';
import type { TimerHandle } from '../ports';
import { transaction } from '../store/db';
import { accountView, createAccountsRepo, type AccountRow } from '../store/accounts';
import { createAttemptsRepo, createAttemptUsageRepo } from '../store/attempts';
import { createFailuresRepo } from '../store/failures';
import { createMessagesRepo, createQueueRepo, type QueueHead } from '../store/messages';
import { createPaceRepo } from '../store/pace';
import { createSettingsRepo } from '../store/settings';
import { createViews } from '../store/views';
import { createAttention, type Attention } from './attention';
import { DEFAULT_BACKOFF, type BackoffPolicy, type Random } from './backoff';
import { ACCOUNT_HOLDS, decide, type DeliveryOutcome, type NextState } from './decide';
import { describeLearned, learnFromLimitReply } from './learning';
import { DEFAULT_PACE, NO_PACE, onSuccess, onThrottled, paceOpensAt, type PacePolicy, type PaceState } from './pace';
import { SendLog } from './send-log';
import { describeSlot, nextSlot, unitsOf, usedAt, WINDOW_MS, type Counts, type UsageReader } from './quota';

export type DeliverFn = (ctx: EngineContext, messageId: number, opts?: { force?: boolean }) => Promise<DeliveryOutcome>;

export interface SchedulerOptions {
  /** the sender; defaults to the outbox's deliverMessage (tests of the loop inject their own) */
  deliver?: DeliverFn;
  /** sends in flight per account at once */
  concurrency?: number;
  backoff?: Partial<BackoffPolicy>;
  pace?: Partial<PacePolicy>;
  random?: Random;
  /** how long attention items gather before one notice goes out */
  attentionDebounceMs?: number;
  /** the tray's summary; defaults to the store's view */
  summary?: () => StatusSummary;
  /**
   * The timer never sleeps longer than this, so changes another process made to the same
   * database (the command line's pause/resume, a second writer) are seen. 0 = only rows and
   * events wake it. Default one minute.
   */
  recheckMs?: number;
}

/** One waiting message as the queue listing shows it. */
export interface QueueEntry {
  id: number;
  messageId: string | null;
  accountId: number;
  accountName: string;
  subject: string | null;
  recipients: number;
  /** when it is expected to go out (null while its account or sending is paused) */
  dueAt: number | null;
  reason: DueReason;
  /** the stored reason, before quota and pace are taken into account */
  storedReason: DueReason | null;
  category: Category | null;
  slot: number | null;
  cap: number | null;
  window: QuotaWindowName | null;
  text: string;
}

export interface SlotInfo {
  at: number;
  slot: number;
  cap: number;
  window: QuotaWindowName | null;
}

export const PAUSED_KEY = 'sending.paused';

/** The account status each account-wide hold stands for. */
const ACCOUNT_STATUS = { auth_failed: 'auth_failed', account_suspended: 'account_suspended', config_error: 'config_error' } as const;

/** Account-wide temporary failures: the whole account waits, not only the message that met it. */
const ACCOUNT_WAITS: readonly Category[] = ['sending_limit', 'provider_outage', 'throttled'];

interface Flying {
  at: number;
  recipients: number;
}

interface Gate {
  at: number;
  reason: DueReason;
}

export function createScheduler(ctx: EngineContext, opts: SchedulerOptions = {}) {
  const { db, clock, events, logger } = ctx;
  const accounts = createAccountsRepo(db);
  const messages = createMessagesRepo(db);
  const queue = createQueueRepo(db);
  const attempts = createAttemptsRepo(db);
  const usage = createAttemptUsageRepo(db);
  const failures = createFailuresRepo(db);
  const paceRepo = createPaceRepo(db);
  const settings = createSettingsRepo(db);
  const concurrency = Math.max(1, opts.concurrency ?? 2);
  const policy: BackoffPolicy = { ...DEFAULT_BACKOFF, ...opts.backoff };
  const pacePolicy: PacePolicy = { ...DEFAULT_PACE, ...opts.pace };
  const random = opts.random ?? Math.random;
  const recheckMs = opts.recheckMs ?? 60_000;
  let deliver: DeliverFn | null = opts.deliver ?? null;
  let views: ReturnType<typeof createViews> | null = null;
  const summary = opts.summary ?? (() => (views ??= createViews(db)).statusSummary(isPaused()));
  const attention: Attention = createAttention({ clock, events }, { debounceMs: opts.attentionDebounceMs, summary });

  // Memory holds only what is cheap to rebuild from rows: sends in flight, account-wide waits,
  // the last send per account and a cache of account rows. Nothing per waiting message.
  const flying = new Map<number, Flying[]>();
  const blocked = new Map<number, number>();
  const lastSend = new Map<number, number | null>();
  const paces = new Map<number, PaceState>();
  const waitingOnQuota = new Set<number>();
  const windows = new Map<number, { log: SendLog; span: number; lastAt: number; idsAtLast: Set<number> }>();
  let accountCache: { row: AccountRow; limits: QuotaLimit[] }[] | null = null;

  let running = false;
  let stopped = true;
  let timer: TimerHandle | null = null;
  let armedAt: number | null = null;
  let passChain: Promise<number> = Promise.resolve(0);
  let passPending = false;
  const inFlight = new Set<Promise<void>>();
  const offs: (() => void)[] = [];
  let wakeQueued = false;

  function accountsNow() {
    accountCache ??= accounts.list().map((row) => ({ row, limits: accountView(row).limits }));
    return accountCache;
  }
  function accountById(id: number) {
    return accountsNow().find((a) => a.row.id === id);
  }

  function isPaused(): boolean {
    return settings.get<boolean>(PAUSED_KEY, false) === true;
  }

  function paceOf(accountId: number): PaceState {
    let p = paces.get(accountId);
    if (!p) {
      const row = paceRepo.get(accountId);
      p = row ? { intervalMs: row.interval_ms, floorMs: row.floor_ms, throttledAt: row.throttled_at } : NO_PACE;
      paces.set(accountId, p);
    }
    return p;
  }

  function lastSendOf(accountId: number): number | null {
    if (!lastSend.has(accountId)) lastSend.set(accountId, usage.lastStartedAt(accountId));
    return lastSend.get(accountId) ?? null;
  }

  /**
   * An account-wide wait survives a restart through the rows: the account's latest attempt
   * failed with such a category and its message still waits with it.
   */
  function blockedUntil(accountId: number): number | null {
    if (!blocked.has(accountId)) {
      let until = 0;
      const last = usage.latestForAccount(accountId);
      if (last?.outcome === 'failed' && last.category && ACCOUNT_WAITS.includes(last.category)) {
        const m = messages.get(last.message_id);
        if (m?.state === 'queued' && m.hold_category === last.category) until = m.next_attempt_at ?? 0;
      }
      blocked.set(accountId, until);
    }
    return blocked.get(accountId) || null;
  }

  /** How far back an account's windows can look (fixed windows: up to two periods). */
  function spanOf(limits: QuotaLimit[]): number {
    return Math.max(60_000, ...limits.map((l) => (l.mode === 'rolling' ? WINDOW_MS[l.window] : 2 * WINDOW_MS[l.window])));
  }

  /**
   * The account's send log, caught up with the attempts table: one indexed query that usually
   * returns nothing. Attempts finish at the clock's time, so asking from the latest time seen
   * (and skipping ids already counted at that instant) misses none.
   */
  function logFor(accountId: number, limits: QuotaLimit[]): SendLog {
    const now = clock.now();
    const span = spanOf(limits);
    let w = windows.get(accountId);
    if (!w || w.span < span) {
      w = { log: new SendLog(), span, lastAt: now - span, idsAtLast: new Set() };
      windows.set(accountId, w);
    }
    for (const r of usage.acceptedSince(accountId, w.lastAt - 1)) {
      if (r.at < w.lastAt || (r.at === w.lastAt && w.idsAtLast.has(r.id))) continue;
      if (r.at > w.lastAt) {
        w.lastAt = r.at;
        w.idsAtLast.clear();
      }
      w.idsAtLast.add(r.id);
      w.log.add(r.at, r.recipients);
    }
    w.log.prune(now - span);
    return w.log;
  }

  /** The account's accepted sends plus the ones in flight (counted from the moment they started). */
  function usageFor(accountId: number, limits: QuotaLimit[] = accountById(accountId)?.limits ?? []): UsageReader {
    const log = logFor(accountId, limits);
    const mine = flying.get(accountId) ?? [];
    if (mine.length === 0) return log;
    return {
      unitsAfter(counts: Counts, from: number) {
        let n = log.unitsAfter(counts, from);
        for (const f of mine) if (f.at > from) n += unitsOf(counts, f.recipients);
        return n;
      },
      timeWhenReached(counts: Counts, from: number, amount: number) {
        const stored = log.timeWhenReached(counts, from, amount);
        if (stored !== null) return stored;
        let n = log.unitsAfter(counts, from);
        for (const f of mine) {
          if (f.at <= from) continue;
          n += unitsOf(counts, f.recipients);
          if (n >= amount) return f.at;
        }
        return null;
      },
    };
  }

  function recipientsOf(h: { rcpt_json: string }): number {
    try {
      const v = JSON.parse(h.rcpt_json);
      return Array.isArray(v) ? Math.max(1, v.length) : 1;
    } catch {
      return 1;
    }
  }

  /** When the account's head message may start, and what holds it until then. */
  function gateFor(accountId: number, limits: QuotaLimit[], h: QueueHead, now: number): Gate {
    let gate: Gate = { at: Math.max(now, h.next_attempt_at ?? now), reason: h.due_reason ?? 'new' };
    const forced = h.force_send === 1;
    if (!forced) {
      const until = blockedUntil(accountId);
      if (until !== null && until > gate.at) gate = { at: until, reason: 'backoff' };
      const slot = nextSlot(limits, usageFor(accountId, limits), recipientsOf(h), gate.at);
      if (slot.at > gate.at) gate = { at: slot.at, reason: 'quota' };
    }
    const paced = paceOpensAt(paceOf(accountId), lastSendOf(accountId), gate.at);
    if (paced > gate.at) gate = { at: paced, reason: 'pace' };
    return gate;
  }

  function headOf(accountId: number, now: number): QueueHead | undefined {
    const forced = queue.forcedHead(accountId);
    if (forced && (forced.next_attempt_at ?? 0) <= now) return forced;
    return queue.head(accountId);
  }

  // --- one pass: start every send that may start now ---

  function startDue(): number {
    if (stopped || isPaused()) return 0;
    const now = clock.now();
    let started = 0;
    for (const { row, limits } of accountsNow()) {
      if (row.paused) continue;
      for (;;) {
        if ((flying.get(row.id)?.length ?? 0) >= concurrency) break;
        const h = headOf(row.id, now);
        if (!h || (h.next_attempt_at ?? 0) > now) break;
        const gate = gateFor(row.id, limits, h, now);
        if (gate.at > now) {
          if (gate.reason === 'quota') waitingOnQuota.add(row.id);
          break;
        }
        if (!queue.claim(h.id, now)) continue;
        if (waitingOnQuota.delete(row.id)) {
          attention.report({ type: 'quota_reopened', accountId: row.id, accountName: row.name, waiting: queue.queuedCount(row.id) + 1 });
        }
        const f: Flying = { at: now, recipients: recipientsOf(h) };
        flying.set(row.id, [...(flying.get(row.id) ?? []), f]);
        lastSend.set(row.id, now);
        started++;
        const p = sendOne(row, h, f).finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
    }
    return started;
  }

  async function sendOne(account: AccountRow, h: QueueHead, f: Flying): Promise<void> {
    let outcome: DeliveryOutcome | null = null;
    let error: unknown = null;
    try {
      deliver ??= (await import('../outbox/send/deliver')).deliverMessage;
      outcome = await deliver(ctx, h.id, { force: h.force_send === 1 });
    } catch (e) {
      error = e;
    } finally {
      const list = (flying.get(account.id) ?? []).filter((x) => x !== f);
      flying.set(account.id, list);
    }
    try {
      if (outcome) apply(account.id, h, outcome);
      else onDeliverError(account.id, h, error);
    } catch (e) {
      logger.error('schedule.apply_failed', { messageId: h.id, error: String(e) });
    }
  }

  /** The sender itself broke (not a provider reply): keep the message, held with the reason. */
  function onDeliverError(accountId: number, h: QueueHead, error: unknown): void {
    const now = clock.now();
    const detail = `Sending stopped with an internal error: ${error instanceof Error ? error.message : String(error)}`;
    logger.error('schedule.deliver_threw', { messageId: h.id, error: detail });
    messages.setState(h.id, 'held', now, { holdCategory: 'unknown', holdDetail: detail.slice(0, 1000) });
    attention.report({ type: 'needs_you', category: 'unknown', accountId, failureId: null, messageId: h.id, detail });
    events.emit('queue/changed', { accountId });
  }

  function apply(accountId: number, h: QueueHead, o: DeliveryOutcome): void {
    const now = clock.now();
    const acc = accountById(accountId);
    const all = [o.failure, ...o.recipientFailures.map((r) => r.classification)].filter((c) => c !== null);

    // Pace: throttling slows the account; every send that went through speeds it up a little.
    const before = paceOf(accountId);
    let pace = before;
    if (all.some((c) => c.category === 'throttled')) pace = onThrottled(pace, now, pacePolicy);
    else if (o.outcome !== 'failed') pace = onSuccess(pace, now, pacePolicy);
    if (pace !== before) {
      paces.set(accountId, pace);
      paceRepo.put(accountId, pace, now);
    }
    // A send that went through proves the account works again: no account-wide wait remains.
    if (o.outcome !== 'failed') blocked.set(accountId, 0);

    // Learning: a limit reply below the configured cap teaches the real cap.
    let limits = acc?.limits ?? [];
    const limitReply = all.find((c) => c.category === 'sending_limit');
    if (limitReply && acc) {
      // Only what the provider accepted counts as proof; sends still in flight may yet fail.
      const reader = logFor(accountId, limits);
      const learned = learnFromLimitReply(limits, (l) => usedAt(l, reader, now), limitReply.words, now);
      if (learned.learned) {
        limits = learned.limits;
        accounts.setLimits(accountId, limits, now);
        accountCache = null;
        const text = describeLearned(learned.learned);
        logger.info('schedule.cap_learned', { accountId, ...learned.learned });
        attention.report({ type: 'learned', accountId, accountName: acc.row.name, text });
        events.emit('accounts/changed', { accountId });
      }
    }

    const accountWide = all.some((c) => ACCOUNT_WAITS.includes(c.category));
    const next = decide(o, {
      now,
      since: h.first_attempt_at ?? now,
      // An account-wide wait grows with the account's run of such failures, whichever message met them.
      failures: Math.max(1, usage.failedCountForMessage(h.id), accountWide ? usage.failureStreak(accountId, ACCOUNT_WAITS) : 0),
      quotaOpensAt: limitReply ? nextSlot(limits, usageFor(accountId, limits), recipientsOf(h), now).at : null,
      policy,
      random,
    });
    applyNext(accountId, h.id, next, now, acc?.row.name ?? String(accountId));
  }

  function applyNext(accountId: number, id: number, next: NextState, now: number, accountName: string): void {
    if (next.state === 'sent') {
      messages.setState(id, 'sent', now);
    } else if (next.state === 'queued') {
      transaction(db, () => {
        if (next.recipients) messages.setPendingRecipients(id, next.recipients, now);
        messages.setState(id, 'queued', now, {
          nextAttemptAt: next.at,
          dueReason: next.reason,
          holdCategory: next.category,
          holdDetail: next.detail.slice(0, 1000),
        });
      });
      if (ACCOUNT_WAITS.includes(next.category)) {
        blocked.set(accountId, Math.max(blocked.get(accountId) ?? 0, next.at));
        if (next.reason === 'quota') waitingOnQuota.add(accountId);
      }
    } else if (next.state === 'held') {
      messages.setState(id, 'held', now, { holdCategory: next.category, holdDetail: next.detail.slice(0, 1000) });
      if (next.accountWide) {
        holdAccount(accountId, next.category, next.detail, now, accountName);
      } else {
        const failureId = failures.openForMessage(id).at(-1)?.id ?? null;
        attention.report({ type: 'needs_you', category: next.category, accountId, failureId, messageId: id, detail: next.detail });
      }
    } else {
      messages.setState(id, 'failed', now, { holdCategory: next.category, holdDetail: next.detail.slice(0, 1000) });
    }
    attention.statusChanged();
    events.emit('queue/changed', { accountId });
  }

  /** Sign-in rejected, account suspended or settings wrong: everything of the account waits for the fix. */
  function holdAccount(accountId: number, category: Category, detail: string, now: number, accountName: string): void {
    const held = queue.holdAllForAccount(accountId, category, detail.slice(0, 1000), now);
    const row = accounts.get(accountId);
    const status = ACCOUNT_STATUS[category as keyof typeof ACCOUNT_STATUS];
    if (row && status && row.status !== status) {
      accounts.setStatus(accountId, status, detail.slice(0, 1000), now);
      accountCache = null;
      events.emit('accounts/changed', { accountId });
    }
    logger.info('schedule.account_held', { accountId, category, held });
    attention.report({ type: 'reconnect', category, accountId, accountName, detail });
  }

  // --- the one timer ---

  /** The earliest moment any account's head may start; null when nothing waits (or all paused). */
  function nextWakeAt(): number | null {
    if (isPaused()) return null;
    const now = clock.now();
    let earliest: number | null = null;
    for (const { row, limits } of accountsNow()) {
      if (row.paused) continue;
      if ((flying.get(row.id)?.length ?? 0) >= concurrency) continue; // its sends finishing re-arm
      const h = headOf(row.id, now);
      if (!h) continue;
      const at = gateFor(row.id, limits, h, now).at;
      if (earliest === null || at < earliest) earliest = at;
    }
    return earliest;
  }

  function arm(): void {
    if (stopped) return;
    let at = nextWakeAt();
    if (recheckMs > 0) {
      const recheck = clock.now() + recheckMs;
      at = at === null ? recheck : Math.min(at, recheck);
    }
    if (at === armedAt && timer) return;
    timer?.cancel();
    timer = null;
    armedAt = at;
    if (at === null) return;
    timer = clock.setTimer(at, () => {
      timer = null;
      armedAt = null;
      accountCache = null; // another process may have changed accounts (pause, limits)
      void runDueNow();
    });
  }

  /**
   * Starts everything due now, waits for those sends, and repeats while that frees more (a
   * finished send makes room under the concurrency limit). Calls made while a pass runs join
   * the chain, so every caller's promise settles after a pass that saw its change.
   */
  function runDueNow(): Promise<number> {
    if (passPending) return passChain;
    passPending = true;
    passChain = passChain.then(async () => {
      passPending = false;
      running = true;
      // Accounts are a handful of rows: read them fresh for each pass (pause, limits and status
      // may have changed through any path, even another process).
      accountCache = null;
      let total = 0;
      try {
        for (;;) {
          const n = startDue();
          total += n;
          if (inFlight.size === 0) break;
          await Promise.race(inFlight);
        }
      } catch (e) {
        logger.error('schedule.pass_failed', { error: String(e) });
      } finally {
        running = false;
        arm();
      }
      return total;
    });
    return passChain;
  }

  /** Re-arms the timer now (rows changed). */
  function wake(): void {
    accountCache = null;
    if (!running) arm();
  }

  /** Store events arrive in bursts (the intake stores hundreds a second): re-arm once per burst. */
  function wakeSoon(): void {
    if (wakeQueued) return;
    wakeQueued = true;
    setImmediate(() => {
      wakeQueued = false;
      wake();
    });
  }

  // --- start-up: sends a crash left half-done ---

  function reconcile(): number {
    const now = clock.now();
    const stuck = queue.idsInState('sending');
    for (const { id, account_id } of stuck) {
      transaction(db, () => {
        let marked = false;
        for (const a of attempts.listForMessage(id)) if (a.finished_at === null) marked = attempts.markInterrupted(a.id, now) || marked;
        const m = messages.get(id);
        if (!marked) {
          attempts.insert({
            messageId: id, accountId: account_id, startedAt: m?.last_attempt_at ?? now, finishedAt: now, outcome: 'interrupted',
            stage: null, replyCode: null, enhanced: null, replyText: 'The app stopped while this message was being sent.',
            errorCode: null, accepted: [], rejected: [], sizeBytes: m?.size_bytes ?? null, serverSizeLimit: null,
            category: null, kind: null, rule: 'schedule/interrupted',
          });
        }
        messages.setState(id, 'queued', now, {
          nextAttemptAt: now,
          dueReason: 'backoff',
          holdDetail: 'Interrupted by a restart while sending; sent again.',
        });
      });
      logger.warn('schedule.reconciled', { messageId: id });
    }
    if (stuck.length) events.emit('queue/changed', { accountId: null });
    return stuck.length;
  }

  // --- the API ---

  function start(): void {
    if (!stopped) return;
    stopped = false;
    reconcile();
    offs.push(events.on('queue/changed', wakeSoon));
    offs.push(events.on('accounts/changed', wakeSoon));
    arm();
  }

  async function stop(): Promise<void> {
    stopped = true;
    timer?.cancel();
    timer = null;
    armedAt = null;
    offs.splice(0).forEach((off) => off());
    // Sends in flight finish and record their outcome; nothing new starts.
    await passChain.catch(() => 0);
    await Promise.allSettled([...inFlight]);
    attention.flush();
    attention.stop();
  }

  function pause(accountId?: number): void {
    const now = clock.now();
    if (accountId === undefined) settings.set(PAUSED_KEY, true);
    else accounts.setPaused(accountId, true, now);
    accountCache = null;
    attention.statusChanged();
    arm();
  }

  function resume(accountId?: number): void {
    const now = clock.now();
    if (accountId === undefined) settings.set(PAUSED_KEY, false);
    else accounts.setPaused(accountId, false, now);
    accountCache = null;
    attention.statusChanged();
    arm();
  }

  /**
   * After a successful reconnect: the account's sign-in and suspension holds go back into the
   * queue, due now; its windows and pace decide how fast they actually leave.
   */
  function releaseAccount(accountId: number): number {
    const now = clock.now();
    const released = queue.releaseAccount(accountId, now, now);
    const row = accounts.get(accountId);
    if (row && (ACCOUNT_HOLDS as readonly string[]).includes(row.status)) {
      accounts.setStatus(accountId, 'ok', null, now);
      events.emit('accounts/changed', { accountId });
    }
    accountCache = null;
    blocked.delete(accountId);
    if (released) events.emit('queue/changed', { accountId });
    attention.statusChanged();
    arm();
    return released;
  }

  function nextSlotFor(accountId: number, recipients: number): SlotInfo {
    const acc = accountById(accountId);
    const s = nextSlot(acc?.limits ?? [], usageFor(accountId, acc?.limits ?? []), recipients, clock.now());
    return { at: s.at, slot: s.slot, cap: s.cap, window: s.window };
  }

  /**
   * Every waiting message with the time it is expected to go, walking each account's queue in
   * order and counting each projected send into its windows. Reads in pages; the projection
   * keeps only the sends that can still count in a window.
   */
  function listQueue(opts: { accountId?: number; limit?: number } = {}): QueueEntry[] {
    const now = clock.now();
    const out: QueueEntry[] = [];
    const limit = opts.limit ?? Infinity;
    const globallyPaused = isPaused();
    for (const { row, limits } of accountsNow()) {
      if (opts.accountId !== undefined && row.id !== opts.accountId) continue;
      if (out.length >= limit) break;
      const longest = spanOf(limits);
      const sim = new SendLog();
      for (const r of usage.acceptedSince(row.id, now - longest)) sim.add(r.at, r.recipients);
      for (const f of flying.get(row.id) ?? []) sim.add(f.at, f.recipients);
      let pace = paceOf(row.id);
      let last = lastSendOf(row.id);
      let cursor: { at: number; id: number } | null = null;
      let t = now;
      const until = blockedUntil(row.id);
      for (;;) {
        const page = queue.page(row.id, cursor, 500);
        if (page.length === 0) break;
        for (const m of page) {
          if (out.length >= limit) break;
          const n = recipientsOf(m);
          const base: Omit<QueueEntry, 'dueAt' | 'reason' | 'slot' | 'cap' | 'window' | 'text'> = {
            id: m.id, messageId: m.message_id, accountId: row.id, accountName: row.name, subject: m.subject,
            recipients: n, storedReason: m.due_reason, category: m.hold_category,
          };
          if (globallyPaused || row.paused) {
            out.push({ ...base, dueAt: null, reason: 'paused', slot: null, cap: null, window: null, text: globallyPaused ? 'paused (all sending)' : 'paused (this account)' });
            continue;
          }
          let at = Math.max(t, m.next_attempt_at ?? now);
          let reason: DueReason = m.due_reason ?? 'new';
          if (m.force_send !== 1 && until !== null && until > at) {
            at = until;
            reason = 'backoff';
          }
          const slot = m.force_send === 1 ? null : nextSlot(limits, sim, n, at);
          if (slot && slot.at > at) {
            at = slot.at;
            reason = 'quota';
          }
          const paced = paceOpensAt(pace, last, at);
          if (paced > at) {
            at = paced;
            reason = 'pace';
          }
          sim.add(at, n);
          sim.prune(at - longest);
          last = at;
          pace = onSuccess(pace, at, pacePolicy);
          // One line per account: nobody behind this message leaves before it.
          t = at;
          const slotText = slot ? ` — ${describeSlot(slot)}` : m.force_send === 1 ? ' — forced, outside the sending limit' : '';
          out.push({
            ...base, dueAt: at, reason, slot: slot?.slot ?? null, cap: slot?.cap ?? null, window: slot?.window ?? null,
            text: `sends ${formatWhen(at, now)}${slotText}`,
          });
        }
        const lastRow = page[page.length - 1]!;
        cursor = { at: lastRow.next_attempt_at, id: lastRow.id };
        if (page.length < 500 || out.length >= limit) break;
      }
    }
    return out;
  }

  return {
    start,
    stop,
    wake,
    runDueNow,
    pause,
    resume,
    releaseAccount,
    nextSlot: nextSlotFor,
    queue: listQueue,
    isPaused,
    /** when the single timer is armed for (null = nothing waits) */
    armedAt: () => armedAt,
    /** emit pending attention notices now instead of after the debounce */
    flushAttention: () => attention.flush(),
    /** used by reconciliation tests and the CLI */
    reconcile,
  };
}
export type Scheduler = ReturnType<typeof createScheduler>;

// Intl formatters are costly to build; the queue listing formats thousands of times.
const TIME = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit' });
const DAY = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short' });
const DAY_KEY = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' });

/** "at 14:03" today, "on 6 Jan at 14:03" on another day, "now" when due. */
export function formatWhen(at: number, now: number): string {
  if (at <= now) return 'now';
  const time = TIME.format(at);
  if (DAY_KEY.format(now) === DAY_KEY.format(at)) return `at ${time}`;
  return `on ${DAY.format(at)} at ${time}`;
}
