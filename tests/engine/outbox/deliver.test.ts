import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deliverMessage } from '../../../src/main/engine/outbox/send/deliver';
import { createAttemptsRepo } from '../../../src/main/engine/store/attempts';
import { createFailuresRepo } from '../../../src/main/engine/store/failures';
import { createMessagesRepo } from '../../../src/main/engine/store/messages';
import { createSuppressionsRepo } from '../../../src/main/engine/store/suppressions';
import { createAccountsRepo } from '../../../src/main/engine/store/accounts';
import { addTestAccount, makeContext, rawMessage, storeMessage } from './support/context';
import { startProvider, type ScriptedProvider, type Stage } from './support/provider';

interface Fixture {
  id: string;
  provider: string;
  stage: string;
  code: number | null;
  enhanced: string | null;
  text: string;
  errorCode: string | null;
  category: string;
  accept?: string[];
  via: string;
}

const fixtures: Fixture[] = readFileSync(new URL('../../fixtures/provider-replies.public.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as Fixture);

const STAGES: Stage[] = ['connect', 'auth', 'mail', 'rcpt', 'data'];
/** Real replies an SMTP server gives inside the sender's own session, with a reply code to send. */
const sessionReplies = fixtures.filter((f) => f.via === 'smtp' && STAGES.includes(f.stage as Stage) && f.code !== null && !f.errorCode);
// The account's provider id as our presets name it (the classifier knows both spellings).
const presetOf = (p: string) => (p === 'gmail' ? 'gmail' : p === 'm365' ? 'm365' : p === 'outlook' ? 'outlook' : p === 'yahoo' ? 'yahoo' : p === 'zoho' ? 'zoho' : 'generic');

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

describe('deliverMessage against scripted providers', () => {
  let provider: ScriptedProvider;
  const contexts: { close(): void }[] = [];
  beforeAll(async () => {
    provider = await startProvider();
  });
  afterAll(async () => {
    await provider.stop();
  });
  afterEach(() => {
    provider.script.failAt = null;
    provider.script.rejectRecipients = {};
    provider.script.dropMidData = false;
    contexts.splice(0).forEach((c) => c.close());
  });

  it('has real replies for Gmail, Microsoft 365 and generic servers at every stage', () => {
    const providers = new Set(sessionReplies.map((f) => f.provider));
    expect(providers).toContain('gmail');
    expect(providers).toContain('m365');
    expect(new Set(sessionReplies.map((f) => f.stage))).toEqual(new Set(STAGES));
  });

  it.each(sessionReplies.map((f) => [f.id, f] as const))('records and classifies %s', async (_id, f) => {
    const ctx = makeContext();
    contexts.push(ctx);
    const account = await addTestAccount(ctx, provider.port, { provider: presetOf(f.provider) });
    // the classifier also keys on the remote provider name (e.g. "ses", "titan")
    createAccountsRepo(ctx.db).update(account.id, { provider: f.provider }, ctx.clock.now());
    const id = storeMessage(ctx, account.id);
    provider.script.failAt = { stage: f.stage as Stage, reply: { code: f.code!, text: f.text } };

    const outcome = await deliverMessage(ctx, id);

    expect(outcome.outcome).toBe('failed');
    const [attempt] = createAttemptsRepo(ctx.db).listForMessage(id);
    expect(attempt.id).toBe(outcome.attemptId);
    expect(attempt.stage).toBe(f.stage);
    expect(attempt.reply_code).toBe(f.code);
    if (f.enhanced && f.text.includes(f.enhanced)) expect(attempt.enhanced).toBe(f.enhanced);
    expect(squash(attempt.reply_text ?? '').replace(/^(\d{3})[ -]/, '')).toBe(squash(f.text).replace(/^(\d{3})[ -]/, ''));
    const allowed = [f.category, ...(f.accept ?? [])];
    expect(allowed).toContain(attempt.category);
    expect(outcome.failure?.category).toBe(attempt.category);
    const failures = createFailuresRepo(ctx.db).openForMessage(id);
    expect(failures).toHaveLength(1);
    expect(failures[0].category).toBe(attempt.category);
    expect(failures[0].recipient).toBe(f.stage === 'rcpt' ? 'rcpt@example.test' : null);
    expect(provider.received.size).toBe(0);
  });

  it('sends the stored bytes unchanged and records a 250', async () => {
    const ctx = makeContext();
    contexts.push(ctx);
    const account = await addTestAccount(ctx, provider.port);
    const { raw, messageId } = rawMessage({ body: 'Bytes\r\n.leading dot\r\nend' });
    const id = storeMessage(ctx, account.id, { raw, messageId });
    const before = provider.messages.length;
    const outcome = await deliverMessage(ctx, id);
    expect(outcome).toMatchObject({ outcome: 'sent', acceptedCount: 1, failure: null, recipientFailures: [] });
    const got = provider.messages[before];
    expect(got.raw.toString('utf8').replace(/\r\n$/, '')).toBe(raw.toString('utf8').replace(/\r\n$/, ''));
    const [attempt] = createAttemptsRepo(ctx.db).listForMessage(id);
    expect(attempt).toMatchObject({ outcome: 'sent', stage: 'data', reply_code: 250, accepted_count: 1, size_bytes: raw.length });
    expect(createMessagesRepo(ctx.db).get(id)?.sent_at).not.toBeNull();
  });

  it('partial success: sent, with one failure for the rejected recipient only', async () => {
    const ctx = makeContext();
    contexts.push(ctx);
    const account = await addTestAccount(ctx, provider.port);
    provider.script.rejectRecipients = {
      'nobody@example.test': { code: 550, text: '550 5.1.1 <nobody@example.test>: Recipient address rejected: User unknown in virtual mailbox table' },
    };
    const id = storeMessage(ctx, account.id, { to: ['good@example.test', 'nobody@example.test'] });
    const outcome = await deliverMessage(ctx, id);
    expect(outcome.outcome).toBe('partial');
    expect(outcome.acceptedCount).toBe(1);
    expect(outcome.failure).toBeNull();
    expect(outcome.recipientFailures.map((f) => [f.address, f.classification.category])).toEqual([['nobody@example.test', 'recipient_unknown']]);
    const failures = createFailuresRepo(ctx.db).openForMessage(id);
    expect(failures.map((f) => f.recipient)).toEqual(['nobody@example.test']);
    const states = Object.fromEntries(createMessagesRepo(ctx.db).recipients(id).map((r) => [r.address, r.state]));
    expect(states).toEqual({ 'good@example.test': 'accepted', 'nobody@example.test': 'rejected' });
    const [attempt] = createAttemptsRepo(ctx.db).listForMessage(id);
    expect(JSON.parse(attempt.accepted_json)).toEqual(['good@example.test']);
    expect(JSON.parse(attempt.rejected_json)).toEqual(['nobody@example.test']);
    // a permanently unknown address goes on the suppression list
    expect(createSuppressionsRepo(ctx.db).lookup('nobody@example.test')).toBe('recipient_unknown');
  });

  it('a provider that drops the connection mid-DATA gives provider_outage, and a retry does not duplicate the message row', async () => {
    const ctx = makeContext();
    contexts.push(ctx);
    const account = await addTestAccount(ctx, provider.port);
    const id = storeMessage(ctx, account.id);
    provider.script.dropMidData = true;
    const first = await deliverMessage(ctx, id);
    expect(first.outcome).toBe('failed');
    expect(first.failure?.category).toBe('provider_outage');
    const [attempt] = createAttemptsRepo(ctx.db).listForMessage(id);
    expect(attempt.stage).toBe('data');
    expect(attempt.error_code).toMatch(/^E/);
    provider.script.dropMidData = false;
    const second = await deliverMessage(ctx, id);
    expect(second.outcome).toBe('sent');
    const count = ctx.db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number };
    expect(count.n).toBe(1);
    expect(createAttemptsRepo(ctx.db).listForMessage(id).map((a) => a.outcome)).toEqual(['failed', 'sent']);
  });

  it('does not send a message known to be over the size limit', async () => {
    const ctx = makeContext();
    contexts.push(ctx);
    const account = await addTestAccount(ctx, provider.port, { maxMessageBytes: 100 });
    const id = storeMessage(ctx, account.id);
    const before = provider.connections;
    const outcome = await deliverMessage(ctx, id);
    expect(outcome.failure).toMatchObject({ category: 'message_too_large', rule: 'local/size-limit' });
    expect(provider.connections).toBe(before);
    expect(createFailuresRepo(ctx.db).openForMessage(id)).toHaveLength(1);
  });

  it('holds a message to a suppressed recipient unless forced', async () => {
    const ctx = makeContext();
    contexts.push(ctx);
    const account = await addTestAccount(ctx, provider.port);
    createSuppressionsRepo(ctx.db).add('gone@example.test', 'recipient_unknown', ctx.clock.now());
    const id = storeMessage(ctx, account.id, { to: ['gone@example.test'] });
    const before = provider.messages.length;
    const held = await deliverMessage(ctx, id);
    expect(held.outcome).toBe('failed');
    expect(held.recipientFailures[0]).toMatchObject({ address: 'gone@example.test', classification: { rule: 'local/suppressed' } });
    expect(provider.messages.length).toBe(before);
    const forced = await deliverMessage(ctx, id, { force: true });
    expect(forced.outcome).toBe('sent');
    expect(provider.messages.length).toBe(before + 1);
  });

  it('a wrong password is auth_failed at the auth stage and marks the account', async () => {
    const ctx = makeContext();
    contexts.push(ctx);
    const account = await addTestAccount(ctx, provider.port, { password: 'wrong' });
    const id = storeMessage(ctx, account.id);
    const outcome = await deliverMessage(ctx, id);
    expect(outcome.failure?.category).toBe('auth_failed');
    expect(createAttemptsRepo(ctx.db).listForMessage(id)[0]).toMatchObject({ stage: 'auth', reply_code: 535 });
    expect(createAccountsRepo(ctx.db).get(account.id)?.status).toBe('auth_failed');
  });
});
