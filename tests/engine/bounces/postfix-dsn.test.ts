// Real DSNs from a real Postfix land in the sender's INBOX in Dovecot; the watcher turns them into
// failures linked to the stored send: unknown user after acceptance, then delay and expiry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { startMailServers } from '../../support/servers/postfix';
import { createWatcher } from '../../../src/main/engine/bounces/watch';
import { createBouncesRepo } from '../../../src/main/engine/store/bounces';
import { createMessagesRepo } from '../../../src/main/engine/store/messages';
import { addImapAccount, testContext, testDb, waitFor } from './helpers';

type Servers = Awaited<ReturnType<typeof startMailServers>>;
let servers: Servers;
beforeAll(async () => {
  servers = await startMailServers();
  servers.dovecot.addUser('sender', 'pw-sender');
});
afterAll(async () => {
  await servers?.stop();
});

async function sendAndStore(ctx: ReturnType<typeof testContext>, accountId: number, to: string, messageId: string, user = 'sender'): Promise<number> {
  const from = `${user}@example.test`;
  const raw = `From: ${from}\r\nTo: ${to}\r\nSubject: report test\r\nMessage-ID: ${messageId}\r\n\r\nhello\r\n`;
  const id = createMessagesRepo(ctx.db).insert({
    accountId, messageId, source: 'app', mailFrom: from, recipients: [to], subject: 'report test',
    sizeBytes: raw.length, hasAttachments: false, raw: Buffer.from(raw), now: Date.now(), nextAttemptAt: null, dueReason: null, state: 'sent',
  });
  const transport = nodemailer.createTransport({
    host: '127.0.0.1', port: servers.postfix.port, secure: false,
    auth: { user: from, pass: `pw-${user}` }, tls: { ca: servers.postfix.cert.cert },
  });
  const info = await transport.sendMail({ envelope: { from, to: [to] }, raw });
  expect(info.response).toMatch(/^250 /);
  return id;
}

function failuresFor(ctx: ReturnType<typeof testContext>, messageId: number) {
  return ctx.db.prepare('SELECT category, kind, status, recipient, resolved_at, resolution FROM failures WHERE message_id = ? ORDER BY id').all(messageId) as {
    category: string; kind: string; status: string | null; recipient: string; resolved_at: number | null; resolution: string | null;
  }[];
}

describe('real DSNs from Postfix', () => {
  it('an unknown user accepted then bounced becomes a recipient_unknown failure on the stored send, pushed by IDLE', async () => {
    const { db, path } = testDb();
    const ctx = testContext(db, path);
    const accountId = await addImapAccount(ctx, servers.dovecot, 'sender', 'pw-sender');
    const watcher = createWatcher(ctx);
    await watcher.start();
    try {
      await waitFor(() => watcher.connected().length === 1, 10_000, 'the watcher to connect');
      const id = await sendAndStore(ctx, accountId, 'nobody@example.test', '<unknown-user-1@outbox.test>');
      const failures = await waitFor(() => { const f = failuresFor(ctx, id); return f.length ? f : null; }, 15_000, 'the DSN');
      expect(failures).toEqual([expect.objectContaining({ category: 'recipient_unknown', kind: 'permanent', status: '5.1.1', recipient: 'nobody@example.test' })]);
      const bounce = createBouncesRepo(db).listForAccount(accountId)[0];
      expect(bounce.link_method).toBe('message-id');
      expect(bounce.linked_message_id).toBe(id);
    } finally {
      await watcher.stop();
      db.close();
    }
  });

  it('a next hop that is down gives a delay notice, then an expiry bounce that supersedes it', async () => {
    const { db, path } = testDb();
    const ctx = testContext(db, path);
    servers.dovecot.addUser('waiting', 'pw-waiting');
    const accountId = await addImapAccount(ctx, servers.dovecot, 'waiting', 'pw-waiting');
    const id = await sendAndStore(ctx, accountId, 'someone@down.test', '<down-host-1@outbox.test>', 'waiting');
    const watcher = createWatcher(ctx);
    // poll with one-shot scans: the delay notice comes after ~5 s, the final bounce after ~35 s
    let types: string[] = [];
    for (let i = 0; i < 60 && !types.includes('bounce'); i++) {
      await watcher.syncOnce(accountId, { since: new Date(Date.now() - 3600_000) });
      types = createBouncesRepo(db).listForAccount(accountId).map((b) => b.type);
      if (!types.includes('bounce')) await new Promise((r) => setTimeout(r, 1000));
    }
    expect(types).toEqual(['delay', 'bounce']);
    const failures = failuresFor(ctx, id);
    expect(failures).toHaveLength(2);
    expect(failures[0]).toMatchObject({ status: '4.4.1', resolution: 'superseded' });
    expect(failures[1]).toMatchObject({ status: '4.4.1', resolved_at: null });
    expect(failures[1].kind).not.toBe('none');
    db.close();
  }, 90_000);
});
