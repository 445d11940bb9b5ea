// OAuth 2.0 presets for the providers whose mail servers accept XOAUTH2 / OAUTHBEARER, and the
// rules for finding the client ID the app signs in with. The app ships no client ID of its own:
// a client registered by somebody else could be revoked or rate-limited at any time, and a
// "verified" Google client for the restricted mail scope needs a yearly security assessment.
// The user (or their administrator) registers one and tells the app about it.
import type { SettingsRepo } from '../../store/settings';

export type OAuthProviderId = 'google' | 'microsoft';
export const OAUTH_PROVIDER_IDS: readonly OAuthProviderId[] = ['google', 'microsoft'];

/** Microsoft identity platform audiences; a tenant GUID or verified domain is accepted too. */
export type MicrosoftTenant = 'common' | 'consumers' | 'organizations' | (string & {});

/** Everything the sign-in and the token refresh need to know about an authorization server. */
export interface OAuthProviderConfig {
  id: OAuthProviderId | 'custom';
  label: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  /**
   * The issuer identifier expected in the `iss` parameter of the authorization response
   * (RFC 9207). Null when the issuer varies (Microsoft's multi-tenant endpoints): then `iss`
   * is not checked, the state and PKCE still are.
   */
  issuer: string | null;
  /** RFC 9207: when true a response without `iss` is refused; otherwise it is checked if present */
  issuerRequired: boolean;
  scopes: string[];
  /** extra query parameters for the authorization request */
  authorizationParams: Record<string, string>;
  /** where a user registers a client ID; quoted in the error when none is configured */
  registerHelp: string;
}

/**
 * Google. Endpoints from the "OAuth 2.0 for Mobile & Desktop Apps" guide
 * (developers.google.com/identity/protocols/oauth2/native-app) and the discovery document at
 * accounts.google.com/.well-known/openid-configuration. Full IMAP/SMTP access needs the
 * `https://mail.google.com/` scope (developers.google.com/gmail/imap/xoauth2-protocol).
 * `access_type=offline` asks for a refresh token; `prompt=consent` makes Google issue a fresh
 * one on every sign-in, which a reconnect relies on (Google only returns a refresh token on
 * the first consent otherwise). `openid email` lets us learn which address signed in.
 */
export function googlePreset(): OAuthProviderConfig {
  return {
    id: 'google',
    label: 'Google (Gmail, Google Workspace)',
    authorizationEndpoint: 'https://accounts.google.com/o/oauth2/v2/auth',
    tokenEndpoint: 'https://oauth2.googleapis.com/token',
    issuer: 'https://accounts.google.com',
    issuerRequired: false,
    scopes: ['https://mail.google.com/', 'openid', 'email'],
    authorizationParams: { access_type: 'offline', prompt: 'consent' },
    registerHelp:
      'Create an OAuth client of type "Desktop app" in the Google Cloud console (APIs & Services → Credentials), ' +
      'add the scope https://mail.google.com/ to its consent screen, then give its client ID and client secret ' +
      'to Outbox Monitor (settings, OUTBOX_OAUTH_GOOGLE_CLIENT_ID / OUTBOX_OAUTH_GOOGLE_CLIENT_SECRET, or ' +
      '--client-id / --client-secret). While the consent screen is in "Testing", Google ends the sign-in after 7 days.',
  };
}

/**
 * Microsoft identity platform v2.0. Endpoints from "Microsoft identity platform and OAuth 2.0
 * authorization code flow" (learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow);
 * scopes from "Authenticate an IMAP, POP or SMTP connection using OAuth"
 * (learn.microsoft.com/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth).
 * `offline_access` asks for a refresh token. The tenant decides who may sign in: `common`
 * (work and personal accounts), `consumers` (Outlook.com), `organizations` (Microsoft 365), or
 * one organisation's tenant ID. The issuer differs per tenant, so `iss` is not pinned here.
 */
export function microsoftPreset(tenant: MicrosoftTenant = 'common'): OAuthProviderConfig {
  if (!/^[A-Za-z0-9.-]+$/.test(tenant)) throw new OAuthConfigError(`"${tenant}" is not a Microsoft tenant name or ID.`);
  const base = `https://login.microsoftonline.com/${tenant}/oauth2/v2.0`;
  return {
    id: 'microsoft',
    label: 'Microsoft (Outlook.com, Microsoft 365)',
    authorizationEndpoint: `${base}/authorize`,
    tokenEndpoint: `${base}/token`,
    issuer: null,
    issuerRequired: false,
    scopes: [
      'https://outlook.office.com/IMAP.AccessAsUser.All',
      'https://outlook.office.com/SMTP.Send',
      'offline_access',
      'openid',
      'email',
    ],
    authorizationParams: { prompt: 'select_account' },
    registerHelp:
      'Register an application in the Microsoft Entra admin center (App registrations → New registration), ' +
      'add the platform "Mobile and desktop applications" with the redirect URI http://localhost, add the ' +
      'delegated permissions IMAP.AccessAsUser.All and SMTP.Send (Office 365 Exchange Online), then give its ' +
      'application (client) ID to Outbox Monitor (settings, OUTBOX_OAUTH_MICROSOFT_CLIENT_ID, or --client-id). ' +
      'Microsoft 365 administrators must also allow SMTP AUTH for the mailbox.',
  };
}

export function oauthPreset(id: OAuthProviderId, tenant?: MicrosoftTenant): OAuthProviderConfig {
  return id === 'google' ? googlePreset() : microsoftPreset(tenant ?? 'common');
}

export function isOAuthProviderId(value: unknown): value is OAuthProviderId {
  return value === 'google' || value === 'microsoft';
}

/** Which OAuth preset an account preset (from the accounts presets) signs in with, if any. */
export function oauthProviderForAccountPreset(preset: string): OAuthProviderId | null {
  if (/^(gmail|google|workspace|google[-_]?workspace)$/i.test(preset)) return 'google';
  if (/^(outlook|outlook[-_.]?com|hotmail|m365|microsoft|microsoft[-_]?365|office365|exchange)$/i.test(preset)) return 'microsoft';
  return null;
}

/** The app's own misconfiguration: no client ID, a bad tenant. Reconnecting won't fix it. */
export class OAuthConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OAuthConfigError';
  }
}

export interface OAuthClient {
  clientId: string;
  /** Google "Desktop app" clients have a secret that is not confidential; Microsoft public clients have none */
  clientSecret?: string;
}

export interface ClientSources {
  /** explicit values, e.g. from command-line flags; win over everything */
  explicit?: Partial<OAuthClient>;
  settings?: Pick<SettingsRepo, 'get'> | null;
  env?: NodeJS.ProcessEnv;
}

/** Settings keys holding a client registration, `{ clientId, clientSecret? }`. */
export const clientSettingKey = (provider: OAuthProviderId): string => `oauth.${provider}.client`;

const ENV_PREFIX: Record<OAuthProviderId, string> = { google: 'OUTBOX_OAUTH_GOOGLE', microsoft: 'OUTBOX_OAUTH_MICROSOFT' };

/**
 * Finds the client ID (and secret) for a provider: flags, then the environment, then settings.
 * Throws OAuthConfigError naming how to register one when there is none.
 */
export function resolveClient(provider: OAuthProviderId, sources: ClientSources = {}): OAuthClient {
  const env = sources.env ?? process.env;
  const stored = sources.settings?.get<Partial<OAuthClient> | null>(clientSettingKey(provider), null) ?? null;
  const clientId =
    nonEmpty(sources.explicit?.clientId) ?? nonEmpty(env[`${ENV_PREFIX[provider]}_CLIENT_ID`]) ?? nonEmpty(stored?.clientId);
  const clientSecret =
    nonEmpty(sources.explicit?.clientSecret) ??
    nonEmpty(env[`${ENV_PREFIX[provider]}_CLIENT_SECRET`]) ??
    nonEmpty(stored?.clientSecret);
  if (!clientId) throw missingClientError(provider);
  return clientSecret ? { clientId, clientSecret } : { clientId };
}

export function missingClientError(provider: OAuthProviderId): OAuthConfigError {
  const preset = oauthPreset(provider);
  return new OAuthConfigError(
    `No OAuth client ID is configured for ${preset.label}. Outbox Monitor does not ship one. ${preset.registerHelp}`,
  );
}

function nonEmpty(value: string | undefined | null): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
