import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileLogger, redact } from '../../../src/main/electron/logger';
import { appPaths } from '../../../src/main/electron/paths';
import { defaultDatabasePath } from '../../../src/main/engine/paths';

const tmp = () => mkdtempSync(join(process.env.OUTBOX_TEST_TMP ?? tmpdir(), 'edge-log-'));

describe('the app log', () => {
  it('writes one JSON line per event and hides secret-looking fields at any depth', () => {
    const file = join(tmp(), 'logs', 'main.log');
    const log = createFileLogger(file);
    log.info('account.added', { account: 'work', password: 'hunter2-secret', nested: { smtp: { authToken: 'tok-123', host: 'smtp.example.test' } } });
    log.error('send.failed', { list: [{ clientSecret: 'cs-9' }], code: 535 });
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 'info', event: 'account.added', account: 'work', password: '[redacted]', nested: { smtp: { authToken: '[redacted]', host: 'smtp.example.test' } } });
    expect(lines[1]).toMatchObject({ level: 'error', list: [{ clientSecret: '[redacted]' }], code: 535 });
    const text = readFileSync(file, 'utf8');
    for (const secret of ['hunter2-secret', 'tok-123', 'cs-9']) expect(text).not.toContain(secret);
  });

  it('rotates past 5 MB instead of growing without end', () => {
    const file = join(tmp(), 'main.log');
    writeFileSync(file, 'x'.repeat(5_000_001));
    createFileLogger(file).info('after.rotation');
    expect(statSync(`${file}.1`).size).toBe(5_000_001);
    expect(readFileSync(file, 'utf8')).toContain('after.rotation');
  });

  it('leaves non-objects alone', () => {
    expect(redact('password')).toBe('password');
    expect(redact(null)).toBeNull();
  });
});

describe('app paths', () => {
  it('put the database where the command line looks for it, and secrets and logs beside it', () => {
    const home = '/home/someone/.config/Outbox Monitor';
    const p = appPaths(home);
    expect(p.database).toBe(defaultDatabasePath({ OUTBOX_MONITOR_HOME: home }));
    expect(p.secrets).toBe(join(home, 'secrets.json'));
    expect(p.mainLog).toBe(join(home, 'logs', 'main.log'));
  });
});
