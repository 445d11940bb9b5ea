/**
 * Keeps the writer thread's WAL short without checkpointing inside a commit.
 *
 * SQLite's automatic checkpoint runs in whichever commit crosses the threshold: that commit (and
 * every 250 waiting on it) paid for copying the whole WAL into the database file plus an fsync —
 * 60 to 100 ms every 40 MB, most of the relay's p99. Here the writer connection does not
 * checkpoint by itself; the checkpoint thread (checkpointer.ts) copies frames beside the commits
 * instead. A PASSIVE checkpoint cannot wait for the writer, so under steady load it always
 * leaves behind the frames committed while it ran, and a WAL that is never fully copied is
 * never reused: it would grow for as long as the load lasts. So the keeper chases: once the WAL
 * is past `wrapBytes` it asks again until the part left over is small, then copies that rest in
 * the writer thread itself, between two commits (a few hundred KB, not 40 MB). The next commit
 * then starts the WAL over from its beginning. If the rest never gets small, the writer copies it
 * anyway at twice `wrapBytes`: the WAL stays bounded whatever the load.
 *
 * If the checkpoint thread cannot start or dies, the writer connection goes back to SQLite's
 * automatic checkpoint (FALLBACK_AUTOCHECKPOINT_PAGES): slower at the tail, never unbounded.
 * Durability does not depend on any of this: each commit is on disk in the WAL (synchronous=FULL)
 * before its 250, whether or not it has been copied yet.
 */
import type { Worker } from 'node:worker_threads';
import type { Db } from '../../store/db';
import type { FromCheckpointer, ToCheckpointer } from './checkpointer';
import { startIntakeThread } from './thread-bootstrap';

export interface WalLimits {
  /** new WAL bytes (estimated) that make the keeper ask for a checkpoint */
  stepBytes: number;
  /** a WAL this long is brought back to its start as soon as the left-over part is small */
  wrapBytes: number;
  /** the left-over part the writer copies itself */
  finishBytes: number;
  /** no arrival for this long: copy everything, so a quiet relay leaves a short WAL */
  idleMs: number;
}
export const DEFAULT_WAL_LIMITS: WalLimits = { stepBytes: 8 * 1024 * 1024, wrapBytes: 24 * 1024 * 1024, finishBytes: 1024 * 1024, idleMs: 200 };
/** the automatic checkpoint when there is no checkpoint thread (40 MB at 4 KB pages) */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 10_000;
/** estimated WAL pages per stored message besides its raw bytes: its rows, index entries and the tree pages a commit rewrites (measured ~3 at 20 KB) */
const PAGES_PER_MESSAGE = 3;

export interface WalKeeperOptions {
  entry: string;
  dbPath: string;
  nativeBinding?: string;
  log(event: string, fields: Record<string, unknown>): void;
  /** overrides for DEFAULT_WAL_LIMITS (tests use small ones) */
  limits?: Partial<WalLimits>;
}

export class WalKeeper {
  private worker: Worker | null = null;
  private readonly pageSize: number;
  /** estimated bytes committed since the last request */
  private sinceRequest = 0;
  private asked = false;
  private askAgain = false;
  private idleTimer: NodeJS.Timeout | null = null;
  private ready = false;
  private readonly limits: WalLimits;

  constructor(
    private readonly db: Db,
    private readonly opts: WalKeeperOptions,
  ) {
    this.limits = { ...DEFAULT_WAL_LIMITS, ...opts.limits };
    this.pageSize = db.pragma('page_size', { simple: true }) as number;
    db.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
  }

  /** Starts the checkpoint thread; until it is ready (or if it never is) SQLite checkpoints automatically. */
  start(): void {
    const worker = startIntakeThread(this.opts.entry, { role: 'checkpoint', dbPath: this.opts.dbPath, nativeBinding: this.opts.nativeBinding });
    this.worker = worker;
    worker.on('message', (m: FromCheckpointer) => this.onMessage(m));
    worker.on('error', (err) => this.lost(err.message));
    worker.on('exit', (code) => this.worker === worker && this.lost(`exited (${code})`));
  }

  /** After each commit: `messages` stored, `bytes` of raw mail among them. */
  committed(messages: number, bytes: number): void {
    this.cancelIdle();
    this.askAgain = false;
    this.sinceRequest += bytes + messages * PAGES_PER_MESSAGE * this.pageSize;
    if (this.sinceRequest >= this.limits.stepBytes) this.ask();
  }

  /** The writer has nothing queued. */
  idle(): void {
    if (this.idleTimer || this.sinceRequest === 0) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      // A checkpoint still running began before the last commits: ask again once it is back.
      if (this.asked) this.askAgain = true;
      else this.ask();
    }, this.limits.idleMs);
    this.idleTimer.unref();
  }

  /** Stops the checkpoint thread (before the writer closes its own connection). */
  close(): Promise<void> {
    this.cancelIdle();
    const worker = this.worker;
    this.worker = null;
    if (!worker) return Promise.resolve();
    return new Promise((resolve) => {
      worker.once('exit', () => resolve());
      worker.postMessage({ type: 'close' } satisfies ToCheckpointer);
    });
  }

  private ask(): void {
    if (!this.worker || this.asked || !this.ready || this.sinceRequest === 0) return;
    this.asked = true;
    this.sinceRequest = 0;
    this.worker.postMessage({ type: 'checkpoint' } satisfies ToCheckpointer);
  }

  private onMessage(m: FromCheckpointer): void {
    if (m.type === 'ready') {
      this.ready = true;
      this.db.pragma('wal_autocheckpoint = 0');
      return;
    }
    if (m.type === 'open_failed') return this.lost(m.message);
    this.asked = false;
    if (this.askAgain) {
      this.askAgain = false;
      return this.ask();
    }
    if (m.type === 'checkpoint_failed') {
      this.opts.log('intake.checkpoint_failed', { error: m.message });
      return;
    }
    if (m.busy || m.log <= 0) return;
    // `log` is the WAL as the checkpoint found it, all copied (PASSIVE stops at what was there
    // when it began); what the writer committed since it was asked is still only in the WAL.
    const leftBytes = this.sinceRequest;
    const walBytes = m.log * this.pageSize + leftBytes;
    if (walBytes < this.limits.wrapBytes) return;
    // Chasing converges when the thread copies faster than mail arrives; if it does not, the
    // writer takes whatever is left once the WAL is twice `wrapBytes` (one round's arrivals).
    if (leftBytes > this.limits.finishBytes && walBytes < 2 * this.limits.wrapBytes) return this.ask();
    // The small rest, here: afterwards every frame is in the database file and the next commit
    // starts the WAL over.
    try {
      this.db.pragma('wal_checkpoint(PASSIVE)');
      this.sinceRequest = 0;
    } catch (e) {
      this.opts.log('intake.checkpoint_failed', { error: e instanceof Error ? e.message : String(e) });
    }
  }

  private lost(why: string): void {
    if (!this.worker) return;
    this.worker = null;
    this.ready = false;
    this.cancelIdle();
    this.opts.log('intake.checkpointer_lost', { error: why });
    this.db.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
  }

  private cancelIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }
}
