// The bounce watcher against a real Dovecot: incremental sync, linking, idempotence,
// UIDVALIDITY changes, \Seen untouched, IDLE push, reconnect after a restart, bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotServer } from '../../support/servers/dovecot';
import { createWatcher } from '../../../src/main/engine/bounces/watch';
import { processedActionKey } from '../../../src/main/engine/bounces/watch/watcher';
import { createBouncesRepo } from '../../../src/main/engine/store/bounces';
import { createMessagesRepo } from '../../../src/main/engine/store/messages';
import { createSuppressionsRepo } from '../../../src/main/engine/store/suppressions';
import { createAccountsRepo } from '../../../src/main/engine/store/accounts';
import { createSettingsRepo } from '../../../src/main/engine/store/settings';
import { addImapAccount, fixture, testContext, testDb, uniqueCopy, waitFor } from './helpers';

let dovecot: DovecotServer;
beforeAll(async () => {
  dovecot = await startDovecot();
});
afterAll(async () => {
  await dovecot?.stop();
});

function failuresOf(db: ReturnType<typeof testDb>['db'], accountId: number) {
  return db
    .prepare('SELECT message_id, recipient, category, kind, bounce_id, resolved_at FROM failures WHERE account_id = ? ORDER BY id')
    .all(accountId) as { message_id: number | null; recipient: string | null; category: string; kind: string; bounce_id: number; resolved_at: number | null }[];
}

async function flagsOf(user: string, folder: string): Promise<Map<number, Set<string>>> {
  const client = await dovecot.connect(user);
  const out = new Map<number, Set<string>>();
  try {
    const lock = await client.getMailboxLock(folder, { readOnly: true });
    try {
      for await (const m of client.fetch('1:*', { uid: true, flags: true })) out.set(m.uid, m.flags ?? new Set());
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
  return out;
}

const NORMAL = 'From: Colleague <colleague@example.test>\r\nTo: a@example.test\r\nSubject: lunch?\r\nMessage-ID: <normal-1@example.test>\r\n\r\nSee you at noon.\r\n';

describe('first sync, linking and idempotence', () => {
  const user = 'link';
  const { db, path } = testDb();
  const ctx = testContext(db, path);
  let accountId: number;
  let linkedId: number;

  beforeAll(async () => {
    dovecot.addUser(user, 'pw-link');
    accountId = await addImapAccount(ctx, dovecot, user, 'pw-link');
    // the send that 0002.eml is about, as the outbox would have stored it
    linkedId = createMessagesRepo(db).insert({
      accountId, messageId: '<5bef54197003099438d2f5509afc38b7@example.net>', source: 'app', mailFrom: dovecot.address(user),
      recipients: ['kijitora@example.co.jp'], subject: 'hello', sizeBytes: 100, hasAttachments: false, raw: Buffer.from('x'),
      now: Date.now() - 3600_000, nextAttemptAt: null, dueReason: null, state: 'sent',
    });
    for (const f of ['0001.eml', '0002.eml', '0006.eml', '0011.eml']) await dovecot.appendMessage(user, 'INBOX', fixture(f));
    await dovecot.appendMessage(user, 'INBOX', NORMAL);
    // from the mailer-daemon, but nothing in it can be read as a report
    await dovecot.appendMessage(user, 'INBOX',
      'From: Mail Delivery System <MAILER-DAEMON@mx.example.test>\r\nSubject: Undelivered Mail Returned to Sender\r\nMessage-ID: <garbled-1@mx.example.test>\r\nContent-Type: multipart/report; report-type=delivery-status; boundary="never-closed"\r\n\r\n--never-closed\r\nContent-Type: message/delivery-status\r\n\r\n\x00\x01\x02 garbage\r\n');
  });
  afterAll(() => db.close());

  it('stores each report once, links by Message-ID, suppresses unknown addresses and never sets \\Seen', async () => {
    const watcher = createWatcher(ctx);
    const first = await watcher.syncOnce(accountId);
    const inbox = first.folders.find((f) => f.folder === 'INBOX')!;
    expect(inbox.scanned).toBe(6);
    expect(inbox.stored).toBe(5); // the ordinary message is not a report
    expect(inbox.byType).toMatchObject({ bounce: 2, complaint: 2, unknown: 1 });

    const bounces = createBouncesRepo(db).listForAccount(accountId);
    const suspended = bounces.find((b) => b.original_message_id === '<5bef54197003099438d2f5509afc38b7@example.net>')!;
    expect(suspended.linked_message_id).toBe(linkedId);
    expect(suspended.link_method).toBe('message-id');
    expect(bounces.find((b) => b.report_message_id === '<0000000000.0000000@example.com>')?.link_method).toBe('none');

    const failures = failuresOf(db, accountId);
    expect(failures.filter((f) => f.message_id === linkedId).map((f) => f.category)).toEqual(['recipient_suspended']);
    expect(failures.some((f) => f.category === 'unknown' && f.recipient === null)).toBe(true);
    expect(failures.filter((f) => f.category === 'complaint')).toEqual([]);
    expect(createMessagesRepo(db).recipients(linkedId)[0].state).toBe('bounced');
    const suppressions = createSuppressionsRepo(db);
    expect(suppressions.lookup('mikeneko@example.co.jp')).toBe('recipient_unknown');
    expect(suppressions.lookup('complaint@simulator.amazonses.com')).toBe('complaint');

    const flags = await flagsOf(user, 'INBOX');
    expect([...flags.values()].some((f) => f.has('\\Seen'))).toBe(false);

    // again, and from a new watcher (a restart): nothing new
    const failureCount = failures.length;
    const again = await watcher.syncOnce(accountId);
    expect(again.stored).toBe(0);
    const restarted = await createWatcher(ctx).syncOnce(accountId, { since: new Date(0) });
    expect(restarted.stored).toBe(0);
    expect(failuresOf(db, accountId)).toHaveLength(failureCount);
    expect(createBouncesRepo(db).countForAccount(accountId)).toBe(5);
  });

  it('a changed UIDVALIDITY rescans without duplicating anything', async () => {
    const before = createBouncesRepo(db).countForAccount(accountId);
    const failuresBefore = failuresOf(db, accountId).length;
    const raws = ['0004.eml', '0007.eml'].map((f) => fixture(f));
    for (const raw of raws) await dovecot.appendMessage(user, 'Bounces', raw);
    const acc = createAccountsRepo(db);
    acc.update(accountId, { watchFolders: ['INBOX', 'Bounces'] }, Date.now());
    const watcher = createWatcher(ctx);
    const first = await watcher.syncOnce(accountId);
    expect(first.folders.find((f) => f.folder === 'Bounces')!.stored).toBe(2);

    // delete and recreate the folder with the same reports: a new UIDVALIDITY
    const client = await dovecot.connect(user);
    await client.mailboxDelete('Bounces');
    await client.logout();
    for (const raw of raws) await dovecot.appendMessage(user, 'Bounces', raw);
    const second = await watcher.syncOnce(accountId);
    const folder = second.folders.find((f) => f.folder === 'Bounces')!;
    expect(folder.rescanned).toBe(true);
    expect(folder.candidates).toBe(2);
    expect(folder.stored).toBe(0);
    expect(createBouncesRepo(db).countForAccount(accountId)).toBe(before + 2);
    expect(failuresOf(db, accountId).length).toBe(failuresBefore + 4); // 0004: one recipient, 0007: three
  });
});

describe('Sent folder index, processed-report actions, and bad input', () => {
  const user = 'sent';
  const { db, path } = testDb();
  const ctx = testContext(db, path);
  let accountId: number;

  beforeAll(async () => {
    dovecot.addUser(user, 'pw-sent');
    accountId = await addImapAccount(ctx, dovecot, user, 'pw-sent');
  });
  afterAll(() => db.close());

  it('links a bounce for mail sent by another program through the Sent folder', async () => {
    // 0004.eml is about <19990429233445.000000@mx4.example.org>, which only the Sent folder knows
    await dovecot.appendMessage(user, 'Sent', 'From: sent@example.test\r\nTo: kijitora@neko.example.co.jp\r\nSubject: hi\r\nMessage-ID: <19990429233445.000000@mx4.example.org>\r\n\r\nhi\r\n', ['\\Seen']);
    await dovecot.appendMessage(user, 'INBOX', fixture('0004.eml'));
    const scan = await createWatcher(ctx).syncOnce(accountId);
    expect(scan.sentIndexed).toBe(1);
    const b = createBouncesRepo(db).listForAccount(accountId)[0];
    expect(b.link_method).toBe('sent-folder');
    expect(b.original_message_id).toBe('<19990429233445.000000@mx4.example.org>');
  });

  it('flags processed reports when asked, still without \\Seen', async () => {
    createSettingsRepo(db).set(processedActionKey(accountId), { action: 'flag' });
    const { uid } = await dovecot.appendMessage(user, 'INBOX', fixture('0009.eml'));
    const scan = await createWatcher(ctx).syncOnce(accountId);
    expect(scan.stored).toBe(1);
    const flags = (await flagsOf(user, 'INBOX')).get(uid)!;
    expect(flags.has('\\Flagged')).toBe(true);
    expect(flags.has('\\Seen')).toBe(false);
  });

  it('moves processed reports when asked', async () => {
    createSettingsRepo(db).set(processedActionKey(accountId), { action: 'move', folder: 'Processed' });
    await dovecot.appendMessage(user, 'INBOX', fixture('0010.eml'));
    const scan = await createWatcher(ctx).syncOnce(accountId);
    expect(scan.stored).toBe(1);
    const moved = await flagsOf(user, 'Processed');
    expect(moved.size).toBe(1);
    createSettingsRepo(db).set(processedActionKey(accountId), { action: 'none' });
  });

  it('keeps a 50 MB report (first bytes only) and goes on with the next one', async () => {
    const big = Buffer.concat([
      Buffer.from('From: MAILER-DAEMON@mx.example.test\r\nSubject: Undelivered Mail Returned to Sender\r\nMessage-ID: <huge-1@mx.example.test>\r\nContent-Type: text/plain\r\n\r\n'),
      Buffer.alloc(50 * 1024 * 1024, 'x'),
    ]);
    await dovecot.appendMessage(user, 'INBOX', big);
    await dovecot.appendMessage(user, 'INBOX', uniqueCopy('0001.eml', 'after-huge'));
    const scan = await createWatcher(ctx, { maxFetchBytes: 256 * 1024 }).syncOnce(accountId);
    const inbox = scan.folders[0];
    expect(inbox.stored).toBe(2);
    const huge = createBouncesRepo(db).listForAccount(accountId).find((b) => b.report_message_id === null || b.size_bytes! > 50_000_000);
    expect(huge?.type).toBe('unknown');
    expect(huge?.size_bytes).toBeGreaterThan(50 * 1024 * 1024);
  });
});

describe('sign-in refused', () => {
  it('marks the account auth_failed with the server\'s words', async () => {
    const { db, path } = testDb();
    const ctx = testContext(db, path);
    dovecot.addUser('locked', 'right');
    const accountId = await addImapAccount(ctx, dovecot, 'locked', 'wrong');
    await expect(createWatcher(ctx).syncOnce(accountId)).rejects.toBeTruthy();
    const row = createAccountsRepo(db).get(accountId)!;
    expect(row.status).toBe('auth_failed');
    expect(row.status_detail).toMatch(/AUTHENTICATIONFAILED|Authentication failed/);
    db.close();
  });
});

describe('live watching', () => {
  it('stores a new report pushed by IDLE, and survives a Dovecot restart mid-sync with nothing lost or duplicated', async () => {
    const user = 'live';
    dovecot.addUser(user, 'pw-live');
    const { db, path } = testDb();
    const ctx = testContext(db, path);
    const accountId = await addImapAccount(ctx, dovecot, user, 'pw-live');
    const bounces = createBouncesRepo(db);
    const statuses: string[] = [];
    ctx.events.on('accounts/changed', () => statuses.push(createAccountsRepo(db).get(accountId)!.status));
    const watcher = createWatcher(ctx, { backoffBaseMs: 200, backoffMaxMs: 1000 });
    await watcher.start();
    try {
      await waitFor(() => watcher.connected().length === 1, 10_000, 'the watcher to connect');
      await dovecot.appendMessage(user, 'INBOX', uniqueCopy('0004.eml', 'idle-1'));
      await waitFor(() => bounces.countForAccount(accountId) === 1, 10_000, 'the pushed report');

      // many reports at once; restart the server as soon as the first of them is stored
      const N = 150;
      const client = await dovecot.connect(user);
      for (let i = 0; i < N; i++) await client.append('INBOX', uniqueCopy('0004.eml', `bulk-${i}`));
      await client.logout();
      await waitFor(() => bounces.countForAccount(accountId) > 1, 10_000, 'the bulk sync to start');
      const partial = bounces.countForAccount(accountId);
      await dovecot.restart();
      await waitFor(() => bounces.countForAccount(accountId) === N + 1, 20_000, 'all reports after the restart');
      expect(partial).toBeLessThan(N + 1);
      expect(statuses).toContain('offline');
      await waitFor(() => watcher.connected().length === 1, 10_000, 'the watcher to reconnect');
      expect(createAccountsRepo(db).get(accountId)!.status).toBe('ok');
      const failures = failuresOf(db, accountId);
      expect(failures).toHaveLength(N + 1);
      expect(new Set(failures.map((f) => f.bounce_id)).size).toBe(N + 1);
    } finally {
      await watcher.stop();
      db.close();
    }
  });
});
