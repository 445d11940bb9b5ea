import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../support/cli';
import { SCHEMA_VERSION } from '../../../src/main/engine/store/migrations';

const dir = mkdtempSync(join(process.env.OUTBOX_TEST_TMP ?? tmpdir(), 'cli-db-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('outbox-monitor db', () => {
  it('prints help on every level', async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/db\b/);
    const db = await runCli(['db', '--help']);
    expect(db.stdout).toMatch(/info/);
    expect(db.stdout).toMatch(/migrate/);
    const info = await runCli(['db', 'info', '--help']);
    expect(info.stdout).toMatch(/--db <path>/);
  });

  it('migrates a new database and reports its version and counts', async () => {
    const path = join(dir, 'a.db');
    const migrated = await runCli(['db', 'migrate', '--db', path, '--json']);
    expect(migrated.code).toBe(0);
    expect(JSON.parse(migrated.stdout)).toMatchObject({ path, from: 0, to: SCHEMA_VERSION });
    const again = await runCli(['db', 'migrate', '--db', path]);
    expect(again.stdout).toContain(`already at version ${SCHEMA_VERSION}`);
    const info = await runCli(['db', 'info', '--db', path, '--json']);
    const parsed = JSON.parse(info.stdout);
    expect(parsed.schemaVersion).toBe(SCHEMA_VERSION);
    expect(parsed.counts).toMatchObject({ accounts: 0, messages: 0, failures: 0 });
  });

  it('names the file and both versions for a database from a newer app', async () => {
    const path = join(dir, 'newer.db');
    const raw = new Database(path);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    const result = await runCli(['db', 'migrate', '--db', path]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(path);
    expect(result.stderr).toContain(`version ${SCHEMA_VERSION + 1}`);
    expect(result.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });

  it('explains a corrupt file', async () => {
    const path = join(dir, 'corrupt.db');
    writeFileSync(path, 'garbage'.repeat(1000));
    const result = await runCli(['db', 'info', '--db', path]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(path);
    expect(result.stderr).toMatch(/damaged|not an Outbox Monitor database/);
  });
});
