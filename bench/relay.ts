// Relay benchmark: 10,000 messages of 20 KB over 20 parallel connections into the intake, each
// committed to disk (WAL, synchronous=FULL, group commit) before its 250; then the scheduler
// sends them all to a local counting SMTP sink. Prints figures; asserts nothing.
//   npm run bench:relay  [-- --messages N --connections C --size BYTES --client raw|nodemailer --no-send]
//   BENCH_SMOKE=1: 1,000 messages, to check the script itself.
// The load comes from bench/relay-client.cjs (one write per message, pipelined MAIL/RCPT/DATA);
// `--client nodemailer` uses nodemailer's SMTP client instead, as runs before 2026-11-28 did.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { SMTPServer } from 'smtp-server';
import { createEngine } from '../src/main/engine/index';
import { MemorySecretStore } from '../src/main/engine/accounts/secrets';
import { createAccountsService } from '../src/main/engine/accounts/service';
import { intakeCredentials } from '../src/main/engine/outbox/intake/credentials';
import { startIntake } from '../src/main/engine/outbox/intake/server';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const MESSAGES = arg('messages', process.env.BENCH_SMOKE ? 1_000 : 10_000);
const CONNECTIONS = arg('connections', 20);
const SIZE = arg('size', 20 * 1024);
/** `--no-send` measures the intake alone (the send phase takes minutes). */
const SEND = !process.argv.includes('--no-send');
const CLIENT_KIND = process.argv.includes('--client') ? process.argv[process.argv.indexOf('--client') + 1] : 'raw';
if (CLIENT_KIND !== 'raw' && CLIENT_KIND !== 'nodemailer') throw new Error(`--client raw|nodemailer, not ${CLIENT_KIND}`);

function message(n: number): Buffer {
  const head = `From: bench@example.test\r\nTo: sink${n % 50}@example.test\r\nSubject: bench ${n}\r\nMessage-ID: <bench-${n}@example.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n`;
  const line = 'The quick brown fox jumps over the lazy dog, again and again and again.\r\n';
  return Buffer.from(head + line.repeat(Math.ceil((SIZE - head.length) / line.length)).slice(0, SIZE - head.length));
}

// nodemailer's client (`--client nodemailer`); its latency is MAIL FROM → 250 like the raw one's total.
const NODEMAILER_CLIENT = `
const { workerData, parentPort } = require('node:worker_threads');
const SMTPConnection = require(${JSON.stringify(require.resolve('nodemailer/lib/smtp-connection'))});
const { port, user, pass, messages, connections, bodies } = workerData;
const latencies = [];
let next = 0;
async function one() {
  const c = new SMTPConnection({ host: '127.0.0.1', port, ignoreTLS: true });
  await new Promise((res, rej) => c.connect((e) => (e ? rej(e) : res())));
  await new Promise((res, rej) => c.login({ user, pass }, (e) => (e ? rej(e) : res())));
  while (next < messages) {
    const n = next++;
    const started = process.hrtime.bigint();
    await new Promise((res, rej) => c.send({ from: 'bench@example.test', to: ['sink' + (n % 50) + '@example.test'] }, Buffer.from(bodies[n % bodies.length]), (e) => (e ? rej(e) : res())));
    latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  c.quit();
}
Promise.all(Array.from({ length: connections }, one)).then(() => parentPort.postMessage({ total: latencies, dataEnd: [] }), (e) => { throw e; });
`;

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(process.env.OUTBOX_BENCH_TMP ?? tmpdir(), 'bench-relay-'));
  // the sink: a provider that accepts everything and counts
  let sunk = 0;
  const sink = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onAuth: (_a, _s, cb) => cb(null, { user: 'x' }),
    onData(stream, _s, cb) {
      stream.on('data', () => {});
      stream.on('end', () => { sunk++; cb(); });
    },
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
  const sinkPort = (sink.server.address() as { port: number }).port;

  const engine = createEngine({ dbPath: join(dir, 'outbox.db'), secrets: new MemorySecretStore(), intake: false, watch: false, schedule: false });
  await createAccountsService(engine).add({
    name: 'bench', provider: 'generic', email: 'bench@example.test', password: 'x',
    smtp: { host: '127.0.0.1', port: sinkPort, tls: 'none' }, imap: null,
  });
  const intake = await startIntake(engine, { port: 0 });
  const creds = await intakeCredentials(engine);
  const bodies = Array.from({ length: 64 }, (_, i) => message(i));

  // --- intake ---
  // The load comes from a worker thread, as it would from another program: the client's own
  // SMTP work must not share the intake's event loop.
  // The WAL file never shrinks while the engine runs: its size is the most it held at once.
  const walSize = () => {
    try {
      return statSync(join(dir, 'outbox.db-wal')).size;
    } catch {
      return 0;
    }
  };
  const t0 = process.hrtime.bigint();
  const { total: latencies, dataEnd } = await new Promise<{ total: number[]; dataEnd: number[] }>((resolve, reject) => {
    const worker = new Worker(CLIENT_KIND === 'raw' ? join(__dirname, 'relay-client.cjs') : NODEMAILER_CLIENT, {
      eval: CLIENT_KIND !== 'raw',
      workerData: { port: intake.port, user: creds.user, pass: creds.password, messages: MESSAGES, connections: CONNECTIONS, bodies },
    });
    worker.once('message', (m: { total: number[]; dataEnd: number[] }) => resolve(m));
    worker.once('error', reject);
  });
  const intakeSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const walBytes = walSize();
  await intake.stop();
  latencies.sort((a, b) => a - b);
  dataEnd.sort((a, b) => a - b);
  const stored = (engine.db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;

  // --- sending: the real scheduler to the sink ---
  await engine.stop();
  const sender = createEngine({ dbPath: join(dir, 'outbox.db'), secrets: new MemorySecretStore(), intake: false, watch: false });
  await sender.secrets.set(
    (sender.db.prepare("SELECT secret_ref FROM accounts WHERE name = 'bench'").get() as { secret_ref: string }).secret_ref,
    'x',
  );
  const t1 = process.hrtime.bigint();
  await sender.start();
  while (SEND && sunk < stored) {
    await sender.scheduler?.runDueNow();
    if (sunk < stored) await new Promise((r) => setTimeout(r, 20));
    if (Number(process.hrtime.bigint() - t1) / 1e9 > 600) break;
  }
  const sendSeconds = Number(process.hrtime.bigint() - t1) / 1e9;
  await sender.stop();
  await new Promise<void>((r) => sink.close(() => r()));

  const fmt = (n: number) => n.toFixed(1);
  process.stdout.write(
    [
      `relay intake: ${MESSAGES} messages × ${SIZE} bytes over ${CONNECTIONS} connections, durable before 250 (client: ${CLIENT_KIND})`,
      `  stored ${stored}, ${fmt(MESSAGES / intakeSeconds)} msg/s (${fmt(intakeSeconds)} s)`,
      `  latency per message (MAIL FROM → 250): p50 ${fmt(pct(latencies, 50))} ms, p99 ${fmt(pct(latencies, 99))} ms, max ${fmt(latencies[latencies.length - 1])} ms`,
      ...(dataEnd.length ? [`  end of DATA → 250: p50 ${fmt(pct(dataEnd, 50))} ms, p99 ${fmt(pct(dataEnd, 99))} ms`] : []),
      `  WAL file at its largest: ${fmt(walBytes / 1024 / 1024)} MB`,
      SEND ? `send to a local sink (scheduler + nodemailer): ${sunk} messages, ${fmt(sunk / sendSeconds)} msg/s (${fmt(sendSeconds)} s)` : 'send: skipped (--no-send)',
      '',
    ].join('\n'),
  );
  rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
