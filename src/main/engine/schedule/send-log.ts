// The accepted sends that can still count in an account's windows, in memory, with running
// totals so every window question is a binary search: O(log n) however full the window is.
// Bounded by what the windows can hold (a cap's worth of sends), never by the queue's length.
import { unitsOf, type Counts, type UsageReader } from './quota';

export class SendLog implements UsageReader {
  private at: number[] = [];
  /** running totals: msgs[i] = messages in entries [start, i) (same for rcpts); one longer than `at` */
  private msgs: number[] = [0];
  private rcpts: number[] = [0];
  private start = 0;

  get size(): number {
    return this.at.length - this.start;
  }

  add(at: number, recipients: number): void {
    const units = unitsOf('recipients', recipients);
    const n = this.at.length;
    if (n === this.start || this.at[n - 1]! <= at) {
      this.at.push(at);
      this.msgs.push(this.msgs[n]! + 1);
      this.rcpts.push(this.rcpts[n]! + units);
      return;
    }
    // Out of order (sends finishing in a different order than they started): rebuild the tail.
    const i = this.firstAfter(at);
    const tail = this.at.slice(i).map((t, k) => ({ t, r: this.rcpts[i + k + 1]! - this.rcpts[i + k]! }));
    this.at.length = i;
    this.msgs.length = i + 1;
    this.rcpts.length = i + 1;
    this.add(at, recipients);
    for (const e of tail) this.add(e.t, e.r);
  }

  /** Forgets sends at or before `before`; compacts now and then so arrays do not grow forever. */
  prune(before: number): void {
    this.start = Math.max(this.start, this.firstAfter(before));
    if (this.start > 1024 && this.start > this.at.length / 2) {
      const base = this.start;
      this.at = this.at.slice(base);
      const m0 = this.msgs[base]!;
      const r0 = this.rcpts[base]!;
      this.msgs = this.msgs.slice(base).map((v) => v - m0);
      this.rcpts = this.rcpts.slice(base).map((v) => v - r0);
      this.start = 0;
    }
  }

  unitsAfter(counts: Counts, from: number): number {
    const totals = counts === 'messages' ? this.msgs : this.rcpts;
    return totals[this.at.length]! - totals[this.firstAfter(from)]!;
  }

  timeWhenReached(counts: Counts, from: number, amount: number): number | null {
    const totals = counts === 'messages' ? this.msgs : this.rcpts;
    const i = this.firstAfter(from);
    const target = totals[i]! + amount;
    if (amount <= 0 || totals[this.at.length]! < target) return null;
    // the first entry j >= i whose running total (through j) reaches the target
    let lo = i;
    let hi = this.at.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (totals[mid + 1]! >= target) hi = mid;
      else lo = mid + 1;
    }
    return this.at[lo]!;
  }

  /** Index of the first live entry with time > t. */
  private firstAfter(t: number): number {
    let lo = this.start;
    let hi = this.at.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.at[mid]! > t) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
