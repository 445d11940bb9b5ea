// The window's reconnect for an OAuth2 account: `accounts/reconnect` with no password goes
// through the engine's openExternal port to the browser sign-in (Chromium plays the user at
// the test authorization server), then tests the account and releases the held messages.
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOAuthAccount } from '../../../src/main/engine/accounts/oauth/connect';
import { MemorySecretStore } from '../../../src/main/engine/accounts/secrets';
import { createCommandHandlers } from '../../../src/main/engine/commands';
import { createDispatcher } from '../../../src/main/engine/dispatch';
import { createEngine, type Engine } from '../../../src/main/engine/index';
import { createAccountsRepo } from '../../../src/main/engine/store/accounts';
import { createMessagesRepo, createQueueRepo } from '../../../src/main/engine/store/messages';
import { ManualClock } from '../../../src/main/engine/ports';
import type { TestStep } from '../../../src/shared/model';
import { MAIL_SCOPE, TestAuthServer } from '../../support/oauth/auth-server';
import { consent, launchBrowser, type Landing } from '../../support/oauth/browser';
import { followConsent } from '../../support/oauth/headless';
import { XOAuthSmtpServer } from '../../support/oauth/smtp';
import { storeMessage, tempDir } from '../outbox/support/context';

const EMAIL = 'grace@example.test';
let auth: TestAuthServer;
let smtp: XOAuthSmtpServer;
let browser: Browser;
let engine: Engine;
let accountId: number;
/** what the engine asked the "system browser" to open, and where the browser landed */
const opened: string[] = [];
let landing: Promise<Landing> | null = null;
const clock = new ManualClock(Date.now());

beforeAll(async () => {
  auth = await new TestAuthServer({ email: EMAIL, now: () => clock.now() }).start();
  smtp = await new XOAuthSmtpServer({ issuer: auth.url, now: () => clock.now(), requiredScope: MAIL_SCOPE }).start();
  browser = await launchBrowser();
  engine = createEngine({
    dbPath: join(tempDir('oauth-window-'), 'outbox.db'),
    secrets: new MemorySecretStore(),
    clock,
    intake: false,
    watch: false,
    schedule: false,
    openExternal: (url) => {
      opened.push(url);
      // Reconnect uses the Gmail preset's sign-in page; like a hosts-file entry, the test sends
      // that page's request (same query: client, PKCE challenge, state, loopback redirect) to
      // the local authorization server, where Chromium presses Allow.
      landing = consent(browser, `${auth.url}/consent${new URL(url).search}`, 'allow');
    },
  });
  const account = await addOAuthAccount(
    engine,
    {
      name: 'grace',
      provider: 'gmail',
      email: EMAIL,
      clientId: auth.options.clientId,
      endpoints: { authorizationEndpoint: `${auth.url}/consent`, tokenEndpoint: `${auth.url}/token`, issuer: auth.url },
      smtp: { host: '127.0.0.1', port: smtp.port, tls: 'none' },
      imap: null,
    },
    { openBrowser: (url) => void followConsent(url), timeoutMs: 20_000 },
  );
  accountId = account.id;
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await smtp?.stop();
  await auth?.stop();
  engine?.db.close();
});

describe('accounts/reconnect from the window for an OAuth2 account', () => {
  it('signs in again in the browser, the account is ok again and its held messages go back in the queue', async () => {
    const dispatch = createDispatcher(createCommandHandlers(engine));
    // the sign-in dies and the access token in memory runs out
    auth.revokeAll();
    clock.advanceBy(3600_000 + 1000);
    const test = await dispatch('accounts/test', [accountId]);
    expect(test.ok && (test.value as TestStep[]).every((s) => s.ok)).toBe(false);
    expect(createAccountsRepo(engine.db).get(accountId)!.status).toBe('auth_failed');
    const messages = createMessagesRepo(engine.db);
    const messageId = storeMessage(engine, accountId);
    createQueueRepo(engine.db).holdAllForAccount(accountId, 'auth_failed', 'sign-in died', engine.clock.now());
    expect(messages.get(messageId)!.state).toBe('held');

    const result = await dispatch('accounts/reconnect', [accountId, {}]);

    expect(opened).toHaveLength(1);
    const asked = new URL(opened[0]);
    expect(asked.origin + asked.pathname).toBe('https://accounts.google.com/o/oauth2/v2/auth');
    expect(asked.searchParams.get('code_challenge_method')).toBe('S256');
    expect(asked.searchParams.get('login_hint')).toBe(EMAIL);
    expect((await landing!).status).toBe(200);
    expect(result).toMatchObject({ ok: true, value: { ok: true, released: 1 } });
    expect(result.ok && (result.value as { steps: TestStep[] }).steps.map((s) => s.ok)).not.toContain(false);
    expect(createAccountsRepo(engine.db).get(accountId)!.status).toBe('ok');
    expect(messages.get(messageId)!.state).toBe('queued');
    expect(auth.liveRefreshTokens).toBe(1);
  }, 30_000);

  it('without a browser port the window is told to use the command line', async () => {
    const headless = createEngine({ dbPath: engine.dbPath, db: engine.db, secrets: engine.secrets, intake: false, watch: false, schedule: false });
    const result = await createDispatcher(createCommandHandlers(headless))('accounts/reconnect', [accountId, {}]);
    expect(result).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(!result.ok && result.error.message).toMatch(/cannot open a browser/);
  });
});
