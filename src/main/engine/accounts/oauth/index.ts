// OAuth2 accounts (Gmail, Microsoft): sign in through the system browser, keep the refresh token
// in the SecretStore, hand out access tokens to the SMTP sender and the IMAP watcher.
//
//   startSignIn(ctx, …)          one browser sign-in → tokens (the caller stores them with saveGrant)
//   saveGrant(ctx, ref, …)       stores the refresh token + client registration under a secret ref
//   accessTokenFor(ctx, account) a valid access token for an oauth2 account (refreshed as needed)
//   withAccessToken(ctx, …)      runs a login with one refresh + retry on an AUTH refusal
//   nodemailerOAuth2(…)          nodemailer auth whose own renew-and-retry calls our refresh
import type { SettingsRepo } from '../../store/settings';
import { OAuthTokenError } from './errors';
import { oauthPreset, resolveClient, type MicrosoftTenant, type OAuthProviderConfig, type OAuthProviderId } from './providers';
import { signIn, type SignInResult } from './signin';
import {
  createTokenManager as buildTokenManager,
  type AccessToken,
  type OAuthAccount,
  type OAuthContext,
  type StoredOAuthGrant,
  type TokenManager,
  type TokenManagerOptions,
} from './tokens';
import { nodemailerOAuth2 as buildNodemailerAuth } from './xoauth2';

export * from './errors';
export * from './providers';
export { authorizationUrl, pkcePair, type SignInResult } from './signin';
export {
  exchangeCode,
  refreshAccessToken,
  parseStoredGrant,
  MissingGrantError,
  type AccessToken,
  type OAuthAccount,
  type OAuthContext,
  type StoredOAuthGrant,
  type TokenGrant,
  type TokenManager,
} from './tokens';
export { nodemailerAuth, imapflowAuth, xoauth2String, oauthBearerString, parseSaslBearer } from './xoauth2';

export interface StartSignInOptions {
  provider: OAuthProviderId | OAuthProviderConfig;
  tenant?: MicrosoftTenant;
  /** when left out, found in settings / the environment (resolveClient) */
  clientId?: string;
  clientSecret?: string;
  settings?: Pick<SettingsRepo, 'get'> | null;
  openBrowser: (url: string) => void | Promise<void>;
  signal?: AbortSignal;
  timeoutMs?: number;
  loginHint?: string;
  fetch?: typeof fetch;
}

export interface StartSignInResult extends SignInResult {
  /** what to store with saveGrant (minus the refresh token, which is in the result) */
  grant: StoredOAuthGrant;
}

/**
 * One browser sign-in. Throws OAuthConfigError when no client ID is configured (with how to
 * register one), OAuthSignInError when the user declines, cancels or the time runs out, and
 * OAuthTokenError when the provider refuses the code.
 */
export async function startSignIn(ctx: OAuthContext, options: StartSignInOptions): Promise<StartSignInResult> {
  const config = typeof options.provider === 'string' ? oauthPreset(options.provider, options.tenant) : options.provider;
  const providerId: OAuthProviderId = config.id === 'custom' ? 'google' : config.id;
  const client = options.clientId
    ? { clientId: options.clientId, ...(options.clientSecret ? { clientSecret: options.clientSecret } : {}) }
    : resolveClient(providerId, { settings: options.settings ?? null, explicit: { clientSecret: options.clientSecret } });
  const result = await signIn(ctx, {
    provider: config,
    clientId: client.clientId,
    ...(client.clientSecret ? { clientSecret: client.clientSecret } : {}),
    openBrowser: options.openBrowser,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.loginHint ? { loginHint: options.loginHint } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const preset = oauthPreset(providerId, options.tenant);
  const grant: StoredOAuthGrant = {
    v: 1,
    provider: providerId,
    ...(options.tenant ? { tenant: options.tenant } : {}),
    clientId: client.clientId,
    ...(client.clientSecret ? { clientSecret: client.clientSecret } : {}),
    ...(config.tokenEndpoint !== preset.tokenEndpoint ? { tokenEndpoint: config.tokenEndpoint } : {}),
    refreshToken: result.refreshToken,
    ...(result.scope ? { scope: result.scope } : {}),
  };
  return { ...result, grant };
}

// One token manager per secret store (one per engine), so the sender, the watcher and the
// connection test share cached access tokens and never refresh the same account twice at once.
const managers = new WeakMap<object, TokenManager>();

export function createTokenManager(ctx: OAuthContext, options?: TokenManagerOptions): TokenManager {
  const manager = buildTokenManager(ctx, options);
  managers.set(ctx.secrets, manager);
  return manager;
}

export function tokenManagerFor(ctx: OAuthContext): TokenManager {
  return managers.get(ctx.secrets) ?? createTokenManager(ctx);
}

/** Stores a sign-in's grant under the account's secret reference and caches its access token. */
export async function saveGrant(ctx: OAuthContext, ref: string, signedIn: StartSignInResult): Promise<void> {
  await tokenManagerFor(ctx).save(ref, signedIn.grant, {
    accessToken: signedIn.accessToken,
    expiresAt: signedIn.expiresAt,
  });
}

/** A valid access token for an oauth2 account. Throws OAuthTokenError when the sign-in died. */
export function accessTokenFor(ctx: OAuthContext, account: OAuthAccount, options?: { force?: boolean }): Promise<AccessToken> {
  return tokenManagerFor(ctx).get(account, options);
}

/**
 * Runs a login (an IMAP connect, an SMTP send) with a token; on an authentication refusal it
 * refreshes once and tries again; a second refusal is auth_failed. `isAuthFailure` returns the
 * server's words for an authentication refusal, null for anything else.
 */
export function withAccessToken<T>(
  ctx: OAuthContext,
  account: OAuthAccount,
  attempt: (token: AccessToken) => Promise<T>,
  isAuthFailure: (err: unknown) => string | null = authFailureWords,
): Promise<T> {
  return tokenManagerFor(ctx).withToken(account, attempt, isAuthFailure);
}

/** nodemailer `auth` for an oauth2 account, backed by the shared token manager. */
export function nodemailerOAuth2(ctx: OAuthContext, account: OAuthAccount): ReturnType<typeof buildNodemailerAuth> {
  return buildNodemailerAuth(tokenManagerFor(ctx), account, ctx.clock);
}

/**
 * Recognises an authentication refusal from nodemailer (EAUTH with a server reply) or imapflow
 * (authenticationFailed / AUTHENTICATIONFAILED) and returns the server's words.
 */
export function authFailureWords(err: unknown): string | null {
  if (!err || typeof err !== 'object' || err instanceof OAuthTokenError) return null;
  const e = err as { code?: unknown; response?: unknown; responseText?: unknown; serverResponseCode?: unknown; authenticationFailed?: unknown; message?: unknown };
  if (e.code === 'EAUTH' && typeof e.response === 'string') return e.response;
  if (e.authenticationFailed === true || e.serverResponseCode === 'AUTHENTICATIONFAILED') {
    return typeof e.responseText === 'string' && e.responseText ? e.responseText : String(e.message ?? 'AUTHENTICATIONFAILED');
  }
  return null;
}

/** The user-facing view of any OAuth failure: classification + plain words + whether to reconnect. */
export function describeOAuthFailure(err: unknown): { reason: string; reconnect: boolean } | null {
  if (err instanceof OAuthTokenError) return { reason: err.reason, reconnect: err.reconnect };
  return null;
}
