// What happens to a message after an attempt: sent, queued again (when and why), held for the
// user, or failed for good. Pure: the scheduler gathers the facts and applies the answer.
import type { Category } from '../../../shared/categories';
import type { Classification } from '../../../shared/classification';
import type { DueReason } from '../../../shared/model';
import { planRetry, type BackoffPolicy, type Random } from './backoff';
import type { DeliveryOutcome } from '../outbox/send/deliver';

export type { DeliveryOutcome };

export type NextState =
  | { state: 'sent' }
  | {
      state: 'queued';
      at: number;
      reason: DueReason;
      category: Category;
      detail: string;
      /** retry only these recipients (the others were accepted or failed for good) */
      recipients: string[] | null;
    }
  | { state: 'held'; category: Category; detail: string; accountWide: boolean }
  | { state: 'failed'; category: Category; detail: string };

export interface DecideFacts {
  now: number;
  /** first attempt of this message (lifetime counts from here) */
  since: number;
  /** failed attempts of this message so far, the one just made included */
  failures: number;
  /** for sending_limit: when the account's windows (after learning) let the next send through */
  quotaOpensAt: number | null;
  policy: BackoffPolicy;
  random: Random;
}

/**
 * Categories that stop the whole account, not just this message: every other message would
 * meet the same refusal, so they wait together for a reconnect or a settings fix.
 */
export const ACCOUNT_HOLDS: readonly Category[] = ['auth_failed', 'account_suspended', 'config_error'];

export function decide(o: DeliveryOutcome, f: DecideFacts): NextState {
  if (o.outcome === 'sent') return { state: 'sent' };

  if (o.outcome === 'partial') {
    // Accepted recipients have it; only recipients that failed for a temporary reason get another try.
    const again = o.recipientFailures.filter((r) => r.classification.kind === 'temporary');
    if (again.length === 0) return { state: 'sent' };
    return retryOrStop(again[0]!.classification, again.map((r) => r.address), f) ?? { state: 'sent' };
  }

  const c = o.failure ?? worstOf(o.recipientFailures.map((r) => r.classification));
  if (!c) return { state: 'held', category: 'unknown', detail: 'The attempt failed without a reply to classify.', accountWide: false };
  if (c.kind === 'fix' || c.kind === 'none') {
    const category = c.kind === 'none' ? 'unknown' : c.category;
    return { state: 'held', category, detail: c.words, accountWide: ACCOUNT_HOLDS.includes(category) };
  }
  if (c.kind === 'permanent') return { state: 'failed', category: c.category, detail: c.words };
  const recipients = o.failure ? null : o.recipientFailures.filter((r) => r.classification.kind === 'temporary').map((r) => r.address);
  return retryOrStop(c, recipients, f) ?? { state: 'failed', category: c.category, detail: c.words };
}

function retryOrStop(c: Classification, recipients: string[] | null, f: DecideFacts): NextState | null {
  if (c.category === 'sending_limit') {
    // The window reopening is the retry time; if our counts cannot explain the refusal (sends
    // from other clients share the cap), wait a growing stretch instead.
    const fallback = planFallback(f);
    const at = f.quotaOpensAt !== null && f.quotaOpensAt > f.now ? f.quotaOpensAt : fallback;
    return { state: 'queued', at, reason: 'quota', category: c.category, detail: c.words, recipients };
  }
  const plan = planRetry(c.category, f.failures, f.since, f.now, f.policy, f.random);
  if (plan.retry) return { state: 'queued', at: plan.at, reason: plan.reason, category: c.category, detail: c.words, recipients };
  // Mailbox full and expired deliveries give up for good; anything else that ran out of time needs the user.
  if (c.category === 'recipient_mailbox_full' || c.category === 'delivery_expired') {
    return { state: 'failed', category: c.category, detail: `${plan.why} Last reply: ${c.words}` };
  }
  return { state: 'held', category: c.category, detail: `${plan.why} Last reply: ${c.words}`, accountWide: false };
}

function planFallback(f: DecideFacts): number {
  const p = f.policy;
  const wait = Math.min(p.limitFallbackCapMs, p.limitFallbackMs * Math.pow(2, Math.max(0, Math.min(f.failures - 1, 20))));
  return f.now + wait;
}

const KIND_RANK = { fix: 3, permanent: 2, temporary: 1, none: 0 } as const;

/** When every recipient failed: the one that asks most of the user speaks for the message. */
function worstOf(list: Classification[]): Classification | null {
  let worst: Classification | null = null;
  for (const c of list) if (!worst || KIND_RANK[c.kind] > KIND_RANK[worst.kind]) worst = c;
  return worst;
}
