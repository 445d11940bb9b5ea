import type { Category } from '../../../shared/categories';

/**
 * Client, network and OAuth errors: decided first, from the error code and the message
 * (PROVIDERS.md section 2, step 1). Sources: nodemailer's error codes (nodemailer.com/smtp,
 * lib/smtp-connection), Node.js errors (nodejs.org/api/errors.html#common-system-errors),
 * RFC 6749 section 5.2 (OAuth token endpoint errors), Microsoft identity platform error codes
 * (learn.microsoft.com/entra/identity-platform/reference-error-codes).
 */
/** Reply texts naming a Node.js network error, e.g. "connect ECONNREFUSED 203.0.113.5:587". */
export const NETWORK_WORDS_RE = /\b(econnrefused|econnreset|etimedout|eai_again|enotfound|ehostunreach|enetunreach)\b/;

export interface NetworkVerdict {
  category: Category;
  rule: string;
}

/** TLS / certificate / protocol mismatch wording: the account's settings are likely wrong. */
const TLS_CONFIG =
  /wrong version number|before secure tls connection was established|ssl routines|unknown protocol|certificate|self[- ]signed|unable to (get|verify)|hostname\/ip does not match|err_tls|tlsv1 alert|handshake failure|no ciphers|unsupported protocol|cert_|altnames|packet length too long/i;

const OAUTH = /invalid_grant|invalid_client|invalid_request|unauthorized_client|aadsts\d+|token (has been )?(expired|revoked)|refresh token/i;

export function classifyNetwork(errorCode: string, text: string, hasSmtpCode: boolean): NetworkVerdict | null {
  const ec = errorCode.trim();
  const up = ec.toUpperCase();
  // OAuth token endpoint errors (RFC 6749 5.2; Google "invalid_grant: Token has been expired or revoked";
  // Microsoft AADSTS700082 refresh token expired, AADSTS900144 missing parameter)
  if (/^(invalid_grant|invalid_client|invalid_request|unauthorized_client|invalid_scope|unsupported_grant_type|access_denied)$/i.test(ec) || /^AADSTS\d+/i.test(ec)) {
    return { category: 'auth_failed', rule: `oauth/${ec.toLowerCase()}` };
  }
  if (up === 'EAUTH' || up === 'ENOAUTH' || up === 'EOAUTH2') {
    if (!hasSmtpCode && OAUTH.test(text)) return { category: 'auth_failed', rule: 'oauth/token' };
    return null; // the server's reply, if any, decides (e.g. a quota reply at AUTH); fallback below
  }
  switch (up) {
    case 'ECONNREFUSED':
    case 'ECONNRESET':
    case 'ETIMEDOUT':
    case 'EAI_AGAIN':
    case 'EPIPE':
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
    case 'ENETDOWN':
    case 'EHOSTDOWN':
    case 'ECONNABORTED':
    case 'ESERVFAIL':
      if (TLS_CONFIG.test(text)) return { category: 'config_error', rule: `network/${up}-tls` };
      return { category: 'provider_outage', rule: `network/${up}` };
    case 'ENOTFOUND':
    case 'EDNS': {
      // DNS failure of the provider's host: an outage in most cases. A host name that cannot be
      // one (quotes, spaces, ';' pasted from a config file, no dot) is a settings problem.
      const host = /(?:enotfound|eai_again)\s+(\S{1,300})/i.exec(text)?.[1] ?? '';
      if (host && (/["'`;,<>()\s]|\.\.|^\.|\.$/.test(host.replace(/:\d+$/, '')) || !host.includes('.'))) return { category: 'config_error', rule: `network/${up}-bad-host` };
      return { category: 'provider_outage', rule: `network/${up}` };
    }
    case 'ECONNECTION':
    case 'ESOCKET':
    case 'ESTREAM':
      if (TLS_CONFIG.test(text)) return { category: 'config_error', rule: `network/${up}-tls` };
      if (hasSmtpCode) return null;
      if (/enotfound|eai_again|getaddrinfo/i.test(text)) return { category: 'provider_outage', rule: `network/${up}-dns` };
      return { category: 'provider_outage', rule: `network/${up}` };
    case 'ETLS':
    case 'EREQUIRETLS':
      return { category: 'config_error', rule: `network/${up}` };
    case 'EPROTOCOL':
      if (hasSmtpCode) return null;
      return { category: 'config_error', rule: 'network/EPROTOCOL' };
    case 'EMESSAGE':
      if (/size larger than allowed|message size|too large/i.test(text)) return { category: 'message_too_large', rule: 'client/EMESSAGE-size' };
      return null;
    case 'EMAXLIMIT':
      return { category: 'throttled', rule: 'client/EMAXLIMIT' };
    default:
      if (!hasSmtpCode && TLS_CONFIG.test(text) && up) return { category: 'config_error', rule: `network/${up}-tls` };
      return null;
  }
}

/** When nothing else decided: what the bare client error code says. */
export function fallbackForErrorCode(errorCode: string): NetworkVerdict | null {
  const up = errorCode.trim().toUpperCase();
  if (up === 'EAUTH' || up === 'ENOAUTH' || up === 'EOAUTH2') return { category: 'auth_failed', rule: `client/${up}` };
  if (up === 'EENVELOPE') return { category: 'unknown', rule: 'client/EENVELOPE' };
  if (up === 'ECONNECTION' || up === 'ESOCKET') return { category: 'provider_outage', rule: `network/${up}` };
  return null;
}
