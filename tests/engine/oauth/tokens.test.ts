// Refreshing, rotating and losing tokens, against the real authorization server.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  accessTokenFor,
  createTokenManager,
  OAuthTokenError,
  parseStoredGrant,
  saveGrant,
  type OAuthAccount,
} from '../../../src/main/engine/accounts/oauth';
import { TestAuthServer } from '../../support/oauth/auth-server';
import { headlessSignIn, testContext } from '../../support/oauth/headless';

let google: TestAuthServer; // keeps the refresh token
let microsoft: TestAuthServer; // rotates it
let clockNow = () => Date.now();

beforeAll(async () => {
  google = await new TestAuthServer({ now: () => clockNow(), accessTtl: 3600 }).start();
  microsoft = await new TestAuthServer({ now: () => clockNow(), accessTtl: 3600, rotate: true }).start();
});
afterAll(async () => {
  await google?.stop();
  await microsoft?.stop();
});
afterEach(() => {
  google.nextTokenError = null;
  microsoft.nextTokenError = null;
});

const account: OAuthAccount = { name: 'ada', email: 'ada@example.test', username: null, secret_ref: 'oauth:ada' };

async function signedIn(server: TestAuthServer) {
  const ctx = testContext();
  clockNow = () => ctx.clock.now();
  createTokenManager(ctx, { skewMs: 5 * 60_000 });
  await saveGrant(ctx, account.secret_ref!, await headlessSignIn(ctx, server));
  return ctx;
}

const refreshes = (server: TestAuthServer) => server.tokenRequests.filter((r) => r.grant_type === 'refresh_token').length;

describe('token manager', () => {
  it('keeps the refresh token only in the secret store and the access token in memory', async () => {
    const ctx = await signedIn(google);
    const stored = parseStoredGrant(await ctx.secrets.get(account.secret_ref!));
    expect(stored).toMatchObject({ provider: 'google', clientId: google.options.clientId, clientSecret: 'desktop-secret' });
    expect(stored?.refreshToken).toBeTruthy();
    expect(JSON.stringify(stored)).not.toMatch(/eyJ/); // no JWT access token in the store
  });

  it('reuses the access token until the skew before expiry, then refreshes once', async () => {
    const ctx = await signedIn(google);
    const before = refreshes(google);
    const first = await accessTokenFor(ctx, account);
    expect(first.user).toBe('ada@example.test');
    ctx.clock.advanceBy(54 * 60_000); // 6 minutes left: still good
    expect((await accessTokenFor(ctx, account)).accessToken).toBe(first.accessToken);
    expect(refreshes(google)).toBe(before);
    ctx.clock.advanceBy(2 * 60_000); // 4 minutes left: inside the 5-minute skew
    const [a, b, c] = await Promise.all([accessTokenFor(ctx, account), accessTokenFor(ctx, account), accessTokenFor(ctx, account)]);
    expect(refreshes(google)).toBe(before + 1); // concurrent callers share one refresh
    expect(a.accessToken).not.toBe(first.accessToken);
    expect(b.accessToken).toBe(a.accessToken);
    expect(c.accessToken).toBe(a.accessToken);
    expect(a.expiresAt).toBe(ctx.clock.now() + 3600_000);
  });

  it('refreshes on demand (force) after a server refused the token', async () => {
    const ctx = await signedIn(google);
    const first = await accessTokenFor(ctx, account);
    const before = refreshes(google);
    const forced = await accessTokenFor(ctx, account, { force: true });
    expect(refreshes(google)).toBe(before + 1);
    expect(forced.accessToken).not.toBe(first.accessToken);
  });

  it('stores a rotated refresh token, and the retired one no longer works', async () => {
    const ctx = await signedIn(microsoft);
    const original = parseStoredGrant(await ctx.secrets.get(account.secret_ref!))!.refreshToken;
    await accessTokenFor(ctx, account, { force: true });
    const rotated = parseStoredGrant(await ctx.secrets.get(account.secret_ref!))!.refreshToken;
    expect(rotated).not.toBe(original);
    expect(microsoft.tokenRequests.at(-1)).toMatchObject({ refresh_token: original, outcome: 'ok' });
    // a second refresh uses the new one and succeeds
    await accessTokenFor(ctx, account, { force: true });
    expect(microsoft.tokenRequests.at(-1)).toMatchObject({ refresh_token: rotated, outcome: 'ok' });
  });

  it('keeps the refresh token when the server does not rotate it (Google)', async () => {
    const ctx = await signedIn(google);
    const original = parseStoredGrant(await ctx.secrets.get(account.secret_ref!))!.refreshToken;
    await accessTokenFor(ctx, account, { force: true });
    expect(parseStoredGrant(await ctx.secrets.get(account.secret_ref!))!.refreshToken).toBe(original);
  });
});

describe('when the sign-in dies', () => {
  it('invalid_grant (revoked, password changed, 7-day testing expiry) becomes auth_failed with the server words', async () => {
    const ctx = await signedIn(google);
    google.revokeAll();
    const failure = await accessTokenFor(ctx, account, { force: true }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(OAuthTokenError);
    const e = failure as OAuthTokenError;
    expect(e.classification).toEqual({
      category: 'auth_failed',
      kind: 'fix',
      rule: 'oauth/invalid_grant',
      words: 'invalid_grant: Token has been expired or revoked.',
    });
    expect(e.reconnect).toBe(true);
    expect(e.reason).toMatch(/Reconnect the account/);
    expect(e.reason).toMatch(/7 days/);
  });

  it("Microsoft's AADSTS700082 (90 days unused) is explained as such", async () => {
    const ctx = await signedIn(microsoft);
    const description =
      "AADSTS700082: The refresh token has expired due to inactivity. The token was issued on 2026-07-01T10:00:00Z and was inactive for 90.00:00:00.";
    microsoft.nextTokenError = { status: 400, error: 'invalid_grant', description };
    const e = (await accessTokenFor(ctx, account, { force: true }).catch((x: unknown) => x)) as OAuthTokenError;
    expect(e.classification.rule).toBe('oauth/invalid_grant');
    expect(e.classification.words).toBe(`invalid_grant: ${description}`);
    expect(e.reason).toMatch(/90 days without use/);
  });

  it('invalid_client is the app registration: reconnecting will not fix it', async () => {
    const ctx = await signedIn(google);
    google.nextTokenError = { status: 401, error: 'invalid_client', description: 'Unauthorized' };
    const e = (await accessTokenFor(ctx, account, { force: true }).catch((x: unknown) => x)) as OAuthTokenError;
    expect(e.classification).toMatchObject({ category: 'auth_failed', rule: 'oauth/invalid_client', words: 'invalid_client: Unauthorized' });
    expect(e.reconnect).toBe(false);
  });

  it('a token endpoint outage is temporary, not a dead sign-in', async () => {
    const ctx = await signedIn(google);
    google.nextTokenError = { status: 503, error: 'temporarily_unavailable' };
    const e = (await accessTokenFor(ctx, account, { force: true }).catch((x: unknown) => x)) as OAuthTokenError;
    expect(e.classification).toMatchObject({ category: 'provider_outage', kind: 'temporary' });
    // the grant survives: the next refresh works
    expect((await accessTokenFor(ctx, account, { force: true })).accessToken).toBeTruthy();
  });

  it('an unreachable token endpoint is an outage too', async () => {
    const ctx = testContext();
    await ctx.secrets.set(
      account.secret_ref!,
      JSON.stringify({ v: 1, provider: 'google', clientId: 'x', refreshToken: 'r', tokenEndpoint: 'http://127.0.0.1:9/token' }),
    );
    const e = (await accessTokenFor(ctx, account).catch((x: unknown) => x)) as OAuthTokenError;
    expect(e).toBeInstanceOf(OAuthTokenError);
    expect(e.classification.category).toBe('provider_outage');
    expect(e.classification.rule).toBe('oauth/unreachable');
  });
});
