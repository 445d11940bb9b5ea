import { afterEach, describe, expect, it } from 'vitest';
import type { AttentionNotice, QuotaLimit } from '../../../src/shared/model';
import { ManualClock } from '../../../src/main/engine/ports';
import { createScheduler, type Scheduler } from '../../../src/main/engine/schedule';
import { createAccountsRepo } from '../../../src/main/engine/store/accounts';
import { createAttemptsRepo } from '../../../src/main/engine/store/attempts';
import { createMessagesRepo } from '../../../src/main/engine/store/messages';
import { createPaceRepo } from '../../../src/main/engine/store/pace';
import type { EngineContext } from '../../../src/main/engine/index';
import { addAccount, addMessages, D, drive, H, MIN, openCtx, scriptedDeliver, tempDbPath } from './helpers';

const T0 = Date.UTC(2026, 10, 30, 8, 0, 0);
const hour75: QuotaLimit = { window: 'hour', max: 75, mode: 'rolling', counts: 'messages' };
const day300: QuotaLimit = { window: 'day', max: 300, mode: 'rolling', counts: 'messages' };

const open: { ctx: EngineContext; sched: Scheduler }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.sched.stop();
    o.ctx.db.close();
  }
});

function boot(path: string, clock: ManualClock, deliver: ReturnType<typeof scriptedDeliver>, extra = {}) {
  const ctx = openCtx(path, clock);
  const sched = createScheduler(ctx, { deliver, random: () => 0, recheckMs: 0, ...extra });
  open.push({ ctx, sched });
  return { ctx, sched };
}

/**
 * An independent reference: minute by minute, send as many as both rolling windows allow.
 * The windows are whole hours and the run starts on a whole minute, so minutes are exact.
 */
function referenceTimes(count: number, start: number, caps: { windowMs: number; max: number }[], until: number): number[] {
  const times: number[] = [];
  for (let t = start; t <= until && times.length < count; t += MIN) {
    for (;;) {
      if (times.length >= count) break;
      const fits = caps.every((c) => times.filter((s) => s > t - c.windowMs).length < c.max);
      if (!fits) break;
      times.push(t);
    }
  }
  return times;
}

describe('scheduler with quota windows', () => {
  it('sends 1,000 messages at 75/hour and 300/day in exactly the right slots over 5 days, across a restart', async () => {
    const path = tempDbPath('slots');
    const clock = new ManualClock(T0);
    const sent: { id: number; at: number; accountId: number }[] = [];
    const deliver = scriptedDeliver(() => null, sent);
    let { ctx, sched } = boot(path, clock, deliver);
    const account = addAccount(ctx.db, 'merge', [hour75, day300], T0);
    addMessages(ctx.db, account, 1000, T0);
    sched.start();

    // The first hour: exactly 75 go at once, the rest wait for the window with exact times.
    await drive(clock, sched, T0 + 30 * MIN);
    expect(sent).toHaveLength(75);
    const waiting = sched.queue();
    expect(waiting).toHaveLength(925);
    expect(waiting[0]).toMatchObject({ dueAt: T0 + H, reason: 'quota', slot: 1, cap: 75, window: 'hour' });
    expect(waiting[0]!.text).toMatch(/slot 1 of 75 this hour/);
    expect(waiting[300 - 75]).toMatchObject({ dueAt: T0 + D, reason: 'quota', window: 'day' });
    expect(sched.armedAt()).toBe(T0 + H);

    // Run to the middle of day 2, then close everything and reopen on the same file.
    const middle = T0 + D + 90 * MIN;
    await drive(clock, sched, middle);
    const before = sched.queue().map((e) => [e.id, e.dueAt, e.reason]);
    await sched.stop();
    ctx.db.close();
    open.length = 0;
    ({ ctx, sched } = boot(path, clock, deliver));
    sched.start();
    expect(sched.queue().map((e) => [e.id, e.dueAt, e.reason])).toEqual(before);
    expect(before.length).toBeGreaterThan(0);

    await drive(clock, sched, T0 + 5 * D);
    const expected = referenceTimes(1000, T0, [{ windowMs: H, max: 75 }, { windowMs: D, max: 300 }], T0 + 5 * D);
    expect(sent.map((s) => s.at)).toEqual(expected);
    expect(new Set(sent.map((s) => s.id)).size).toBe(1000);
    expect(sched.queue()).toHaveLength(0);
    // every attempt is in the database, one per message
    const attempts = createAttemptsRepo(ctx.db);
    expect(attempts.listForMessage(sent[999]!.id)).toHaveLength(1);
  });

  it('learns a lower cap from a limit reply at send 60 of 75 and then never hits the provider limit again', async () => {
    const clock = new ManualClock(T0);
    const sent: { id: number; at: number; accountId: number }[] = [];
    let refusals = 0;
    // The provider's real cap: 60 per rolling day.
    const deliver = scriptedDeliver((_ctx, _id) => {
      const inDay = sent.filter((s) => s.at > clock.now() - D).length;
      if (inDay >= 60) {
        refusals++;
        return { category: 'sending_limit', words: '550-5.4.5 Daily user sending limit exceeded. For more information, go to 550 5.4.5 https://support.google.com/a/answer/166852' };
      }
      return null;
    }, sent);
    const { ctx, sched } = boot(tempDbPath('learn'), clock, deliver, { concurrency: 1 });
    const notices: AttentionNotice[] = [];
    ctx.events.on('attention', (n) => notices.push(n));
    const account = addAccount(ctx.db, 'gmail', [{ window: 'day', max: 75, mode: 'rolling', counts: 'messages' }], T0);
    addMessages(ctx.db, account, 200, T0);
    sched.start();
    await drive(clock, sched, T0 + 4 * D);

    expect(refusals).toBe(1);
    const limits = JSON.parse(createAccountsRepo(ctx.db).get(account)!.limits_json) as QuotaLimit[];
    expect(limits[0]).toMatchObject({ max: 75, learnedMax: 60 });
    expect(notices.some((n) => n.level === 'info' && /60/.test(n.body) && /75/.test(n.body))).toBe(true);
    // each time the window reopened with messages waiting, the user heard it once
    const reopened = notices.filter((n) => n.title === 'gmail: sending again');
    expect(reopened.length).toBeGreaterThanOrEqual(3);
    expect(reopened[0]!.count).toBe(140);
    // 60 a day from then on: day 0, 1, 2 and the remaining 20 on day 3
    expect(sent).toHaveLength(200);
    const perDay = [0, 1, 2, 3].map((d) => sent.filter((s) => s.at >= T0 + d * D && s.at < T0 + (d + 1) * D).length);
    expect(perDay).toEqual([60, 60, 60, 20]);
  });

  it('a burst that gets throttled settles on a pace with no more throttling', async () => {
    const clock = new ManualClock(T0);
    const sent: { id: number; at: number; accountId: number }[] = [];
    const throttledAt: number[] = [];
    // The provider throttles two sends less than 10 s apart.
    const deliver = scriptedDeliver(() => {
      const last = sent.at(-1)?.at;
      if (last !== undefined && clock.now() - last < 10_000) {
        throttledAt.push(clock.now());
        return throttledAt.length % 2 ? { category: 'throttled', words: '421 4.7.0 Try again later, closing connection.' } : { category: 'throttled', words: '450 4.7.1 Error: too much mail from 127.0.0.1' };
      }
      return null;
    }, sent);
    const { ctx, sched } = boot(tempDbPath('pace'), clock, deliver, { concurrency: 1 });
    const account = addAccount(ctx.db, 'smtp', [], T0);
    addMessages(ctx.db, account, 120, T0);
    sched.start();
    await drive(clock, sched, T0 + D);

    expect(sent).toHaveLength(120);
    expect(throttledAt.length).toBeGreaterThan(0);
    const lastThrottle = Math.max(...throttledAt);
    const after = sent.filter((s) => s.at > lastThrottle);
    expect(after.length).toBeGreaterThan(60);
    const pace = createPaceRepo(ctx.db).get(account)!;
    expect(pace.interval_ms).toBeGreaterThanOrEqual(10_000);
    for (let i = 1; i < sent.length; i++) expect(sent[i]!.at - sent[i - 1]!.at).toBeGreaterThanOrEqual(10_000);
  });
});

describe('holds, release, pause and attention', () => {
  it('an auth failure holds the whole account; a reconnect releases it at the pace its windows allow', async () => {
    const clock = new ManualClock(T0);
    const sent: { id: number; at: number; accountId: number }[] = [];
    let password = 'old';
    let account = 0;
    const deliver = scriptedDeliver((_c, _id, acc) => (password === 'old' && acc === account ? { category: 'auth_failed', words: '535-5.7.8 Username and Password not accepted.' } : null), sent);
    const { ctx, sched } = boot(tempDbPath('auth'), clock, deliver, { concurrency: 1, attentionDebounceMs: 1000 });
    const notices: AttentionNotice[] = [];
    ctx.events.on('attention', (n) => notices.push(n));
    account = addAccount(ctx.db, 'office', [{ window: 'hour', max: 5, mode: 'rolling', counts: 'messages' }], T0);
    const other = addAccount(ctx.db, 'other', [], T0);
    const ids = addMessages(ctx.db, account, 20, T0);
    addMessages(ctx.db, other, 3, T0);
    sched.start();
    await drive(clock, sched, T0 + 2 * H);

    const messages = createMessagesRepo(ctx.db);
    expect(ids.map((id) => messages.get(id)!.state)).toEqual(ids.map(() => 'held'));
    expect(ids.every((id) => messages.get(id)!.hold_category === 'auth_failed')).toBe(true);
    expect(createAccountsRepo(ctx.db).get(account)!.status).toBe('auth_failed');
    expect(sent.filter((s) => s.accountId === other)).toHaveLength(3);
    expect(notices.filter((n) => n.title.includes('office') && n.level === 'needs_you')).toHaveLength(1);
    expect(sched.armedAt()).toBeNull(); // held messages have no timer

    password = 'new';
    const t1 = clock.now();
    expect(sched.releaseAccount(account)).toBe(20);
    await drive(clock, sched, t1 + 5 * H);
    const mine = sent.filter((s) => s.accountId === account).map((s) => s.at);
    expect(mine).toHaveLength(20);
    // the one attempt that failed was not accepted, so 5 per hour from the release
    expect(mine).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3].map((h) => t1 + h * H));
    expect(createAccountsRepo(ctx.db).get(account)!.status).toBe('ok');
  });

  it('pauses globally and per account, and resumes', async () => {
    const clock = new ManualClock(T0);
    const sent: { id: number; at: number; accountId: number }[] = [];
    const { ctx, sched } = boot(tempDbPath('pause'), clock, scriptedDeliver(() => null, sent));
    const a = addAccount(ctx.db, 'a', [], T0);
    const b = addAccount(ctx.db, 'b', [], T0);
    addMessages(ctx.db, a, 2, T0);
    addMessages(ctx.db, b, 2, T0);
    sched.start();
    sched.pause();
    await drive(clock, sched, T0 + H);
    expect(sent).toHaveLength(0);
    expect(sched.queue().every((e) => e.reason === 'paused' && e.dueAt === null)).toBe(true);
    sched.pause(a);
    sched.resume();
    await drive(clock, sched, T0 + 2 * H);
    expect(sent.map((s) => s.accountId)).toEqual([b, b]);
    sched.resume(a);
    await drive(clock, sched, T0 + 3 * H);
    expect(sent.map((s) => s.accountId)).toEqual([b, b, a, a]);
  });

  it('a burst of 200 failures that need the user is one notice', async () => {
    const clock = new ManualClock(T0);
    const { ctx, sched } = boot(tempDbPath('burst'), clock, scriptedDeliver(() => ({ category: 'rejected_content', words: '550 5.7.1 Message rejected as spam' })), { concurrency: 3, attentionDebounceMs: 5_000 });
    const notices: AttentionNotice[] = [];
    const statuses: unknown[] = [];
    ctx.events.on('attention', (n) => notices.push(n));
    ctx.events.on('status/changed', (s) => statuses.push(s));
    const account = addAccount(ctx.db, 'bulk', [], T0);
    addMessages(ctx.db, account, 200, T0);
    sched.start();
    await drive(clock, sched, T0 + MIN);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ level: 'needs_you', count: 200, title: '200 messages need you' });
    expect(statuses.length).toBeGreaterThan(0);
  });

  it('retries an outage with growing waits, holding the rest of the account meanwhile, and resend-now with force skips the quota', async () => {
    const clock = new ManualClock(T0);
    const sent: { id: number; at: number; accountId: number }[] = [];
    const tries: number[] = [];
    const deliver = scriptedDeliver(() => {
      tries.push(clock.now());
      return clock.now() < T0 + 10 * MIN ? { category: 'provider_outage', words: '421 4.3.2 Service not available' } : null;
    }, sent);
    const { ctx, sched } = boot(tempDbPath('outage'), clock, deliver, { concurrency: 1 });
    const account = addAccount(ctx.db, 'flaky', [{ window: 'hour', max: 3, mode: 'rolling', counts: 'messages' }], T0);
    const ids = addMessages(ctx.db, account, 4, T0);
    sched.start();
    await drive(clock, sched, T0 + 30 * MIN);
    // one probe per wait (1, 2, 4 min), never a stampede; then 3 go within the hour
    expect(tries.slice(0, 4)).toEqual([T0, T0 + MIN, T0 + 3 * MIN, T0 + 7 * MIN]);
    expect(sent).toHaveLength(3);
    const rest = ids.find((id) => !sent.some((s) => s.id === id))!;
    expect(sched.queue()[0]).toMatchObject({ id: rest, reason: 'quota' });

    // "resend now" with force: skips the window once
    ctx.db.prepare('UPDATE messages SET force_send = 1, next_attempt_at = ?, due_reason = ? WHERE id = ?').run(clock.now(), 'resend', rest);
    sched.wake();
    await drive(clock, sched, clock.now() + 1);
    expect(sent.map((s) => s.id)).toContain(rest);
  });

  it('notices a pause and a resume made by another process on the same database', async () => {
    const path = tempDbPath('twoproc');
    const clock = new ManualClock(T0);
    const sent: { id: number; at: number; accountId: number }[] = [];
    const { ctx, sched } = boot(path, clock, scriptedDeliver(() => null, sent), { recheckMs: MIN });
    const a = addAccount(ctx.db, 'a', [], T0);
    addMessages(ctx.db, a, 1, T0);
    // the command line, as a second process: its own connection, its own scheduler object
    const cli = boot(path, clock, scriptedDeliver(() => null));
    cli.sched.pause(a);
    sched.start();
    await drive(clock, sched, T0 + 5 * MIN);
    expect(sent).toHaveLength(0);
    cli.sched.resume(a);
    addMessages(cli.ctx.db, a, 1, clock.now());
    await drive(clock, sched, clock.now() + 2 * MIN);
    expect(sent).toHaveLength(2);
  });

  it('re-queues a message a crash left in "sending" and records the interrupted attempt', async () => {
    const path = tempDbPath('crash');
    const clock = new ManualClock(T0);
    const sent: { id: number; at: number; accountId: number }[] = [];
    const { ctx, sched } = boot(path, clock, scriptedDeliver(() => null, sent));
    const account = addAccount(ctx.db, 'a', [], T0);
    const [id] = addMessages(ctx.db, account, 1, T0);
    createMessagesRepo(ctx.db).setState(id!, 'sending', T0);
    sched.start();
    const attempts = createAttemptsRepo(ctx.db).listForMessage(id!);
    expect(attempts.map((a) => a.outcome)).toEqual(['interrupted']);
    expect(createMessagesRepo(ctx.db).get(id!)!.state).toBe('queued');
    await drive(clock, sched, T0 + MIN);
    expect(sent.map((s) => s.id)).toEqual([id]);
  });
});
