// From a browser sign-in to a message accepted over SMTP with XOAUTH2, against the real
// authorization server and an smtp-server that verifies its tokens (JWKS signature, expiry).
import nodemailer from 'nodemailer';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessTokenFor,
  createTokenManager,
  nodemailerAuth,
  nodemailerOAuth2,
  OAuthTokenError,
  oauthBearerString,
  parseSaslBearer,
  saveGrant,
  startSignIn,
  withAccessToken,
  xoauth2String,
  type OAuthAccount,
} from '../../../src/main/engine/accounts/oauth';
import { MAIL_SCOPE, TestAuthServer } from '../../support/oauth/auth-server';
import { consent, launchBrowser, urlCatcher } from '../../support/oauth/browser';
import { testContext } from '../../support/oauth/headless';
import { XOAuthSmtpServer } from '../../support/oauth/smtp';

const ctx = testContext();
let auth: TestAuthServer;
let smtp: XOAuthSmtpServer;
let challengeSmtp: XOAuthSmtpServer;
let browser: Browser;
const account: OAuthAccount = { name: 'ada', email: 'ada@example.test', username: null, secret_ref: 'oauth:ada' };

beforeAll(async () => {
  auth = await new TestAuthServer({ now: () => ctx.clock.now(), email: account.email, accessTtl: 3600 }).start();
  smtp = await new XOAuthSmtpServer({ issuer: auth.url, now: () => ctx.clock.now(), requiredScope: MAIL_SCOPE }).start();
  challengeSmtp = await new XOAuthSmtpServer({ issuer: auth.url, now: () => ctx.clock.now(), requiredScope: MAIL_SCOPE, style: 'challenge' }).start();
  browser = await launchBrowser();
  createTokenManager(ctx);
  // one real browser sign-in for the whole file
  const catcher = urlCatcher();
  const pending = startSignIn(ctx, { provider: auth.provider(), clientId: auth.options.clientId, openBrowser: catcher.openBrowser });
  await consent(browser, await catcher.url, 'allow');
  await saveGrant(ctx, account.secret_ref!, await pending);
});
afterAll(async () => {
  await browser?.close();
  await smtp?.stop();
  await challengeSmtp?.stop();
  await auth?.stop();
});

let n = 0;
function send(server: XOAuthSmtpServer, authOption: object) {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: server.port, secure: false, ignoreTLS: true, auth: authOption as never });
  n += 1;
  return transport
    .sendMail({ from: account.email, to: 'bob@example.test', subject: `test ${n}`, text: 'hello', messageId: `<oauth-${n}@example.test>` })
    .finally(() => transport.close());
}

/** nodemailer's login refusal → the server's words; anything else is not an auth failure. */
const refusal = (err: unknown) => {
  const e = err as { code?: string; response?: string };
  return e.code === 'EAUTH' && e.response ? e.response : null;
};

const refreshes = () => auth.tokenRequests.filter((r) => r.grant_type === 'refresh_token').length;

describe('SMTP with XOAUTH2', () => {
  it('sends with the signed-in token; the server verified it against the JWKS', async () => {
    const info = await withAccessToken(ctx, account, (token) => send(smtp, nodemailerAuth(token)), refusal);
    expect(info.accepted).toEqual(['bob@example.test']);
    expect(smtp.received.at(-1)).toMatchObject({ user: account.email, to: ['bob@example.test'] });
    expect(smtp.authLog.at(-1)).toEqual({ user: account.email, ok: true, why: 'ok' });
  });

  it('after the token expires, refreshes before sending and the message goes out', async () => {
    const before = refreshes();
    ctx.clock.advanceBy(3600_000 + 1000);
    await withAccessToken(ctx, account, (token) => send(smtp, nodemailerAuth(token)), refusal);
    expect(refreshes()).toBe(before + 1);
    expect(smtp.authLog.at(-1)?.ok).toBe(true);
    expect(smtp.authLog.filter((l) => l.why === 'expired')).toHaveLength(0); // never tried a stale token
  });

  it('a token the server refuses (535 5.7.8) triggers one refresh and a retry', async () => {
    const current = await accessTokenFor(ctx, account);
    smtp.refusedTokens.add(current.accessToken);
    const before = refreshes();
    const sentBefore = smtp.received.length;
    await withAccessToken(ctx, account, (token) => send(smtp, nodemailerAuth(token)), refusal);
    expect(refreshes()).toBe(before + 1);
    expect(smtp.received.length).toBe(sentBefore + 1);
    expect(smtp.authLog.slice(-2).map((l) => l.why)).toEqual(['refused', 'ok']);
  });

  it("nodemailer's own renew-and-retry (Gmail's 334 challenge) calls our refresh", async () => {
    const token = await accessTokenFor(ctx, account);
    challengeSmtp.refusedTokens.add(token.accessToken);
    const before = refreshes();
    const info = await send(challengeSmtp, nodemailerOAuth2(ctx, account));
    expect(info.accepted).toEqual(['bob@example.test']);
    expect(refreshes()).toBe(before + 1);
    expect(challengeSmtp.authLog.map((l) => l.why)).toEqual(['refused', 'ok']);
  });

  it('a second refusal after a fresh token is auth_failed with the server words', async () => {
    const refuseAll = new XOAuthSmtpServer({ issuer: auth.url, now: () => ctx.clock.now(), requiredScope: 'https://other.example/scope' });
    await refuseAll.start();
    try {
      const failure = await withAccessToken(ctx, account, (token) => send(refuseAll, nodemailerAuth(token)), refusal).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(OAuthTokenError);
      expect((failure as OAuthTokenError).classification).toMatchObject({
        category: 'auth_failed',
        rule: 'oauth/rejected-after-refresh',
        words: '535 5.7.8 Username and Password not accepted',
      });
    } finally {
      await refuseAll.stop();
    }
  });

  it('when the refresh token was revoked, the expired token ends in invalid_grant → auth_failed, nothing sent', async () => {
    auth.revokeAll();
    ctx.clock.advanceBy(3600_000 + 1000);
    const sentBefore = smtp.received.length;
    const failure = await withAccessToken(ctx, account, (token) => send(smtp, nodemailerAuth(token)), refusal).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(OAuthTokenError);
    expect((failure as OAuthTokenError).classification).toMatchObject({ category: 'auth_failed', kind: 'fix', rule: 'oauth/invalid_grant' });
    expect(smtp.received.length).toBe(sentBefore);
    // through nodemailer's provisioning too: the typed failure survives nodemailer's wrapping
    const viaNodemailer = await send(challengeSmtp, nodemailerOAuth2(ctx, account)).catch((e: unknown) => e);
    expect(viaNodemailer).toBeInstanceOf(OAuthTokenError);
    expect((viaNodemailer as OAuthTokenError & { code: string }).code).toBe('EAUTH');
  });
});

describe('SASL strings', () => {
  it('XOAUTH2 and OAUTHBEARER round-trip', () => {
    expect(Buffer.from(xoauth2String('a@b.test', 'tok'), 'base64').toString()).toBe('user=a@b.test\x01auth=Bearer tok\x01\x01');
    expect(parseSaslBearer(xoauth2String('a@b.test', 'tok'))).toEqual({ user: 'a@b.test', accessToken: 'tok' });
    const bearer = oauthBearerString('we,ird=@b.test', 'tok', 'imap.example.test', 993);
    expect(Buffer.from(bearer, 'base64').toString()).toBe('n,a=we=2Cird=3D@b.test,\x01host=imap.example.test\x01port=993\x01auth=Bearer tok\x01\x01');
    expect(parseSaslBearer(bearer)).toEqual({ user: 'we,ird=@b.test', accessToken: 'tok' });
  });
});
