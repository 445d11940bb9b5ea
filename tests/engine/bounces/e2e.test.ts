// End to end with nobody pressing anything: a program hands a message to the local intake, the
// engine's scheduler sends it through a real Postfix (AUTH on submission), Postfix accepts the
// unknown recipient and bounces it a moment later, the real DSN lands in the sender's INBOX in a
// real Dovecot, and the watcher, idling on that INBOX, records a recipient_unknown failure linked
// to the stored message by its Message-ID. The password reaches both servers through an `env:`
// reference of the headless secret store: nothing is stored.
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotServer } from '../../support/servers/dovecot';
import { startPostfix, type PostfixServer } from '../../support/servers/postfix';
import { createEngine, type Engine } from '../../../src/main/engine/index';
import { createHeadlessSecretStore } from '../../../src/main/engine/accounts/secrets';
import { createBouncesRepo } from '../../../src/main/engine/store/bounces';
import { createMessagesRepo } from '../../../src/main/engine/store/messages';
import { createSyncStateRepo } from '../../../src/main/engine/store/sync-state';
import { tempDir } from '../outbox/support/context';
import { waitFor } from './helpers';

const ENV_PASSWORD = 'OUTBOX_E2E_BOUNCE_PASSWORD';

describe('a send to an unknown recipient becomes a linked recipient_unknown failure on its own', () => {
  let dovecot: DovecotServer;
  let postfix: PostfixServer;
  let engine: Engine;
  let alice: string;

  beforeAll(async () => {
    dovecot = await startDovecot();
    // users first: Postfix reads the mailbox table when it starts
    alice = dovecot.addUser('alice', 'alice-e2e-pass');
    postfix = await startPostfix({ dovecot, tls: 'none' }).catch(async (e) => {
      await dovecot.stop();
      throw e;
    });
    process.env[ENV_PASSWORD] = 'alice-e2e-pass';
    const dbPath = join(tempDir('bounces-e2e-'), 'outbox.db');
    engine = createEngine({ dbPath, secrets: createHeadlessSecretStore(dbPath), intakePort: 0 });
    await engine.start();
  }, 60_000);

  afterAll(async () => {
    await engine?.stop();
    await postfix?.stop();
    await dovecot?.stop();
    delete process.env[ENV_PASSWORD];
  });

  it('intake → scheduler → Postfix → DSN in Dovecot → IDLE → failure linked by Message-ID', async () => {
    const account = await engine.accounts.add({
      name: 'alice',
      provider: 'generic',
      email: alice,
      username: alice,
      secretRef: `env:${ENV_PASSWORD}`,
      smtp: { host: '127.0.0.1', port: postfix.port, tls: 'none' },
      imap: { host: '127.0.0.1', port: dovecot.imapPort, tls: 'none' },
    });
    // the watcher has looked at the INBOX once (and is idling) before anything is sent, so the
    // report below can only come to it by push
    const syncState = createSyncStateRepo(engine.db);
    await waitFor(() => syncState.get(account.id, 'INBOX')?.uidvalidity, 15_000, 'the first sync of the INBOX');
    expect(createBouncesRepo(engine.db).countForAccount(account.id)).toBe(0);

    const unknown = `nobody-${Date.now()}@${dovecot.domain}`;
    const messageId = `<e2e-${Date.now()}@example.test>`;
    const relay = await engine.relayInfo();
    const transport = nodemailer.createTransport({
      host: relay.host, port: relay.port, secure: false, ignoreTLS: true, auth: { user: relay.user, pass: relay.password },
    });
    try {
      await transport.sendMail({
        envelope: { from: alice, to: [unknown] },
        raw: [
          `From: Alice <${alice}>`,
          `To: ${unknown}`,
          'Subject: quarterly figures',
          `Message-ID: ${messageId}`,
          `Date: ${new Date().toUTCString()}`,
          'MIME-Version: 1.0',
          'Content-Type: text/plain; charset=utf-8',
          '',
          'The figures you asked for.',
          '',
        ].join('\r\n'),
      });
    } finally {
      transport.close();
    }

    const messages = createMessagesRepo(engine.db);
    const stored = await waitFor(() => messages.findByMessageId(messageId), 10_000, 'the intake to store the message');
    expect(stored.account_id).toBe(account.id);

    // Postfix said 250 (the recipient is only found unknown at delivery), so the send succeeded …
    await waitFor(() => messages.get(stored.id)?.state === 'sent', 30_000, 'the scheduler to send it');
    await postfix.waitForLog(/status=bounced/, 15_000);

    // … and the failure arrives with the report
    const failures = () =>
      engine.db
        .prepare('SELECT id, message_id, recipient, category, kind, source, bounce_id FROM failures WHERE account_id = ?')
        .all(account.id) as { id: number; message_id: number | null; recipient: string; category: string; kind: string; source: string; bounce_id: number | null }[];
    const [failure] = await waitFor(() => (failures().length ? failures() : null), 20_000, 'the failure from the pushed DSN');
    expect(failures()).toHaveLength(1);
    expect(failure).toMatchObject({ message_id: stored.id, recipient: unknown, category: 'recipient_unknown', kind: 'permanent', source: 'bounce' });

    const bounce = createBouncesRepo(engine.db).get(failure.bounce_id!)!;
    expect(bounce.linked_message_id).toBe(stored.id);
    expect(bounce.link_method).toBe('message-id');
    expect(bounce.original_message_id).toBe(messageId);
    expect(bounce.folder).toBe('INBOX');
    expect(bounce.type).toBe('bounce');
    expect(messages.recipients(stored.id).find((r) => r.address === unknown)?.state).toBe('bounced');
  });
});
