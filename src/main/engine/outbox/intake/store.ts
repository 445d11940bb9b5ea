import type { EngineContext } from '../../index';
import { kindOf } from '../../../../shared/categories';
import { describeOpenError, transaction, type Db } from '../../store/db';
import { createFailuresRepo, type FailuresRepo } from '../../store/failures';
import { createMessagesRepo, type MessagesRepo, type NewMessage } from '../../store/messages';
import { createSuppressionsRepo, type SuppressionsRepo } from '../../store/suppressions';
import { mimeInfo } from '../mime-info';

export interface Arrival {
  accountId: number;
  mailFrom: string;
  recipients: string[];
  raw: Buffer;
}

export interface Stored {
  id: number;
  held: boolean;
}

/** What the SMTP side needs from whoever commits arrivals (in this thread or in a worker). */
export interface ArrivalWriter {
  /** where commits run: a worker thread with its own connection, or this thread */
  readonly mode: 'thread' | 'inline';
  /**
   * Resolves once the message's transaction is committed (synchronous=FULL), never before.
   * Takes `arrival.raw` over: the caller must not use it afterwards (its memory may have moved
   * to another thread).
   */
  store(arrival: Arrival): Promise<Stored>;
  /** Resolves once nothing is waiting to be written. */
  idle(): Promise<void>;
  /** Writes what is queued, then releases the writer's resources. */
  close(): Promise<void>;
}

export interface IntakeRepos {
  messages: MessagesRepo;
  failures: FailuresRepo;
  suppressions: SuppressionsRepo;
}

/** Prepared once per connection: preparing statements per batch costs more than the inserts themselves. */
export function intakeRepos(db: Db): IntakeRepos {
  return { messages: createMessagesRepo(db), failures: createFailuresRepo(db), suppressions: createSuppressionsRepo(db) };
}

/**
 * Stores a batch in one IMMEDIATE transaction (one fsync for all of them): each message with
 * its recipients, due now unless a recipient is suppressed, in which case it is held with a
 * local failure per suppressed recipient.
 */
export function writeArrivals(db: Db, repos: IntakeRepos, arrivals: Arrival[], now: number): Stored[] {
  const { messages, failures, suppressions } = repos;
  return transaction(db, () =>
    arrivals.map((a) => {
      const info = mimeInfo(a.raw);
      const suppressed = a.recipients
        .map((address) => ({ address, category: suppressions.lookup(address) }))
        .filter((s): s is { address: string; category: NonNullable<typeof s.category> } => s.category !== null);
      const held = suppressed.length > 0;
      const m: NewMessage = {
        accountId: a.accountId,
        messageId: info.messageId,
        source: 'intake',
        mailFrom: a.mailFrom,
        recipients: a.recipients,
        subject: info.subject,
        sizeBytes: a.raw.length,
        hasAttachments: info.hasAttachments,
        raw: a.raw,
        now,
        nextAttemptAt: held ? null : now,
        dueReason: held ? null : 'new',
        state: held ? 'held' : 'queued',
        holdCategory: held ? suppressed[0].category : null,
        holdDetail: held ? `On the suppression list: ${suppressed.map((s) => s.address).join(', ')}. Resend to send anyway.` : null,
      };
      const id = messages.insert(m);
      for (const s of suppressed) {
        failures.insert({
          messageId: id,
          accountId: a.accountId,
          recipient: s.address,
          category: s.category,
          kind: kindOf(s.category),
          rule: 'local/suppressed',
          source: 'local',
          diagnostic: `${s.address} is on the suppression list (${s.category}); the message is held until you resend it.`,
          detectedAt: now,
        });
        messages.setRecipientState(id, s.address, 'suppressed');
      }
      return { id, held };
    }),
  );
}

/** Tells the rest of the engine (and the log) that a batch is in. */
export function announceStored(ctx: EngineContext, accountIds: number[], results: Stored[]): void {
  ctx.logger.info('intake.stored', { messages: results.length, held: results.filter((r) => r.held).length });
  const accounts = new Set(accountIds);
  ctx.events.emit('queue/changed', { accountId: accounts.size === 1 ? [...accounts][0] : null });
}

/**
 * Group commit in this thread: arrivals collected while the previous commit ran are written
 * together in one transaction (one fsync), and only then does each sender get its answer.
 * better-sqlite3 is synchronous, so a commit blocks the event loop here; the threaded writer
 * (threaded-writer.ts) is the fast path, this one serves in-memory databases and builds
 * without the worker file.
 */
export class IntakeWriter implements ArrivalWriter {
  private queue: { arrival: Arrival; done: (err: Error | null, stored?: Stored) => void }[] = [];
  private scheduled = false;
  private idleWaiters: (() => void)[] = [];
  private readonly repos: IntakeRepos;
  readonly mode = 'inline' as const;

  constructor(private readonly ctx: EngineContext, private readonly delayMs = 0) {
    this.repos = intakeRepos(ctx.db);
  }

  store(arrival: Arrival): Promise<Stored> {
    return new Promise((resolve, reject) => {
      this.queue.push({ arrival, done: (err, stored) => (err ? reject(err) : resolve(stored!)) });
      if (!this.scheduled) {
        this.scheduled = true;
        if (this.delayMs > 0) setTimeout(() => this.flush(), this.delayMs);
        else setImmediate(() => this.flush());
      }
    });
  }

  idle(): Promise<void> {
    if (!this.scheduled && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): Promise<void> {
    return this.idle();
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length) {
      let results: Stored[] | null = null;
      let failure: Error | null = null;
      try {
        results = writeArrivals(this.ctx.db, this.repos, batch.map((b) => b.arrival), this.ctx.clock.now());
      } catch (e) {
        // A full disk or a read-only file becomes a StoreError naming the file; the sender gets 451 and keeps the message.
        failure = describeOpenError(this.ctx.dbPath, e);
        this.ctx.logger.error('intake.store_failed', { messages: batch.length, error: failure.message });
      }
      batch.forEach((b, i) => (results ? b.done(null, results[i]) : b.done(failure)));
      if (results) announceStored(this.ctx, batch.map((b) => b.arrival.accountId), results);
    }
    if (!this.scheduled && this.queue.length === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      waiters.forEach((w) => w());
    }
  }
}
