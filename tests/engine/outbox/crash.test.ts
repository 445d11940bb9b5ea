// Crash safety of the local relay: `serve` is killed with SIGKILL while 1,000 messages stream
// in over several connections. After a restart, every message that got a 250 is in the
// database and reaches the provider exactly once. During the first run the provider takes the
// message data but never answers, so a send is in flight at the kill too (the restart must
// send it again, once).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { SMTPServer } from 'smtp-server';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/main/engine/store/db';
import { CLI, runCli } from '../../support/cli';
import { rawMessage, tempDir } from './support/context';

const TOTAL = 1000;
const CONNECTIONS = 5;
const KILL_AFTER = 400;

function startServe(db: string): { child: ChildProcess; ready: Promise<number>; output: () => string; exited: Promise<number | null> } {
  // Own process group: the launcher runs the CLI in a child, and SIGKILL must reach both.
  const child = spawn(process.execPath, [CLI, 'serve', '--db', db, '--relay-port', '0'], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const ready = new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /relay\.ready .*port=(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.stderr!.on('data', (d: Buffer) => (out += d));
    child.once('exit', () => reject(new Error(`serve exited early:\n${out}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, ready, output: () => out, exited };
}

describe('relay crash safety', () => {
  const dir = tempDir('crash-');
  const db = join(dir, 'outbox.db');
  const received = new Map<string, number>();
  let stall = true;
  const sink = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 200,
    onAuth: (_a, _s, cb) => cb(null, { user: 'sender' }),
    onData(stream, _session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (stall) return; // takes the bytes, never answers: the send stays in flight
        const id = /^message-id:\s*(\S+)/im.exec(Buffer.concat(chunks).toString('utf8'))?.[1] ?? '';
        received.set(id, (received.get(id) ?? 0) + 1);
        cb(null, 'Ok');
      });
    },
  });
  const children: ChildProcess[] = [];

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) process.kill(-c.pid!, 'SIGKILL');
    await new Promise<void>((r) => sink.close(() => r()));
  });

  it('loses nothing that got a 250 and delivers each message exactly once after a kill -9', async () => {
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
    const sinkPort = (sink.server.address() as { port: number }).port;
    const env = { SINK_PASSWORD: 'pw-crash-test' };
    const add = await runCli(['accounts', 'add', '--db', db, '--name', 'main', '--provider', 'generic', '--email', 'sender@example.test', '--smtp-host', '127.0.0.1', '--smtp-port', String(sinkPort), '--smtp-tls', 'none', '--password-env', 'SINK_PASSWORD'], { env });
    expect(add.code, add.stderr).toBe(0);
    const info = JSON.parse((await runCli(['relay', 'info', '--db', db, '--json'])).stdout);

    // --- run 1: stream, then SIGKILL mid-stream ---
    const first = startServe(db);
    children.push(first.child);
    const port = await first.ready;
    const acked: string[] = [];
    let next = 0;
    let killed = false;
    const ids = Array.from({ length: TOTAL }, () => rawMessage({ to: ['rcpt@example.test'] }));
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        const c = new SMTPConnection({ host: '127.0.0.1', port, ignoreTLS: true, socketTimeout: 10_000 });
        c.on('error', () => {});
        try {
          await new Promise<void>((res, rej) => c.connect((e) => (e ? rej(e) : res())));
          await new Promise<void>((res, rej) => c.login({ user: info.user, pass: info.password }, (e) => (e ? rej(e) : res())));
          while (next < TOTAL && !killed) {
            const m = ids[next++];
            await new Promise<void>((res, rej) => c.send({ from: 'sender@example.test', to: ['rcpt@example.test'] }, m.raw, (e) => (e ? rej(e) : res())));
            acked.push(m.messageId);
            if (acked.length === KILL_AFTER && !killed) {
              killed = true;
              process.kill(-first.child.pid!, 'SIGKILL');
            }
          }
        } catch {
          // the kill cuts connections mid-command: those messages never got a 250
        }
        c.close();
      }),
    );
    await first.exited;
    expect(killed).toBe(true);
    expect(acked.length).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(received.size).toBe(0);

    // Every acknowledged message is on disk, whatever the process was doing when it died.
    const reader = openDatabase(db, { readonly: true });
    const storedIds = new Set((reader.prepare('SELECT message_id FROM messages').all() as { message_id: string }[]).map((r) => r.message_id));
    reader.close();
    for (const id of acked) expect(storedIds.has(id), id).toBe(true);

    // --- run 2: the provider answers again; everything stored goes out once ---
    stall = false;
    const second = startServe(db);
    children.push(second.child);
    await second.ready;
    const deadline = Date.now() + 40_000;
    let states: Record<string, number> = {};
    while (Date.now() < deadline) {
      const r = openDatabase(db, { readonly: true });
      states = Object.fromEntries((r.prepare('SELECT state, count(*) AS n FROM messages GROUP BY state').all() as { state: string; n: number }[]).map((x) => [x.state, x.n]));
      r.close();
      if (Object.keys(states).length === 1 && states.sent === storedIds.size) break;
      await new Promise((res) => setTimeout(res, 250));
    }
    expect(states).toEqual({ sent: storedIds.size });
    for (const id of storedIds) expect(received.get(id), id).toBe(1);
    expect(received.size).toBe(storedIds.size);

    const check = openDatabase(db, { readonly: true });
    const rows = (check.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;
    check.close();
    expect(rows).toBe(storedIds.size);

    // clean shutdown on SIGTERM
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(second.output()).toMatch(/serve\.stopped/);
  }, 90_000);
});
