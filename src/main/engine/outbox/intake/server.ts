import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import type { EngineContext } from '../../index';
import type { RelayInfo } from '../../../../shared/model';
import { createAccountsRepo, type AccountRow } from '../../store/accounts';
import { createSettingsRepo } from '../../store/settings';
import { intakeCredentials, samePassword } from './credentials';
import { openArrivalWriter } from './threaded-writer';

export const INTAKE_HOST = '127.0.0.1';
export const DEFAULT_INTAKE_PORT = 2525;
const PORT_SETTING = 'intake.port';
const BOUND_SETTING = 'intake.boundPort';
/** Without any account limit, the largest message the intake takes (it is held in memory). */
const FALLBACK_MAX_BYTES = 100 * 1024 * 1024;
const LIMITS_SETTING = 'intake.limits';

/**
 * The relay's own limits, so a runaway script cannot exhaust the app: the defaults below,
 * overridden by the settings row `intake.limits` (a JSON object with any of these keys), then by
 * the options the engine passes.
 */
export interface IntakeLimits {
  /** connections open at once; the next one gets 421 (the relay bench uses 20 in parallel) */
  maxClients: number;
  /** recipients per message when the account names no limit of its own (its preset's maxRecipients wins) */
  maxRecipients: number;
  /** commands in a row that do not end in a stored message (NOOP, RSET, unknown …; RCPT is bounded by maxRecipients) */
  maxCommandsWithoutMessage: number;
  /** commands before a successful AUTH */
  maxUnauthenticatedCommands: number;
}
export const DEFAULT_INTAKE_LIMITS: IntakeLimits = {
  maxClients: 20,
  maxRecipients: 100,
  maxCommandsWithoutMessage: 50,
  maxUnauthenticatedCommands: 10,
};

export interface IntakeOptions {
  /** 0 = any free port; undefined = the stored setting, else 2525 */
  port?: number;
  /** extra milliseconds to collect a batch before committing (default 0: the next tick); > 0 commits in this thread */
  groupCommitMs?: number;
  /** commit on a worker thread with its own connection (default true; false: in this thread) */
  writerThread?: boolean;
  /** overrides for the stored limits */
  limits?: Partial<IntakeLimits>;
}

export interface RunningIntake {
  host: string;
  port: number;
  /** where commits run (see threaded-writer.ts) */
  readonly writer: 'thread' | 'inline';
  stop(): Promise<void>;
}

function smtpError(code: number, message: string): Error {
  const err = new Error(message) as Error & { responseCode: number };
  err.responseCode = code;
  return err;
}

function describeBytes(n: number): string {
  return n >= 1024 * 1024 ? `${n} bytes (${(n / 1024 / 1024).toFixed(1)} MB)` : `${n} bytes`;
}

/**
 * The local relay ("intake"): an SMTP server on 127.0.0.1 that mail-merge tools and scripts
 * hand mail to. It requires its own login (see credentials.ts) and stores each message — raw
 * bytes, recipients, due now — committed to disk before it answers 250. Sending is the
 * scheduler's job, woken by the `queue/changed` event.
 *
 * Which account sends a message:
 * - logged in with an account's name (and the relay password): that account;
 * - logged in with the relay user name: the account whose address is the envelope sender
 *   (MAIL FROM), else the first account.
 */
export async function startIntake(ctx: EngineContext, opts: IntakeOptions = {}): Promise<RunningIntake> {
  const accounts = createAccountsRepo(ctx.db);
  const settings = createSettingsRepo(ctx.db);
  const creds = await intakeCredentials(ctx);
  const writer = await openArrivalWriter(ctx, { delayMs: opts.groupCommitMs ?? 0, thread: opts.writerThread });
  const sessionLogin = new Map<string, string>();
  const sessionAccount = new Map<string, AccountRow>();
  const limits: IntakeLimits = { ...DEFAULT_INTAKE_LIMITS, ...settings.get<Partial<IntakeLimits>>(LIMITS_SETTING, {}), ...opts.limits };
  /** per session: commands since the last stored message */
  const idleCommands = new Map<string, number>();

  const serverSize = () => {
    const limits = accounts.list().map((a) => a.max_message_bytes ?? FALLBACK_MAX_BYTES);
    return limits.length ? Math.max(...limits) : FALLBACK_MAX_BYTES;
  };
  const limitOf = (a: AccountRow) => a.max_message_bytes ?? FALLBACK_MAX_BYTES;
  // A mail merge sends thousands of messages with the same login and sender: one account lookup
  // per second per pair is plenty (an edited or removed account is seen within that second).
  const picked = new Map<string, { at: number; account: AccountRow | undefined }>();
  const pickAccountCached = (login: string, mailFrom: string): AccountRow | undefined => {
    const key = `${login}\n${mailFrom}`;
    const now = Date.now();
    const hit = picked.get(key);
    if (hit && now - hit.at < 1000) return hit.account;
    if (picked.size > 1000) picked.clear();
    const account = pickAccount(accounts, login, creds.user, mailFrom);
    picked.set(key, { at: now, account });
    return account;
  };

  const server = new SMTPServer({
    name: 'outbox-monitor.local',
    banner: 'Outbox Monitor local relay',
    secure: false,
    // Loopback only: no TLS to offer, and AUTH over the plain channel is what local tools do.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: false,
    authMethods: ['PLAIN', 'LOGIN'],
    size: serverSize(),
    logger: false,
    closeTimeout: 2_000,
    maxClients: limits.maxClients,
    maxAllowedUnauthenticatedCommands: limits.maxUnauthenticatedCommands,
    onConnect(session, callback) {
      const ip = session.remoteAddress.replace(/^::ffff:/, '');
      if (ip !== '127.0.0.1' && ip !== '::1') return callback(smtpError(554, '5.7.1 The local relay only takes connections from this computer.'));
      countCommands(session);
      callback();
    },
    onAuth(auth, session, callback) {
      const user = auth.username ?? '';
      const password = auth.password ?? '';
      const known = user === creds.user || accounts.getByName(user) !== undefined;
      if (!known || !samePassword(password, creds.password)) {
        return callback(smtpError(535, '5.7.8 Authentication failed: wrong user name or password for the local relay (see `outbox-monitor relay info`).'));
      }
      sessionLogin.set(session.id, user);
      callback(null, { user });
    },
    onMailFrom(address, session, callback) {
      const login = sessionLogin.get(session.id) ?? '';
      const account = pickAccountCached(login, address.address);
      if (!account) return callback(smtpError(451, '4.3.0 No account is set up in Outbox Monitor yet; add one, then send again.'));
      const args = address.args as unknown as Record<string, string> | false | undefined;
      const declared = Number((args && args.SIZE) || 0);
      const limit = limitOf(account);
      if (declared > limit) {
        return callback(smtpError(552, `5.3.4 Message size ${describeBytes(declared)} exceeds the limit of account "${account.name}": ${describeBytes(limit)}.`));
      }
      sessionAccount.set(session.id, account);
      callback();
    },
    onRcptTo(_address, session, callback) {
      const account = sessionAccount.get(session.id);
      const cap = account?.max_recipients ?? limits.maxRecipients;
      // 452 is temporary on purpose: the client sends the remaining recipients in another message
      if (session.envelope.rcptTo.length >= cap) return callback(smtpError(452, `4.5.3 Too many recipients: at most ${cap} per message${account ? ` for account "${account.name}"` : ''}; send the rest in another message.`));
      callback();
    },
    onData(stream, session, callback) {
      const account = sessionAccount.get(session.id);
      const limit = account ? limitOf(account) : serverSize();
      const chunks: Buffer[] = [];
      let size = 0;
      let over = false;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) over = true;
        else chunks.push(chunk);
      });
      stream.on('error', (err: Error) => callback(err));
      stream.on('end', () => {
        if (over || (stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
          chunks.length = 0;
          return callback(smtpError(552, `5.3.4 Message too large: ${describeBytes(size)}; the limit of account "${account?.name ?? '?'}" is ${describeBytes(limit)}.`));
        }
        if (!account) return callback(smtpError(451, '4.3.0 No account for this message; try again.'));
        // One copy of the body, into memory of its own (never Node's shared pool), which the
        // writer thread then takes over without copying again.
        const raw = Buffer.allocUnsafeSlow(size);
        let at = 0;
        for (const c of chunks) at += c.copy(raw, at);
        chunks.length = 0;
        writer
          .store({
            accountId: account.id,
            mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            recipients: session.envelope.rcptTo.map((r) => r.address),
            raw,
          })
          .then(
            (stored) => {
              idleCommands.set(session.id, 0);
              callback(null, `2.0.0 Ok: stored as #${stored.id}${stored.held ? ' (held: a recipient is on the suppression list)' : ''}`);
            },
            (err: Error) => callback(smtpError(451, `4.3.0 The message could not be stored (${err.message.slice(0, 200)}); nothing was kept, send it again.`)),
          );
      });
    },
    onClose(session) {
      sessionLogin.delete(session.id);
      sessionAccount.delete(session.id);
      idleCommands.delete(session.id);
    },
  });

  /**
   * smtp-server bounds unknown and unauthenticated commands but not a signed-in client that
   * loops on NOOP or RSET; this counts every command except RCPT (bounded per message) and resets
   * when a message is stored. The command hook is the connection's own (not a public option).
   */
  function countCommands(session: SMTPServerSession): void {
    type Conn = { id: string; _onCommand(command: Buffer, cb: () => void): void; send(code: number, text: string): void };
    const conn = [...(server as unknown as { connections: Set<Conn> }).connections].find((c) => c.id === session.id);
    if (!conn) return;
    const original = conn._onCommand.bind(conn);
    idleCommands.set(session.id, 0);
    conn._onCommand = (command, cb) => {
      const verb = (command ?? '').toString().split(' ', 1)[0]!.toUpperCase();
      if (verb !== 'RCPT') {
        const n = (idleCommands.get(session.id) ?? 0) + 1;
        idleCommands.set(session.id, n);
        if (n > limits.maxCommandsWithoutMessage) {
          ctx.logger.warn('intake.too_many_commands', { session: session.id, commands: n });
          return conn.send(421, `4.7.0 Too many commands without a message (limit ${limits.maxCommandsWithoutMessage}); closing the connection.`);
        }
      }
      original(command, cb);
    };
  }
  server.on('error', (err) => ctx.logger.error('intake.error', { error: String(err) }));

  const wanted = opts.port ?? settings.get<number | null>(PORT_SETTING, null) ?? DEFAULT_INTAKE_PORT;
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.server.once('error', onError);
    server.listen(wanted, INTAKE_HOST, () => {
      server.server.off('error', onError);
      resolve();
    });
  }).catch(async (err: unknown) => {
    await writer.close();
    throw err;
  });
  const port = (server.server.address() as { port: number }).port;
  settings.set(BOUND_SETTING, port);
  ctx.logger.info('intake.listening', { host: INTAKE_HOST, port, user: creds.user, writer: writer.mode });

  return {
    host: INTAKE_HOST,
    port,
    get writer() {
      return writer.mode;
    },
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await writer.close();
      settings.delete(BOUND_SETTING);
    },
  };
}

function pickAccount(accounts: ReturnType<typeof createAccountsRepo>, login: string, relayUser: string, mailFrom: string): AccountRow | undefined {
  if (login !== relayUser) return accounts.getByName(login);
  return (mailFrom ? accounts.getByEmail(mailFrom) : undefined) ?? accounts.list()[0];
}

/** Where to reach the local relay and how to log in, for the window and `relay info`. */
export async function relayInfo(ctx: EngineContext, running?: { port: number } | null): Promise<RelayInfo> {
  const settings = createSettingsRepo(ctx.db);
  const creds = await intakeCredentials(ctx);
  const bound = settings.get<number | null>(BOUND_SETTING, null);
  const port = running?.port ?? bound ?? settings.get<number | null>(PORT_SETTING, null) ?? DEFAULT_INTAKE_PORT;
  return { host: INTAKE_HOST, port, user: creds.user, password: creds.password, running: Boolean(running) };
}

export type { SMTPServerSession };
