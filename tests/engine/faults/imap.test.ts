// The IMAP connection of the bounce watcher breaks at chosen points — right at the greeting, in
// the middle of a message literal, in a stalled header fetch, in the middle of the watcher's own
// command, and under an idle session — through a fault proxy in front of a real Dovecot. At each
// point: the account shows offline, the watcher reconnects (backoff shortened) and shows ok
// again, resumes from its watermark, and every bounce is stored once and linked to its send —
// nothing lost, nothing duplicated.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWatcher, type Watcher } from '../../../src/main/engine/bounces/watch';
import type { EngineContext } from '../../../src/main/engine/index';
import { createAccountsRepo } from '../../../src/main/engine/store/accounts';
import { createMessagesRepo } from '../../../src/main/engine/store/messages';
import type { Db } from '../../../src/main/engine/store/db';
import { startDovecot, type DovecotServer } from '../../support/servers/dovecot';
import { startFaultProxy, type Fault, type FaultProxy } from '../../support/faults/tcp-proxy';
import { testContext, testDb, waitFor } from '../bounces/helpers';

const PER_CASE = 3;

/** A Postfix-style DSN for one unknown recipient, about the stored send `<orig-TAG@example.test>`. */
function dsn(tag: string, to: string): Buffer {
  const rcpt = `gone-${tag}@example.test`;
  const padding = 'This report is padded so that its body literal is long enough to be cut in the middle.\r\n'.repeat(30);
  return Buffer.from(
    [
      'From: Mail Delivery System <MAILER-DAEMON@mx.example.test>',
      `To: ${to}`,
      'Subject: Undelivered Mail Returned to Sender',
      `Message-ID: <dsn-${tag}@mx.example.test>`,
      'Date: Mon, 30 Nov 2026 08:00:00 +0000',
      'Auto-Submitted: auto-replied',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="B-' + tag + '"',
      '',
      `--B-${tag}`,
      'Content-Type: text/plain; charset=us-ascii',
      '',
      'This is the mail system at host mx.example.test.',
      '',
      `<${rcpt}>: host mx.example.test said: 550 5.1.1 <${rcpt}>: Recipient address rejected: User unknown in virtual mailbox table`,
      '',
      padding,
      `--B-${tag}`,
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.example.test',
      '',
      `Final-Recipient: rfc822; ${rcpt}`,
      `Original-Recipient: rfc822; ${rcpt}`,
      'Action: failed',
      'Status: 5.1.1',
      `Diagnostic-Code: smtp; 550 5.1.1 <${rcpt}>: Recipient address rejected: User unknown in virtual mailbox table`,
      '',
      `--B-${tag}`,
      'Content-Type: text/rfc822-headers',
      '',
      `From: ${to}`,
      `To: ${rcpt}`,
      `Subject: hello ${tag}`,
      `Message-ID: <orig-${tag}@example.test>`,
      '',
      `--B-${tag}--`,
      '',
    ].join('\r\n'),
  );
}

describe('IMAP connection faults under the bounce watcher', () => {
  let dovecot: DovecotServer;
  let proxy: FaultProxy;
  let ctx: EngineContext;
  let db: Db;
  let watcher: Watcher;
  let accountId: number;
  const statuses: string[] = [];
  let sampler: NodeJS.Timeout;
  const sent: { tag: string; id: number }[] = [];
  const user = 'watcher';

  beforeAll(async () => {
    dovecot = await startDovecot();
    dovecot.addUser(user, 'watcher-pw');
    proxy = await startFaultProxy({ host: '127.0.0.1', port: dovecot.imapPort });
    const t = testDb();
    db = t.db;
    ctx = testContext(t.db, t.path);
    await ctx.secrets.set('test:watcher', 'watcher-pw');
    accountId = createAccountsRepo(db).insert({
      name: 'watched', provider: 'smtp', email: dovecot.address(user), authType: 'password', username: dovecot.address(user),
      secretRef: 'test:watcher', smtp: null, imap: { host: '127.0.0.1', port: proxy.port, tls: 'none' }, insecureTls: false,
      maxMessageBytes: null, maxRecipients: null, limits: [], watchFolders: ['INBOX'], now: Date.now(),
    });
    // the account's status line, as the window would see it change
    let last = '';
    sampler = setInterval(() => {
      const s = createAccountsRepo(db).get(accountId)?.status ?? '?';
      if (s !== last) statuses.push((last = s));
    }, 5);
    watcher = createWatcher(ctx, { backoffBaseMs: 100, backoffMaxMs: 1_000, indexSent: false, lookbackDays: 3650 });
  });
  afterAll(async () => {
    clearInterval(sampler);
    await watcher?.stop();
    await proxy?.stop();
    await dovecot?.stop();
    db?.close();
  });

  /** Stores the sends the bounces are about and puts the bounces in the INBOX. */
  async function bouncesFor(name: string): Promise<string[]> {
    const messages = createMessagesRepo(db);
    const tags: string[] = [];
    for (let i = 0; i < PER_CASE; i++) {
      const tag = `${name}-${i}`;
      const id = messages.insert({
        accountId, messageId: `<orig-${tag}@example.test>`, source: 'app', mailFrom: dovecot.address(user), recipients: [`gone-${tag}@example.test`],
        subject: `hello ${tag}`, sizeBytes: 100, hasAttachments: false, raw: Buffer.from(`Subject: hello ${tag}\r\n\r\nhi\r\n`), now: Date.now() - 60_000,
        nextAttemptAt: null, dueReason: null, state: 'sent',
      });
      sent.push({ tag, id });
      tags.push(tag);
      await dovecot.appendMessage(user, 'INBOX', dsn(tag, dovecot.address(user)));
    }
    return tags;
  }

  function bounceCount(): { rows: number; uniq: number } {
    return db.prepare('SELECT count(*) AS rows, count(DISTINCT uidvalidity || \':\' || uid) AS uniq FROM bounces WHERE account_id = ?').get(accountId) as { rows: number; uniq: number };
  }

  /** Every bounce so far stored once, and every send it is about carrying exactly one failure. */
  async function expectAllOnce(): Promise<void> {
    await waitFor(() => bounceCount().rows >= sent.length, 20_000, `${sent.length} bounces stored`);
    await new Promise((r) => setTimeout(r, 300)); // a duplicate would show up now
    const c = bounceCount();
    expect(c.rows).toBe(sent.length);
    expect(c.uniq).toBe(sent.length);
    for (const s of sent) {
      const failures = db.prepare('SELECT category, recipient FROM failures WHERE message_id = ? AND bounce_id IS NOT NULL').all(s.id) as { category: string; recipient: string }[];
      expect(failures, s.tag).toEqual([{ category: 'recipient_unknown', recipient: `gone-${s.tag}@example.test` }]);
    }
  }

  async function backOnline(): Promise<void> {
    await waitFor(() => watcher.connected().length === 1 && createAccountsRepo(db).get(accountId)?.status === 'ok', 20_000, 'the watcher connected again');
  }

  it('refused right at the greeting twice: offline, then connected, everything stored once', async () => {
    await bouncesFor('greeting');
    proxy.inject({ at: { match: /^\* OK/m, from: 'server' }, action: 'drop', connections: 2 });
    const firedBefore = proxy.fired.length;
    await watcher.start();
    await expectAllOnce();
    await backOnline();
    expect(proxy.fired.length - firedBefore).toBe(2);
    expect(statuses).toContain('offline');
    expect(statuses.at(-1)).toBe('ok');
  });

  const points: { name: string; fault: Fault }[] = [
    { name: 'dropped in the middle of a message literal (body fetch)', fault: { at: { match: /BODY\[\](<\d+>)? \{\d+\}\r\n/, from: 'server', cut: 'after', plus: 400 }, action: 'truncate' } },
    { name: 'header fetch stalled, then the connection dies', fault: { at: { match: /BODY\[HEADER\.FIELDS/, from: 'server' }, action: 'stall', stallMs: 400 } },
    { name: "the watcher's own FETCH command cut mid-line", fault: { at: { match: /UID FETCH/, from: 'client', cut: 'after', plus: 4 }, action: 'truncate' } },
    { name: 'reset just after login', fault: { at: { match: /^\S+ OK .*(Logged in|LOGIN)/im, from: 'server', cut: 'after' }, action: 'reset' } },
  ];

  for (const p of points) {
    it(`${p.name}: offline, reconnected, resumed, nothing lost or duplicated`, async () => {
      await backOnline();
      const mark = statuses.length;
      const firedBefore = proxy.fired.length;
      proxy.clear();
      proxy.inject(p.fault);
      // the session in use is cut (as a network blip would), so the next one meets the fault
      proxy.cutAll();
      await bouncesFor(p.name.split(' ')[0]!.replace(/\W/g, '') + proxy.fired.length);
      await expectAllOnce();
      await backOnline();
      expect(proxy.fired.length - firedBefore, 'the fault fired').toBe(1);
      expect(statuses.slice(mark)).toContain('offline');
      expect(statuses.at(-1)).toBe('ok');
    });
  }

  it('a bounce that arrives while idle after all of that still comes in once (IDLE push on the new session)', async () => {
    await backOnline();
    await bouncesFor('idle');
    await expectAllOnce();
  });
});
