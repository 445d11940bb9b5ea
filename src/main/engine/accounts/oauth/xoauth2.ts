// What the mail libraries need to log in with an OAuth access token, and the SASL strings
// themselves (for test servers and for logs that must not show the token).
import type { AccessToken, OAuthAccount, TokenManager } from './tokens';
import type { Clock } from '../../ports';

/** nodemailer with a ready token: `auth: { type: 'OAuth2', user, accessToken }`. */
export function nodemailerAuth(token: AccessToken): { type: 'OAuth2'; user: string; accessToken: string } {
  return { type: 'OAuth2', user: token.user, accessToken: token.accessToken };
}

export type ProvisionCallback = (
  user: string,
  renew: boolean,
  callback: (err: Error | null, accessToken?: string, expires?: number) => void,
) => void;

/**
 * nodemailer with our TokenManager behind it: nodemailer asks for a token before AUTH, and
 * when the server refuses it, asks again with `renew = true` and retries AUTH once by itself.
 * A refresh that fails (invalid_grant …) reaches the sender as the OAuthTokenError itself
 * (nodemailer keeps the Error object, sets code EAUTH and moves ours to `originalCode`).
 */
export function nodemailerOAuth2(
  manager: TokenManager,
  account: OAuthAccount,
  clock: Clock,
): { type: 'OAuth2'; user: string; provisionCallback: ProvisionCallback } {
  const user = account.username || account.email;
  return {
    type: 'OAuth2',
    user,
    provisionCallback(_user, renew, callback) {
      if (renew) manager.invalidate(account);
      manager.get(account, { force: renew }).then(
        // nodemailer compares `expires` with Date.now(); translate from the engine clock.
        (token) => callback(null, token.accessToken, Date.now() + (token.expiresAt - clock.now())),
        (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
      );
    },
  };
}

/** imapflow: `auth: { user, accessToken }` (it uses OAUTHBEARER when offered, else XOAUTH2). */
export function imapflowAuth(token: AccessToken): { user: string; accessToken: string } {
  return { user: token.user, accessToken: token.accessToken };
}

/** The XOAUTH2 initial response (developers.google.com/gmail/imap/xoauth2-protocol), base64. */
export function xoauth2String(user: string, accessToken: string): string {
  return Buffer.from(`user=${user}\x01auth=Bearer ${accessToken}\x01\x01`, 'utf8').toString('base64');
}

/** The OAUTHBEARER initial response (RFC 7628 §3.1), base64. */
export function oauthBearerString(user: string, accessToken: string, host?: string, port?: number): string {
  const fields = [`n,a=${user.replace(/=/g, '=3D').replace(/,/g, '=2C')},`];
  if (host) fields.push(`host=${host}`);
  if (port) fields.push(`port=${port}`);
  fields.push(`auth=Bearer ${accessToken}`);
  return Buffer.from(`${fields.join('\x01')}\x01\x01`, 'utf8').toString('base64');
}

/** Reads either initial response back: the user and the bearer token (for test servers). */
export function parseSaslBearer(base64: string): { user: string | null; accessToken: string | null } {
  const text = Buffer.from(base64, 'base64').toString('utf8');
  let user: string | null = null;
  let accessToken: string | null = null;
  for (const field of text.split('\x01')) {
    if (field.startsWith('user=')) user = field.slice(5);
    else if (field.startsWith('n,')) {
      const a = /(?:^|,)a=([^,]*)/.exec(field.slice(2));
      if (a) user = a[1].replace(/=2C/g, ',').replace(/=3D/g, '=');
    } else if (/^auth=Bearer /i.test(field)) accessToken = field.slice('auth=Bearer '.length);
  }
  return { user, accessToken };
}
