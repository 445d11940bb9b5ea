import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, StoreError } from '../../../src/main/engine/store/db';
import { MIGRATIONS, SCHEMA_VERSION, migrate, schemaVersion } from '../../../src/main/engine/store/migrations';
import { databaseInfo } from '../../../src/main/engine/store/info';

const dirs: string[] = [];
function tempFile(name = 'outbox.db'): string {
  const dir = mkdtempSync(join(process.env.OUTBOX_TEST_TMP ?? tmpdir(), 'store-'));
  dirs.push(dir);
  return join(dir, name);
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tables(db: Database.Database): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
}

describe('migrations', () => {
  it('are numbered 1..N without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it('each applies on top of the version before it and keeps existing rows', () => {
    const path = tempFile();
    const raw = new Database(path);
    for (const m of MIGRATIONS) {
      expect(schemaVersion(raw)).toBe(m.version - 1);
      // Rows written at the previous version must survive the step.
      const before = m.version > 1 ? (raw.prepare('SELECT count(*) AS n FROM accounts').get() as { n: number }).n : 0;
      migrate(raw, path, m.version);
      expect(schemaVersion(raw)).toBe(m.version);
      if (m.version > 1) expect((raw.prepare('SELECT count(*) AS n FROM accounts').get() as { n: number }).n).toBe(before);
      if (m.version === 1) {
        raw.prepare("INSERT INTO accounts (name, provider, email, created_at, updated_at) VALUES ('a', 'generic', 'a@example.test', 1, 1)").run();
      }
    }
    expect(tables(raw)).toEqual(expect.arrayContaining(['accounts', 'messages', 'message_bodies', 'attempts', 'failures', 'bounces', 'sync_state', 'suppressions', 'settings']));
    raw.close();
  });

  it('opens with WAL, foreign keys and the newest schema', () => {
    const path = tempFile();
    const db = openDatabase(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(() =>
      db.prepare("INSERT INTO messages (account_id, source, mail_from, rcpt_json, size_bytes, created_at, updated_at) VALUES (999, 'app', 'x', '[]', 1, 1, 1)").run(),
    ).toThrow(/FOREIGN KEY/);
    db.close();
  });

  it('refuses a database from a newer version, naming the file and both versions, and changes nothing', () => {
    const path = tempFile();
    const raw = new Database(path);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    raw.exec('CREATE TABLE precious (x INTEGER)');
    raw.close();
    let error: unknown;
    try {
      openDatabase(path);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('db_too_new');
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toContain(String(SCHEMA_VERSION + 5));
    expect((error as Error).message).toContain(String(SCHEMA_VERSION));
    const check = new Database(path);
    expect(schemaVersion(check)).toBe(SCHEMA_VERSION + 5);
    expect(tables(check)).toEqual(['precious']);
    check.close();
  });

  it('reports a corrupt file clearly and leaves its bytes untouched', () => {
    const path = tempFile();
    const garbage = Buffer.from('this is not a database at all '.repeat(200));
    writeFileSync(path, garbage);
    expect(() => openDatabase(path)).toThrow(StoreError);
    try {
      openDatabase(path);
    } catch (e) {
      expect((e as StoreError).code).toBe('db_corrupt');
      expect((e as Error).message).toContain(path);
    }
    expect(readFileSync(path).equals(garbage)).toBe(true);
  });

  it('reports a database locked by another writer instead of hanging or resetting', () => {
    const path = tempFile();
    openDatabase(path).close();
    const holder = new Database(path);
    holder.exec('BEGIN EXCLUSIVE');
    let error: unknown;
    try {
      const db = openDatabase(path, { busyTimeoutMs: 50 });
      db.prepare("INSERT INTO settings (key, value_json) VALUES ('k', '1')").run();
      db.close();
    } catch (e) {
      error = e;
    }
    holder.exec('ROLLBACK');
    holder.close();
    expect(error).toBeDefined();
    expect(String((error as Error).message)).toMatch(/locked/i);
  });

  it('counts rows for db info', () => {
    const path = tempFile();
    const db = openDatabase(path);
    db.prepare("INSERT INTO accounts (name, provider, email, created_at, updated_at) VALUES ('a', 'generic', 'a@example.test', 1, 1)").run();
    const info = databaseInfo(db, path);
    expect(info.schemaVersion).toBe(SCHEMA_VERSION);
    expect(info.counts.accounts).toBe(1);
    expect(info.counts.failures).toBe(0);
    db.close();
  });
});
