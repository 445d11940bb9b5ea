import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kindOf, type Category } from '../../../src/shared/categories';
import type { QuotaLimit } from '../../../src/shared/model';
import { EngineEvents } from '../../../src/main/engine/events';
import type { EngineContext } from '../../../src/main/engine/index';
import { ManualClock, silentLogger, type SecretStore } from '../../../src/main/engine/ports';
import { createAccountsRepo } from '../../../src/main/engine/store/accounts';
import { createAttemptsRepo } from '../../../src/main/engine/store/attempts';
import { openDatabase, transaction, type Db } from '../../../src/main/engine/store/db';
import { createMessagesRepo } from '../../../src/main/engine/store/messages';
import type { DeliveryOutcome } from '../../../src/main/engine/schedule/decide';

export const MIN = 60_000;
export const H = 60 * MIN;
export const D = 24 * H;

export function tempDbPath(name: string): string {
  const dir = mkdtempSync(join(process.env.OUTBOX_TEST_TMP ?? tmpdir(), `schedule-${name}-`));
  return join(dir, 'outbox.db');
}

export const noSecrets: SecretStore = {
  description: 'none',
  async get() {
    return null;
  },
  async set() {},
  async delete() {},
};

export function contextFor(db: Db, clock: ManualClock, path = ':memory:'): EngineContext {
  return { db, dbPath: path, events: new EngineEvents(), clock, logger: silentLogger, secrets: noSecrets };
}

export function openCtx(path: string, clock: ManualClock): EngineContext {
  return contextFor(openDatabase(path), clock, path);
}

export function addAccount(db: Db, name: string, limits: QuotaLimit[], now: number): number {
  return createAccountsRepo(db).insert({
    name, provider: 'generic', email: `${name}@example.com`, authType: 'password', username: name, secretRef: null,
    smtp: { host: '127.0.0.1', port: 2525, tls: 'none' }, imap: null, insecureTls: false, maxMessageBytes: null,
    maxRecipients: null, limits, now,
  });
}

export function addMessages(db: Db, accountId: number, count: number, now: number, recipients = 1): number[] {
  const repo = createMessagesRepo(db);
  return transaction(db, () =>
    Array.from({ length: count }, (_, i) =>
      repo.insert({
        accountId, messageId: `<m${accountId}-${now}-${i}@example.com>`, source: 'app', mailFrom: 'me@example.com',
        recipients: Array.from({ length: recipients }, (_, r) => `to${i}-${r}@example.org`), subject: `message ${i}`,
        sizeBytes: 100, hasAttachments: false, raw: Buffer.from('Subject: hi\r\n\r\nhello\r\n'), now, nextAttemptAt: now, dueReason: 'new',
      }),
    ),
  );
}

/**
 * A stand-in sender that records attempts the way the real one does (accepted recipients in
 * the attempts table, the message's attempt count), answering from a script.
 */
export function scriptedDeliver(
  answer: (ctx: EngineContext, messageId: number, accountId: number) => { category: Category; words: string } | null,
  sent: { id: number; at: number; accountId: number }[] = [],
) {
  return async (ctx: EngineContext, messageId: number): Promise<DeliveryOutcome> => {
    await Promise.resolve();
    const messages = createMessagesRepo(ctx.db);
    const attempts = createAttemptsRepo(ctx.db);
    const m = messages.get(messageId)!;
    const rcpts = JSON.parse(m.rcpt_json) as string[];
    const now = ctx.clock.now();
    const fail = answer(ctx, messageId, m.account_id);
    const attemptId = attempts.insert({
      messageId, accountId: m.account_id, startedAt: now, finishedAt: now, outcome: fail ? 'failed' : 'sent', stage: fail ? 'mail' : 'data',
      replyCode: null, enhanced: null, replyText: fail?.words ?? '250 OK', errorCode: null, accepted: fail ? [] : rcpts,
      rejected: [], sizeBytes: 100, serverSizeLimit: null, category: fail?.category ?? null, kind: fail ? kindOf(fail.category) : null, rule: null,
    });
    messages.noteAttempt(messageId, now, !fail);
    if (!fail) sent.push({ id: messageId, at: now, accountId: m.account_id });
    return {
      messageId, attemptId, outcome: fail ? 'failed' : 'sent', acceptedCount: fail ? 0 : rcpts.length,
      failure: fail ? { category: fail.category, kind: kindOf(fail.category), rule: 'test', words: fail.words } : null,
      recipientFailures: [],
    };
  };
}

/** Moves the manual clock from timer to timer up to `until`, letting each pass finish. */
export async function drive(clock: ManualClock, sched: { runDueNow(): Promise<number> }, until: number): Promise<void> {
  for (let guard = 0; ; guard++) {
    if (guard > 200_000) throw new Error('the scheduler keeps re-arming without progress');
    await sched.runDueNow();
    const next = clock.nextTimerAt();
    if (next === null || next > until) break;
    clock.advanceTo(next);
  }
  clock.advanceTo(until);
  await sched.runDueNow();
}
