// Browser sign-in against a real OAuth 2.0 server on 127.0.0.1, with Chromium playing the user.
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  OAuthConfigError,
  OAuthSignInError,
  OAuthTokenError,
  resolveClient,
  startSignIn,
} from '../../../src/main/engine/accounts/oauth';
import { TestAuthServer } from '../../support/oauth/auth-server';
import { consent, launchBrowser, urlCatcher, visit } from '../../support/oauth/browser';
import { testContext } from '../../support/oauth/headless';
import { freePort } from '../../support/servers/ports';

let server: TestAuthServer;
let browser: Browser;

beforeAll(async () => {
  server = await new TestAuthServer({ email: 'ada@example.test' }).start();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

function portIsClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

function begin(extra: { signal?: AbortSignal; timeoutMs?: number } = {}, ctx = testContext()) {
  const catcher = urlCatcher();
  const result = startSignIn(ctx, {
    provider: server.provider(),
    clientId: server.options.clientId,
    clientSecret: 'desktop-secret',
    openBrowser: catcher.openBrowser,
    ...extra,
  });
  // keep an early rejection from counting as unhandled before the test awaits it
  result.catch(() => undefined);
  return { result, url: catcher.url, ctx };
}

describe('browser sign-in (RFC 8252 loopback + PKCE)', () => {
  it('completes the consent in the browser and returns tokens; the listener closes after one use', async () => {
    const flow = begin();
    const authUrl = new URL(await flow.url);
    const q = authUrl.searchParams;
    const redirect = new URL(q.get('redirect_uri')!);
    expect(redirect.hostname).toBe('127.0.0.1');
    expect(redirect.pathname).toBe('/callback');
    expect(Number(redirect.port)).toBeGreaterThan(0);
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('state')!.length).toBeGreaterThanOrEqual(32);
    expect(q.get('scope')).toContain('https://mail.google.com/');
    expect(q.get('access_type')).toBe('offline');

    const landing = await consent(browser, authUrl.href, 'allow');
    expect(landing.status).toBe(200);
    expect(landing.text).toMatch(/close this window/i);

    const signedIn = await flow.result;
    expect(signedIn.refreshToken).toBeTruthy();
    expect(signedIn.accessToken.split('.')).toHaveLength(3);
    expect(signedIn.email).toBe('ada@example.test');
    expect(signedIn.expiresAt).toBe(flow.ctx.clock.now() + 3600_000);
    expect(signedIn.grant).toMatchObject({ clientId: server.options.clientId, clientSecret: 'desktop-secret', refreshToken: signedIn.refreshToken });

    // PKCE: the verifier sent to the token endpoint hashes to the challenge sent to the browser.
    const exchange = server.tokenRequests.at(-1)!;
    expect(exchange.grant_type).toBe('authorization_code');
    expect(createHash('sha256').update(exchange.code_verifier!).digest('base64url')).toBe(q.get('code_challenge'));
    expect(exchange.redirect_uri).toBe(redirect.href);

    expect(await portIsClosed(Number(redirect.port))).toBe(true);
  });

  it('turns a declined consent into a clear access_denied failure', async () => {
    const flow = begin();
    const landing = await consent(browser, await flow.url, 'deny');
    expect(landing.text).toMatch(/not granted/i);
    const failure = await flow.result.catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(OAuthSignInError);
    expect((failure as OAuthSignInError).code).toBe('access_denied');
    expect((failure as OAuthSignInError).words).toBe('access_denied: The user denied the request.');
  });

  it('refuses an answer with the wrong state without ending the sign-in', async () => {
    const flow = begin();
    const authUrl = await flow.url;
    server.nextRedirect = (url) => url.searchParams.set('state', 'forged-state');
    const forged = await consent(browser, authUrl, 'allow');
    expect(forged.status).toBe(400);
    expect(forged.text).toMatch(/does not belong/i);
    // a wrong path is refused too, and neither consumed the flow: the real answer still works
    const stray = await visit(browser, new URL('/favicon.ico', new URL(authUrl).searchParams.get('redirect_uri')!).href);
    expect(stray.status).toBe(404);
    const real = await consent(browser, authUrl, 'allow');
    expect(real.status).toBe(200);
    const signedIn = await flow.result;
    expect(signedIn.refreshToken).toBeTruthy();
  });

  it('keeps waiting when the server redirects to the wrong port, and stops on cancel', async () => {
    const controller = new AbortController();
    const flow = begin({ signal: controller.signal });
    const authUrl = await flow.url;
    const listenerPort = Number(new URL(new URL(authUrl).searchParams.get('redirect_uri')!).port);
    const wrongPort = await freePort();
    server.nextRedirect = (url) => void (url.port = String(wrongPort));
    const landing = await consent(browser, authUrl, 'allow');
    expect(landing.failed).toMatch(/ERR_CONNECTION_REFUSED/);
    expect(await portIsClosed(listenerPort)).toBe(false);
    controller.abort();
    const failure = await flow.result.catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(OAuthSignInError);
    expect((failure as OAuthSignInError).code).toBe('cancelled');
    expect(await portIsClosed(listenerPort)).toBe(true);
  });

  it('gives up after the timeout by the engine clock', async () => {
    const flow = begin({ timeoutMs: 120_000 });
    const authUrl = await flow.url;
    const listenerPort = Number(new URL(new URL(authUrl).searchParams.get('redirect_uri')!).port);
    flow.ctx.clock.advanceBy(119_000);
    expect(await portIsClosed(listenerPort)).toBe(false);
    flow.ctx.clock.advanceBy(1_000);
    const failure = await flow.result.catch((e: unknown) => e);
    expect((failure as OAuthSignInError).code).toBe('timeout');
    expect(await portIsClosed(listenerPort)).toBe(true);
  });

  it('stops a mix-up: an answer naming another issuer (RFC 9207)', async () => {
    const flow = begin();
    const exchangesBefore = server.tokenRequests.length;
    server.issParam = 'https://attacker.example';
    try {
      const landing = await consent(browser, await flow.url, 'allow');
      expect(landing.status).toBe(200);
    } finally {
      server.issParam = 'correct';
    }
    const failure = await flow.result.catch((e: unknown) => e);
    expect((failure as OAuthSignInError).code).toBe('issuer_mismatch');
    // the code was never redeemed
    expect(server.tokenRequests.length).toBe(exchangesBefore);
  });

  it('reports a refused code exchange as the app registration being wrong', async () => {
    const catcher = urlCatcher();
    const result = startSignIn(testContext(), {
      provider: server.provider(),
      clientId: 'not-registered',
      openBrowser: catcher.openBrowser,
    });
    result.catch(() => undefined);
    await consent(browser, await catcher.url, 'allow');
    const failure = await result.catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(OAuthTokenError);
    const e = failure as OAuthTokenError;
    expect(e.classification).toEqual({
      category: 'auth_failed',
      kind: 'fix',
      rule: 'oauth/invalid_client',
      words: 'invalid_client: The OAuth client was not found.',
    });
    expect(e.reconnect).toBe(false);
    expect(e.reason).toMatch(/will not fix/);
  });
});

describe('client registration', () => {
  it('without a client ID, says how to register one', () => {
    const settings = { get: <T>(_key: string, fallback: T) => fallback };
    let thrown: unknown;
    try {
      resolveClient('microsoft', { env: {}, settings });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(OAuthConfigError);
    expect((thrown as Error).message).toMatch(/Entra admin center/);
    expect((thrown as Error).message).toMatch(/OUTBOX_OAUTH_MICROSOFT_CLIENT_ID/);
  });

  it('takes flags over the environment over settings', () => {
    const settings = { get: <T>(key: string, fallback: T) => (key === 'oauth.google.client' ? ({ clientId: 'from-settings', clientSecret: 's' } as T) : fallback) };
    expect(resolveClient('google', { env: {}, settings })).toEqual({ clientId: 'from-settings', clientSecret: 's' });
    expect(resolveClient('google', { env: { OUTBOX_OAUTH_GOOGLE_CLIENT_ID: 'from-env' }, settings }).clientId).toBe('from-env');
    expect(resolveClient('google', { env: { OUTBOX_OAUTH_GOOGLE_CLIENT_ID: 'from-env' }, settings, explicit: { clientId: 'flag' } }).clientId).toBe('flag');
  });
});
