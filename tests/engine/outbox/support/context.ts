import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../../../src/main/engine/store/db';
import { EngineEvents } from '../../../../src/main/engine/events';
import { ManualClock, silentLogger, type Clock } from '../../../../src/main/engine/ports';
import type { EngineContext } from '../../../../src/main/engine/index';
import { MemorySecretStore } from '../../../../src/main/engine/accounts/secrets';
import { createAccountsService } from '../../../../src/main/engine/accounts/service';
import { createMessagesRepo } from '../../../../src/main/engine/store/messages';

export function tempDir(prefix = 'outbox-'): string {
  return mkdtempSync(join(process.env.OUTBOX_TEST_TMP ?? tmpdir(), prefix));
}

/** A fresh database on disk with an engine context around it. */
export function makeContext(opts: { clock?: Clock } = {}): EngineContext & { dir: string; close(): void } {
  const dir = tempDir();
  const dbPath = join(dir, 'outbox.db');
  const db = openDatabase(dbPath);
  const ctx: EngineContext = {
    db,
    dbPath,
    events: new EngineEvents(),
    clock: opts.clock ?? new ManualClock(),
    logger: silentLogger,
    secrets: new MemorySecretStore(),
  };
  return { ...ctx, dir, close: () => db.close() };
}

/** Adds a generic SMTP account pointing at a local test server. */
export async function addTestAccount(ctx: EngineContext, port: number, extra: { name?: string; provider?: string; email?: string; password?: string; maxMessageBytes?: number | null } = {}) {
  const service = createAccountsService(ctx);
  return service.add({
    name: extra.name ?? 'test',
    provider: extra.provider ?? 'generic',
    email: extra.email ?? 'sender@example.test',
    username: 'sender@example.test',
    password: extra.password ?? 'secret',
    smtp: { host: '127.0.0.1', port, tls: 'none' },
    imap: null,
    maxMessageBytes: extra.maxMessageBytes === undefined ? null : extra.maxMessageBytes,
  });
}

let seq = 0;
export function rawMessage(opts: { from?: string; to?: string[]; subject?: string; body?: string; messageId?: string } = {}): { raw: Buffer; messageId: string } {
  const messageId = opts.messageId ?? `<t${Date.now()}.${++seq}@example.test>`;
  const raw = Buffer.from(
    [
      `From: ${opts.from ?? 'sender@example.test'}`,
      `To: ${(opts.to ?? ['rcpt@example.test']).join(', ')}`,
      `Subject: ${opts.subject ?? 'Hello'}`,
      `Message-ID: ${messageId}`,
      'Date: Mon, 05 Jan 2026 09:00:00 +0000',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      opts.body ?? 'Hello there.',
      '',
    ].join('\r\n'),
  );
  return { raw, messageId };
}

/** Stores a message as queued, as the intake or the app would. */
export function storeMessage(ctx: EngineContext, accountId: number, opts: { to?: string[]; raw?: Buffer; messageId?: string } = {}): number {
  const to = opts.to ?? ['rcpt@example.test'];
  const built = opts.raw ? { raw: opts.raw, messageId: opts.messageId ?? null } : rawMessage({ to, messageId: opts.messageId });
  return createMessagesRepo(ctx.db).insert({
    accountId,
    messageId: built.messageId,
    source: 'app',
    mailFrom: 'sender@example.test',
    recipients: to,
    subject: 'Hello',
    sizeBytes: built.raw.length,
    hasAttachments: false,
    raw: built.raw,
    now: ctx.clock.now(),
    nextAttemptAt: ctx.clock.now(),
    dueReason: 'new',
  });
}
