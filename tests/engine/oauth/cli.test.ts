// The command line: `accounts add --auth oauth2` prints the address to open and waits for the
// loopback redirect; `send` then goes out with XOAUTH2; after the sign-in dies, `accounts
// reconnect` signs in again and the account works again.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIL_SCOPE, TestAuthServer } from '../../support/oauth/auth-server';
import { followConsent } from '../../support/oauth/headless';
import { XOAuthSmtpServer } from '../../support/oauth/smtp';
import { CLI, runCli } from '../../support/cli';

const EMAIL = 'ada@example.test';
let auth: TestAuthServer;
let smtp: XOAuthSmtpServer;
let db: string;
let dir: string;

beforeAll(async () => {
  auth = await new TestAuthServer({ email: EMAIL }).start();
  smtp = await new XOAuthSmtpServer({ issuer: auth.url, requiredScope: MAIL_SCOPE }).start();
  dir = mkdtempSync(join(process.env.OUTBOX_TEST_TMP ?? tmpdir(), 'oauth-cli-'));
  db = join(dir, 'outbox.db');
});
afterAll(async () => {
  await smtp?.stop();
  await auth?.stop();
});

const endpoints = () => ['--authorization-endpoint', `${auth.url}/consent`, '--token-endpoint', `${auth.url}/token`, '--issuer', auth.url];

/** Runs the CLI, completes the consent when it prints the address, returns its output. */
function runWithConsent(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string; consentStatus: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let consentStatus: number | null = null;
    let consenting: Promise<void> | null = null;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      const url = /^\s+(http\S+)$/m.exec(stderr)?.[1];
      if (url && !consenting) consenting = followConsent(url).then((s) => void (consentStatus = s), reject);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.on('error', reject);
    child.on('close', async (code) => {
      clearTimeout(timer);
      await consenting;
      resolve({ code, stdout, stderr, consentStatus });
    });
  });
}

describe('outbox-monitor accounts add --auth oauth2 / reconnect', () => {
  it('without a client ID, says how to register one', async () => {
    const r = await runCli(
      ['accounts', 'add', '--db', db, '--auth', 'oauth2', '--name', 'x', '--provider', 'outlook', '--email', EMAIL],
      { env: { OUTBOX_OAUTH_MICROSOFT_CLIENT_ID: '' } },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/No OAuth client ID is configured/);
    expect(r.stderr).toMatch(/App registrations/);
  });

  it('adds the account through the browser sign-in, then sends with XOAUTH2', async () => {
    const added = await runWithConsent(
      ['accounts', 'add', '--db', db, '--auth', 'oauth2', '--name', 'ada', '--provider', 'gmail', '--email', EMAIL,
        '--smtp-host', '127.0.0.1', '--smtp-port', String(smtp.port), '--smtp-tls', 'none', '--no-imap', '--json', ...endpoints()],
      { OUTBOX_OAUTH_GOOGLE_CLIENT_ID: auth.options.clientId },
    );
    expect(added.stderr).toMatch(/Open this address in your browser/);
    expect(added.consentStatus).toBe(200);
    expect(added.code).toBe(0);
    expect(JSON.parse(added.stdout.trim())).toMatchObject({ name: 'ada', email: EMAIL });

    const eml = join(dir, 'hello.eml');
    writeFileSync(eml, `From: ${EMAIL}\r\nTo: bob@example.test\r\nSubject: hi\r\nMessage-ID: <cli-oauth-1@example.test>\r\n\r\nHello.\r\n`);
    const sent = await runCli(['send', '--db', db, '--account', 'ada', eml, '--json']);
    expect(sent.code, sent.stderr).toBe(0);
    expect(smtp.received.at(-1)).toMatchObject({ user: EMAIL, to: ['bob@example.test'] });
  });

  it('after the sign-in dies, the account needs reconnect; reconnect signs in again', async () => {
    auth.revokeAll();
    const test = await runCli(['accounts', 'test', '--db', db, 'ada', '--json']);
    expect(test.code).not.toBe(0);
    const list = await runCli(['accounts', 'list', '--db', db, '--json']);
    expect(JSON.parse(list.stdout.trim().split('\n')[0])).toMatchObject({ name: 'ada', status: 'auth_failed' });

    const again = await runWithConsent(['accounts', 'reconnect', '--db', db, 'ada', '--json', ...endpoints()]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout.trim())).toMatchObject({ account: 'ada', ok: true });
    const after = await runCli(['accounts', 'list', '--db', db, '--json']);
    expect(JSON.parse(after.stdout.trim().split('\n')[0])).toMatchObject({ name: 'ada', status: 'ok' });
  });
});
