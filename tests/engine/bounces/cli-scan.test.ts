// `outbox-monitor scan` as a user runs it: the real launcher, an account added with the command
// line (password read once from an environment variable), a real Dovecot with a few reports APPENDed.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli';
import { startDovecot, type DovecotServer } from '../../support/servers/dovecot';
import { tempDir } from '../outbox/support/context';
import { fixture } from './helpers';

const PASSWORD = 'pw-scan-Vb31';
const env = { SCAN_IMAP_PASSWORD: PASSWORD };
const jsonLines = (s: string) => s.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('outbox-monitor scan', () => {
  let dovecot: DovecotServer;
  let db: string;
  let address: string;

  beforeAll(async () => {
    dovecot = await startDovecot();
    address = dovecot.addUser('scan', PASSWORD);
    // two delivery reports, a feedback-loop complaint, and ordinary mail
    for (const f of ['0002.eml', '0004.eml', '0006.eml']) await dovecot.appendMessage('scan', 'INBOX', fixture(f));
    await dovecot.appendMessage('scan', 'INBOX', 'From: Friend <friend@example.test>\r\nTo: scan@example.test\r\nSubject: dinner\r\nMessage-ID: <dinner@example.test>\r\n\r\nSeven?\r\n');
    db = join(tempDir('bounces-cli-'), 'outbox.db');
    const add = await runCli(
      ['accounts', 'add', '--db', db, '--name', 'mailbox', '--provider', 'generic', '--email', address, '--user', address, '--password-env', 'SCAN_IMAP_PASSWORD',
        '--smtp-host', '127.0.0.1', '--smtp-port', '2525', '--smtp-tls', 'none',
        '--imap-host', '127.0.0.1', '--imap-port', String(dovecot.imapPort), '--imap-tls', 'none'],
      { env },
    );
    if (add.code !== 0) throw new Error(`accounts add failed: ${add.stderr}`);
  }, 60_000);
  afterAll(async () => {
    await dovecot?.stop();
  });

  it('prints what it found, and a second scan finds nothing new', async () => {
    const first = await runCli(['scan', '--db', db, '--account', 'mailbox', '--since', '2000-01-01'], { env });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^mailbox: 3 new report\(s\), \d+ new failure\(s\)$/m);
    expect(first.stdout).toMatch(/INBOX: 4 looked at, 3 candidate\(s\), 3 stored \((?=.*bounce 2)(?=.*complaint 1).*\)/);
    const failures = Number(/(\d+) new failure/.exec(first.stdout)![1]);
    expect(failures).toBeGreaterThanOrEqual(2);

    const second = await runCli(['scan', '--db', db, '--account', 'mailbox', '--json'], { env });
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    const [result, ...rest] = jsonLines(second.stdout);
    expect(rest).toEqual([]);
    expect(result).toMatchObject({ accountName: 'mailbox', stored: 0, failures: 0, errors: [] });
    const [inbox] = result.folders as { folder: string; scanned: number; stored: number }[];
    expect(inbox).toMatchObject({ folder: 'INBOX', scanned: 0, stored: 0 });
  });

  it('reports a newly arrived report as JSON, with the failure it carries', async () => {
    const raw = fixture('0001.eml').toString('latin1').replace(/^Message-Id:[^\r\n]*/im, 'Message-ID: <cli-new@bounces.test>');
    await dovecot.appendMessage('scan', 'INBOX', raw);
    const r = await runCli(['scan', '--db', db, '--account', 'mailbox', '--json'], { env });
    expect(r.code).toBe(0);
    const [result] = jsonLines(r.stdout);
    expect(result).toMatchObject({ stored: 1, errors: [] });
    expect(result.failures).toBeGreaterThan(0);
    const [inbox] = result.folders as { scanned: number; candidates: number; byType: Record<string, number> }[];
    expect(inbox).toMatchObject({ scanned: 1, candidates: 1, byType: { bounce: 1 } });
  });

  it('explains an unknown account and a wrong password instead of failing silently', async () => {
    const missing = await runCli(['scan', '--db', db, '--account', 'nope'], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No account named "nope"/);
    // the password changed on the server; the stored one no longer works
    await dovecot.changePassword('scan', 'changed-elsewhere');
    try {
      const wrong = await runCli(['scan', '--db', db, '--account', 'mailbox'], { env });
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(/Could not scan "mailbox".*(AUTHENTICATIONFAILED|Authentication failed)/);
      const list = await runCli(['accounts', 'list', '--db', db, '--json']);
      expect(jsonLines(list.stdout)[0]).toMatchObject({ name: 'mailbox', status: 'auth_failed' });
    } finally {
      await dovecot.changePassword('scan', PASSWORD);
    }
  });
});
