// How a token endpoint's refusal becomes a failure the rest of the app understands: a
// Classification (the one shape failures travel in) plus a sentence for the user and whether
// signing in again can help.
import { kindOf, type Category } from '../../../../shared/categories';
import type { Classification } from '../../../../shared/classification';

/** The server's error code (RFC 6749 §5.2), or our own name for a transport problem. */
export type OAuthErrorCode = string;

export class OAuthTokenError extends Error {
  constructor(
    readonly classification: Classification,
    /** plain words for the user */
    readonly reason: string,
    /** true when signing in again can fix it; false for the app's own misconfiguration or an outage */
    readonly reconnect: boolean,
    readonly oauthError: OAuthErrorCode,
    readonly status: number | null,
  ) {
    super(reason);
    this.name = 'OAuthTokenError';
  }
}

/** The sign-in itself failed or was stopped: denied consent, timeout, cancel, a mix-up. */
export class OAuthSignInError extends Error {
  constructor(
    readonly code: 'access_denied' | 'cancelled' | 'timeout' | 'issuer_mismatch' | 'browser' | 'server_error' | string,
    message: string,
    /** the server's own words (error + description), when the redirect carried them */
    readonly words: string | null = null,
  ) {
    super(message);
    this.name = 'OAuthSignInError';
  }
}

// The app's own registration is wrong: no reconnect will fix these (RFC 6749 §5.2).
const MISCONFIGURED = new Set(['invalid_client', 'unauthorized_client', 'invalid_request', 'invalid_scope', 'unsupported_grant_type']);

/**
 * Builds the typed failure for a token endpoint answer. `words` keeps the server's error and
 * description unchanged, joined by ": " the way Google's own libraries print them.
 */
export function tokenEndpointFailure(
  status: number | null,
  error: string | null,
  description: string | null,
  providerLabel: string,
): OAuthTokenError {
  const words = [error, description].filter(Boolean).join(': ') || (status ? `HTTP ${status}` : 'no answer');
  const code = error ?? (status ? `http_${status}` : 'network');

  if (error === 'invalid_grant') {
    return new OAuthTokenError(
      classification('auth_failed', 'oauth/invalid_grant', words),
      deadGrantReason(description ?? '', providerLabel),
      true,
      code,
      status,
    );
  }
  if (error && MISCONFIGURED.has(error)) {
    return new OAuthTokenError(
      classification('auth_failed', `oauth/${error}`, words),
      `${providerLabel} refused Outbox Monitor's own OAuth registration (${error}). Signing in again will not fix this: ` +
        'check the client ID, client secret and the permissions (scopes) of the app registration.',
      false,
      code,
      status,
    );
  }
  if (error === 'temporarily_unavailable' || error === 'server_error' || status === null || status >= 500 || status === 429) {
    return new OAuthTokenError(
      classification('provider_outage', `oauth/${error ?? (status === null ? 'unreachable' : 'http-' + status)}`, words),
      `${providerLabel}'s sign-in service did not answer properly; Outbox Monitor will try again.`,
      false,
      code,
      status,
    );
  }
  if (error === 'access_denied' || error === 'consent_required' || error === 'interaction_required') {
    return new OAuthTokenError(
      classification('auth_failed', `oauth/${error}`, words),
      `${providerLabel} needs you to sign in again and allow Outbox Monitor access to your mail.`,
      true,
      code,
      status,
    );
  }
  return new OAuthTokenError(
    classification('auth_failed', 'oauth/error', words),
    `${providerLabel} refused the sign-in (${words}). Reconnect the account; if that fails, check the app registration.`,
    true,
    code,
    status,
  );
}

/** The failure when the mail server still refuses a freshly refreshed token. */
export function rejectedAfterRefresh(words: string, providerLabel: string): OAuthTokenError {
  return new OAuthTokenError(
    classification('auth_failed', 'oauth/rejected-after-refresh', words),
    `The mail server refused a fresh ${providerLabel} access token. Reconnect the account; if that does not help, ` +
      'check that IMAP/SMTP access is allowed for this mailbox.',
    true,
    'rejected_after_refresh',
    null,
  );
}

/** When a refresh token dies, why, in plain words. Microsoft's AADSTS codes say more than Google's text. */
function deadGrantReason(description: string, providerLabel: string): string {
  const tail = ' Reconnect the account to sign in again; held messages are sent after that.';
  if (/AADSTS700082/.test(description)) return `Microsoft ended the sign-in after 90 days without use.${tail}`;
  if (/AADSTS50173|AADSTS50133/.test(description)) return `Microsoft ended the sign-in because the password was changed or reset.${tail}`;
  if (/AADSTS65001|AADSTS650051/.test(description)) return `Microsoft says the permission for Outbox Monitor was withdrawn or never granted.${tail}`;
  if (/AADSTS50076|AADSTS50079/.test(description)) return `Microsoft now requires multi-factor sign-in for this account.${tail}`;
  return (
    `${providerLabel} no longer accepts this account's sign-in: the permission was revoked, the password was changed, ` +
    `or it expired (Google ends it after 7 days for apps whose consent screen is still in "Testing").${tail}`
  );
}

function classification(category: Category, rule: string, words: string): Classification {
  return { category, kind: kindOf(category), rule, words };
}
