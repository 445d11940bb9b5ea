// Bench: first scan of a 20,000-message INBOX with 2 % bounces against a local Dovecot (cold: a
// fresh database and a mailbox Dovecot has not indexed yet; warm: the same again with a fresh
// database), then the time from APPEND of a new bounce to its row in the database (IDLE).
// The mailbox is filled by writing Maildir files directly: 20,000 APPENDs would measure the filling.
import { chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDovecot } from '../tests/support/servers/dovecot';
import { addImapAccount, testContext, testDb, uniqueCopy, waitFor } from '../tests/engine/bounces/helpers';
import { createWatcher } from '../src/main/engine/bounces/watch';
import { createBouncesRepo } from '../src/main/engine/store/bounces';

const TOTAL = 20_000;
const BOUNCE_EVERY = 50; // 2 %

async function main(): Promise<void> {
  const dovecot = await startDovecot();
  try {
    dovecot.addUser('bench', 'pw-bench');
    const maildir = dovecot.maildir('bench');
    for (const sub of ['', 'cur', 'new', 'tmp']) {
      mkdirSync(join(maildir, sub), { recursive: true });
      chownSync(join(maildir, sub), 8, 8);
    }
    const t0 = Date.now();
    const now = Math.floor(Date.now() / 1000);
    for (let i = 0; i < TOTAL; i++) {
      const raw =
        i % BOUNCE_EVERY === 0
          ? uniqueCopy('0004.eml', `bench-${i}`)
          : Buffer.from(`From: Person ${i} <p${i}@example.test>\r\nTo: bench@example.test\r\nSubject: message ${i}\r\nMessage-ID: <m${i}@example.test>\r\nDate: ${new Date().toUTCString()}\r\n\r\n${'Some ordinary text. '.repeat(40)}\r\n`);
      const file = join(maildir, 'cur', `${now - (TOTAL - i)}.M${i}P1.bench:2,`);
      writeFileSync(file, raw);
      chownSync(file, 8, 8);
    }
    process.stdout.write(`filled ${TOTAL} messages (${TOTAL / BOUNCE_EVERY} bounces) in ${Date.now() - t0} ms\n`);

    for (const label of ['cold', 'warm']) {
      const { db, path } = testDb();
      const ctx = testContext(db, path);
      const accountId = await addImapAccount(ctx, dovecot, 'bench', 'pw-bench');
      const t = performance.now();
      const res = await createWatcher(ctx, { indexSent: false }).syncOnce(accountId, { since: new Date(Date.now() - 365 * 86400_000) });
      const ms = performance.now() - t;
      process.stdout.write(`first scan (${label}): ${ms.toFixed(0)} ms — ${res.folders[0].scanned} looked at, ${res.folders[0].candidates} candidates, ${res.stored} stored (goal ≤ ${label === 'cold' ? 4000 : 2000} ms)\n`);
      db.close();
    }

    const { db, path } = testDb();
    const ctx = testContext(db, path);
    const accountId = await addImapAccount(ctx, dovecot, 'bench', 'pw-bench');
    const watcher = createWatcher(ctx, { indexSent: false });
    await watcher.start();
    const bounces = createBouncesRepo(db);
    await waitFor(() => watcher.connected().length === 1 && bounces.countForAccount(accountId) >= TOTAL / BOUNCE_EVERY, 60_000, 'initial sync');
    await new Promise((r) => setTimeout(r, 500));
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) {
      const before = bounces.countForAccount(accountId);
      const t = performance.now();
      await dovecot.appendMessage('bench', 'INBOX', uniqueCopy('0004.eml', `idle-${i}`));
      await waitFor(() => bounces.countForAccount(accountId) > before, 10_000, 'pushed bounce');
      samples.push(performance.now() - t);
    }
    await watcher.stop();
    db.close();
    samples.sort((a, b) => a - b);
    process.stdout.write(`new bounce in the database after APPEND (IDLE): median ${samples[2].toFixed(0)} ms, max ${samples[4].toFixed(0)} ms (goal ≤ 1000 ms)\n`);
  } finally {
    await dovecot.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`${String(err)}\n`);
  process.exitCode = 1;
});
