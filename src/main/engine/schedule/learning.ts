// Learning a lower cap: when the provider says "limit reached" before the configured cap is
// used up, its real cap for that window is what we had sent so far. Pure.
import type { QuotaLimit, QuotaWindowName } from '../../../shared/model';
import { effectiveCap } from './quota';

/** Which window a limit reply talks about, from its words; null when it does not say. */
export function windowFromWords(words: string): QuotaWindowName | null {
  const t = words.toLowerCase();
  if (/\b(daily|per day|a day|24[- ]?h(ou)?rs?|today|day)\b/.test(t)) return 'day';
  if (/\b(hourly|per hour|an hour|hour|60 minutes)\b/.test(t)) return 'hour';
  if (/\b(per minute|a minute|minute|per second|a second|rate)\b/.test(t)) return 'minute';
  return null;
}

export interface Learned {
  window: QuotaWindowName;
  /** the cap before (null: the account had no limit for this window) */
  from: number | null;
  to: number;
}

/**
 * Given the limits, a way to count each window's use at the moment of the reply, and the reply's
 * words: the new limits, and what was learned (null when the reply came at or above the cap,
 * i.e. our count already explains it). A window the words name but the account lacks is added.
 */
export function learnFromLimitReply(
  limits: readonly QuotaLimit[],
  usedIn: (limit: QuotaLimit) => number,
  words: string,
  now: number,
): { limits: QuotaLimit[]; learned: Learned | null } {
  const named = windowFromWords(words);
  const candidates = named ? limits.filter((l) => l.window === named) : [...limits];
  if (named && candidates.length === 0) {
    // The provider names a window the account has no limit for: add one at what was sent in it.
    const probe: QuotaLimit = { window: named, max: Number.MAX_SAFE_INTEGER, mode: 'rolling', counts: 'messages' };
    const used = usedIn(probe);
    if (used <= 0) return { limits: [...limits], learned: null };
    const added: QuotaLimit = { ...probe, max: used, learnedMax: used, learnedAt: now };
    return { limits: [...limits, added], learned: { window: named, from: null, to: used } };
  }
  // Without a named window, blame the window closest to its cap: it is the likeliest one.
  const ranked = candidates
    .map((limit) => ({ limit, used: usedIn(limit) }))
    .sort((a, b) => b.used / effectiveCap(b.limit) - a.used / effectiveCap(a.limit));
  const hit = ranked[0];
  if (!hit) return { limits: [...limits], learned: null };
  const cap = effectiveCap(hit.limit);
  if (hit.used <= 0 || hit.used >= cap) return { limits: [...limits], learned: null };
  const next = limits.map((l) => (l === hit.limit ? { ...l, learnedMax: hit.used, learnedAt: now } : l));
  return { limits: next, learned: { window: hit.limit.window, from: cap, to: hit.used } };
}

export function describeLearned(l: Learned): string {
  const before = l.from === null ? 'with no limit set for that window' : `below the cap of ${l.from}`;
  return `The provider refused a send after ${l.to} in one ${l.window}, ${before}; ` +
    `sends are now limited to ${l.to} per ${l.window}.`;
}
