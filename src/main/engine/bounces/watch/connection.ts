// Opening an IMAP session for an account, and telling apart "wrong credentials" (the account
// needs the user) from "the server is unreachable right now" (try again later).
import { ImapFlow } from 'imapflow';
import type { SecretStore, Logger } from '../../ports';
import type { Clock } from '../../ports';
import type { AccountRow } from '../../store/accounts';
import { imapAuth, loadCredential, MissingSecretError } from '../../accounts/credentials';

export interface OpenOptions {
  /** how often to poll a server without IDLE, and to renew IDLE on one that has it */
  pollMs: number;
  clock?: Clock;
  logger?: Logger;
}

export async function openImap(secrets: SecretStore, account: AccountRow, options: OpenOptions): Promise<ImapFlow> {
  const credential = await loadCredential(secrets, account, { clock: options.clock, logger: options.logger });
  const client = new ImapFlow({
    host: account.imap_host ?? '',
    port: account.imap_port ?? 993,
    secure: account.imap_tls === 'tls',
    doSTARTTLS: account.imap_tls === 'starttls' ? true : account.imap_tls === 'none' ? false : undefined,
    auth: imapAuth(credential),
    tls: { rejectUnauthorized: account.insecure_tls !== 1 },
    logger: false,
    // IDLE soon after each sync, so new mail is pushed rather than found on the next poll
    autoIdleDelay: 200,
    maxIdleTime: options.pollMs,
    missingIdleCommand: 'STATUS',
    connectionTimeout: 30_000,
    greetingTimeout: 20_000,
    socketTimeout: 10 * 60_000,
  });
  // errors also reach the awaiting caller or the 'close' event; an unhandled 'error' would crash the process
  client.on('error', (err: unknown) => options.logger?.warn('bounces.imap.error', { account: account.id, error: String(err) }));
  await client.connect();
  return client;
}

/** The server's words when the failure is about credentials, else null. */
export function authFailureWords(err: unknown): string | null {
  if (err instanceof MissingSecretError) return err.message;
  const e = err as { authenticationFailed?: boolean; serverResponseCode?: string; response?: string; responseText?: string; message?: string; classification?: { category?: string; words?: string } };
  if (e?.classification?.category === 'auth_failed') return e.classification.words ?? e.message ?? 'sign-in refused';
  if (e?.authenticationFailed || e?.serverResponseCode === 'AUTHENTICATIONFAILED') {
    return e.response || e.responseText || e.message || 'Authentication failed.';
  }
  return null;
}

/** A short description of a connection or protocol error for the account's status line. */
export function describeError(err: unknown): string {
  const e = err as { response?: string; responseText?: string; code?: string; message?: string };
  return (e?.response || e?.responseText || [e?.code, e?.message].filter(Boolean).join(': ') || String(err)).slice(0, 500);
}
