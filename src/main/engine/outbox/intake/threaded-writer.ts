import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { EngineContext } from '../../index';
import { announceStored, IntakeWriter, type Arrival, type ArrivalWriter, type Stored } from './store';
import { startIntakeThread } from './thread-bootstrap';
import type { FromWriter, ToWriter } from './writer-thread';

const START_TIMEOUT_MS = 15_000;

/**
 * Where the commit thread's code is: the TypeScript source next to this file (tsx, tests), or
 * a built `intake-writer.js` entry next to the bundle. Null when neither exists.
 */
function workerEntry(): string | null {
  const candidates = [join(__dirname, 'writer-thread.ts'), join(__dirname, 'writer-thread.js'), join(__dirname, 'intake-writer.js'), join(__dirname, '..', 'intake-writer.js')];
  return candidates.find((p) => existsSync(p)) ?? null;
}

/**
 * The intake's writer with commits on a worker thread (writer-thread.ts), so the SMTP side
 * keeps reading while each fsync runs. Each 250 still waits for its own transaction's COMMIT.
 * If the thread cannot start (in-memory database, no worker file in this build) or dies, the
 * in-thread IntakeWriter takes over: slower, equally durable.
 */
export async function openArrivalWriter(ctx: EngineContext, opts: { delayMs?: number; thread?: boolean } = {}): Promise<ArrivalWriter> {
  const entry = workerEntry();
  const fallback = () => new IntakeWriter(ctx, opts.delayMs ?? 0);
  if (opts.thread === false || opts.delayMs || !entry || ctx.dbPath === ':memory:' || ctx.dbPath === '') return fallback();
  try {
    return await ThreadedWriter.start(ctx, entry, fallback);
  } catch (e) {
    ctx.logger.warn('intake.writer_thread_unavailable', { error: e instanceof Error ? e.message : String(e) });
    return fallback();
  }
}

class ThreadedWriter implements ArrivalWriter {
  private seq = 0;
  private readonly pending = new Map<number, { accountId: number; resolve: (s: Stored) => void; reject: (e: Error) => void }>();
  private idleWaiters: (() => void)[] = [];
  private replacement: ArrivalWriter | null = null;
  private closed: Promise<void> | null = null;

  get mode(): 'thread' | 'inline' {
    return this.replacement ? this.replacement.mode : 'thread';
  }

  private constructor(
    private readonly ctx: EngineContext,
    private readonly worker: Worker,
    private readonly fallback: () => ArrivalWriter,
  ) {}

  static start(ctx: EngineContext, entry: string, fallback: () => ArrivalWriter): Promise<ThreadedWriter> {
    const worker = startIntakeThread(entry, { role: 'writer', dbPath: ctx.dbPath, nativeBinding: ctx.nativeBinding });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error('the writer thread did not start in time')), START_TIMEOUT_MS);
      const detach = () => {
        clearTimeout(timer);
        worker.off('error', fail);
        worker.off('exit', onExit);
        worker.off('message', onMessage);
      };
      function fail(err: Error) {
        detach();
        void worker.terminate();
        reject(err);
      }
      function onExit(code: number) {
        fail(new Error(`the writer thread exited (${code}) while starting`));
      }
      function onMessage(m: FromWriter) {
        detach();
        if (m.type !== 'ready') return fail(new Error(m.type === 'open_failed' ? m.message : `unexpected ${m.type}`));
        const writer = new ThreadedWriter(ctx, worker, fallback);
        writer.listen();
        resolve(writer);
      }
      worker.on('error', fail);
      worker.on('exit', onExit);
      worker.on('message', onMessage);
    });
  }

  private listen(): void {
    this.worker.on('message', (m: FromWriter) => this.onMessage(m));
    this.worker.on('error', (err) => this.lost(err));
    this.worker.on('exit', (code) => {
      if (!this.closed || this.pending.size) this.lost(new Error(`the writer thread exited (${code})`));
    });
    // An idle writer thread must not keep the process alive; one with messages in hand must.
    this.worker.unref();
  }

  store(arrival: Arrival): Promise<Stored> {
    if (this.replacement) return this.replacement.store(arrival);
    if (this.closed) return Promise.reject(new Error('the relay is shutting down'));
    // Memory the buffer has to itself moves to the thread as it is (the caller gave it away);
    // a slice of a larger one (Node's pool) is copied first, or the rest would go with it.
    const owned = arrival.raw.byteOffset === 0 && arrival.raw.byteLength === arrival.raw.buffer.byteLength;
    const raw = owned ? arrival.raw : Buffer.allocUnsafeSlow(arrival.raw.length);
    if (!owned) arrival.raw.copy(raw);
    const seq = ++this.seq;
    const message: ToWriter = { type: 'arrive', seq, accountId: arrival.accountId, mailFrom: arrival.mailFrom, recipients: arrival.recipients, raw, now: this.ctx.clock.now() };
    return new Promise<Stored>((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(seq, { accountId: arrival.accountId, resolve, reject });
      this.worker.postMessage(message, [raw.buffer as ArrayBuffer]);
    });
  }

  idle(): Promise<void> {
    const replaced = this.replacement;
    if (this.pending.size === 0) return replaced ? replaced.idle() : Promise.resolve();
    return new Promise<void>((resolve) => this.idleWaiters.push(resolve)).then(() => replaced?.idle());
  }

  close(): Promise<void> {
    if (this.closed) return this.closed;
    this.closed = new Promise<void>((resolve) => {
      if (this.replacement) return void this.replacement.close().then(resolve);
      this.worker.ref();
      const done = () => resolve();
      this.worker.once('exit', done);
      this.worker.on('message', (m: FromWriter) => m.type === 'closed' && done());
      this.worker.postMessage({ type: 'close' } satisfies ToWriter);
    });
    return this.closed;
  }

  private onMessage(m: FromWriter): void {
    if (m.type === 'log') return this.ctx.logger.warn(m.event, m.fields);
    if (m.type !== 'stored' && m.type !== 'failed') return;
    const settled = m.seqs.map((s) => {
      const p = this.pending.get(s);
      this.pending.delete(s);
      return p;
    });
    if (m.type === 'stored') {
      settled.forEach((p, i) => p?.resolve(m.results[i]));
      announceStored(this.ctx, settled.map((p) => p?.accountId ?? 0), m.results);
    } else {
      this.ctx.logger.error('intake.store_failed', { messages: m.seqs.length, error: m.message });
      const err = new Error(m.message);
      settled.forEach((p) => p?.reject(err));
    }
    this.settleIdle();
  }

  /** The thread died: whatever it held gets a 451 (the sender retries) and this thread writes from now on. */
  private lost(err: Error): void {
    if (this.replacement) return;
    this.ctx.logger.error('intake.writer_thread_lost', { error: err.message, pending: this.pending.size });
    this.replacement = this.fallback();
    for (const p of this.pending.values()) p.reject(new Error(`the writer thread stopped (${err.message})`));
    this.pending.clear();
    this.settleIdle();
  }

  private settleIdle(): void {
    if (this.pending.size) return;
    if (!this.closed) this.worker.unref();
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    waiters.forEach((w) => w());
  }
}
