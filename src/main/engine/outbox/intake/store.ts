import type { EngineContext } from '../../index';
import { kindOf } from '../../../../shared/categories';
import { describeOpenError, transaction } from '../../store/db';
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

/**
 * Group commit for the intake: arrivals collected while the previous commit ran are written
 * together in one transaction (one fsync), and only then does each sender get its answer.
 * better-sqlite3 is synchronous, so a commit blocks the event loop; the data that arrives on
 * the other connections meanwhile forms the next batch by itself.
 */
export class IntakeWriter {
  private queue: { arrival: Arrival; done: (err: Error | null, stored?: Stored) => void }[] = [];
  private scheduled = false;
  private idleWaiters: (() => void)[] = [];
  private readonly repos: { messages: MessagesRepo; failures: FailuresRepo; suppressions: SuppressionsRepo };

  constructor(private readonly ctx: EngineContext, private readonly delayMs = 0) {
    // Prepared once: preparing statements per batch costs more than the inserts themselves.
    if (process.env.XCKPT) ctx.db.pragma(`wal_autocheckpoint = ${process.env.XCKPT}`);
    this.repos = { messages: createMessagesRepo(ctx.db), failures: createFailuresRepo(ctx.db), suppressions: createSuppressionsRepo(ctx.db) };
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

  /** Resolves once nothing is waiting to be written. */
  idle(): Promise<void> {
    if (!this.scheduled && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length) {
      let results: Stored[] | null = null;
      let failure: Error | null = null;
      try {
        const t = performance.now();
        results = this.write(batch.map((b) => b.arrival));
        if (process.env.XSTAT) { const g = globalThis as any; (g.__st ??= []).push([batch.length, performance.now() - t]); }
      } catch (e) {
        // A full disk or a read-only file becomes a StoreError naming the file; the sender gets 451 and keeps the message.
        failure = describeOpenError(this.ctx.dbPath, e);
        this.ctx.logger.error('intake.store_failed', { messages: batch.length, error: failure.message });
      }
      batch.forEach((b, i) => (results ? b.done(null, results[i]) : b.done(failure)));
      if (results) {
        this.ctx.logger.info('intake.stored', { messages: results.length, held: results.filter((r) => r.held).length });
        const accounts = new Set(batch.map((b) => b.arrival.accountId));
        this.ctx.events.emit('queue/changed', { accountId: accounts.size === 1 ? [...accounts][0] : null });
      }
    }
    if (!this.scheduled && this.queue.length === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      waiters.forEach((w) => w());
    }
  }

  private write(arrivals: Arrival[]): Stored[] {
    const { db, clock } = this.ctx;
    const { messages, failures, suppressions } = this.repos;
    const now = clock.now();
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
}
