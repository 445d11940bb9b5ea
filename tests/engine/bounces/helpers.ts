// Shared set-up for the watcher tests: a fresh database, an in-memory secret store, an account
// pointing at the test Dovecot, and fixture bounces made unique so that copies do not dedupe.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../../src/main/engine/store/db';
import { EngineEvents } from '../../../src/main/engine/events';
import { silentLogger, systemClock, type SecretStore } from '../../../src/main/engine/ports';
import type { EngineContext } from '../../../src/main/engine/index';
import { createAccountsRepo } from '../../../src/main/engine/store/accounts';
import type { DovecotServer } from '../../support/servers/dovecot';

export function memorySecrets(): SecretStore {
  const map = new Map<string, string>();
  return {
    description: 'memory',
    get: async (ref) => map.get(ref) ?? null,
    set: async (ref, secret) => void map.set(ref, secret),
    delete: async (ref) => void map.delete(ref),
  };
}

export function testDb(): { db: Db; path: string } {
  const dir = mkdtempSync(join(process.env.OUTBOX_TEST_TMP ?? tmpdir(), 'bounces-'));
  const path = join(dir, 'outbox.db');
  return { db: openDatabase(path), path };
}

export function testContext(db: Db, path: string, secrets: SecretStore = memorySecrets()): EngineContext {
  return { db, dbPath: path, events: new EngineEvents(), clock: systemClock, logger: silentLogger, secrets };
}

export async function addImapAccount(
  ctx: EngineContext,
  dovecot: DovecotServer,
  user: string,
  password: string,
  extra: { name?: string; watchFolders?: string[]; provider?: string } = {},
): Promise<number> {
  const ref = `test:${user}:${Math.random()}`;
  await ctx.secrets.set(ref, password);
  return createAccountsRepo(ctx.db).insert({
    name: extra.name ?? user,
    provider: extra.provider ?? 'smtp',
    email: dovecot.address(user),
    authType: 'password',
    username: dovecot.address(user),
    secretRef: ref,
    smtp: null,
    imap: { host: '127.0.0.1', port: dovecot.imapPort, tls: 'none' },
    insecureTls: false,
    maxMessageBytes: null,
    maxRecipients: null,
    limits: [],
    watchFolders: extra.watchFolders ?? ['INBOX'],
    now: Date.now(),
  });
}

// tests and benches run from the repository root
const FIXTURES = join(process.cwd(), 'tests/fixtures/bounces');

export function fixture(name: string): Buffer {
  return readFileSync(join(FIXTURES, name));
}

/** A fixture with its own Message-ID replaced, so each copy is a different report. */
export function uniqueCopy(name: string, tag: string): Buffer {
  const text = fixture(name).toString('latin1');
  return Buffer.from(text.replace(/^Message-Id:[^\r\n]*(\r?\n[ \t][^\r\n]*)*/im, `Message-ID: <copy-${tag}@bounces.test>`), 'latin1');
}

export async function waitFor<T>(fn: () => T | undefined | null | false, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
