// npm run bench:schedule — the scheduler's decisions against a large queue in SQLite.
// 100,000 waiting messages over 20 accounts (and a 10,000 run for comparison), a day of send
// history per account so the quota windows have real work to do. Prints:
//  - pick: the time to find the earliest moment any account may send (every account's head
//    message, its account-wide waits, its quota windows and pace) — what each re-arm costs;
//  - gate: the same for one account's head (one decision);
//  - recompute after a quota change: an account's limits edited, then the re-arm;
//  - a send cycle: claim → (instant sender) → decide → row update, per message, durable writes included;
//  - memory of the scheduler process with 10,000 and with 100,000 waiting messages.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { QuotaLimit } from '../src/shared/model';
import { EngineEvents } from '../src/main/engine/events';
import type { EngineContext } from '../src/main/engine/index';
import { ManualClock, silentLogger } from '../src/main/engine/ports';
import { createScheduler } from '../src/main/engine/schedule';
import type { DeliveryOutcome } from '../src/main/engine/schedule/decide';
import { createAccountsRepo } from '../src/main/engine/store/accounts';
import { createAttemptsRepo } from '../src/main/engine/store/attempts';
import { openDatabase, transaction, type Db } from '../src/main/engine/store/db';
import { createMessagesRepo } from '../src/main/engine/store/messages';

const H = 3_600_000;
const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const ACCOUNTS = 20;
const SENDS = 2_000;

function limitsFor(i: number): QuotaLimit[] {
  switch (i % 4) {
    case 0: return [{ window: 'hour', max: 75, mode: 'rolling', counts: 'messages' }, { window: 'day', max: 300, mode: 'rolling', counts: 'messages' }];
    case 1: return [{ window: 'day', max: 2000, mode: 'rolling', counts: 'messages' }, { window: 'day', max: 10000, mode: 'rolling', counts: 'recipients' }];
    case 2: return [{ window: 'minute', max: 30, mode: 'rolling', counts: 'messages' }, { window: 'day', max: 10000, mode: 'rolling', counts: 'recipients' }];
    default: return [{ window: 'day', max: 5000, mode: 'fixed', resetTz: 'America/New_York', counts: 'messages' }];
  }
}

function seed(db: Db, waiting: number): number[] {
  const accounts = createAccountsRepo(db);
  const messages = createMessagesRepo(db);
  const attempts = createAttemptsRepo(db);
  const raw = Buffer.alloc(2_000, 'x');
  const ids: number[] = [];
  transaction(db, () => {
    for (let a = 0; a < ACCOUNTS; a++) {
      ids.push(accounts.insert({
        name: `account${a}`, provider: 'generic', email: `a${a}@example.com`, authType: 'password', username: null, secretRef: null,
        smtp: { host: '127.0.0.1', port: 2525, tls: 'none' }, imap: null, insecureTls: false, maxMessageBytes: null, maxRecipients: null,
        limits: limitsFor(a), now: NOW - 2 * 24 * H,
      }));
    }
    // A day of history: the 75/300 accounts are full, the others part-used.
    for (let a = 0; a < ACCOUNTS; a++) {
      const sends = a % 4 === 0 ? 300 : 1500;
      const m = messages.insert({
        accountId: ids[a]!, messageId: `<h${a}@x>`, source: 'app', mailFrom: 'me@x', recipients: ['h@x'], subject: 'h', sizeBytes: 10,
        hasAttachments: false, raw, now: NOW - 24 * H, nextAttemptAt: null, dueReason: null, state: 'sent',
      });
      for (let s = 0; s < sends; s++) {
        const at = NOW - 23 * H + Math.floor((s * 22 * H) / sends);
        attempts.insert({
          messageId: m, accountId: ids[a]!, startedAt: at, finishedAt: at, outcome: 'sent', stage: 'data', replyCode: 250, enhanced: null,
          replyText: '250 ok', errorCode: null, accepted: s % 3 === 0 ? ['a@x', 'b@x'] : ['a@x'], rejected: [], sizeBytes: 10, serverSizeLimit: null,
          category: null, kind: null, rule: null,
        });
      }
    }
    for (let i = 0; i < waiting; i++) {
      const a = i % ACCOUNTS;
      messages.insert({
        accountId: ids[a]!, messageId: `<w${i}@x>`, source: 'intake', mailFrom: 'me@x', recipients: [`r${i}@example.org`], subject: `w${i}`,
        sizeBytes: raw.length, hasAttachments: false, raw, now: NOW - 60_000, nextAttemptAt: NOW - 60_000 + (i % 7) * 1000, dueReason: 'new',
      });
    }
  });
  return ids;
}

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return `p50 ${q(0.5).toFixed(3)} ms, p99 ${q(0.99).toFixed(3)} ms, max ${s[s.length - 1]!.toFixed(3)} ms`;
}

function time(n: number, fn: (i: number) => void): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    fn(i);
    out.push(performance.now() - t);
  }
  return out;
}

async function run(waiting: number): Promise<{ heapMb: number; rssMb: number }> {
  const dir = mkdtempSync(join(process.env.OUTBOX_TEST_TMP ?? tmpdir(), 'bench-schedule-'));
  const path = join(dir, 'outbox.db');
  const db = openDatabase(path);
  const t0 = performance.now();
  const ids = seed(db, waiting);
  const seedMs = performance.now() - t0;
  db.pragma('wal_checkpoint(TRUNCATE)');

  const clock = new ManualClock(NOW);
  const ctx: EngineContext = { db, dbPath: path, events: new EngineEvents(), clock, logger: silentLogger,
    secrets: { description: 'none', get: async () => null, set: async () => {}, delete: async () => {} } };
  const attempts = createAttemptsRepo(db);
  const messages = createMessagesRepo(db);
  // An instant sender that records an accepted attempt, as the real one does; it pauses
  // sending once the measured number of sends is reached.
  let delivered = 0;
  const deliver = async (c: EngineContext, id: number): Promise<DeliveryOutcome> => {
    if (++delivered === SENDS) sched.pause();
    const m = messages.get(id)!;
    const now = c.clock.now();
    const attemptId = attempts.insert({
      messageId: id, accountId: m.account_id, startedAt: now, finishedAt: now, outcome: 'sent', stage: 'data', replyCode: 250,
      enhanced: null, replyText: '250 ok', errorCode: null, accepted: JSON.parse(m.rcpt_json), rejected: [], sizeBytes: m.size_bytes,
      serverSizeLimit: null, category: null, kind: null, rule: null,
    });
    messages.noteAttempt(id, now, true);
    return { messageId: id, attemptId, outcome: 'sent', acceptedCount: 1, failure: null, recipientFailures: [] };
  };
  const sched = createScheduler(ctx, { deliver, recheckMs: 0, concurrency: 1 });
  sched.start();

  console.log(`\n${waiting.toLocaleString('en')} waiting messages over ${ACCOUNTS} accounts (seeded in ${(seedMs / 1000).toFixed(1)} s)`);
  // warm the statement cache
  for (let i = 0; i < 50; i++) sched.wake();
  const pick = time(2_000, () => sched.wake());
  console.log(`  pick the next due time over all ${ACCOUNTS} accounts (one re-arm):  ${stats(pick)}`);
  console.log(`    = per account decision (head + waits + windows + pace):      ${stats(pick.map((x) => x / ACCOUNTS))}`);
  const slot = time(2_000, (i) => sched.nextSlot(ids[i % ACCOUNTS]!, 1));
  console.log(`  one account's next slot ("slot N of CAP"):                      ${stats(slot)}`);

  const accounts = createAccountsRepo(db);
  let writeMs = 0;
  const recompute = time(500, (i) => {
    const a = ids[i % ACCOUNTS]!;
    const limits = limitsFor(i % ACCOUNTS).map((l) => ({ ...l, max: Math.max(1, l.max - (i % 17)) }));
    const w = performance.now();
    accounts.setLimits(a, limits, NOW);
    writeMs += performance.now() - w;
    sched.wake();
  });
  console.log(`  recompute after a quota change (limits written + re-arm):       ${stats(recompute)}`);
  console.log(`    of which the durable write of the limits (fsync):            mean ${(writeMs / 500).toFixed(3)} ms`);
  const rearm = time(500, (i) => {
    // what a change costs the scheduler itself: the cached accounts dropped, every account re-decided
    void i;
    sched.wake();
  });
  console.log(`    the re-arm alone (accounts reloaded, all heads re-decided):  ${stats(rearm)}`);

  // Send cycles: move time so every account has room, then let the scheduler work.
  clock.advanceTo(NOW + 25 * H);
  const before = performance.now();
  let sent = 0;
  const cycle: number[] = [];
  while (sent < SENDS) {
    const t = performance.now();
    const n = await sched.runDueNow();
    if (n === 0) {
      clock.advanceTo((clock.nextTimerAt() ?? clock.now()) + 1);
      continue;
    }
    cycle.push(performance.now() - t);
    sent += n;
  }
  sched.resume();
  const cycleMs = performance.now() - before;
  console.log(`  send cycle (claim, instant send, decide; 4 durable commits each): ${(cycleMs / sent).toFixed(2)} ms per message, ${sent} sends in ${(cycleMs / 1000).toFixed(2)} s`);

  const q = performance.now();
  const firstPage = sched.queue({ limit: 1_000 });
  console.log(`  queue listing, first 1,000 with projected slots:                ${(performance.now() - q).toFixed(1)} ms (${firstPage.length} rows)`);

  global.gc?.();
  const mem = process.memoryUsage();
  console.log(`  heap used with the scheduler running: ${(mem.heapUsed / 1048576).toFixed(1)} MB`);
  await sched.stop();
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return { heapMb: mem.heapUsed / 1048576, rssMb: mem.rss / 1048576 };
}

async function main() {
  const small = await run(10_000);
  const large = await run(100_000);
  console.log('\nmemory after the run (heap used / RSS; gc before measuring when --expose-gc):');
  console.log(`   10,000 waiting: heap ${small.heapMb.toFixed(1)} MB, rss ${small.rssMb.toFixed(1)} MB`);
  console.log(`  100,000 waiting: heap ${large.heapMb.toFixed(1)} MB, rss ${large.rssMb.toFixed(1)} MB`);
  console.log('  (the scheduler keeps nothing per waiting message; the rows stay in SQLite)');
}

if (!process.env.BENCH_NO_MAIN) void main();
export { seed, limitsFor, NOW };
