// Bench: first scan of a 20,000-message INBOX with 2 % bounces against a local Dovecot (cold: a
// fresh database and a mailbox Dovecot has not indexed yet; warm: the same again with a fresh
// database), then the time from APPEND of a new bounce to its row in the database (IDLE).
// The mailbox is filled by writing Maildir files directly: 20,000 APPENDs would measure the filling.
// Each cold run gets its own never-opened mailbox; medians of BENCH_RUNS runs (default 3) are
// printed with the load average, since other work on the machine moves these figures.
// BENCH_SMOKE=1: 2,000 messages, one run, to check the script itself.
import { chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { startDovecot } from '../tests/support/servers/dovecot';
import { addImapAccount, testContext, testDb, uniqueCopy, waitFor } from '../tests/engine/bounces/helpers';
import { createWatcher } from '../src/main/engine/bounces/watch';
import { createBouncesRepo } from '../src/main/engine/store/bounces';

const SMOKE = !!process.env.BENCH_SMOKE;
const TOTAL = SMOKE ? 2_000 : 20_000;
const BOUNCE_EVERY = 50; // 2 %
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? (SMOKE ? 1 : 3)));
const IDLE_SAMPLES = SMOKE ? 3 : 7;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const load = () => loadavg().map((n) => n.toFixed(2)).join(' ');

function fill(dovecot: Awaited<ReturnType<typeof startDovecot>>, user: string): void {
  dovecot.addUser(user, `pw-${user}`);
  const maildir = dovecot.maildir(user);
  for (const sub of ['', 'cur', 'new', 'tmp']) {
    mkdirSync(join(maildir, sub), { recursive: true });
    chownSync(join(maildir, sub), 8, 8);
  }
  const now = Math.floor(Date.now() / 1000);
  for (let i = 0; i < TOTAL; i++) {
    const raw =
      i % BOUNCE_EVERY === 0
        ? uniqueCopy('0004.eml', `${user}-${i}`)
        : Buffer.from(`From: Person ${i} <p${i}@example.test>\r\nTo: ${user}@example.test\r\nSubject: message ${i}\r\nMessage-ID: <m${i}@example.test>\r\nDate: ${new Date().toUTCString()}\r\n\r\n${'Some ordinary text. '.repeat(40)}\r\n`);
    const file = join(maildir, 'cur', `${now - (TOTAL - i)}.M${i}P1.${user}:2,`);
    writeFileSync(file, raw);
    chownSync(file, 8, 8);
  }
}

async function main(): Promise<void> {
  const dovecot = await startDovecot();
  try {
    const users = Array.from({ length: RUNS }, (_, i) => `bench${i}`);
    const t0 = Date.now();
    for (const user of users) fill(dovecot, user);
    process.stdout.write(`filled ${RUNS} mailbox(es) of ${TOTAL} messages (${TOTAL / BOUNCE_EVERY} bounces each) in ${Date.now() - t0} ms; load ${load()}\n`);

    const since = new Date(Date.now() - 365 * 86400_000);
    const scanOnce = async (user: string) => {
      const { db, path } = testDb();
      const ctx = testContext(db, path);
      const accountId = await addImapAccount(ctx, dovecot, user, `pw-${user}`);
      const t = performance.now();
      const res = await createWatcher(ctx, { indexSent: false }).syncOnce(accountId, { since });
      const ms = performance.now() - t;
      db.close();
      const f = res.folders[0];
      if (res.stored !== TOTAL / BOUNCE_EVERY) throw new Error(`stored ${res.stored} reports, expected ${TOTAL / BOUNCE_EVERY}`);
      return { ms, note: `${f.scanned} looked at${f.searched ? ' (server SEARCH)' : ''}, ${f.candidates} candidates, ${res.stored} stored` };
    };
    const report = (label: string, goal: number, runs: { ms: number; note: string }[]) =>
      process.stdout.write(
        `first scan (${label}): median ${median(runs.map((r) => r.ms)).toFixed(0)} ms of ${runs.length} [${runs.map((r) => r.ms.toFixed(0)).join(', ')}] — ${runs[0].note} (goal ≤ ${goal} ms); load ${load()}\n`,
      );
    const cold = [];
    for (const user of users) cold.push(await scanOnce(user));
    report('cold', 4000, cold);
    const warm = [];
    for (let i = 0; i < RUNS; i++) warm.push(await scanOnce(users[0]));
    report('warm', 2000, warm);

    const { db, path } = testDb();
    const ctx = testContext(db, path);
    const accountId = await addImapAccount(ctx, dovecot, users[0], `pw-${users[0]}`);
    const watcher = createWatcher(ctx, { indexSent: false });
    await watcher.start();
    const bounces = createBouncesRepo(db);
    await waitFor(() => watcher.connected().length === 1 && bounces.countForAccount(accountId) >= TOTAL / BOUNCE_EVERY, 60_000, 'initial sync');
    await new Promise((r) => setTimeout(r, 500));
    const samples: number[] = [];
    for (let i = 0; i < IDLE_SAMPLES; i++) {
      const before = bounces.countForAccount(accountId);
      const t = performance.now();
      await dovecot.appendMessage(users[0], 'INBOX', uniqueCopy('0004.eml', `idle-${i}`));
      await waitFor(() => bounces.countForAccount(accountId) > before, 10_000, 'pushed bounce');
      samples.push(performance.now() - t);
    }
    await watcher.stop();
    db.close();
    process.stdout.write(`new bounce in the database after APPEND (IDLE): median ${median(samples).toFixed(0)} ms, max ${Math.max(...samples).toFixed(0)} ms of ${samples.length} (goal ≤ 1000 ms); load ${load()}\n`);
  } finally {
    await dovecot.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`${String(err)}\n`);
  process.exitCode = 1;
});
