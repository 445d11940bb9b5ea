// Token exchange and refresh (RFC 6749 §4.1.3 and §6), and the TokenManager that hands out
// access tokens: kept in memory only, refreshed a little before they expire and once more when
// a mail server refuses one. The refresh token and the client registration live in the
// SecretStore as one JSON value under the account's secret reference.
import type { Clock, Logger, SecretStore } from '../../ports';
import { OAuthTokenError, rejectedAfterRefresh, tokenEndpointFailure } from './errors';
import { oauthPreset, type MicrosoftTenant, type OAuthProviderId } from './providers';

export interface TokenGrant {
  accessToken: string;
  /** epoch ms by the engine clock */
  expiresAt: number;
  /** present when the server issued (or rotated) one */
  refreshToken?: string;
  scope?: string;
  idToken?: string;
}

/** What the SecretStore keeps for an OAuth2 account. Never written to the database. */
export interface StoredOAuthGrant {
  v: 1;
  provider: OAuthProviderId;
  tenant?: MicrosoftTenant;
  clientId: string;
  clientSecret?: string;
  /** only when it differs from the preset (tests, sovereign clouds) */
  tokenEndpoint?: string;
  refreshToken: string;
  scope?: string;
}

export interface TokenEndpointClient {
  tokenEndpoint: string;
  clientId: string;
  clientSecret?: string;
  providerLabel: string;
  fetch?: typeof fetch;
  /** per-request limit, ms (default 20 s) */
  timeoutMs?: number;
}

/** Seconds assumed when a server leaves out expires_in (RFC 6749 makes it only RECOMMENDED). */
const DEFAULT_EXPIRES_IN = 3600;

/** Posts a form to the token endpoint and returns the grant, or throws OAuthTokenError. */
export async function requestToken(
  client: TokenEndpointClient,
  params: Record<string, string>,
  now: () => number,
): Promise<TokenGrant> {
  const body = new URLSearchParams({ ...params, client_id: client.clientId });
  // Google's desktop clients expect the (non-confidential) secret in the body; RFC 6749 §2.3.1
  // allows that, and Microsoft public clients simply have none.
  if (client.clientSecret) body.set('client_secret', client.clientSecret);
  const doFetch = client.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(client.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body,
      signal: AbortSignal.timeout(client.timeoutMs ?? 20_000),
    });
  } catch (err) {
    throw tokenEndpointFailure(null, null, err instanceof Error ? err.message : String(err), client.providerLabel);
  }
  const started = now();
  const text = await response.text().catch(() => '');
  let json: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') json = parsed as Record<string, unknown>;
  } catch {
    // a proxy's HTML error page, for example; the status decides below
  }
  if (!response.ok || typeof json.error === 'string') {
    throw tokenEndpointFailure(
      response.status,
      typeof json.error === 'string' ? json.error : null,
      typeof json.error_description === 'string' ? json.error_description : text && !json.error ? text.slice(0, 300) : null,
      client.providerLabel,
    );
  }
  if (typeof json.access_token !== 'string' || !json.access_token) {
    throw tokenEndpointFailure(response.status, 'invalid_response', 'the token endpoint returned no access_token', client.providerLabel);
  }
  const expiresIn = Number(json.expires_in);
  return {
    accessToken: json.access_token,
    expiresAt: started + (Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : DEFAULT_EXPIRES_IN) * 1000,
    ...(typeof json.refresh_token === 'string' && json.refresh_token ? { refreshToken: json.refresh_token } : {}),
    ...(typeof json.scope === 'string' ? { scope: json.scope } : {}),
    ...(typeof json.id_token === 'string' ? { idToken: json.id_token } : {}),
  };
}

export function exchangeCode(
  client: TokenEndpointClient,
  code: string,
  redirectUri: string,
  codeVerifier: string,
  now: () => number,
): Promise<TokenGrant> {
  return requestToken(client, { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: codeVerifier }, now);
}

export function refreshAccessToken(client: TokenEndpointClient, refreshToken: string, now: () => number): Promise<TokenGrant> {
  return requestToken(client, { grant_type: 'refresh_token', refresh_token: refreshToken }, now);
}

/** The claims of an ID token we read for display (the address that signed in). Not verified:
 * it came straight from the token endpoint over TLS (OpenID Connect Core §3.1.3.7). */
export function idTokenEmail(idToken: string | undefined): string | undefined {
  if (!idToken) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    const email = payload.email ?? payload.preferred_username ?? payload.upn;
    return typeof email === 'string' && email.includes('@') ? email : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------

export interface OAuthContext {
  secrets: SecretStore;
  clock: Clock;
  logger: Logger;
}

/** The fields of an account the token manager needs; the accounts repository's row fits. */
export interface OAuthAccount {
  /** the SecretStore reference holding the StoredOAuthGrant */
  secret_ref: string | null;
  email: string;
  username?: string | null;
  name?: string;
}

export interface AccessToken {
  /** the login name for XOAUTH2 / OAUTHBEARER */
  user: string;
  accessToken: string;
  /** epoch ms by the engine clock */
  expiresAt: number;
}

export interface TokenManagerOptions {
  /** refresh this long before the server's expiry (default 5 minutes) */
  skewMs?: number;
  fetch?: typeof fetch;
}

export interface TokenManager {
  /** A valid access token, refreshed first when it expires within the skew (or `force`). */
  get(account: OAuthAccount, options?: { force?: boolean }): Promise<AccessToken>;
  /** Forget the cached access token (a server refused it); the next get refreshes. */
  invalidate(account: OAuthAccount): void;
  /** Stores a fresh grant from a sign-in or reconnect and caches its access token. */
  save(ref: string, stored: StoredOAuthGrant, grant: TokenGrant): Promise<void>;
  /**
   * Runs `attempt` with a token; when it fails with an authentication error (`isAuthFailure`),
   * refreshes once and runs it again. A second refusal becomes auth_failed (OAuthTokenError).
   */
  withToken<T>(
    account: OAuthAccount,
    attempt: (token: AccessToken) => Promise<T>,
    isAuthFailure: (err: unknown) => string | null,
  ): Promise<T>;
}

export class MissingGrantError extends Error {
  constructor(ref: string | null) {
    super(
      ref
        ? `The OAuth sign-in for this account is missing from the secret store (${ref}); reconnect the account.`
        : 'This account has no OAuth sign-in stored; reconnect the account.',
    );
    this.name = 'MissingGrantError';
  }
}

export function parseStoredGrant(secret: string | null): StoredOAuthGrant | null {
  if (!secret) return null;
  try {
    const value = JSON.parse(secret) as Partial<StoredOAuthGrant>;
    if (typeof value.refreshToken === 'string' && typeof value.clientId === 'string' && typeof value.provider === 'string') {
      return value as StoredOAuthGrant;
    }
  } catch {
    // not ours (a password, or an older format): treated as missing
  }
  return null;
}

export function tokenClientFor(stored: StoredOAuthGrant, fetchImpl?: typeof fetch): TokenEndpointClient {
  const preset = oauthPreset(stored.provider, stored.tenant);
  return {
    tokenEndpoint: stored.tokenEndpoint ?? preset.tokenEndpoint,
    clientId: stored.clientId,
    ...(stored.clientSecret ? { clientSecret: stored.clientSecret } : {}),
    providerLabel: preset.label.replace(/ \(.*\)$/, ''),
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  };
}

export function createTokenManager(ctx: OAuthContext, options: TokenManagerOptions = {}): TokenManager {
  const skew = options.skewMs ?? 5 * 60_000;
  const cache = new Map<string, AccessToken>();
  // One refresh at a time per account: with rotating refresh tokens (Microsoft) two parallel
  // refreshes would spend the same token twice and the second would fail with invalid_grant.
  const inflight = new Map<string, Promise<AccessToken>>();

  const keyOf = (account: OAuthAccount): string => {
    if (!account.secret_ref) throw new MissingGrantError(null);
    return account.secret_ref;
  };
  const userOf = (account: OAuthAccount): string => account.username || account.email;

  async function refresh(account: OAuthAccount, ref: string): Promise<AccessToken> {
    const stored = parseStoredGrant(await ctx.secrets.get(ref));
    if (!stored) throw new MissingGrantError(ref);
    const client = tokenClientFor(stored, options.fetch);
    let grant: TokenGrant;
    try {
      grant = await refreshAccessToken(client, stored.refreshToken, () => ctx.clock.now());
    } catch (err) {
      if (err instanceof OAuthTokenError) {
        ctx.logger.warn('oauth.refresh_failed', { account: account.name, rule: err.classification.rule, words: err.classification.words });
      }
      throw err;
    }
    // Rotation: a server that returns a new refresh token has retired the old one.
    if (grant.refreshToken && grant.refreshToken !== stored.refreshToken) {
      await ctx.secrets.set(ref, JSON.stringify({ ...stored, refreshToken: grant.refreshToken, scope: grant.scope ?? stored.scope }));
      ctx.logger.info('oauth.refresh_token_rotated', { account: account.name });
    }
    const token = { user: userOf(account), accessToken: grant.accessToken, expiresAt: grant.expiresAt };
    cache.set(ref, token);
    ctx.logger.info('oauth.refreshed', { account: account.name, expiresAt: grant.expiresAt });
    return token;
  }

  const manager: TokenManager = {
    async get(account, { force = false } = {}) {
      const ref = keyOf(account);
      const cached = cache.get(ref);
      if (!force && cached && cached.expiresAt - skew > ctx.clock.now()) return { ...cached, user: userOf(account) };
      const running = inflight.get(ref);
      if (running) return running;
      const promise = refresh(account, ref).finally(() => inflight.delete(ref));
      inflight.set(ref, promise);
      return promise;
    },
    invalidate(account) {
      if (account.secret_ref) cache.delete(account.secret_ref);
    },
    async save(ref, stored, grant) {
      await ctx.secrets.set(ref, JSON.stringify(stored));
      cache.set(ref, { user: '', accessToken: grant.accessToken, expiresAt: grant.expiresAt });
    },
    async withToken(account, attempt, isAuthFailure) {
      const first = await manager.get(account);
      try {
        return await attempt(first);
      } catch (err) {
        if (isAuthFailure(err) === null) throw err;
        manager.invalidate(account);
      }
      const second = await manager.get(account, { force: true });
      try {
        return await attempt(second);
      } catch (err) {
        const words = isAuthFailure(err);
        if (words === null) throw err;
        manager.invalidate(account);
        const stored = parseStoredGrant(await ctx.secrets.get(keyOf(account)));
        throw rejectedAfterRefresh(words, stored ? tokenClientFor(stored).providerLabel : 'OAuth');
      }
    },
  };
  return manager;
}
