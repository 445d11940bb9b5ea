// Load run: 100,000 messages into the local relay (20 connections from another thread) while the
// real scheduler sends them to a local SMTP sink that throttles bursts (421 4.7.0 / 450 4.7.1),
// inside the account's quota windows. Time runs through an accelerated clock (1 real second = 1
// simulated minute) so a per-minute and a per-hour cap really bind within one run.
//
// Afterwards every message the relay confirmed must be delivered exactly once (counted by
// Message-ID at the sink) or be accounted for as a failure in the database; the run exits 1
// otherwise. Memory (RSS, heap) is sampled throughout. Prints the figures.
//
//   npm run bench:load                      100,000 messages (about 40 minutes here: throttling and the caps bind)
//   BENCH_SMOKE=1 npm run bench:load        2,000 messages (CI)
//   npm run bench:load -- --messages N --connections C --speed S
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { SMTPServer } from 'smtp-server';
import { MemorySecretStore } from '../src/main/engine/accounts/secrets';
import { createAccountsService } from '../src/main/engine/accounts/service';
import { createEngine } from '../src/main/engine/index';
import type { Clock, TimerHandle } from '../src/main/engine/ports';
import { createQueueRepo } from '../src/main/engine/store/messages';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const SMOKE = process.env.BENCH_SMOKE === '1';
const MESSAGES = arg('messages', SMOKE ? 2_000 : 100_000);
const CONNECTIONS = arg('connections', 20);
/** simulated milliseconds per real millisecond */
const SPEED = arg('speed', 60);
/** the sink refuses once it has accepted this many in the last real second */
const BURST_PER_SECOND = arg('burst', 90);
// At ×60 these are 100 per real second and 5,000 per real minute (83/s): the hour window binds a
// full run, the minute window binds bursts — close to what the sender manages on this machine.
const PER_MINUTE = arg('per-minute', 100);
const PER_HOUR = arg('per-hour', 5_000);
const DEADLINE_S = SMOKE ? 120 : 3_600;

/** Wall-clock time sped up: quota windows and backoff pass SPEED times faster than real time. */
class FastClock implements Clock {
  private readonly realStart = performance.now();
  constructor(private readonly simStart: number, private readonly speed: number) {}
  now(): number {
    return Math.floor(this.simStart + (performance.now() - this.realStart) * this.speed);
  }
  setTimer(at: number, fn: () => void): TimerHandle {
    const h = setTimeout(fn, Math.max(0, (at - this.now()) / this.speed));
    return { cancel: () => clearTimeout(h) };
  }
}

const CLIENT = `
const { workerData, parentPort } = require('node:worker_threads');
const SMTPConnection = require(${JSON.stringify(require.resolve('nodemailer/lib/smtp-connection'))});
const { port, user, pass, messages, connections } = workerData;
const latencies = new Float64Array(messages);
let next = 0, confirmed = 0, refused = 0;
const body = 'Load test line, long enough to look like a short newsletter paragraph of text.\\r\\n'.repeat(16);
function message(n) {
  return Buffer.from('From: load@example.test\\r\\nTo: r' + (n % 500) + '@example.test\\r\\nSubject: load ' + n +
    '\\r\\nMessage-ID: <load-' + n + '@example.test>\\r\\nMIME-Version: 1.0\\r\\nContent-Type: text/plain\\r\\n\\r\\n' + body);
}
async function one() {
  const c = new SMTPConnection({ host: '127.0.0.1', port, ignoreTLS: true, socketTimeout: 120000 });
  await new Promise((res, rej) => c.connect((e) => (e ? rej(e) : res())));
  await new Promise((res, rej) => c.login({ user, pass }, (e) => (e ? rej(e) : res())));
  while (next < messages) {
    const n = next++;
    const started = process.hrtime.bigint();
    const ok = await new Promise((res) => c.send({ from: 'load@example.test', to: ['r' + (n % 500) + '@example.test'] }, message(n), (e) => res(!e)));
    latencies[n] = Number(process.hrtime.bigint() - started) / 1e6;
    if (ok) confirmed++; else refused++;
    if (n % 1000 === 0) parentPort.postMessage({ progress: n });
  }
  c.quit();
}
Promise.all(Array.from({ length: connections }, one)).then(
  () => parentPort.postMessage({ done: true, latencies: Array.from(latencies), confirmed, refused }),
  (e) => parentPort.postMessage({ error: String(e && e.stack || e) }),
);
`;

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}
const mb = (n: number) => (n / 1024 / 1024).toFixed(1);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(process.env.OUTBOX_BENCH_TMP ?? tmpdir(), 'bench-load-'));
  // Deliveries counted by message number (the client writes Message-ID <load-N@example.test>) in a
  // fixed-size array, so the bench's own bookkeeping stays flat. A Map keyed by the regex match
  // held ~1.2 KB per message: the match is a slice of the header text and keeps all of it alive.
  const received = new Uint8Array(MESSAGES);
  const numberOf = (mid: string): number => {
    const n = Number(/^<load-(\d+)@example\.test>$/.exec(mid)?.[1] ?? -1);
    return n >= 0 && n < MESSAGES ? n : -1;
  };
  let distinct = 0;
  let unknownIds = 0;
  let duplicates = 0;
  let throttledReplies = 0;
  let firstSink = 0;
  let lastSink = 0;
  const recent: number[] = [];
  const burstFull = () => {
    const now = performance.now();
    while (recent.length && recent[0]! < now - 1000) recent.shift();
    return recent.length >= BURST_PER_SECOND;
  };
  let flip = 0;
  const refusal = (code: number, text: string) => Object.assign(new Error(text), { responseCode: code });
  const sink = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false, closeTimeout: 500,
    onAuth: (_a, _s, cb) => cb(null, { user: 'x' }),
    onMailFrom(_addr, _s, cb) {
      if (burstFull() && flip++ % 2 === 0) {
        throttledReplies++;
        return cb(refusal(421, 'Try again later, closing connection.'));
      }
      cb();
    },
    onRcptTo(addr, _s, cb) {
      if (burstFull()) {
        throttledReplies++;
        return cb(refusal(450, `<${addr.address}>: Recipient address rejected: too much mail from 127.0.0.1`));
      }
      cb();
    },
    onData(stream, _s, cb) {
      let head = '';
      stream.on('data', (c: Buffer) => {
        if (head.length < 2048) head += c.toString('latin1');
      });
      stream.on('end', () => {
        const n = numberOf(/^message-id:\s*(\S+)/im.exec(head)?.[1] ?? '');
        if (n < 0) unknownIds++;
        else {
          if (received[n]! > 0) duplicates++;
          else distinct++;
          received[n] = Math.min(255, received[n]! + 1);
        }
        const t = performance.now();
        recent.push(t);
        firstSink ||= t;
        lastSink = t;
        cb(null, 'queued');
      });
    },
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
  const sinkPort = (sink.server.address() as { port: number }).port;

  const clock = new FastClock(Date.UTC(2026, 10, 28, 9, 0, 0), SPEED);
  const engine = createEngine({ dbPath: join(dir, 'outbox.db'), secrets: new MemorySecretStore(), clock, intakePort: 0, watch: false });
  await createAccountsService(engine).add({
    name: 'load', provider: 'generic', email: 'load@example.test', password: 'x',
    smtp: { host: '127.0.0.1', port: sinkPort, tls: 'none' }, imap: null,
    limits: [
      { window: 'minute', max: PER_MINUTE, mode: 'rolling', counts: 'messages' },
      { window: 'hour', max: PER_HOUR, mode: 'rolling', counts: 'messages' },
    ],
  });
  await engine.start();
  const relay = await engine.relayInfo();

  // memory, sampled through the whole run
  const samples: { rss: number; heap: number }[] = [];
  const sample = () => {
    const m = process.memoryUsage();
    samples.push({ rss: m.rss, heap: m.heapUsed });
  };
  sample();
  const sampler = setInterval(sample, 250);

  const t0 = performance.now();
  let intakeSeconds = 0;
  const client = new Promise<{ latencies: number[]; confirmed: number; refused: number }>((resolve, reject) => {
    const worker = new Worker(CLIENT, { eval: true, workerData: { port: relay.port, user: relay.user, pass: relay.password, messages: MESSAGES, connections: CONNECTIONS } });
    worker.on('message', (m: { progress?: number; done?: boolean; error?: string; latencies?: number[]; confirmed?: number; refused?: number }) => {
      if (m.error) reject(new Error(m.error));
      if (m.done) {
        intakeSeconds = (performance.now() - t0) / 1000;
        resolve({ latencies: m.latencies!, confirmed: m.confirmed!, refused: m.refused! });
      }
    });
    worker.once('error', reject);
  });
  const result = await client;

  // wait until nothing is queued or being sent
  const queue = createQueueRepo(engine.db);
  for (;;) {
    const waiting = queue.idsInState('queued').length + queue.idsInState('sending').length;
    if (waiting === 0) break;
    if ((performance.now() - t0) / 1000 > DEADLINE_S) {
      process.stderr.write(`deadline: ${waiting} messages still waiting\n`);
      break;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const totalSeconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  sample();

  // --- accounting: every confirmed message delivered once, or a failure on record ---
  const db = engine.db;
  const rows = db.prepare('SELECT message_id AS mid, state FROM messages').all() as { mid: string; state: string }[];
  const states: Record<string, number> = {};
  const problems: string[] = [];
  for (const r of rows) {
    states[r.state] = (states[r.state] ?? 0) + 1;
    const n = numberOf(r.mid);
    const got = n < 0 ? 0 : received[n]!;
    if (r.state === 'sent' && got !== 1) problems.push(`${r.mid}: sent but received ${got} times`);
    if (r.state !== 'sent' && got !== 0) problems.push(`${r.mid}: ${r.state} but received ${got} times`);
  }
  const unaccounted = (db.prepare(`SELECT count(*) AS n FROM messages m WHERE m.state NOT IN ('sent')
    AND NOT EXISTS (SELECT 1 FROM failures f WHERE f.message_id = m.id AND f.resolved_at IS NULL)`).get() as { n: number }).n;
  if (unaccounted) problems.push(`${unaccounted} messages neither sent nor carrying an open failure`);
  if (rows.length !== result.confirmed) problems.push(`${result.confirmed} confirmed by the relay but ${rows.length} rows stored`);
  if (unknownIds) problems.push(`${unknownIds} messages without a known Message-ID reached the sink`);
  const attempts = db.prepare('SELECT outcome, count(*) AS n FROM attempts GROUP BY outcome').all() as { outcome: string; n: number }[];
  const failedAttempts = attempts.find((a) => a.outcome === 'failed')?.n ?? 0;
  const categories = db.prepare("SELECT category, count(*) AS n FROM attempts WHERE outcome != 'sent' GROUP BY category").all() as { category: string; n: number }[];
  const learned = (db.prepare("SELECT limits_json FROM accounts WHERE name = 'load'").get() as { limits_json: string }).limits_json;

  await engine.stop();
  await new Promise<void>((r) => sink.close(() => r()));

  const lat = result.latencies.filter((x) => x > 0).sort((a, b) => a - b);
  const rss = samples.map((s) => s.rss);
  const heap = samples.map((s) => s.heap);
  const tenth = Math.max(1, Math.floor(samples.length / 10));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const sendSeconds = Math.max(0.001, (lastSink - firstSink) / 1000);
  const sentCount = states.sent ?? 0;
  const fmt = (n: number) => n.toFixed(1);

  process.stdout.write(
    [
      `load: ${MESSAGES} messages over ${CONNECTIONS} relay connections; quota ${PER_MINUTE}/min and ${PER_HOUR}/h (clock ×${SPEED}); sink throttles above ${BURST_PER_SECOND}/s`,
      `  in:  ${result.confirmed} confirmed (250), ${result.refused} refused; ${fmt(result.confirmed / intakeSeconds)} msg/s over ${fmt(intakeSeconds)} s`,
      `       intake latency p50 ${fmt(pct(lat, 50))} ms, p99 ${fmt(pct(lat, 99))} ms, max ${fmt(lat[lat.length - 1] ?? NaN)} ms`,
      `  out: ${sentCount} delivered, ${fmt(distinct / sendSeconds)} msg/s over ${fmt(sendSeconds)} s at the sink; total run ${fmt(totalSeconds)} s`,
      `       retries (failed attempts) ${failedAttempts}; sink throttling replies ${throttledReplies}; by category ${categories.map((c) => `${c.category ?? 'none'} ${c.n}`).join(', ') || 'none'}`,
      `       final states ${Object.entries(states).map(([k, v]) => `${k} ${v}`).join(', ')}; duplicates at the sink ${duplicates}`,
      `       account limits after the run ${learned}`,
      `  memory: RSS min ${mb(Math.min(...rss))} MB, max ${mb(Math.max(...rss))} MB; heap min ${mb(Math.min(...heap))} MB, max ${mb(Math.max(...heap))} MB`,
      `          heap median first tenth ${mb(median(heap.slice(0, tenth)))} MB → last tenth ${mb(median(heap.slice(-tenth)))} MB; RSS ${mb(median(rss.slice(0, tenth)))} → ${mb(median(rss.slice(-tenth)))} MB (${samples.length} samples)`,
      problems.length ? `  ACCOUNTING FAILED (${problems.length}):\n    ${problems.slice(0, 20).join('\n    ')}` : '  accounting: every confirmed message delivered exactly once or recorded as a failure',
      '',
    ].join('\n'),
  );
  rmSync(dir, { recursive: true, force: true });
  // idle SMTP sessions and the client thread would keep the process alive for a while
  process.exit(problems.length ? 1 : 0);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
