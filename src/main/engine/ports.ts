// Abilities the engine needs from its host (the Electron app, the command line or a test),
// passed into createEngine as small interfaces. Nothing here knows about Electron.

/** Time, and the single timer the scheduler keeps. Tests pass a manual clock and never sleep. */
export interface Clock {
  now(): number;
  setTimer(at: number, fn: () => void): TimerHandle;
}
export interface TimerHandle {
  cancel(): void;
}

/**
 * Where account secrets live (passwords, OAuth refresh tokens). Rows in the database hold only
 * the reference. The app uses Electron's safeStorage; the command line uses a file of its own.
 */
export interface SecretStore {
  /** a short description for logs and `accounts list`, e.g. "safeStorage (kwallet5)" */
  readonly description: string;
  get(ref: string): Promise<string | null>;
  set(ref: string, secret: string): Promise<void>;
  delete(ref: string): Promise<void>;
}

/**
 * Hands a URL to the system browser (the OAuth sign-in page). The host decides what it is willing
 * to open; a refusal throws, so a sign-in fails at once instead of waiting for its timeout.
 */
export type OpenExternal = (url: string) => void | Promise<void>;

export interface Logger {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(at, fn) {
    // setTimeout overflows above 2^31-1 ms (~24.8 days); re-arm in steps for far-off times.
    const MAX = 2_147_000_000;
    let handle: NodeJS.Timeout;
    const arm = () => {
      const delay = Math.max(0, at - Date.now());
      handle = setTimeout(delay > MAX ? arm : fn, Math.min(delay, MAX));
      handle.unref?.();
    };
    arm();
    return { cancel: () => clearTimeout(handle) };
  },
};

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/**
 * A clock for tests: time moves only when told to, and due timers fire in order.
 */
export class ManualClock implements Clock {
  private timers: { at: number; fn: () => void; seq: number; cancelled: boolean }[] = [];
  private seq = 0;
  constructor(private current = Date.UTC(2026, 0, 5, 9, 0, 0)) {}
  now(): number {
    return this.current;
  }
  setTimer(at: number, fn: () => void): TimerHandle {
    const timer = { at, fn, seq: this.seq++, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => void (timer.cancelled = true) };
  }
  /** Moves time forward to `to`, firing every timer due on the way, in order. */
  advanceTo(to: number): void {
    for (;;) {
      const next = this.timers
        .filter((t) => !t.cancelled && t.at <= to)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!next) break;
      next.cancelled = true;
      this.current = Math.max(this.current, next.at);
      next.fn();
    }
    this.timers = this.timers.filter((t) => !t.cancelled);
    this.current = Math.max(this.current, to);
  }
  advanceBy(ms: number): void {
    this.advanceTo(this.current + ms);
  }
  /** The earliest pending timer, or null. */
  nextTimerAt(): number | null {
    const live = this.timers.filter((t) => !t.cancelled);
    return live.length ? Math.min(...live.map((t) => t.at)) : null;
  }
}
