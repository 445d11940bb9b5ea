// The disk under the database fills up, or the database sits on a read-only file system. The
// app must say so clearly (a StoreError naming the file), lose nothing it already confirmed, and
// confirm nothing it could not write: the relay answers 4xx, not 250, so the mail program keeps
// the message and sends it again. Real file systems: a small tmpfs mounted for the test (we run
// as root), remounted read-only for the second part.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemorySecretStore } from '../../../src/main/engine/accounts/secrets/memory';
import { createCommandHandlers } from '../../../src/main/engine/commands';
import { createDispatcher } from '../../../src/main/engine/dispatch';
import { createEngine, type Engine } from '../../../src/main/engine/index';
import { ManualClock } from '../../../src/main/engine/ports';
import { StoreError } from '../../../src/main/engine/store/db';
import { createMessagesRepo, createQueueRepo } from '../../../src/main/engine/store/messages';
import { addTestAccount, rawMessage } from '../outbox/support/context';
import { startProvider, type ScriptedProvider } from '../outbox/support/provider';

const T0 = Date.UTC(2026, 10, 30, 8, 0, 0);

/** A tmpfs of `size` at a fresh directory; throws when mounting is not permitted. */
function smallDisk(size: string): { dir: string; remount(opts: string): void; cleanup(): void } {
  const dir = mkdtempSync(join(process.env.OUTBOX_TEST_TMP ?? tmpdir(), 'faults-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir]);
  return {
    dir,
    remount: (opts) => execFileSync('mount', ['-o', `remount,${opts}`, dir]),
    cleanup: () => {
      try {
        execFileSync('umount', [dir]);
      } catch {
        execFileSync('umount', ['-l', dir]);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Fills the file system with one file until ENOSPC; returns a function that frees it again. */
function fillDisk(dir: string): () => void {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, block);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  }
  // the last few bytes too, so not even a small page fits
  try {
    for (;;) writeSync(fd, Buffer.alloc(512, 1));
  } catch {
    // full
  }
  closeSync(fd);
  return () => rmSync(path, { force: true });
}

function relayTransport(engine: Engine) {
  return engine.relayInfo().then((relay) =>
    nodemailer.createTransport({ host: relay.host, port: relay.port, secure: false, ignoreTLS: true, auth: { user: relay.user, pass: relay.password } }),
  );
}

async function drain(engine: Engine, clock: ManualClock): Promise<void> {
  const queue = createQueueRepo(engine.db);
  for (let guard = 0; guard < 200; guard++) {
    await engine.scheduler!.runDueNow();
    if (queue.idsInState('queued').length + queue.idsInState('sending').length === 0) return;
    const next = clock.nextTimerAt();
    if (next === null) break;
    clock.advanceTo(Math.max(next, clock.now()));
  }
  throw new Error('messages still waiting');
}

describe('disk full under the database', () => {
  let disk: ReturnType<typeof smallDisk>;
  let provider: ScriptedProvider;
  let engine: Engine;
  let dbPath: string;
  const clock = new ManualClock(T0);

  beforeAll(async () => {
    disk = smallDisk('6m');
    dbPath = join(disk.dir, 'outbox.db');
    provider = await startProvider();
    engine = createEngine({ dbPath, secrets: new MemorySecretStore(), clock, intakePort: 0, watch: false, scheduleOptions: { random: () => 0.5, recheckMs: 0 } });
    await engine.start();
    await addTestAccount(engine, provider.port, { name: 'acme', email: 'sender@example.test' });
  });
  afterAll(async () => {
    await engine?.stop();
    await provider?.stop();
    disk?.cleanup();
  });

  it('the relay answers 451 naming the full disk and the file, keeps what it confirmed, and takes the message once there is room', async () => {
    const transport = await relayTransport(engine);
    const confirmed: string[] = [];
    for (let i = 0; i < 5; i++) {
      const m = rawMessage({ subject: `before ${i}`, to: [`b${i}@example.test`] });
      const info = await transport.sendMail({ envelope: { from: 'sender@example.test', to: [`b${i}@example.test`] }, raw: m.raw });
      expect(info.response).toMatch(/^250 /);
      confirmed.push(m.messageId);
    }

    const free = fillDisk(disk.dir);
    // bigger than any WAL page the database already owns, so the commit needs new blocks
    const big = rawMessage({ subject: 'big', to: ['big@example.test'], body: 'z'.repeat(76).concat('\r\n').repeat(8_000) });
    const refused = await transport.sendMail({ envelope: { from: 'sender@example.test', to: ['big@example.test'] }, raw: big.raw }).catch((e) => e);
    expect(refused).toBeInstanceOf(Error);
    expect(refused.responseCode, String(refused.response)).toBe(451);
    expect(refused.response).toMatch(/full/i);
    expect(refused.response).toContain(dbPath);

    // the window's commands meet the same wall and say so with the store's code
    const dispatch = createDispatcher(createCommandHandlers(engine), undefined, dbPath);
    const addresses = Array.from({ length: 5_000 }, (_, i) => `suppressed-${i}-${'x'.repeat(40)}@example.test`);
    const result = await dispatch('suppressions/add', [{ addresses }]);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('db_full');
      expect(result.error.message).toContain(dbPath);
    }

    // what was confirmed before is all there
    const messages = createMessagesRepo(engine.db);
    for (const mid of confirmed) expect(messages.findByMessageId(mid), mid).toBeDefined();
    expect(messages.findByMessageId(big.messageId)).toBeUndefined();

    // room again: the program sends it again (it kept it, having had no 250) and it is stored
    free();
    const again = await transport.sendMail({ envelope: { from: 'sender@example.test', to: ['big@example.test'] }, raw: big.raw });
    expect(again.response).toMatch(/^250 /);
    transport.close();

    await drain(engine, clock);
    for (const mid of [...confirmed, big.messageId]) {
      expect(provider.received.get(mid), mid).toBe(1);
      expect(messages.findByMessageId(mid)!.state).toBe('sent');
    }
    expect(provider.received.size).toBe(6);
    expect(engine.db.pragma('integrity_check', { simple: true })).toBe('ok');
  });
});

describe('a database on a read-only file system', () => {
  let disk: ReturnType<typeof smallDisk>;
  let dbPath: string;
  const stored: string[] = [];

  beforeAll(async () => {
    disk = smallDisk('8m');
    dbPath = join(disk.dir, 'outbox.db');
    const engine = createEngine({ dbPath, secrets: new MemorySecretStore(), clock: new ManualClock(T0), intakePort: 0, watch: false, schedule: false });
    await engine.start();
    await addTestAccount(engine, 9, { name: 'acme', email: 'sender@example.test' });
    const transport = await relayTransport(engine);
    for (let i = 0; i < 3; i++) {
      const m = rawMessage({ subject: `kept ${i}` });
      await transport.sendMail({ envelope: { from: 'sender@example.test', to: ['x@example.test'] }, raw: m.raw });
      stored.push(m.messageId);
    }
    transport.close();
    await engine.stop();
    disk.remount('ro');
  });
  afterAll(() => {
    disk?.cleanup();
  });

  it('the engine refuses to start with a StoreError that names the file, and the data stays as it was', async () => {
    let error: unknown = null;
    let engine: Engine | null = null;
    try {
      engine = createEngine({ dbPath, secrets: new MemorySecretStore(), clock: new ManualClock(T0), intakePort: 0, watch: false });
      await engine.start();
    } catch (e) {
      error = e;
    } finally {
      await engine?.stop().catch(() => {});
    }
    expect(error, 'a read-only database must not look like a working one').toBeInstanceOf(StoreError);
    const se = error as StoreError;
    expect(se.code).toBe('db_readonly');
    expect(se.message).toMatch(/read-only/);
    expect(se.message).toContain(dbPath);

    disk.remount('rw');
    const db = new Database(dbPath, { readonly: true });
    try {
      const ids = db.prepare('SELECT message_id FROM messages ORDER BY id').pluck().all();
      expect(ids).toEqual(stored);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
  });
});
