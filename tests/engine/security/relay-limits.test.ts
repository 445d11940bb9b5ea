// The local relay is a door into the user's mail accounts, so it is held shut from every side:
// reachable from this computer only, nothing before a login, and bounded in message size,
// recipients, concurrent connections and commands per connection — each bound proved by
// hitting it on a real socket against the real intake on a real database.
import { execFileSync } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { intakeCredentials } from '../../../src/main/engine/outbox/intake/credentials';
import { DEFAULT_INTAKE_LIMITS, startIntake, type RunningIntake } from '../../../src/main/engine/outbox/intake/server';
import { createAccountsRepo } from '../../../src/main/engine/store/accounts';
import { createSettingsRepo } from '../../../src/main/engine/store/settings';
import { addTestAccount, makeContext, rawMessage } from '../outbox/support/context';

type Ctx = ReturnType<typeof makeContext>;

/** A line-level SMTP client: what a hostile local program would type, reply by reply. */
class Wire {
  private buf = '';
  private waiters: (() => void)[] = [];
  closed = false;
  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.buf += d;
      this.waiters.splice(0).forEach((w) => w());
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiters.splice(0).forEach((w) => w());
    });
    socket.on('error', () => {});
  }
  static open(port: number, opts: { host?: string; localAddress?: string } = {}): Promise<Wire> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: opts.host ?? '127.0.0.1', port, localAddress: opts.localAddress });
      s.once('connect', () => resolve(new Wire(s)));
      s.once('error', reject);
    });
  }
  /** The next complete reply (all lines of a multi-line one), or null once the server hung up. */
  async reply(): Promise<{ code: number; text: string } | null> {
    for (;;) {
      const m = /^(?:\d{3}-[^\n]*\n)*(\d{3}) [^\n]*\n/.exec(this.buf);
      if (m) {
        this.buf = this.buf.slice(m[0].length);
        return { code: Number(m[1]), text: m[0].trim() };
      }
      if (this.closed) return null;
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }
  async cmd(line: string): Promise<{ code: number; text: string } | null> {
    if (!this.closed) this.socket.write(line + '\r\n');
    return this.reply();
  }
  async login(user: string, pass: string): Promise<void> {
    expect((await this.cmd('EHLO tester'))?.code).toBe(250);
    const r = await this.cmd(`AUTH PLAIN ${Buffer.from(`\0${user}\0${pass}`).toString('base64')}`);
    expect(r?.code).toBe(235);
  }
  async waitClosed(): Promise<void> {
    while (!this.closed) await new Promise<void>((r) => this.waiters.push(r));
  }
  close(): void {
    this.socket.destroy();
  }
}

function smtpClient(port: number): SMTPConnection {
  return new SMTPConnection({ host: '127.0.0.1', port, ignoreTLS: true, connectionTimeout: 5000 });
}
const opened = (c: SMTPConnection) => new Promise<void>((res, rej) => c.connect((e) => (e ? rej(e) : res())));
const loggedIn = (c: SMTPConnection, user: string, pass: string) => new Promise<void>((res, rej) => c.login({ user, pass }, (e) => (e ? rej(e) : res())));
const sent = (c: SMTPConnection, from: string, to: string[], raw: Buffer) =>
  new Promise<SMTPConnection.SentMessageInfo>((res, rej) => c.send({ from, to }, raw, (e, info) => (e ? rej(e) : res(info))));

function messageCount(ctx: Ctx): number {
  return (ctx.db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;
}

/**
 * A non-loopback IPv4 address of this machine. Where the machine has none (a bare container),
 * one is made — we run as root in CI: a dummy interface with a TEST-NET-2 address, or, where the
 * kernel has no dummy driver, the same address added to `lo` (still a non-loopback address the
 * relay must not answer on). Removed again in afterAll. Without any such address "not reachable
 * from the network" would prove nothing, so failing to make one fails the test.
 */
function nonLoopbackAddress(): { address: string; cleanup: () => void } {
  const found = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal);
  if (found) return { address: found.address, cleanup: () => {} };
  const address = `198.51.100.${10 + (process.pid % 200)}`;
  const dev = `obmtest${process.pid % 10000}`;
  try {
    execFileSync('ip', ['link', 'add', dev, 'type', 'dummy'], { stdio: 'ignore' });
    execFileSync('ip', ['addr', 'add', `${address}/32`, 'dev', dev]);
    execFileSync('ip', ['link', 'set', dev, 'up']);
    return { address, cleanup: () => execFileSync('ip', ['link', 'del', dev]) };
  } catch {
    execFileSync('ip', ['addr', 'add', `${address}/32`, 'dev', 'lo']);
    return { address, cleanup: () => execFileSync('ip', ['addr', 'del', `${address}/32`, 'dev', 'lo']) };
  }
}

describe('the local relay is reachable from this computer only, and only with its login', () => {
  let ctx: Ctx;
  let intake: RunningIntake;
  let creds: { user: string; password: string };
  let outside: { address: string; cleanup: () => void };

  beforeAll(async () => {
    ctx = makeContext();
    await addTestAccount(ctx, 9, { name: 'main', email: 'main@example.test', maxMessageBytes: 40_000 });
    intake = await startIntake(ctx, { port: 0 });
    creds = await intakeCredentials(ctx);
    outside = nonLoopbackAddress();
  });
  afterAll(async () => {
    await intake?.stop();
    ctx?.close();
    outside?.cleanup();
  });

  it('a connection to a non-loopback address of this machine is impossible (while a control server there is reachable)', async () => {
    // control: the address itself takes connections, so a refusal below is the relay's doing
    const control = createServer((s) => s.end('hello\r\n'));
    await new Promise<void>((r) => control.listen(0, '0.0.0.0', () => r()));
    const controlPort = (control.address() as { port: number }).port;
    const reached = await new Promise<string>((resolve, reject) => {
      const s = connect({ host: outside.address, port: controlPort });
      s.once('data', (d) => (s.destroy(), resolve(String(d))));
      s.once('error', reject);
    });
    control.close();
    expect(reached).toBe('hello\r\n');

    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
      const s = connect({ host: outside.address, port: intake.port });
      s.once('connect', () => (s.destroy(), resolve(null)));
      s.once('error', (e) => resolve(e));
    });
    expect(error?.code, `reached the relay at ${outside.address}:${intake.port}`).toBe('ECONNREFUSED');
    expect(intake.host).toBe('127.0.0.1');
  });

  it('a connection that reaches 127.0.0.1 from a non-loopback source address is refused at the greeting', async () => {
    const w = await Wire.open(intake.port, { localAddress: outside.address });
    const greeting = await w.reply();
    expect(greeting?.code).toBe(554);
    expect(greeting?.text).toContain('only takes connections from this computer');
    await w.waitClosed();
  });

  it('nothing goes in before AUTH: MAIL, RCPT and DATA get 530 and nothing is stored', async () => {
    const before = messageCount(ctx);
    const w = await Wire.open(intake.port);
    expect((await w.reply())?.code).toBe(220);
    expect((await w.cmd('EHLO tester'))?.code).toBe(250);
    expect((await w.cmd('MAIL FROM:<main@example.test>'))?.code).toBe(530);
    expect((await w.cmd('RCPT TO:<x@example.test>'))?.code).toBe(530);
    expect((await w.cmd('DATA'))?.code).toBe(530);
    expect((await w.cmd(`AUTH PLAIN ${Buffer.from(`\0${creds.user}\0wrong`).toString('base64')}`))?.code).toBe(535);
    expect((await w.cmd('MAIL FROM:<main@example.test>'))?.code).toBe(530);
    w.close();
    expect(messageCount(ctx)).toBe(before);
  });

  it(`more than ${DEFAULT_INTAKE_LIMITS.maxUnauthenticatedCommands} commands without logging in: 421 and the connection is closed`, async () => {
    const w = await Wire.open(intake.port);
    await w.reply();
    let last: { code: number } | null = null;
    for (let i = 0; i < DEFAULT_INTAKE_LIMITS.maxUnauthenticatedCommands + 2 && !w.closed; i++) last = await w.cmd('NOOP');
    expect(last?.code ?? 421).toBe(421);
    await w.waitClosed();
  });

  it('a message over the account limit is refused with 552 (declared at MAIL, or counted at DATA) and not stored', async () => {
    const before = messageCount(ctx);
    const w = await Wire.open(intake.port);
    await w.reply();
    await w.login('main', creds.password);
    const declared = await w.cmd('MAIL FROM:<main@example.test> SIZE=50000');
    expect(declared?.code).toBe(552);
    expect(declared?.text).toMatch(/40000/); // smtp-server's own SIZE check or ours: either names the limit
    w.close();
    const c = smtpClient(intake.port);
    await opened(c);
    await loggedIn(c, 'main', creds.password);
    const e = await sent(c, 'main@example.test', ['x@example.test'], rawMessage({ body: 'y'.repeat(45_000) }).raw).catch((x) => x);
    expect(e.responseCode).toBe(552);
    c.close();
    expect(messageCount(ctx)).toBe(before);
  });
});

describe('the relay bounds what one program can ask of it', () => {
  let ctx: Ctx;
  let intake: RunningIntake;
  let creds: { user: string; password: string };

  beforeAll(async () => {
    ctx = makeContext();
    await addTestAccount(ctx, 9, { name: 'plain', email: 'plain@example.test' });
    // an account whose provider allows 5 recipients per message (as a preset's maxRecipients would)
    createAccountsRepo(ctx.db).insert({
      name: 'narrow', provider: 'generic', email: 'narrow@example.test', authType: 'password', username: 'narrow', secretRef: null,
      smtp: { host: '127.0.0.1', port: 9, tls: 'none' }, imap: null, insecureTls: false, maxMessageBytes: null,
      maxRecipients: 5, limits: [], now: ctx.clock.now(),
    });
    intake = await startIntake(ctx, { port: 0 });
    creds = await intakeCredentials(ctx);
  });
  afterAll(async () => {
    await intake?.stop();
    ctx?.close();
  });

  it(`recipients per message: the default ${DEFAULT_INTAKE_LIMITS.maxRecipients}, or the account's own limit; the rest get 452`, async () => {
    const c = smtpClient(intake.port);
    await opened(c);
    await loggedIn(c, 'plain', creds.password);
    const many = Array.from({ length: DEFAULT_INTAKE_LIMITS.maxRecipients + 3 }, (_, i) => `r${i}@example.test`);
    const info = await sent(c, 'plain@example.test', many, rawMessage({ to: ['list@example.test'] }).raw);
    expect(info.accepted).toHaveLength(DEFAULT_INTAKE_LIMITS.maxRecipients);
    expect(info.rejected).toEqual(many.slice(DEFAULT_INTAKE_LIMITS.maxRecipients));
    expect(info.rejectedErrors?.[0]?.responseCode).toBe(452);
    const id = Number(/#(\d+)/.exec(info.response)![1]);
    const row = ctx.db.prepare('SELECT rcpt_json FROM messages WHERE id = ?').get(id) as { rcpt_json: string };
    expect(JSON.parse(row.rcpt_json)).toHaveLength(DEFAULT_INTAKE_LIMITS.maxRecipients);

    await loggedIn(c, 'narrow', creds.password).catch(() => {}); // a second login on one connection is refused; use a new one
    c.close();
    const d = smtpClient(intake.port);
    await opened(d);
    await loggedIn(d, 'narrow', creds.password);
    const narrow = await sent(d, 'narrow@example.test', many.slice(0, 8), rawMessage().raw);
    expect(narrow.accepted).toHaveLength(5);
    expect(narrow.rejectedErrors?.[0]?.response).toContain('at most 5 per message for account "narrow"');
    d.close();
  });

  it(`concurrent connections: ${DEFAULT_INTAKE_LIMITS.maxClients} work side by side (the relay bench's shape), one more gets 421`, async () => {
    const clients: SMTPConnection[] = [];
    for (let i = 0; i < DEFAULT_INTAKE_LIMITS.maxClients; i++) {
      const c = smtpClient(intake.port);
      await opened(c);
      await loggedIn(c, creds.user, creds.password);
      clients.push(c);
    }
    // all of them send at once and all are stored
    const infos = await Promise.all(clients.map((c, i) => sent(c, 'plain@example.test', [`p${i}@example.test`], rawMessage().raw)));
    expect(infos.every((i) => /^250 /.test(i.response))).toBe(true);

    const extra = await Wire.open(intake.port);
    const refused = await extra.reply();
    expect(refused?.code).toBe(421);
    expect(refused?.text).toMatch(/Too many connected clients/i);
    await extra.waitClosed();

    // a place frees up when one leaves
    clients.pop()!.quit();
    await new Promise((r) => setTimeout(r, 300));
    const again = await Wire.open(intake.port);
    expect((await again.reply())?.code).toBe(220);
    again.close();
    clients.forEach((c) => c.close());
    await new Promise((r) => setTimeout(r, 300));
  });

  it(`commands per connection: a signed-in client looping on NOOP/RSET/junk is cut off after ${DEFAULT_INTAKE_LIMITS.maxCommandsWithoutMessage}`, async () => {
    const before = messageCount(ctx);
    const w = await Wire.open(intake.port);
    await w.reply();
    await w.login(creds.user, creds.password);
    let answered = 2; // EHLO and AUTH count too
    let last: { code: number; text: string } | null = null;
    const verbs = ['NOOP', 'RSET', 'MAIL FROM:<plain@example.test>', 'RSET', 'VRFY x', 'NOOP'];
    for (let i = 0; i < 200 && !w.closed; i++) {
      last = await w.cmd(verbs[i % verbs.length]!);
      if (last && last.code !== 421) answered++;
      if (last?.code === 421) break;
    }
    expect(last?.code).toBe(421);
    expect(last?.text).toContain('Too many commands without a message');
    expect(answered).toBe(DEFAULT_INTAKE_LIMITS.maxCommandsWithoutMessage);
    await w.waitClosed();
    expect(messageCount(ctx)).toBe(before);
  });

  it('a client that keeps delivering is never cut off: the count starts again with each stored message', async () => {
    const c = smtpClient(intake.port);
    await opened(c);
    await loggedIn(c, creds.user, creds.password);
    const before = messageCount(ctx);
    const n = DEFAULT_INTAKE_LIMITS.maxCommandsWithoutMessage; // ≥ 3 commands each: far past the limit in total
    for (let i = 0; i < n; i++) await sent(c, 'plain@example.test', [`k${i}@example.test`], rawMessage().raw);
    c.quit();
    expect(messageCount(ctx)).toBe(before + n);
  });

  it('the limits come from the settings (intake.limits) when set there', async () => {
    const other = makeContext();
    try {
      await addTestAccount(other, 9, { name: 'plain', email: 'plain@example.test' });
      createSettingsRepo(other.db).set('intake.limits', { maxRecipients: 2, maxClients: 1, maxCommandsWithoutMessage: 5 });
      const small = await startIntake(other, { port: 0 });
      const pw = (await intakeCredentials(other)).password;
      try {
        const c = smtpClient(small.port);
        await opened(c);
        await loggedIn(c, 'plain', pw);
        const info = await sent(c, 'plain@example.test', ['a@example.test', 'b@example.test', 'c@example.test'], rawMessage().raw);
        expect(info.accepted).toEqual(['a@example.test', 'b@example.test']);
        const second = await Wire.open(small.port);
        expect((await second.reply())?.code).toBe(421);
        second.close();
        c.close();
        await new Promise((r) => setTimeout(r, 300));
        const w = await Wire.open(small.port);
        await w.reply();
        await w.login('plain', pw);
        let codes: number[] = [];
        for (let i = 0; i < 10 && !w.closed; i++) codes.push((await w.cmd('NOOP'))?.code ?? 0);
        codes = codes.filter((x) => x !== 0);
        expect(codes).toEqual([250, 250, 250, 421]); // EHLO + AUTH + 3 NOOP = 5, the 6th is refused
        w.close();
      } finally {
        await small.stop();
      }
    } finally {
      other.close();
    }
  });
});
