import { silentLogger, systemClock, type Clock, type Logger, type SecretStore } from '../ports';
import type { AccountRow } from '../store/accounts';
import { accessTokenFor, parseStoredGrant, xoauth2String } from './oauth';

/**
 * How an account signs in. Passwords (and app passwords) today; OAuth2 tokens use XOAUTH2
 * later without changing the callers: the sender and the connection test ask for a
 * `Credential` and hand it to `smtpAuth` / `imapAuth`.
 */
export type Credential =
  | { type: 'password'; user: string; password: string }
  | {
      type: 'oauth2';
      user: string;
      /** the identity provider the tokens come from, e.g. 'google' or 'microsoft' */
      provider: string;
      accessToken: string;
      refreshToken?: string;
      /** epoch ms when the access token expires */
      expires?: number;
    };

/** What the SecretStore keeps for an OAuth2 account (a JSON string); a password is kept as is. */
interface StoredOAuth {
  provider: string;
  accessToken: string;
  refreshToken?: string;
  expires?: number;
}

export class MissingSecretError extends Error {
  constructor(readonly ref: string | null, where: string) {
    super(
      ref === null
        ? 'This account has no password stored.'
        : ref.startsWith('env:')
          ? `The password is read from the environment variable ${ref.slice(4)}, which is not set ${where}.`
          : `The password for this account is missing from the secret store (${where}).`,
    );
    this.name = 'MissingSecretError';
  }
}

export interface LoadCredentialOptions {
  clock?: Clock;
  logger?: Logger;
  /** OAuth2: get a fresh access token even if the cached one looks valid (the server refused it) */
  refresh?: boolean;
}

/**
 * The credential to log in with. For OAuth2 accounts the access token comes from the shared
 * token manager (refreshed when due); a dead sign-in throws OAuthTokenError, which carries its
 * Classification (auth_failed, or provider_outage when the token endpoint is down).
 */
export async function loadCredential(secrets: SecretStore, account: AccountRow, options: LoadCredentialOptions = {}): Promise<Credential> {
  const secret = account.secret_ref ? await secrets.get(account.secret_ref) : null;
  if (secret === null) throw new MissingSecretError(account.secret_ref, secrets.description);
  const user = account.username ?? account.email;
  if (account.auth_type === 'oauth2') {
    const grant = parseStoredGrant(secret);
    if (grant) {
      const ctx = { secrets, clock: options.clock ?? systemClock, logger: options.logger ?? silentLogger };
      const token = await accessTokenFor(ctx, account, { force: options.refresh === true });
      return { type: 'oauth2', user: token.user, provider: grant.provider, accessToken: token.accessToken, expires: token.expiresAt };
    }
    const stored = JSON.parse(secret) as StoredOAuth;
    return { type: 'oauth2', user, ...stored };
  }
  return { type: 'password', user, password: secret };
}

/** The auth object nodemailer's SMTPConnection.login takes. */
export function smtpAuth(credential: Credential): { user: string; pass?: string; method?: string; oauth2?: unknown } {
  if (credential.type === 'password') return { user: credential.user, pass: credential.password };
  // XOAUTH2 with a ready access token. A refused token is refreshed by the caller (deliver.ts
  // loads the credential again with `refresh: true` and logs in once more).
  const user = credential.user;
  return {
    user,
    method: 'XOAUTH2',
    oauth2: {
      getToken: (_renew: boolean, cb: (err: Error | null, token?: string) => void) => cb(null, credential.accessToken),
      buildXOAuth2Token: (token: string) => xoauth2String(user, token),
    },
  };
}

/** The auth object imapflow takes. */
export function imapAuth(credential: Credential): { user: string; pass?: string; accessToken?: string } {
  return credential.type === 'password'
    ? { user: credential.user, pass: credential.password }
    : { user: credential.user, accessToken: credential.accessToken };
}

/** A short fingerprint of the credential, so a changed password rebuilds cached connections. */
export function credentialKey(credential: Credential): string {
  const secret = credential.type === 'password' ? credential.password : credential.accessToken;
  let h = 0;
  for (let i = 0; i < secret.length; i++) h = (Math.imul(h, 31) + secret.charCodeAt(i)) | 0;
  return `${credential.type}:${credential.user}:${h}`;
}
