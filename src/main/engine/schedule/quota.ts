// Quota windows: how many sends an account's windows still allow, and the exact time the next
// send of N units fits. Pure arithmetic over a usage reader; the reader is backed by the stored
// accepted attempts (and by the sends in flight), so a restart computes the same answers.
import type { QuotaLimit, QuotaWindowName } from '../../../shared/model';

export const WINDOW_MS: Record<QuotaWindowName, number> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
};

export type Counts = QuotaLimit['counts'];

/** What has been sent, as seen from `now`. Units are messages or accepted recipients. */
export interface UsageReader {
  /** units sent strictly after `from` (up to now, in-flight sends included) */
  unitsAfter(counts: Counts, from: number): number;
  /**
   * Walking the sends after `from` from oldest to newest: the time of the send at which the
   * running total first reaches `amount`; null when all of them together stay below it.
   */
  timeWhenReached(counts: Counts, from: number, amount: number): number | null;
}

export interface Slot {
  /** the earliest time the send fits every window (= now when it fits already) */
  at: number;
  /** which unit of the describing window the send takes, 1-based ("slot 12 of 75") */
  slot: number;
  cap: number;
  window: QuotaWindowName | null;
  /** whether a window (not the clock) decided the time */
  waiting: boolean;
}

/** The cap in force: the configured one, or a lower one learned from the provider's own reply. */
export function effectiveCap(limit: QuotaLimit): number {
  const learned = limit.learnedMax ?? null;
  return learned !== null && learned > 0 ? Math.min(limit.max, learned) : limit.max;
}

/** Units a send of `recipients` recipients uses in a window that counts `counts`. */
export function unitsOf(counts: Counts, recipients: number): number {
  return counts === 'recipients' ? Math.max(1, recipients) : 1;
}

/** Units counted in the window as it stands at time `t` (no new sends between now and t). */
export function usedAt(limit: QuotaLimit, usage: UsageReader, t: number): number {
  const start = windowStart(limit, t);
  return usage.unitsAfter(limit.counts, start);
}

/**
 * Start of the window containing `t`, exclusive for rolling windows ((t - W, t]) and inclusive
 * for fixed ones ([boundary, next boundary)). The reader's `unitsAfter` is strict, so a fixed
 * window asks from one millisecond before its boundary.
 */
export function windowStart(limit: QuotaLimit, t: number): number {
  if (limit.mode === 'rolling') return t - WINDOW_MS[limit.window];
  return periodStart(limit.window, limit.resetTz ?? 'UTC', t) - 1;
}

/** When a send of `units` fits this one window, looking from `t` (>= now). */
export function openTime(limit: QuotaLimit, usage: UsageReader, units: number, t: number): number {
  // A send bigger than the whole cap would never fit; it takes an empty window instead.
  const need = Math.min(units, effectiveCap(limit));
  const used = usedAt(limit, usage, t);
  const excess = used + need - effectiveCap(limit);
  if (excess <= 0) return t;
  if (limit.mode === 'fixed') {
    // Everything counted now belongs to the current period; the next one starts empty.
    return periodEnd(limit.window, limit.resetTz ?? 'UTC', t);
  }
  const from = windowStart(limit, t);
  const leaving = usage.timeWhenReached(limit.counts, from, excess);
  // A send at time s stops counting once the window (t - W, t] no longer holds it: t = s + W.
  return leaving === null ? t : Math.max(t, leaving + WINDOW_MS[limit.window]);
}

/**
 * The earliest time a send of `recipients` fits every window, and how to describe it. Windows
 * interact (a day window may push past an hour window's opening), so iterate to a fixed point;
 * each step only moves forward and the number of windows is tiny.
 */
export function nextSlot(limits: readonly QuotaLimit[], usage: UsageReader, recipients: number, now: number): Slot {
  let t = now;
  let decider: QuotaLimit | null = null;
  for (let round = 0; round < 8 * Math.max(1, limits.length); round++) {
    let moved = false;
    for (const limit of limits) {
      const open = openTime(limit, usage, unitsOf(limit.counts, recipients), t);
      if (open > t) {
        t = open;
        decider = limit;
        moved = true;
      }
    }
    if (!moved) break;
  }
  const describe = decider ?? tightest(limits, usage, recipients, t);
  if (!describe) return { at: t, slot: 1, cap: 0, window: null, waiting: false };
  const cap = effectiveCap(describe);
  const units = unitsOf(describe.counts, recipients);
  const slot = Math.min(cap, usedAt(describe, usage, t) + units);
  return { at: t, slot, cap, window: describe.window, waiting: t > now };
}

/** The window with the least room left at `t`: the one worth naming when nothing waits. */
function tightest(limits: readonly QuotaLimit[], usage: UsageReader, recipients: number, t: number): QuotaLimit | null {
  let best: QuotaLimit | null = null;
  let bestRoom = Infinity;
  for (const limit of limits) {
    const room = (effectiveCap(limit) - usedAt(limit, usage, t) - unitsOf(limit.counts, recipients)) / effectiveCap(limit);
    if (room < bestRoom) {
      bestRoom = room;
      best = limit;
    }
  }
  return best;
}

/** "slot 12 of 75 this hour" */
export function describeSlot(slot: Slot): string {
  if (!slot.window) return 'no sending limit';
  return `slot ${slot.slot} of ${slot.cap} this ${slot.window}`;
}

/**
 * An in-memory usage reader over a list of sends, for the pure tests and for projecting the
 * queue forward (each projected send is appended as if it had happened at its slot).
 */
export class ListUsage implements UsageReader {
  private sends: { at: number; recipients: number }[] = [];
  constructor(sends: { at: number; recipients: number }[] = []) {
    for (const s of sends) this.add(s.at, s.recipients);
  }
  add(at: number, recipients: number): void {
    // Kept sorted by time; projections append in order, so this is almost always a push.
    let i = this.sends.length;
    while (i > 0 && this.sends[i - 1]!.at > at) i--;
    this.sends.splice(i, 0, { at, recipients });
  }
  /** Drops sends older than `before`: they can no longer count in any window. */
  prune(before: number): void {
    let i = 0;
    while (i < this.sends.length && this.sends[i]!.at < before) i++;
    if (i > 0) this.sends.splice(0, i);
  }
  unitsAfter(counts: Counts, from: number): number {
    let total = 0;
    for (let i = this.sends.length - 1; i >= 0 && this.sends[i]!.at > from; i--) {
      total += unitsOf(counts, this.sends[i]!.recipients);
    }
    return total;
  }
  timeWhenReached(counts: Counts, from: number, amount: number): number | null {
    let total = 0;
    for (const s of this.sends) {
      if (s.at <= from) continue;
      total += unitsOf(counts, s.recipients);
      if (total >= amount) return s.at;
    }
    return null;
  }
}

// --- fixed windows in a time zone ---

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

interface WallTime {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
}

function wallTime(tz: string, t: number): WallTime {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(tz).formatToParts(new Date(t))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return { y: parts.year!, mo: parts.month!, d: parts.day!, h: parts.hour! % 24, mi: parts.minute!, s: parts.second! };
}

/** Offset of `tz` from UTC at instant `t`, in ms (positive east of Greenwich). */
function offsetAt(tz: string, t: number): number {
  const w = wallTime(tz, t);
  return Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s) - Math.floor(t / 1000) * 1000;
}

/** The instant at which the wall clock in `tz` shows `local` (a UTC-encoded wall time). */
function instantOf(tz: string, local: number): number {
  // Two rounds settle the offset except inside a DST gap, where the later instant is right.
  let guess = local - offsetAt(tz, local);
  guess = local - offsetAt(tz, guess);
  return guess;
}

function truncatedLocal(window: QuotaWindowName, w: WallTime): number {
  if (window === 'day') return Date.UTC(w.y, w.mo - 1, w.d);
  if (window === 'hour') return Date.UTC(w.y, w.mo - 1, w.d, w.h);
  return Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi);
}

/** Where the fixed window holding `t` began (a boundary of the wall clock in `tz`). */
export function periodStart(window: QuotaWindowName, tz: string, t: number): number {
  if (window === 'minute') return t - (((t % 60_000) + 60_000) % 60_000);
  return instantOf(tz, truncatedLocal(window, wallTime(tz, t)));
}

/** Where the fixed window holding `t` ends and the next one starts. */
export function periodEnd(window: QuotaWindowName, tz: string, t: number): number {
  if (window === 'minute') return periodStart(window, tz, t) + 60_000;
  const w = wallTime(tz, t);
  const next =
    window === 'day' ? Date.UTC(w.y, w.mo - 1, w.d + 1) : Date.UTC(w.y, w.mo - 1, w.d, w.h + 1);
  const end = instantOf(tz, next);
  // A wall hour skipped by a DST change maps back onto the same instant; step past it.
  return end > t ? end : instantOf(tz, next + WINDOW_MS[window]);
}
