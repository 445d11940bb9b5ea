// End to end on 127.0.0.1: a program hands mail to the real intake, the scheduler sends it with
// the real sender to a real SMTP server that answers 421 for a while. Time is a manual clock;
// the network I/O is real and each pass is awaited.
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemorySecretStore } from '../../../src/main/engine/accounts/secrets/memory';
import { createEngine, type Engine } from '../../../src/main/engine/index';
import { ManualClock } from '../../../src/main/engine/ports';
import { createAttemptsRepo } from '../../../src/main/engine/store/attempts';
import { createMessagesRepo, createQueueRepo } from '../../../src/main/engine/store/messages';
import { addTestAccount, rawMessage, storeMessage, tempDir } from '../outbox/support/context';
import { startProvider, type ScriptedProvider } from '../outbox/support/provider';
import { H, MIN } from './helpers';
import { createAccountsRepo } from '../../../src/main/engine/store/accounts';

const T0 = Date.UTC(2026, 10, 30, 8, 0, 0);
const COUNT = 30;

describe('retries through the real intake and sender', () => {
  let provider: ScriptedProvider;
  let engine: Engine;
  const clock = new ManualClock(T0);

  beforeAll(async () => {
    provider = await startProvider();
    engine = createEngine({
      dbPath: join(tempDir('schedule-e2e-'), 'outbox.db'),
      secrets: new MemorySecretStore(),
      clock,
      intakePort: 0,
      watch: false,
      scheduleOptions: { random: () => 0.5, recheckMs: 0 },
    });
    await engine.start();
  });
  afterAll(async () => {
    await engine?.stop();
    await provider?.stop();
  });

  it('messages refused with 421 are retried, each delivered exactly once, none lost', async () => {
    await addTestAccount(engine, provider.port, { name: 'acme', email: 'sender@example.test' });
    provider.script.failAt = { stage: 'mail', reply: { code: 421, text: '421 4.7.0 Try again later, closing connection.' } };

    const relay = await engine.relayInfo();
    const transport = nodemailer.createTransport({
      host: relay.host, port: relay.port, secure: false, ignoreTLS: true, auth: { user: relay.user, pass: relay.password },
    });
    const ids: string[] = [];
    for (let i = 0; i < COUNT; i++) {
      const m = rawMessage({ subject: `hello ${i}`, to: [`rcpt${i}@example.test`] });
      ids.push(m.messageId);
      await transport.sendMail({ envelope: { from: 'sender@example.test', to: [`rcpt${i}@example.test`] }, raw: m.raw });
    }
    transport.close();
    const scheduler = engine.scheduler!;
    const messages = createMessagesRepo(engine.db);
    const queue = createQueueRepo(engine.db);
    expect(queue.idsInState('queued')).toHaveLength(COUNT);

    // The provider refuses for ten minutes, then accepts.
    const healAt = T0 + 10 * MIN;
    for (let guard = 0; guard < 500; guard++) {
      if (clock.now() >= healAt) provider.script.failAt = null;
      await scheduler.runDueNow();
      const next = clock.nextTimerAt();
      if (next === null || next > T0 + 3 * 60 * MIN) break;
      clock.advanceTo(next);
    }

    // every message the intake accepted went out exactly once
    for (const id of ids) expect(provider.received.get(id)).toBe(1);
    expect(provider.received.size).toBe(COUNT);
    const rows = queue.idsInState('queued').length + queue.idsInState('held').length + queue.idsInState('sending').length;
    expect(rows).toBe(0);
    const all = ids.map((mid) => messages.findByMessageId(mid)!);
    expect(all.every((m) => m.state === 'sent')).toBe(true);

    // the refusals were recorded and classified as temporary, and retried with backoff
    const attempts = all.flatMap((m) => createAttemptsRepo(engine.db).listForMessage(m.id));
    const failed = attempts.filter((a) => a.outcome === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((a) => a.reply_code === 421 && a.kind === 'temporary')).toBe(true);
    expect(attempts.filter((a) => a.outcome === 'sent')).toHaveLength(COUNT);
    // the account waited as a whole: a handful of probes, not one refusal per message per minute
    expect(failed.length).toBeLessThan(10);
    expect(Math.max(...failed.map((a) => a.started_at))).toBeLessThan(healAt + 16 * MIN);
  });

  it('a rejected password holds the whole account; the reconnect flow releases it at the pace its window allows', async () => {
    const office = await startProvider({ password: 'changed-on-the-web' });
    try {
      const account = await addTestAccount(engine, office.port, { name: 'office', email: 'sender@example.test', password: 'secret' });
      createAccountsRepo(engine.db).setLimits(account.id, [{ window: 'hour', max: 4, mode: 'rolling', counts: 'messages' }], clock.now());
      const ids = Array.from({ length: 10 }, (_, i) => storeMessage(engine, account.id, { to: [`p${i}@example.test`] }));
      engine.events.emit('queue/changed', { accountId: account.id });
      const scheduler = engine.scheduler!;
      const messages = createMessagesRepo(engine.db);
      await scheduler.runDueNow();

      expect(ids.map((id) => messages.get(id)!.state)).toEqual(ids.map(() => 'held'));
      expect(ids.every((id) => messages.get(id)!.hold_category === 'auth_failed')).toBe(true);
      expect(createAccountsRepo(engine.db).get(account.id)!.status).toBe('auth_failed');
      expect(office.received.size).toBe(0);

      // the user types the new password: the reconnect tests the login and releases the holds
      const result = await engine.accounts.reconnect(account.id, { password: 'changed-on-the-web' });
      expect(result).toMatchObject({ ok: true, released: 10 });
      const t1 = clock.now();
      for (let guard = 0; guard < 200; guard++) {
        await scheduler.runDueNow();
        const next = clock.nextTimerAt();
        if (next === null || next > t1 + 4 * H) break;
        clock.advanceTo(next);
      }
      const sentAt = ids.map((id) => messages.get(id)!).map((m) => [m.state, m.sent_at]);
      expect(sentAt.every(([state]) => state === 'sent')).toBe(true);
      const hours = sentAt.map(([, at]) => Math.round(((at as number) - t1) / H));
      expect(hours.sort()).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2]);
      expect([...office.received.values()]).toEqual(ids.map(() => 1));
    } finally {
      await office.stop();
    }
  });
});
