import { ImapFlow } from 'imapflow';
import type { TestStep } from '../../../shared/model';
import type { AccountRow } from '../store/accounts';
import { imapAuth, type Credential } from './credentials';
import { SessionError, SmtpSessions } from '../outbox/send/sessions';

/**
 * "Test connection": signs in to the account's SMTP server (connect, TLS, AUTH) and IMAP
 * server (login, folder list) and reports each step with what the server said. Nothing is sent.
 */
export async function testConnection(account: AccountRow, credential: Credential): Promise<TestStep[]> {
  const steps: TestStep[] = [];
  if (account.smtp_host && account.smtp_port) steps.push(...(await testSmtp(account, credential)));
  else steps.push({ step: 'smtp:connect', ok: false, detail: 'No SMTP server is set for this account.', ms: 0 });
  if (account.imap_host && account.imap_port) steps.push(...(await testImap(account, credential)));
  return steps;
}

async function testSmtp(account: AccountRow, credential: Credential): Promise<TestStep[]> {
  const steps: TestStep[] = [];
  const where = `${account.smtp_host}:${account.smtp_port}`;
  const tlsStep = account.smtp_tls === 'starttls' ? 'smtp:starttls' : account.smtp_tls === 'tls' ? 'smtp:tls' : null;
  const t0 = Date.now();
  // A throw-away session cache: a test must never hand its session to the sender.
  const sessions = new SmtpSessions();
  try {
    const session = await sessions.open(account, credential);
    const ms = Date.now() - t0;
    const size = session.sizeLimit ? `, SIZE ${session.sizeLimit}` : '';
    steps.push({ step: 'smtp:connect', ok: true, detail: `Connected to ${where}${size}.`, ms });
    if (tlsStep) {
      const secure = (session.connection as unknown as { secure?: boolean }).secure === true;
      steps.push({ step: tlsStep, ok: secure, detail: secure ? 'The connection is encrypted.' : 'The server did not encrypt the connection.', ms: 0 });
    }
    steps.push({ step: 'smtp:auth', ok: true, detail: `Signed in as ${credential.user}.`, ms: 0 });
    session.connection.quit();
  } catch (e) {
    const ms = Date.now() - t0;
    const stage = e instanceof SessionError ? e.stage : 'network';
    const said = e instanceof SessionError ? (e.smtpError.response ?? e.smtpError.message) : String(e);
    if (stage === 'auth') {
      steps.push({ step: 'smtp:connect', ok: true, detail: `Connected to ${where}.`, ms });
      if (tlsStep) steps.push({ step: tlsStep, ok: true, detail: 'The connection is encrypted.', ms: 0 });
      steps.push({ step: 'smtp:auth', ok: false, detail: said, ms: 0 });
    } else if (stage === 'tls' && tlsStep) {
      steps.push({ step: 'smtp:connect', ok: account.smtp_tls === 'starttls', detail: account.smtp_tls === 'starttls' ? `Connected to ${where}.` : said, ms });
      steps.push({ step: tlsStep, ok: false, detail: said, ms: 0 });
    } else {
      steps.push({ step: 'smtp:connect', ok: false, detail: `${where}: ${said}`, ms });
    }
  }
  return steps;
}

async function testImap(account: AccountRow, credential: Credential): Promise<TestStep[]> {
  const steps: TestStep[] = [];
  const client = new ImapFlow({
    host: account.imap_host!,
    port: account.imap_port!,
    secure: account.imap_tls === 'tls',
    doSTARTTLS: account.imap_tls === 'starttls' ? true : account.imap_tls === 'none' ? false : undefined,
    auth: imapAuth(credential),
    tls: { rejectUnauthorized: account.insecure_tls !== 1 },
    logger: false,
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
  });
  client.on('error', () => {});
  let t0 = Date.now();
  try {
    await client.connect();
    steps.push({ step: 'imap:login', ok: true, detail: `Signed in to ${account.imap_host}:${account.imap_port} as ${credential.user}.`, ms: Date.now() - t0 });
  } catch (e) {
    const err = e as Error & { responseText?: string; authenticationFailed?: boolean };
    steps.push({ step: 'imap:login', ok: false, detail: err.responseText ?? err.message, ms: Date.now() - t0 });
    client.close();
    return steps;
  }
  t0 = Date.now();
  try {
    const folders = await client.list();
    steps.push({ step: 'imap:list', ok: true, detail: `${folders.length} folder(s): ${folders.slice(0, 8).map((f) => f.path).join(', ')}`, ms: Date.now() - t0 });
  } catch (e) {
    steps.push({ step: 'imap:list', ok: false, detail: (e as Error).message, ms: Date.now() - t0 });
  }
  await client.logout().catch(() => client.close());
  return steps;
}
