// Secrets never land in the database or the logs. A full flow through the real command line:
// add an account with a distinctive password, run `serve` (local relay + sender), hand it mail
// through the relay, let it send through an SMTP server that requires AUTH (one recipient is
// refused so a failure is recorded too), test the account, stop; then search the database file,
// its WAL and every captured log for the password in the forms it could leak in.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../../support/cli';

const PASSWORD = 'Zq7!secret-edge-Pw9#' + 'x'.repeat(3);
const USER = 'sender@outbox.test';
const dir = mkdtempSync(join(process.env.OUTBOX_TEST_TMP ?? tmpdir(), 'secrets-'));
const db = join(dir, 'outbox.db');
const env = { OUTBOX_TEST_PASSWORD: PASSWORD, OUTBOX_MONITOR_HOME: dir };

let upstream: SMTPServer;
let upstreamPort = 0;
const received: { rcpt: string[] }[] = [];
const authSeen: string[] = [];
let serve: ChildProcess | null = null;
let serveLog = '';
const cliLogs: string[] = [];

async function cli(args: string[]) {
  const r = await runCli([...args, '--db', db], { env });
  cliLogs.push(r.stdout, r.stderr);
  return r;
}

beforeAll(async () => {
  upstream = new SMTPServer({
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, cb) {
      authSeen.push(auth.username ?? '');
      if (auth.username === USER && auth.password === PASSWORD) cb(null, { user: USER });
      else cb(Object.assign(new Error('5.7.8 Username and Password not accepted'), { responseCode: 535 }));
    },
    onRcptTo(address, _session, cb) {
      if (address.address.startsWith('refused')) cb(Object.assign(new Error('5.1.1 The email account that you tried to reach does not exist'), { responseCode: 550 }));
      else cb();
    },
    onData(stream, session, cb) {
      stream.resume();
      stream.on('end', () => {
        received.push({ rcpt: session.envelope.rcptTo.map((r) => r.address) });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', () => resolve()));
  upstreamPort = (upstream.server.address() as { port: number }).port;
});

afterAll(async () => {
  if (serve && serve.exitCode === null) serve.kill('SIGKILL');
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

function startServe(): Promise<number> {
  return new Promise((resolve, reject) => {
    serve = spawn(process.execPath, [CLI, 'serve', '--db', db, '--relay-port', '0'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${serveLog}`)), 30_000);
    const onData = (d: Buffer) => {
      serveLog += d.toString('utf8');
      const m = /relay\.ready .*port=(\d+)/.exec(serveLog);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    serve.stdout!.on('data', onData);
    serve.stderr!.on('data', onData);
    serve.on('exit', (code) => reject(new Error(`serve exited (${code}):\n${serveLog}`)));
  });
}

async function until(check: () => boolean, what: string, ms = 30_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${serveLog}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The password in every form a careless log or column could carry it. */
function needles(): { name: string; bytes: Buffer }[] {
  const plain = `\u0000${USER}\u0000${PASSWORD}`;
  return [
    { name: 'utf8', bytes: Buffer.from(PASSWORD, 'utf8') },
    { name: 'utf16le', bytes: Buffer.from(PASSWORD, 'utf16le') },
    { name: 'base64 (AUTH LOGIN)', bytes: Buffer.from(Buffer.from(PASSWORD).toString('base64')) },
    { name: 'base64 (AUTH PLAIN)', bytes: Buffer.from(Buffer.from(plain).toString('base64')) },
    { name: 'hex', bytes: Buffer.from(Buffer.from(PASSWORD).toString('hex')) },
    { name: 'JSON-escaped', bytes: Buffer.from(JSON.stringify(PASSWORD).slice(1, -1)) },
  ];
}

describe('secrets after a full flow', () => {
  it('never appear in the database, its WAL or the logs', async () => {
    const added = await cli([
      'accounts', 'add', '--name', 'work', '--provider', 'generic', '--email', USER,
      '--smtp-host', '127.0.0.1', '--smtp-port', String(upstreamPort), '--smtp-tls', 'none', '--password-env', 'OUTBOX_TEST_PASSWORD',
    ]);
    expect(added.code, added.stderr).toBe(0);

    const tested = await cli(['accounts', 'test', 'work', '--json']);
    expect(tested.stdout + tested.stderr).toMatch(/smtp/);

    const relay = JSON.parse((await cli(['relay', 'info', '--json'])).stdout.trim().split('\n').pop()!) as { password: string };
    const relayPort = await startServe();
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: relayPort, secure: false, ignoreTLS: true, auth: { user: 'work', pass: relay.password } });
    await transport.sendMail({ from: USER, to: 'friend@example.test', subject: 'hello', text: 'one' });
    await transport.sendMail({ from: USER, to: ['friend2@example.test', 'refused@example.test'], subject: 'partly', text: 'two' });
    transport.close();
    await until(() => received.length >= 2, 'both messages upstream');
    expect(authSeen.every((u) => u === USER)).toBe(true);
    expect(received.flatMap((r) => r.rcpt)).toEqual(expect.arrayContaining(['friend@example.test', 'friend2@example.test']));

    await until(() => /failures\/changed|attempt|sent/.test(serveLog), 'the engine to log its work');
    // While serve runs, recent writes sit in the WAL; after it stops they are checkpointed into
    // the main file. Look at both moments.
    const whileRunning = readdirSync(dir)
      .filter((f) => /^outbox\.db(-wal|-shm)?$/.test(f))
      .map((f) => ({ name: `${f} (while serving)`, bytes: readFileSync(join(dir, f)) }));
    expect(whileRunning.some((h) => h.name.startsWith('outbox.db-wal'))).toBe(true);
    serve!.kill('SIGTERM');
    await new Promise<void>((resolve) => (serve!.exitCode !== null ? resolve() : serve!.once('exit', () => resolve())));

    const failures = await cli(['failures', '--json']);
    expect(failures.stdout).toContain('refused@example.test');

    // The database, its journal files (present or checkpointed) and every log we captured.
    const haystacks: { name: string; bytes: Buffer }[] = [...whileRunning];
    for (const file of readdirSync(dir)) {
      if (/^outbox\.db(-wal|-shm|-journal)?$/.test(file)) haystacks.push({ name: file, bytes: readFileSync(join(dir, file)) });
    }
    const logDir = join(dir, 'logs');
    if (existsSync(logDir)) for (const f of readdirSync(logDir)) haystacks.push({ name: `logs/${f}`, bytes: readFileSync(join(logDir, f)) });
    haystacks.push({ name: 'serve output', bytes: Buffer.from(serveLog) }, { name: 'command-line output', bytes: Buffer.from(cliLogs.join('\n')) });
    expect(haystacks.some((h) => h.name === 'outbox.db' && h.bytes.length > 0)).toBe(true);
    expect(haystacks.find((h) => h.name === 'outbox.db')!.bytes.includes(Buffer.from('refused@example.test'))).toBe(true);
    expect(serveLog.length).toBeGreaterThan(0);

    // The search itself must work: planting the password in a copy is found.
    const planted = Buffer.concat([haystacks[0].bytes, Buffer.from(Buffer.from(PASSWORD).toString('base64'))]);
    expect(needles().some((n) => planted.includes(n.bytes))).toBe(true);

    const leaks = haystacks.flatMap((h) => needles().filter((n) => h.bytes.includes(n.bytes)).map((n) => `${h.name}: ${n.name}`));
    expect(leaks).toEqual([]);
  });
});
