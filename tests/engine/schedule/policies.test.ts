import { describe, expect, it } from 'vitest';
import { kindOf, type Category } from '../../../src/shared/categories';
import type { Classification } from '../../../src/shared/classification';
import type { QuotaLimit } from '../../../src/shared/model';
import { backoffDelay, DEFAULT_BACKOFF, planRetry } from '../../../src/main/engine/schedule/backoff';
import { decide, type DeliveryOutcome } from '../../../src/main/engine/schedule/decide';
import { learnFromLimitReply, windowFromWords } from '../../../src/main/engine/schedule/learning';
import { NO_PACE, onSuccess, onThrottled, paceOpensAt } from '../../../src/main/engine/schedule/pace';

const MIN = 60_000;
const H = 60 * MIN;
const T0 = Date.UTC(2026, 10, 28, 9, 0, 0);

function c(category: Category, words = 'reply'): Classification {
  return { category, kind: kindOf(category), rule: `test/${category}`, words };
}
function failed(category: Category, words?: string): DeliveryOutcome {
  return { messageId: 1, attemptId: 1, outcome: 'failed', acceptedCount: 0, failure: c(category, words), recipientFailures: [] };
}
const facts = { now: T0, since: T0, failures: 1, quotaOpensAt: null, policy: DEFAULT_BACKOFF, random: () => 0 };

describe('backoff', () => {
  it('doubles from one minute up to the one-hour cap, and jitter only shortens', () => {
    const waits = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(n, DEFAULT_BACKOFF, () => 0));
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 60, 60].map((m) => m * MIN));
    for (let i = 0; i < 50; i++) {
      const w = backoffDelay(3, DEFAULT_BACKOFF, Math.random);
      expect(w).toBeLessThanOrEqual(4 * MIN);
      expect(w).toBeGreaterThanOrEqual(0.8 * 4 * MIN);
    }
    expect(backoffDelay(20, DEFAULT_BACKOFF, () => 1)).toBe(0.8 * H);
  });

  it('stops after the maximum lifetime, and mailbox-full and expired deliveries have their own rhythm', () => {
    expect(planRetry('provider_outage', 5, T0, T0 + 2 * 24 * H, DEFAULT_BACKOFF, () => 0)).toMatchObject({ retry: true });
    const late = planRetry('provider_outage', 70, T0, T0 + 3 * 24 * H - 10 * MIN, DEFAULT_BACKOFF, () => 0);
    expect(late.retry).toBe(false);
    expect(planRetry('recipient_mailbox_full', 1, T0, T0, DEFAULT_BACKOFF, () => 0)).toEqual({ retry: true, at: T0 + 4 * H, reason: 'backoff' });
    expect(planRetry('recipient_mailbox_full', 4, T0, T0, DEFAULT_BACKOFF, () => 0).retry).toBe(false);
    expect(planRetry('delivery_expired', 1, T0, T0, DEFAULT_BACKOFF, () => 0)).toEqual({ retry: true, at: T0 + 12 * H, reason: 'backoff' });
    expect(planRetry('delivery_expired', 2, T0, T0, DEFAULT_BACKOFF, () => 0).retry).toBe(false);
  });
});

describe('decide', () => {
  it('sends, retries, holds and fails by kind', () => {
    expect(decide({ ...failed('provider_outage'), outcome: 'sent', failure: null }, facts)).toEqual({ state: 'sent' });
    expect(decide(failed('provider_outage'), facts)).toMatchObject({ state: 'queued', at: T0 + MIN, reason: 'backoff', category: 'provider_outage' });
    expect(decide(failed('auth_failed'), facts)).toMatchObject({ state: 'held', category: 'auth_failed', accountWide: true });
    expect(decide(failed('message_too_large'), facts)).toMatchObject({ state: 'held', accountWide: false });
    expect(decide(failed('config_error'), facts)).toMatchObject({ state: 'held', accountWide: true });
    expect(decide(failed('recipient_unknown'), facts)).toMatchObject({ state: 'failed', category: 'recipient_unknown' });
  });

  it('a limit reply waits for the window, or a growing fallback when the counts cannot explain it', () => {
    expect(decide(failed('sending_limit'), { ...facts, quotaOpensAt: T0 + 5 * H })).toMatchObject({ state: 'queued', at: T0 + 5 * H, reason: 'quota' });
    expect(decide(failed('sending_limit'), facts)).toMatchObject({ state: 'queued', at: T0 + 30 * MIN, reason: 'quota' });
    expect(decide(failed('sending_limit'), { ...facts, failures: 3 })).toMatchObject({ at: T0 + 2 * H });
  });

  it('a partial success retries only the recipients refused for a temporary reason', () => {
    const o: DeliveryOutcome = {
      messageId: 1, attemptId: 1, outcome: 'partial', acceptedCount: 2, failure: null,
      recipientFailures: [
        { address: 'gone@example.org', classification: c('recipient_unknown') },
        { address: 'full@example.org', classification: c('recipient_mailbox_full') },
      ],
    };
    expect(decide(o, facts)).toMatchObject({ state: 'queued', recipients: ['full@example.org'], at: T0 + 4 * H });
    expect(decide({ ...o, recipientFailures: [o.recipientFailures[0]!] }, facts)).toEqual({ state: 'sent' });
  });

  it('gives up after the lifetime and says why, needing the user', () => {
    const next = decide(failed('throttled', '421 4.7.0 Try again later'), { ...facts, now: T0 + 3 * 24 * H, failures: 80 });
    expect(next.state).toBe('held');
    if (next.state === 'held') expect(next.detail).toMatch(/3 days.*421 4\.7\.0/);
  });
});

describe('pace', () => {
  it('multiplies the interval on throttling, shrinks it step by step on success, and never back to a throttled pace', () => {
    let p = onThrottled(NO_PACE, T0);
    expect(p.intervalMs).toBe(2_000);
    p = onThrottled(p, T0);
    expect(p.intervalMs).toBe(4_000);
    expect(p.floorMs).toBe(2_000);
    for (let i = 0; i < 20; i++) p = onSuccess(p, T0 + i);
    expect(p.intervalMs).toBe(2_500);
    expect(paceOpensAt(p, T0, T0 + 1_000)).toBe(T0 + 2_500);
    // after the floor's lifetime the memory fades and the pace may speed up again
    for (let i = 0; i < 10; i++) p = onSuccess(p, T0 + 7 * H);
    expect(p.intervalMs).toBe(0);
  });
});

describe('learning', () => {
  const hour: QuotaLimit = { window: 'hour', max: 75, mode: 'rolling', counts: 'messages' };
  const day: QuotaLimit = { window: 'day', max: 300, mode: 'rolling', counts: 'messages' };

  it('reads the window from the words of the reply', () => {
    expect(windowFromWords('550 5.4.5 Daily user sending limit exceeded.')).toBe('day');
    expect(windowFromWords('550 Max emails per hour exceeded')).toBe('hour');
    expect(windowFromWords('451 4.7.1 too many messages per minute')).toBe('minute');
    expect(windowFromWords('550 limit reached')).toBeNull();
  });

  it('lowers the named window to what was sent, and not when the cap already explains it', () => {
    const r = learnFromLimitReply([hour, day], (l) => (l.window === 'day' ? 60 : 20), '550 5.4.5 Daily user sending limit exceeded', T0);
    expect(r.learned).toEqual({ window: 'day', from: 300, to: 60 });
    expect(r.limits[1]).toMatchObject({ learnedMax: 60, learnedAt: T0, max: 300 });
    expect(r.limits[0]).toBe(hour);
    expect(learnFromLimitReply([hour], () => 75, 'hourly limit', T0).learned).toBeNull();
    // no window named: the one closest to its cap is blamed
    expect(learnFromLimitReply([hour, day], (l) => (l.window === 'hour' ? 60 : 100), 'limit reached', T0).learned).toEqual({ window: 'hour', from: 75, to: 60 });
  });
});

describe('learning a window the account lacks', () => {
  it('adds the named window at what was sent in it', () => {
    const hour: QuotaLimit = { window: 'hour', max: 75, mode: 'rolling', counts: 'messages' };
    const r = learnFromLimitReply([hour], (l) => (l.window === 'day' ? 42 : 10), '550 5.4.5 Daily user sending limit exceeded', T0);
    expect(r.learned).toEqual({ window: 'day', from: null, to: 42 });
    expect(r.limits).toHaveLength(2);
    expect(r.limits[1]).toMatchObject({ window: 'day', max: 42, learnedMax: 42 });
  });
});
