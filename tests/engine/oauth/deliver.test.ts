// The outbox's own sender (deliverMessage) with an OAuth2 account: stored message → token from
// the sign-in → XOAUTH2 → accepted; a refused token → one refresh → accepted; a dead sign-in →
// the attempt is auth_failed and the account "needs reconnect" with the reason in plain words.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { accessTokenFor, createTokenManager, saveGrant } from '../../../src/main/engine/accounts/oauth';
import { deliverMessage } from '../../../src/main/engine/outbox/send/deliver';
import { closeSessions } from '../../../src/main/engine/outbox/send/deliver';
import { createAccountsRepo } from '../../../src/main/engine/store/accounts';
import { createAttemptsRepo } from '../../../src/main/engine/store/attempts';
import { MAIL_SCOPE, TestAuthServer } from '../../support/oauth/auth-server';
import { headlessSignIn } from '../../support/oauth/headless';
import { XOAuthSmtpServer } from '../../support/oauth/smtp';
import { makeContext, storeMessage } from '../outbox/support/context';

const EMAIL = 'sender@example.test';
let ctx: ReturnType<typeof makeContext>;
let auth: TestAuthServer;
let smtp: XOAuthSmtpServer;
let accountId: number;

beforeAll(async () => {
  ctx = makeContext();
  const clock = ctx.clock as import('../../../src/main/engine/ports').ManualClock;
  auth = await new TestAuthServer({ now: () => clock.now(), email: EMAIL }).start();
  smtp = await new XOAuthSmtpServer({ issuer: auth.url, now: () => clock.now(), requiredScope: MAIL_SCOPE }).start();
  createTokenManager(ctx);
  accountId = createAccountsRepo(ctx.db).insert({
    name: 'gmail-oauth',
    provider: 'gmail',
    email: EMAIL,
    authType: 'oauth2',
    username: null,
    secretRef: 'oauth:gmail-oauth',
    smtp: { host: '127.0.0.1', port: smtp.port, tls: 'none' },
    imap: null,
    insecureTls: false,
    maxMessageBytes: null,
    maxRecipients: null,
    limits: [],
    now: ctx.clock.now(),
  });
  await saveGrant(ctx, 'oauth:gmail-oauth', await headlessSignIn(ctx, auth));
});
afterEach(() => closeSessions(ctx));
afterAll(async () => {
  closeSessions(ctx);
  await smtp?.stop();
  await auth?.stop();
  ctx?.close();
});

const account = () => createAccountsRepo(ctx.db).get(accountId)!;

describe('deliverMessage with an OAuth2 account', () => {
  it('sends a stored message with the signed-in token', async () => {
    const id = storeMessage(ctx, accountId);
    const outcome = await deliverMessage(ctx, id);
    expect(outcome.outcome).toBe('sent');
    expect(smtp.received.at(-1)).toMatchObject({ user: EMAIL, to: ['rcpt@example.test'] });
  });

  it('a refused token gets one refresh and the message still goes out', async () => {
    closeSessions(ctx);
    const current = await accessTokenFor(ctx, account());
    smtp.refusedTokens.add(current.accessToken);
    const refreshesBefore = auth.tokenRequests.filter((r) => r.grant_type === 'refresh_token').length;
    const outcome = await deliverMessage(ctx, storeMessage(ctx, accountId));
    expect(outcome.outcome).toBe('sent');
    expect(auth.tokenRequests.filter((r) => r.grant_type === 'refresh_token').length).toBe(refreshesBefore + 1);
    expect(smtp.authLog.slice(-2).map((l) => l.why)).toEqual(['refused', 'ok']);
  });

  it('a dead sign-in is auth_failed: nothing sent, account needs reconnect with the reason', async () => {
    closeSessions(ctx);
    auth.revokeAll();
    (ctx.clock as import('../../../src/main/engine/ports').ManualClock).advanceBy(3600_000 + 1000);
    const sentBefore = smtp.received.length;
    const id = storeMessage(ctx, accountId);
    const outcome = await deliverMessage(ctx, id);
    expect(outcome.outcome).toBe('failed');
    expect(outcome.failure).toMatchObject({ category: 'auth_failed', kind: 'fix', rule: 'oauth/invalid_grant', words: 'invalid_grant: Token has been expired or revoked.' });
    expect(smtp.received.length).toBe(sentBefore);
    const [attempt] = createAttemptsRepo(ctx.db).listForMessage(id);
    expect(attempt.rule).toBe('oauth/invalid_grant');
    const row = account();
    expect(row.status).toBe('auth_failed');
    expect(row.status_detail).toMatch(/Reconnect the account/);
  });
});
