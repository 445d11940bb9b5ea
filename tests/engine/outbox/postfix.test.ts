// The sender against a real Postfix (Debian's package) delivering to a real Dovecot: the
// replies here are the ones a real server gives, not scripted ones.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostfix, type PostfixServer } from '../../support/servers/postfix';
import { startDovecot, type DovecotServer } from '../../support/servers/dovecot';
import { deliverMessage } from '../../../src/main/engine/outbox/send/deliver';
import { createAccountsService } from '../../../src/main/engine/accounts/service';
import { createAttemptsRepo } from '../../../src/main/engine/store/attempts';
import { createFailuresRepo } from '../../../src/main/engine/store/failures';
import { makeContext, rawMessage, storeMessage } from './support/context';

interface Servers {
  dovecot: DovecotServer;
  postfix: PostfixServer;
  stop(): Promise<void>;
}

describe('deliverMessage against real Postfix', () => {
  let servers: Servers;
  let ctx: ReturnType<typeof makeContext>;
  let accountId: number;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    const dovecot = await startDovecot();
    // users first: Postfix reads the mailbox table when it starts
    alice = dovecot.addUser('alice', 'alice-pass');
    bob = dovecot.addUser('bob', 'bob-pass');
    const postfix = await startPostfix({
      dovecot,
      messageSizeLimit: 20_000,
      messageRateLimit: 6,
      rejectUnknownAtRcpt: true,
      // A server that does not announce SIZE: the limit is only met after DATA (real 552).
      extraMain: 'smtpd_discard_ehlo_keywords = size',
    }).catch(async (e) => {
      await dovecot.stop();
      throw e;
    });
    servers = { dovecot, postfix, stop: async () => (await postfix.stop().catch(() => undefined), await dovecot.stop()) };
    ctx = makeContext({ clock: { now: () => Date.now(), setTimer: () => ({ cancel() {} }) } });
    const account = await createAccountsService(ctx).add({
      name: 'postfix',
      provider: 'generic',
      email: alice,
      username: alice,
      password: 'alice-pass',
      smtp: { host: '127.0.0.1', port: servers.postfix.port, tls: 'none' },
      imap: { host: '127.0.0.1', port: servers.dovecot.imapPort, tls: 'starttls' },
      insecureTls: true,
    });
    accountId = account.id;
  }, 60_000);

  afterAll(async () => {
    ctx?.close();
    await servers?.stop();
  });

  it('tests the connection: SMTP connect + AUTH, IMAP STARTTLS login + folder list', async () => {
    const steps = await createAccountsService(ctx).test(accountId);
    expect(steps.map((s) => [s.step, s.ok])).toEqual([
      ['smtp:connect', true],
      ['smtp:auth', true],
      ['imap:login', true],
      ['imap:list', true],
    ]);
    expect(steps.find((s) => s.step === 'imap:list')?.detail).toContain('INBOX');
  });

  it('partial success: one recipient unknown at RCPT (550 5.1.1), the other accepted', async () => {
    const id = storeMessage(ctx, accountId, { to: [bob, 'nobody@example.test'] });
    const outcome = await deliverMessage(ctx, id);
    expect(outcome.outcome).toBe('partial');
    expect(outcome.recipientFailures).toHaveLength(1);
    expect(outcome.recipientFailures[0]).toMatchObject({ address: 'nobody@example.test', classification: { category: 'recipient_unknown' } });
    expect(outcome.recipientFailures[0].classification.words).toMatch(/^550 5\.1\.1 <nobody@example\.test>: Recipient address rejected: User unknown/);
    const [attempt] = createAttemptsRepo(ctx.db).listForMessage(id);
    expect(attempt.reply_text).toMatch(/^250 2\.0\.0 Ok: queued as /);
    const failures = createFailuresRepo(ctx.db).openForMessage(id);
    expect(failures.map((f) => [f.recipient, f.category])).toEqual([['nobody@example.test', 'recipient_unknown']]);
  });

  it('an unknown user alone fails the message at RCPT', async () => {
    const id = storeMessage(ctx, accountId, { to: ['ghost@example.test'] });
    const outcome = await deliverMessage(ctx, id);
    expect(outcome.outcome).toBe('failed');
    expect(outcome.failure?.category).toBe('recipient_unknown');
    expect(createAttemptsRepo(ctx.db).listForMessage(id)[0]).toMatchObject({ stage: 'rcpt', reply_code: 550, enhanced: '5.1.1' });
  });

  it('over the size limit: Postfix answers 552 after DATA → message_too_large', async () => {
    const { raw, messageId } = rawMessage({ to: [bob], body: 'y'.repeat(30_000) });
    const id = storeMessage(ctx, accountId, { to: [bob], raw, messageId });
    const outcome = await deliverMessage(ctx, id);
    expect(outcome.failure?.category).toBe('message_too_large');
    const [attempt] = createAttemptsRepo(ctx.db).listForMessage(id);
    expect(attempt).toMatchObject({ stage: 'data', reply_code: 552, enhanced: '5.3.4' });
    expect(attempt.reply_text).toMatch(/message file too big/);
  });

  it('the message rate limit gives 450 4.7.1 → a temporary category', async () => {
    let seen: { category: string; code: number | null; text: string | null } | null = null;
    for (let i = 0; i < 10 && !seen; i++) {
      const id = storeMessage(ctx, accountId, { to: [bob] });
      const outcome = await deliverMessage(ctx, id);
      if (outcome.outcome === 'failed') {
        const [a] = createAttemptsRepo(ctx.db).listForMessage(id);
        seen = { category: outcome.failure!.category, code: a.reply_code, text: a.reply_text };
      }
    }
    expect(seen).not.toBeNull();
    expect(seen!.code).toBe(450);
    expect(seen!.text).toMatch(/4\.7\.1 Error: too much mail from 127\.0\.0\.1/);
    expect(['throttled', 'sending_limit']).toContain(seen!.category);
  });

  it('a wrong password gives 535 → auth_failed at the auth stage', async () => {
    await createAccountsService(ctx).update(accountId, { password: 'wrong-pass' });
    const id = storeMessage(ctx, accountId, { to: [bob] });
    const outcome = await deliverMessage(ctx, id);
    expect(outcome.failure?.category).toBe('auth_failed');
    const [attempt] = createAttemptsRepo(ctx.db).listForMessage(id);
    expect(attempt).toMatchObject({ stage: 'auth', reply_code: 535, enhanced: '5.7.8' });
  });
});
