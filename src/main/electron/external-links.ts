import { shell } from 'electron';

/**
 * Hosts the app may open in the user's browser: the providers' help and account pages that the
 * advice and the reconnect dialog point to. Exact host names only — no wildcards, so a look-alike
 * subdomain or suffix can never match.
 */
export const EXTERNAL_HOSTS: ReadonlySet<string> = new Set([
  'support.google.com',
  'myaccount.google.com',
  'accounts.google.com',
  'support.microsoft.com',
  'learn.microsoft.com',
  'account.microsoft.com',
  'account.live.com',
  // OAuth2 authorization pages (accounts.google.com above serves Google's)
  'login.microsoftonline.com',
  'help.yahoo.com',
  'login.yahoo.com',
  'support.apple.com',
  'appleid.apple.com',
  'account.apple.com',
  'www.zoho.com',
  'accounts.zoho.com',
  'www.fastmail.com',
  'www.fastmail.help',
  'github.com',
]);

export type LinkCheck = { ok: true; url: string } | { ok: false; reason: string };

const MAX_URL_LENGTH = 2_048;

/**
 * Decides whether a URL may leave the app. The raw text must be plain printable ASCII (this
 * refuses IDN look-alikes, spaces, control characters and the backslash, which the WHATWG
 * parser silently turns into a slash), must start with `https://`, and after parsing must name
 * an allow-listed host exactly, with no credentials and no port other than the default.
 * The caller opens the parser's normalised form, never the raw text.
 */
export function checkExternalUrl(raw: unknown, hosts: ReadonlySet<string> = EXTERNAL_HOSTS): LinkCheck {
  if (typeof raw !== 'string') return { ok: false, reason: 'not a string' };
  if (raw.length === 0 || raw.length > MAX_URL_LENGTH) return { ok: false, reason: 'empty or too long' };
  if (!/^[\x21-\x7e]+$/.test(raw)) return { ok: false, reason: 'non-ASCII, space or control character' };
  if (raw.includes('\\')) return { ok: false, reason: 'backslash' };
  if (!raw.startsWith('https://')) return { ok: false, reason: 'not https' };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'unparsable' };
  }
  if (url.protocol !== 'https:') return { ok: false, reason: 'not https' };
  if (url.username || url.password) return { ok: false, reason: 'credentials in URL' };
  if (url.port !== '') return { ok: false, reason: 'non-default port' };
  const host = url.hostname;
  if (host.split('.').some((label) => label.startsWith('xn--'))) return { ok: false, reason: 'punycode host' };
  if (!hosts.has(host)) return { ok: false, reason: `host not allowed: ${host}` };
  return { ok: true, url: url.href };
}

/** Opens an allow-listed https URL in the default browser; anything else is refused and logged by the caller. */
export async function openExternal(
  raw: unknown,
  open: (url: string) => Promise<void> = (url) => shell.openExternal(url),
): Promise<LinkCheck> {
  const check = checkExternalUrl(raw);
  if (check.ok) await open(check.url);
  return check;
}
