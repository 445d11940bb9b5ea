import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli';
import { rawMessage, tempDir } from './support/context';
import { startProvider, type ScriptedProvider } from './support/provider';

const lines = (s: string) => s.split('\n').filter(Boolean).map((l) => JSON.parse(l));

describe('outbox command line', () => {
  let provider: ScriptedProvider;
  let dir: string;
  let db: string;
  const PASSWORD = 'pw-Zq81xLk-7Hd';
  const env = { SENDER_PASSWORD: PASSWORD };

  beforeAll(async () => {
    provider = await startProvider({
      password: 'pw-Zq81xLk-7Hd',
      rejectRecipients: { 'nobody@example.test': { code: 550, text: '550 5.1.1 <nobody@example.test>: Recipient address rejected: User unknown in virtual mailbox table' } },
    });
    dir = tempDir('cli-');
    db = join(dir, 'outbox.db');
  });
  afterAll(async () => {
    await provider.stop();
  });

  it('adds an account without writing the password into the database', async () => {
    const r = await runCli(
      ['accounts', 'add', '--db', db, '--name', 'work', '--provider', 'generic', '--email', 'sender@example.test', '--smtp-host', '127.0.0.1', '--smtp-port', String(provider.port), '--smtp-tls', 'none', '--user', 'sender@example.test', '--password-env', 'SENDER_PASSWORD', '--json'],
      { env },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [view] = lines(r.stdout);
    expect(view).toMatchObject({ name: 'work', provider: 'generic', smtp: { host: '127.0.0.1', port: provider.port, tls: 'none' }, hasSecret: true });
    const { readFileSync, existsSync } = await import('node:fs');
    for (const file of [db, `${db}-wal`, `${db}.secrets`]) {
      if (existsSync(file)) expect(readFileSync(file).includes(Buffer.from(PASSWORD)), file).toBe(false);
    }
    expect(existsSync(`${db}.secrets`)).toBe(true);
    const list = await runCli(['accounts', 'list', '--db', db, '--json']);
    expect(lines(list.stdout).map((a) => a.name)).toEqual(['work']);
  });

  it('refuses a missing password variable and an unknown preset', async () => {
    const a = await runCli(['accounts', 'add', '--db', db, '--name', 'x', '--provider', 'gmail', '--email', 'x@example.test', '--password-env', 'NOT_SET_ANYWHERE']);
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/NOT_SET_ANYWHERE is not set/);
    const b = await runCli(['accounts', 'add', '--db', db, '--name', 'x', '--provider', 'nope', '--email', 'x@example.test', '--password-env', 'SENDER_PASSWORD'], { env });
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/Unknown provider preset "nope"/);
  });

  it('tests the connection step by step', async () => {
    const r = await runCli(['accounts', 'test', 'work', '--db', db, '--json']);
    expect(r.code).toBe(0);
    expect(lines(r.stdout).map((s) => [s.step, s.ok])).toEqual([['smtp:connect', true], ['smtp:auth', true]]);
  });

  it('sends a file; a partial success lists one failure; messages and failures print JSON lines', async () => {
    const { raw, messageId } = rawMessage({ to: ['good@example.test', 'nobody@example.test'] });
    const file = join(dir, 'm.eml');
    writeFileSync(file, raw);
    const sent = await runCli(['send', '--db', db, '--account', 'work', file, '--json']);
    expect(sent.stderr).toBe('');
    expect(lines(sent.stdout)[0]).toMatchObject({ messageId, state: 'sent' });
    expect(provider.received.get(messageId)).toBe(1);

    const messages = lines((await runCli(['messages', '--db', db, '--json'])).stdout);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ id: 1, messageId, account: 'work', state: 'sent', nextAttemptAt: null });

    const failures = lines((await runCli(['failures', '--db', db, '--json'])).stdout);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ messageId, recipient: 'nobody@example.test', category: 'recipient_unknown', kind: 'permanent', source: 'smtp', status: '5.1.1', resolved: false });
    expect(failures[0].diagnostic).toContain('User unknown');
  });

  it('resend queues the failed recipient again on the same message', async () => {
    const r = await runCli(['resend', '--db', db, '1', '--json']);
    expect(r.code).toBe(0);
    expect(lines(r.stdout)[0]).toMatchObject({ id: 1, queued: 1, newRow: false, recipients: ['nobody@example.test'] });
    const [m] = lines((await runCli(['messages', '--db', db, '--json'])).stdout);
    expect(m).toMatchObject({ state: 'queued', dueReason: 'resend', recipients: ['nobody@example.test'] });
    const failures = lines((await runCli(['failures', '--db', db, '--json'])).stdout);
    expect(failures[0].resolved).toBe(true);
  });

  it('relay info prints the generated login, the same every time', async () => {
    const a = lines((await runCli(['relay', 'info', '--db', db, '--json'])).stdout)[0];
    const b = lines((await runCli(['relay', 'info', '--db', db, '--json'])).stdout)[0];
    expect(a).toMatchObject({ host: '127.0.0.1', user: 'outbox' });
    expect(typeof a.port).toBe('number');
    expect(a.password.length).toBeGreaterThanOrEqual(20);
    expect(b.password).toBe(a.password);
  });

  it('has --help on every level', async () => {
    for (const args of [['accounts'], ['accounts', 'add'], ['relay', 'info'], ['serve']]) {
      const r = await runCli([...args, '--help']);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/Usage: outbox-monitor/);
    }
  });

  it('removes an account', async () => {
    const r = await runCli(['accounts', 'remove', 'work', '--db', db]);
    expect(r.code).toBe(0);
    expect(lines((await runCli(['accounts', 'list', '--db', db, '--json'])).stdout)).toEqual([]);
  });
});
