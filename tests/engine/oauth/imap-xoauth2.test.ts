// IMAP with OAuth: a real Dovecot whose oauth2 passdb asks the test authorization server
// (token introspection) whether a bearer token is good; imapflow logs in with the token from
// the token manager (OAUTHBEARER, which Dovecot offers), and a refused token gets one refresh.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessTokenFor,
  authFailureWords,
  createTokenManager,
  imapflowAuth,
  OAuthTokenError,
  saveGrant,
  withAccessToken,
  type AccessToken,
  type OAuthAccount,
} from '../../../src/main/engine/accounts/oauth';
import { MAIL_SCOPE, TestAuthServer } from '../../support/oauth/auth-server';
import { headlessSignIn, testContext } from '../../support/oauth/headless';
import { XOAuthSmtpServer } from '../../support/oauth/smtp';
import { startDovecot, type DovecotServer } from '../../support/servers/dovecot';
import { makeServerDir } from '../../support/servers/tmp';

const EMAIL = 'ada@example.test';
const ctx = testContext();
let auth: TestAuthServer;
let verifier: XOAuthSmtpServer;
let dovecot: DovecotServer;
const account: OAuthAccount = { name: 'ada', email: EMAIL, username: null, secret_ref: 'oauth:ada' };
const introspections: string[] = [];
let confDir = '';

beforeAll(async () => {
  auth = await new TestAuthServer({ email: EMAIL, now: () => ctx.clock.now() }).start();
  verifier = new XOAuthSmtpServer({ issuer: auth.url, now: () => ctx.clock.now(), requiredScope: MAIL_SCOPE });
  auth.addIntrospection('/dovecot-introspect', async (token) => {
    const why = await verifier.verify(token, EMAIL);
    introspections.push(why ?? 'ok');
    return why;
  });
  confDir = makeServerDir('oauth2conf');
  const oauthConf = join(confDir, 'dovecot-oauth2.conf.ext');
  writeFileSync(
    oauthConf,
    [
      'introspection_mode = auth',
      `introspection_url = ${auth.url}/dovecot-introspect`,
      'username_attribute = email',
      'active_attribute = active',
      'active_value = true',
      'force_introspection = yes',
      '',
    ].join('\n'),
  );
  dovecot = await startDovecot({
    extraConfig: `auth_mechanisms = plain login xoauth2 oauthbearer
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = ${oauthConf}
}
`,
  });
  dovecot.addUser(EMAIL, 'unused-password');
  createTokenManager(ctx);
  await saveGrant(ctx, account.secret_ref!, await headlessSignIn(ctx, auth));
}, 60_000);
afterAll(async () => {
  await dovecot?.stop();
  await auth?.stop();
  if (confDir) rmSync(confDir, { recursive: true, force: true });
});

async function login(token: AccessToken): Promise<string[]> {
  const client = new ImapFlow({ host: '127.0.0.1', port: dovecot.imapPort, secure: false, doSTARTTLS: false, auth: imapflowAuth(token), logger: false });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const folders = (await client.list()).map((f) => f.path);
    await client.logout();
    return folders;
  } finally {
    client.close();
  }
}

describe('IMAP with an OAuth bearer token (Dovecot oauth2 passdb)', () => {
  it('logs in with the signed-in token', async () => {
    const folders = await withAccessToken(ctx, account, login, authFailureWords);
    expect(folders).toContain('INBOX');
    expect(introspections.at(-1)).toBe('ok');
  });

  it('a refused token gets one refresh, then the login works', async () => {
    const current = await accessTokenFor(ctx, account);
    verifier.refusedTokens.add(current.accessToken);
    const before = introspections.length;
    const folders = await withAccessToken(ctx, account, login, authFailureWords);
    expect(folders).toContain('INBOX');
    expect(introspections.slice(before)).toEqual(['refused', 'ok']);
  });

  it('an expired token with a revoked sign-in ends as auth_failed (invalid_grant)', async () => {
    auth.revokeAll();
    ctx.clock.advanceBy(3600_000 + 1000);
    const failure = await withAccessToken(ctx, account, login, authFailureWords).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(OAuthTokenError);
    expect((failure as OAuthTokenError).classification.rule).toBe('oauth/invalid_grant');
  });
});
