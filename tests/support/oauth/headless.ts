// A user agent without a browser, for tests that need a signed-in account but are not about the
// browser: follows the consent page's "Allow" link and the redirects with plain HTTP requests.
import { ManualClock, silentLogger } from '../../../src/main/engine/ports';
import { startSignIn, type StartSignInResult } from '../../../src/main/engine/accounts/oauth';
import type { OAuthContext } from '../../../src/main/engine/accounts/oauth';
import type { TestAuthServer } from './auth-server';

export async function followConsent(authUrl: string): Promise<number> {
  const page = await (await fetch(authUrl)).text();
  const allow = /id="allow" href="([^"]+)"/.exec(page)?.[1]?.replace(/&#38;/g, '&');
  if (!allow) throw new Error('no Allow link on the consent page');
  const redirect = await fetch(new URL(allow, authUrl), { redirect: 'manual' });
  const location = redirect.headers.get('location');
  if (!location) throw new Error(`authorize did not redirect (${redirect.status})`);
  return (await fetch(location)).status;
}

export async function headlessSignIn(ctx: OAuthContext, server: TestAuthServer): Promise<StartSignInResult> {
  return startSignIn(ctx, {
    provider: server.provider(),
    clientId: server.options.clientId,
    clientSecret: 'desktop-secret',
    openBrowser: (url) => void followConsent(url),
  });
}

export function testContext(clock = new ManualClock(Date.now())): OAuthContext & { clock: ManualClock } {
  const map = new Map<string, string>();
  return {
    clock,
    logger: silentLogger,
    secrets: {
      description: 'test memory',
      get: async (ref) => map.get(ref) ?? null,
      set: async (ref, secret) => void map.set(ref, secret),
      delete: async (ref) => void map.delete(ref),
    },
  };
}
