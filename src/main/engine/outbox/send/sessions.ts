import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { SmtpStage } from '../../../../shared/classification';
import type { AccountRow } from '../../store/accounts';
import { credentialKey, smtpAuth, type Credential } from '../../accounts/credentials';

/** Where the exchange stood when something went wrong, plus what the server announced. */
export interface SessionTrace {
  /** the last command we sent, e.g. "MAIL", "RCPT", "DATA", "AUTH", "STARTTLS" */
  lastCommand: string | null;
  /** true once the message body started to go out */
  inData: boolean;
}

/** A connected, signed-in SMTP session of one account. */
export interface Session {
  connection: SMTPConnection;
  trace: SessionTrace;
  /** SIZE from EHLO, or null when the server announced none */
  sizeLimit: number | null;
  reused: boolean;
  closed: boolean;
}

export class SessionError extends Error {
  constructor(readonly smtpError: NodeJS.ErrnoException & { command?: string; response?: string; responseCode?: number }, readonly stage: SmtpStage, readonly sizeLimit: number | null) {
    super(smtpError.message);
    this.name = 'SessionError';
  }
}

const IDLE_CLOSE_MS = 30_000;

/**
 * Client timeouts for every SMTP session. A provider that stops answering costs a send this
 * long before it is recorded as a provider_outage and retried; the fault tests shorten them.
 */
export const SMTP_TIMEOUTS = { connectionMs: 30_000, greetingMs: 30_000, socketMs: 120_000 };
const MAX_IDLE_PER_ACCOUNT = 4;

function connectionOptions(account: AccountRow, trace: SessionTrace): ConstructorParameters<typeof SMTPConnection>[0] {
  const tlsMode = account.smtp_tls ?? 'starttls';
  // A logger fed only by transactionLog: it tells us which command was in flight when a
  // connection dies, which nodemailer's error alone does not (it says "CONN").
  const logger = {
    level() {},
    trace() {},
    info() {},
    warn() {},
    error() {},
    fatal() {},
    debug(entry: { tnx?: string } | undefined, message?: string) {
      if (entry?.tnx !== 'client' || typeof message !== 'string') return;
      const verb = /^\s*([A-Za-z]+)/.exec(message)?.[1]?.toUpperCase() ?? null;
      if (verb === 'MAIL' || verb === 'RCPT' || verb === 'DATA' || verb === 'AUTH' || verb === 'STARTTLS' || verb === 'EHLO' || verb === 'HELO' || verb === 'RSET') {
        trace.lastCommand = verb;
      }
    },
  };
  return {
    host: account.smtp_host ?? undefined,
    port: account.smtp_port ?? undefined,
    secure: tlsMode === 'tls',
    requireTLS: tlsMode === 'starttls',
    ignoreTLS: tlsMode === 'none',
    // Certificates are checked unless the user asked otherwise for this account.
    tls: account.insecure_tls ? { rejectUnauthorized: false } : { rejectUnauthorized: true },
    connectionTimeout: SMTP_TIMEOUTS.connectionMs,
    greetingTimeout: SMTP_TIMEOUTS.greetingMs,
    socketTimeout: SMTP_TIMEOUTS.socketMs,
    allowInternalNetworkInterfaces: true,
    transactionLog: true,
    logger,
  };
}

/** The stage a failure belongs to, from what was in flight. */
export function stageOf(err: { code?: string; command?: string; responseCode?: number }, trace: SessionTrace, phase: 'connect' | 'auth' | 'send'): SmtpStage {
  if (err.code === 'ETLS' || trace.lastCommand === 'STARTTLS') return 'tls';
  if (phase === 'connect') return err.responseCode ? 'connect' : 'network';
  if (phase === 'auth') return err.code === 'ETLS' ? 'tls' : 'auth';
  const command = (err.command ?? '').toUpperCase();
  if (command.startsWith('MAIL')) return 'mail';
  if (command.startsWith('RCPT')) return 'rcpt';
  if (command.startsWith('DATA')) return 'data';
  // No command named (a dropped socket, a timeout): where we were tells the stage.
  if (trace.inData || trace.lastCommand === 'DATA') return 'data';
  if (trace.lastCommand === 'RCPT') return 'rcpt';
  if (trace.lastCommand === 'MAIL') return 'mail';
  return 'network';
}

/**
 * SMTP sessions per account, kept open between messages (like a pool) so a batch does not pay
 * for a handshake and a login per message. The cache is keyed by the account's settings and
 * credential, so an edited host or a changed password never reuses an old session.
 */
export class SmtpSessions {
  private idle = new Map<number, { key: string; sessions: { session: Session; timer: NodeJS.Timeout }[] }>();
  /** the last SIZE each account's server announced, for the check before sending */
  private knownSize = new Map<number, number | null>();

  knownSizeLimit(accountId: number): number | null {
    return this.knownSize.get(accountId) ?? null;
  }

  private keyOf(account: AccountRow, credential: Credential): string {
    return [account.smtp_host, account.smtp_port, account.smtp_tls, account.insecure_tls, credentialKey(credential)].join('|');
  }

  /** An idle session of the account, or a new one (connected and signed in). */
  async acquire(account: AccountRow, credential: Credential): Promise<Session> {
    const key = this.keyOf(account, credential);
    const bucket = this.idle.get(account.id);
    if (bucket && bucket.key !== key) {
      for (const s of bucket.sessions) this.closeIdle(s);
      this.idle.delete(account.id);
    } else if (bucket) {
      while (bucket.sessions.length) {
        const s = bucket.sessions.pop()!;
        clearTimeout(s.timer);
        if (!s.session.closed) {
          s.session.reused = true;
          s.session.trace.inData = false;
          return s.session;
        }
      }
    }
    return this.open(account, credential);
  }

  /** Opens a new session; a failure comes back as a SessionError naming the stage. */
  open(account: AccountRow, credential: Credential): Promise<Session> {
    const trace: SessionTrace = { lastCommand: null, inData: false };
    const connection = new SMTPConnection(connectionOptions(account, trace));
    const session: Session = { connection, trace, sizeLimit: null, reused: false, closed: false };
    connection.on('end', () => void (session.closed = true));
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (err: NodeJS.ErrnoException, phase: 'connect' | 'auth') => {
        if (settled) return;
        settled = true;
        session.closed = true;
        connection.close();
        reject(new SessionError(err, stageOf(err, trace, phase), session.sizeLimit));
      };
      // Errors outside a callback (e.g. a socket reset during the greeting) arrive here.
      connection.on('error', (err: NodeJS.ErrnoException) => fail(err, trace.lastCommand === 'AUTH' ? 'auth' : 'connect'));
      connection.connect((err) => {
        if (err) return fail(err, 'connect');
        const size = (connection as unknown as { _maxAllowedSize?: number })._maxAllowedSize;
        session.sizeLimit = size && size > 0 ? size : null;
        this.knownSize.set(account.id, session.sizeLimit);
        const allowsAuth = (connection as unknown as { allowsAuth?: boolean }).allowsAuth;
        if (!allowsAuth && credential.type === 'password' && !credential.password) {
          settled = true;
          return resolve(session);
        }
        connection.login(smtpAuth(credential) as never, (loginErr) => {
          if (loginErr) return fail(loginErr, 'auth');
          settled = true;
          connection.removeAllListeners('error');
          // Later errors on an idle or busy session are reported through send's callback.
          connection.on('error', () => void (session.closed = true));
          resolve(session);
        });
      });
    });
  }

  /** Returns a healthy session for reuse, or closes it. */
  release(accountId: number, account: AccountRow, credential: Credential, session: Session, healthy: boolean): void {
    if (!healthy || session.closed) {
      session.closed = true;
      session.connection.close();
      return;
    }
    const key = this.keyOf(account, credential);
    let bucket = this.idle.get(accountId);
    if (!bucket || bucket.key !== key) {
      if (bucket) for (const s of bucket.sessions) this.closeIdle(s);
      bucket = { key, sessions: [] };
      this.idle.set(accountId, bucket);
    }
    if (bucket.sessions.length >= MAX_IDLE_PER_ACCOUNT) {
      session.connection.quit();
      return;
    }
    const entry = { session, timer: setTimeout(() => this.dropIdle(accountId, entry), IDLE_CLOSE_MS) };
    entry.timer.unref();
    bucket.sessions.push(entry);
  }

  private dropIdle(accountId: number, entry: { session: Session; timer: NodeJS.Timeout }): void {
    const bucket = this.idle.get(accountId);
    if (bucket) bucket.sessions = bucket.sessions.filter((s) => s !== entry);
    this.closeIdle(entry);
  }

  private closeIdle(entry: { session: Session; timer: NodeJS.Timeout }): void {
    clearTimeout(entry.timer);
    entry.session.closed = true;
    entry.session.connection.quit();
  }

  /** Forgets an account's sessions (settings changed, account removed). */
  forget(accountId: number): void {
    const bucket = this.idle.get(accountId);
    if (bucket) for (const s of bucket.sessions) this.closeIdle(s);
    this.idle.delete(accountId);
    this.knownSize.delete(accountId);
  }

  closeAll(): void {
    for (const id of [...this.idle.keys()]) this.forget(id);
  }
}

/** One session cache per engine context (per database handle). */
const registry = new WeakMap<object, SmtpSessions>();
export function sessionsFor(owner: object): SmtpSessions {
  let s = registry.get(owner);
  if (!s) {
    s = new SmtpSessions();
    registry.set(owner, s);
  }
  return s;
}
