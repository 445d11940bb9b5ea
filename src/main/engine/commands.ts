// The window's commands, implemented by calling the engine's parts. Arguments arrive already
// validated by the dispatcher (src/main/engine/dispatch.ts); every handler returns plain data
// or throws an AppFailure whose code reaches the window as a Result.
import type { CommandHandlers, FailureDetail } from '../../shared/contract';
import { adviceFor } from '../../shared/advice';
import type { QuotaLimit, StatusSummary, TestStep } from '../../shared/model';
import { AppFailure } from '../../shared/result';
import { reconnectOAuthAccount } from './accounts/oauth/connect';
import { OAuthSignInError } from './accounts/oauth/errors';
import { OAuthConfigError } from './accounts/oauth/providers';
import type { Engine } from './index';
import { PAUSED_KEY } from './schedule';
import { transaction } from './store/db';
import { createFailuresRepo } from './store/failures';
import { createMessagesRepo } from './store/messages';
import { createSettingsRepo } from './store/settings';
import { createSuppressionsRepo } from './store/suppressions';
import { createViews } from './store/views';

/** Kept for callers that cast the engine with it; every part is on Engine itself now. */
export type CommandServices = object;

/** How long the window waits for the browser sign-in before giving up (the user may be slow). */
const OAUTH_RECONNECT_TIMEOUT_MS = 300_000;

/**
 * An OAuth2 account reconnects by signing in again in the system browser. A sign-in that ends
 * without a grant (denied, timed out, the wrong account) comes back as a failed step, so the
 * window shows it like a failed connection test; a missing browser or a broken setup is a failure.
 */
async function reconnectInBrowser(engine: Engine, id: number): Promise<{ steps: TestStep[]; ok: boolean; released: number }> {
  const open = engine.openExternal;
  if (!open) throw new AppFailure('internal', 'This build cannot open a browser for the sign-in; use `outbox-monitor accounts reconnect` instead.');
  const started = engine.clock.now();
  try {
    return await reconnectOAuthAccount(engine, id, { openBrowser: open, timeoutMs: OAUTH_RECONNECT_TIMEOUT_MS });
  } catch (e) {
    if (e instanceof OAuthSignInError) {
      return { steps: [{ step: 'oauth:signin', ok: false, detail: e.message, ms: engine.clock.now() - started }], ok: false, released: 0 };
    }
    if (e instanceof OAuthConfigError) throw new AppFailure('conflict', e.message);
    throw e;
  }
}

function notAvailable(what: string): never {
  throw new AppFailure('internal', `${what} is not available in this build yet.`);
}

export function createCommandHandlers(engine: Engine): CommandHandlers {
  const { db, events, clock, accounts } = engine;
  const views = createViews(db);
  const failures = createFailuresRepo(db);
  const messages = createMessagesRepo(db);
  const suppressions = createSuppressionsRepo(db);
  const settings = createSettingsRepo(db);

  const globalPaused = () => engine.scheduler?.isPaused() ?? settings.get<boolean>(PAUSED_KEY, false);
  const summary = (): StatusSummary => views.statusSummary(globalPaused());
  const announce = (ids: number[], accountId: number | null = null) => {
    events.emit('failures/changed', { ids });
    events.emit('queue/changed', { accountId });
    events.emit('status/changed', summary());
  };

  return {
    async 'status/summary'() {
      return summary();
    },

    async 'failures/list'(query) {
      return views.failureList(query);
    },

    async 'failures/detail'(id) {
      const failure = views.failure(id);
      if (!failure) throw new AppFailure('not_found', `Failure ${id} does not exist (it may have been discarded).`);
      const message = failure.messageDbId !== null ? views.message(failure.messageDbId) : null;
      const attempts = failure.messageDbId !== null ? views.attempts(failure.messageDbId) : [];
      const serverLimit = attempts.reduce<number | null>((acc, a) => a.serverSizeLimit ?? acc, null);
      const { rule, bounceId, attemptId, accountMaxBytes, ...row } = failure;
      void attemptId;
      const detail: FailureDetail = {
        failure: row,
        message,
        attempts,
        bounce: views.bounce(bounceId, failure.messageDbId),
        rule,
        advice: adviceFor(row.category),
        sizeLimitBytes: serverLimit ?? accountMaxBytes,
      };
      return detail;
    },

    async 'failures/resend'({ failureIds, category, options }) {
      const ids = failureIds ?? (category ? views.openFailureIdsInCategory(category) : []);
      if (ids.length === 0) return { queued: 0, skipped: 0 };
      const opts = {
        onlyFailedRecipients: options?.onlyFailedRecipients ?? true,
        withoutAttachments: options?.withoutAttachments ?? false,
        fromOwnAddress: options?.fromOwnAddress ?? false,
        force: options?.force ?? false,
      };
      const result = await engine.resend.resend(ids, opts);
      engine.scheduler?.wake();
      announce(ids);
      return result;
    },

    async 'failures/discard'({ failureIds }) {
      const now = clock.now();
      let discarded = 0;
      const touched = new Set<number>();
      transaction(db, () => {
        for (const id of failureIds) {
          const f = views.failureTarget(id);
          if (!f || f.resolved_at !== null) continue;
          if (failures.resolve(id, 'discarded', now)) discarded++;
          if (f.message_id !== null) touched.add(f.message_id);
        }
        // A message with nothing left open is dropped from the queue, so no timer sends it later.
        for (const messageId of touched) {
          const m = messages.get(messageId);
          if (!m || m.state === 'sent' || m.state === 'sending') continue;
          if (failures.openForMessage(messageId).length === 0) messages.setState(messageId, 'discarded', now);
        }
      });
      announce(failureIds);
      return { discarded };
    },

    async 'suppressions/list'() {
      return suppressions.list().map((s) => ({ address: s.address, category: s.category, createdAt: s.created_at }));
    },

    async 'suppressions/add'({ addresses }) {
      const now = clock.now();
      let added = 0;
      transaction(db, () => {
        for (const a of addresses) if (suppressions.add(a.trim(), 'recipient_unknown', now, 'added by you')) added++;
      });
      events.emit('failures/changed', { ids: [] });
      return { added };
    },

    async 'suppressions/remove'({ addresses }) {
      let removed = 0;
      transaction(db, () => {
        for (const a of addresses) if (suppressions.remove(a.trim())) removed++;
      });
      events.emit('failures/changed', { ids: [] });
      return { removed };
    },

    async 'accounts/list'() {
      return accounts.list();
    },

    async 'accounts/presets'() {
      return accounts.presets();
    },

    async 'accounts/add'(input) {
      const account = await accounts.add(input);
      events.emit('accounts/changed', { accountId: account.id });
      return account;
    },

    async 'accounts/update'(id, patch) {
      const account = await accounts.update(id, patch);
      events.emit('accounts/changed', { accountId: id });
      return account;
    },

    async 'accounts/remove'(id) {
      const removed = await accounts.remove(id);
      announce([], id);
      return { removed };
    },

    async 'accounts/test'(id) {
      return accounts.test(id);
    },

    async 'accounts/reconnect'(id, input) {
      const result = !input.password && accounts.get(id)?.authType === 'oauth2' ? await reconnectInBrowser(engine, id) : await accounts.reconnect(id, input);
      if (result.ok) {
        // The scheduler also forgets the account's wait and clears its sign-in hold.
        const more = engine.scheduler?.releaseAccount(id) ?? 0;
        announce([], id);
        return { ...result, released: result.released + more };
      }
      return result;
    },

    async 'accounts/quota'(id) {
      return accounts.quota(id);
    },

    async 'sending/pause'({ accountId }) {
      if (engine.scheduler) engine.scheduler.pause(accountId);
      else if (accountId === undefined) settings.set(PAUSED_KEY, true);
      else notAvailable('Pausing one account');
      const s = summary();
      events.emit('status/changed', s);
      events.emit('accounts/changed', { accountId: accountId ?? null });
      return s;
    },

    async 'sending/resume'({ accountId }) {
      if (engine.scheduler) engine.scheduler.resume(accountId);
      else if (accountId === undefined) settings.set(PAUSED_KEY, false);
      else notAvailable('Resuming one account');
      const s = summary();
      events.emit('status/changed', s);
      events.emit('accounts/changed', { accountId: accountId ?? null });
      engine.scheduler?.wake();
      return s;
    },

    async 'relay/info'() {
      return engine.relayInfo();
    },

    async 'charts/sends'({ accountId }) {
      const now = clock.now();
      const buckets = views.sendsPerHour(now, accountId ?? null);
      const chartAccount = views.chartAccount(accountId ?? null);
      const caps: { window: string; cap: number }[] = [];
      if (chartAccount !== null) {
        const json = views.accountLimitsJson(chartAccount);
        let limits: QuotaLimit[] = [];
        try {
          limits = json ? (JSON.parse(json) as QuotaLimit[]) : [];
        } catch {
          limits = [];
        }
        for (const l of limits) {
          if (l.window === 'hour' || l.window === 'day') caps.push({ window: l.window, cap: Math.min(l.max, l.learnedMax ?? Infinity) });
        }
      }
      return { buckets, caps };
    },

    async 'charts/failures'({ days }) {
      return { days: views.failuresPerDay(clock.now(), days) };
    },
  } satisfies CommandHandlers;
}

