// How long a temporary failure waits before the next try, and when retrying stops.
// Pure: the random source is passed in so tests can pin the jitter.
import type { Category } from '../../../shared/categories';

export interface BackoffPolicy {
  /** first wait for outages, throttling and remote temporary errors */
  baseMs: number;
  factor: number;
  capMs: number;
  /** fraction of a wait that jitter may take off (0.2 → between 80 % and 100 %) */
  jitter: number;
  /** retrying stops this long after the first attempt; then the message needs the user */
  maxLifetimeMs: number;
  /** recipient's mailbox full: a few slow tries, then give up */
  mailboxFullDelayMs: number;
  mailboxFullTries: number;
  /** a server down the line gave up: one more try after a long wait */
  expiredDelayMs: number;
  /** a sending-limit reply with no stored sends to explain it: wait this long, growing */
  limitFallbackMs: number;
  limitFallbackCapMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const DEFAULT_BACKOFF: BackoffPolicy = {
  baseMs: MINUTE,
  factor: 2,
  capMs: HOUR,
  jitter: 0.2,
  maxLifetimeMs: 3 * 24 * HOUR,
  mailboxFullDelayMs: 4 * HOUR,
  mailboxFullTries: 3,
  expiredDelayMs: 12 * HOUR,
  limitFallbackMs: 30 * MINUTE,
  limitFallbackCapMs: 6 * HOUR,
};

export type Random = () => number;

/**
 * The wait before retry number `retry` (1 = the first retry): base · factor^(retry-1), capped,
 * then shortened by up to `jitter` so a burst of failures does not come back as a burst. Jitter
 * only ever shortens, so the cap is a real upper bound.
 */
export function backoffDelay(retry: number, policy: BackoffPolicy, random: Random, base = policy.baseMs, cap = policy.capMs): number {
  const exponent = Math.max(0, retry - 1);
  const raw = Math.min(cap, base * Math.pow(policy.factor, Math.min(exponent, 52)));
  const r = Math.min(1, Math.max(0, random()));
  return Math.max(1, Math.round(raw * (1 - policy.jitter * r)));
}

export type RetryPlan =
  | { retry: true; at: number; reason: 'backoff' }
  | { retry: false; why: string };

/**
 * The retry plan for a temporary category after `failures` failed attempts of this kind
 * (1 = the attempt that just failed). `since` is when the message was first attempted.
 */
export function planRetry(
  category: Category,
  failures: number,
  since: number,
  now: number,
  policy: BackoffPolicy,
  random: Random,
): RetryPlan {
  if (category === 'recipient_mailbox_full') {
    if (failures > policy.mailboxFullTries) {
      return { retry: false, why: `The recipient's mailbox was still full after ${policy.mailboxFullTries} slow retries.` };
    }
    return { retry: true, at: now + backoffDelay(1, policy, random, policy.mailboxFullDelayMs, policy.mailboxFullDelayMs), reason: 'backoff' };
  }
  if (category === 'delivery_expired') {
    if (failures > 1) return { retry: false, why: 'A server down the line gave up again after one more try.' };
    return { retry: true, at: now + backoffDelay(1, policy, random, policy.expiredDelayMs, policy.expiredDelayMs), reason: 'backoff' };
  }
  const at = now + backoffDelay(failures, policy, random);
  if (at - since > policy.maxLifetimeMs) {
    return { retry: false, why: `Still failing after retrying for ${formatSpan(policy.maxLifetimeMs)}; retrying stopped.` };
  }
  return { retry: true, at, reason: 'backoff' };
}

export function formatSpan(ms: number): string {
  if (ms >= 24 * HOUR && ms % (24 * HOUR) === 0) return `${ms / (24 * HOUR)} day${ms === 24 * HOUR ? '' : 's'}`;
  if (ms >= HOUR && ms % HOUR === 0) return `${ms / HOUR} hour${ms === HOUR ? '' : 's'}`;
  return `${Math.round(ms / MINUTE)} minutes`;
}
