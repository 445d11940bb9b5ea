// The server-side candidate search against a real Dovecot: it finds every fixture the header
// check accepts and every fixture labelled a bounce, leaves ordinary mail out, and a sync that
// narrows by SEARCH stores exactly what a sync that reads every header stores, first and incremental.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotServer } from '../../support/servers/dovecot';
import { createWatcher } from '../../../src/main/engine/bounces/watch';
import { candidateQuery } from '../../../src/main/engine/bounces/watch/candidates';
import { lookAtHeaders } from '../../../src/main/engine/bounces/watch/sync';
import { createBouncesRepo } from '../../../src/main/engine/store/bounces';
import { addImapAccount, fixture, testContext, testDb } from './helpers';

const FIXTURES = join(process.cwd(), 'tests/fixtures/bounces');
const labels = readFileSync(join(FIXTURES, 'labels.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as { file: string; bounce: boolean });
const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.eml')).sort();

// ordinary mail, some of it close to the search words without being a report
const ORDINARY = [
  'From: Colleague <colleague@example.test>\r\nTo: a@example.test\r\nSubject: lunch?\r\nMessage-ID: <o1@example.test>\r\n\r\nNoon.\r\n',
  'From: Shop <orders@shop.example>\r\nTo: a@example.test\r\nSubject: Your order #1234\r\nMessage-ID: <o2@example.test>\r\nContent-Type: text/plain\r\n\r\nThanks.\r\n',
  'From: =?UTF-8?B?SsO8cmdlbg==?= <j@example.de>\r\nTo: a@example.test\r\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\nMessage-ID: <o3@example.test>\r\n\r\nHallo.\r\n',
  'From: Newsletter <news@list.example>\r\nTo: a@example.test\r\nSubject: This week in gardening\r\nMessage-ID: <o4@example.test>\r\nContent-Type: multipart/alternative; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nTomatoes.\r\n--x--\r\n',
];

let dovecot: DovecotServer;
const uidOf = new Map<string, number>();
const ordinaryUids: number[] = [];
const user = 'search';

beforeAll(async () => {
  dovecot = await startDovecot();
  dovecot.addUser(user, 'pw-search');
  const client = await dovecot.connect(user);
  try {
    for (const f of files) {
      const res = await client.append('INBOX', fixture(f));
      if (!res || !res.uid) throw new Error(`APPEND of ${f} gave no UID`);
      uidOf.set(f, res.uid);
    }
    for (const raw of ORDINARY) {
      const res = await client.append('INBOX', raw);
      if (!res || !res.uid) throw new Error('APPEND gave no UID');
      ordinaryUids.push(res.uid);
    }
  } finally {
    await client.logout();
  }
}, 60_000);
afterAll(async () => {
  await dovecot?.stop();
});

describe('candidate SEARCH', () => {
  it('finds every fixture the header check accepts and every labelled bounce, and no ordinary mail', async () => {
    const client = await dovecot.connect(user);
    try {
      const lock = await client.getMailboxLock('INBOX', { readOnly: true });
      try {
        const found = await client.search(candidateQuery('1:*', null), { uid: true });
        expect(Array.isArray(found)).toBe(true);
        const hits = new Set(found as number[]);
        const all = [...uidOf.values(), ...ordinaryUids];
        const accepted = (await lookAtHeaders(client, all)).filter((m) => m.candidate).map((m) => m.uid);
        const fileOf = new Map([...uidOf].map(([f, u]) => [u, f]));

        // the header check accepts most fixtures; the search must hold every one of them
        expect(accepted.length).toBeGreaterThan(files.length / 2);
        expect(accepted.filter((u) => !hits.has(u)).map((u) => fileOf.get(u) ?? `ordinary uid ${u}`)).toEqual([]);

        const bounces = labels.filter((l) => l.bounce).map((l) => l.file);
        expect(bounces.length).toBeGreaterThan(100);
        expect(bounces.filter((f) => !hits.has(uidOf.get(f)!))).toEqual([]);

        expect(ordinaryUids.filter((u) => hits.has(u))).toEqual([]);
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }
  });
});

describe('a sync narrowed by SEARCH', () => {
  it('stores the same reports as one that reads every header, on the first sync and on an incremental one', async () => {
    const since = new Date(Date.now() - 2 * 86400_000);
    const run = async (fullPassMax: number) => {
      const { db, path } = testDb();
      const ctx = testContext(db, path);
      const accountId = await addImapAccount(ctx, dovecot, user, 'pw-search');
      const watcher = createWatcher(ctx, { indexSent: false, fullPassMax });
      const first = await watcher.syncOnce(accountId, { since });
      return { db, accountId, watcher, first };
    };
    const searched = await run(0);
    const full = await run(Number.MAX_SAFE_INTEGER);
    try {
      const [s, f] = [searched.first.folders[0], full.first.folders[0]];
      expect(s.searched).toBe(true);
      expect(f.searched).toBe(false);
      expect(s.scanned).toBe(f.scanned);
      expect(s.candidates).toBe(f.candidates);
      expect(s.stored).toBe(f.stored);
      expect(s.stored).toBeGreaterThan(100);
      expect(s.byType).toEqual(f.byType);
      const uids = (db: typeof searched.db, id: number) => createBouncesRepo(db).listForAccount(id).map((b) => b.uid).sort((a, b) => a - b);
      expect(uids(searched.db, searched.accountId)).toEqual(uids(full.db, full.accountId));

      // new mail: a report and an ordinary message; the next sync of each kind finds just the report
      const added = await dovecot.appendMessage(user, 'INBOX', fixture('0004.eml').toString('latin1').replace(/^Message-Id:[^\r\n]*/im, 'Message-ID: <search-incremental@bounces.test>'));
      await dovecot.appendMessage(user, 'INBOX', ORDINARY[0].replace('<o1@', '<o1-again@'));
      for (const run of [searched, full]) {
        const next = (await run.watcher.syncOnce(run.accountId)).folders[0];
        expect(next.searched).toBe(run === searched);
        expect(next.scanned).toBe(2);
        expect(next.stored).toBe(1);
        expect(createBouncesRepo(run.db).listForAccount(run.accountId).some((b) => b.uid === added.uid)).toBe(true);
        const again = (await run.watcher.syncOnce(run.accountId)).folders[0];
        expect(again.scanned).toBe(0);
        expect(again.stored).toBe(0);
      }
    } finally {
      searched.db.close();
      full.db.close();
    }
  });
});

describe('servers that search whole words', () => {
  it('read every header themselves, whatever the threshold', async () => {
    // Gmail's and Exchange's SEARCH match words, not substrings: narrowing there could lose reports
    const { db, path } = testDb();
    try {
      const ctx = testContext(db, path);
      const accountId = await addImapAccount(ctx, dovecot, user, 'pw-search', { provider: 'gmail' });
      const scan = (await createWatcher(ctx, { indexSent: false, fullPassMax: 0 }).syncOnce(accountId, { since: new Date(Date.now() - 2 * 86400_000) })).folders[0];
      expect(scan.searched).toBe(false);
      expect(scan.scanned).toBeGreaterThan(files.length);
      expect(scan.stored).toBeGreaterThan(100);
    } finally {
      db.close();
    }
  });
});
