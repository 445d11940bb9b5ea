// The provider's connection breaks at every point of an SMTP session — before the greeting,
// mid-reply, at MAIL, RCPT, DATA, in the middle of the body, while idle in the pool — through a
// fault proxy between the real sender and a real SMTP server that counts what it accepted by
// Message-ID. Mail comes in through the real relay; the real scheduler retries it (time is a
// manual clock; the network and the client timeouts are real, shortened).
//
// At each point: the broken attempt is recorded and classified provider_outage (temporary), the
// message is retried, every message reaches the server exactly once, and the database holds one
// row per message, all sent. The one point where SMTP itself cannot promise "once" — the
// server's final 250 lost after it took the message — is shown as what it is: the row stays one,
// the server sees the same Message-ID twice.
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemorySecretStore } from '../../../src/main/engine/accounts/secrets/memory';
import { createEngine, type Engine } from '../../../src/main/engine/index';
import { closeSessions } from '../../../src/main/engine/outbox/send/deliver';
import { SMTP_TIMEOUTS } from '../../../src/main/engine/outbox/send/sessions';
import { ManualClock } from '../../../src/main/engine/ports';
import { createAttemptsRepo, type AttemptRow } from '../../../src/main/engine/store/attempts';
import { createFailuresRepo } from '../../../src/main/engine/store/failures';
import { createMessagesRepo, createQueueRepo } from '../../../src/main/engine/store/messages';
import { startFaultProxy, type Fault, type FaultProxy } from '../../support/faults/tcp-proxy';
import { addTestAccount, rawMessage, tempDir } from '../outbox/support/context';
import { startProvider, type ScriptedProvider } from '../outbox/support/provider';

const T0 = Date.UTC(2026, 10, 30, 8, 0, 0);
const PER_CASE = 3;

describe('SMTP connection faults between the sender and the provider', () => {
  let provider: ScriptedProvider;
  let proxy: FaultProxy;
  let engine: Engine;
  const clock = new ManualClock(T0);
  const savedTimeouts = { ...SMTP_TIMEOUTS };
  let transport: ReturnType<typeof nodemailer.createTransport>;

  beforeAll(async () => {
    // A stalled provider costs a send this long before it counts as an outage.
    Object.assign(SMTP_TIMEOUTS, { connectionMs: 2_000, greetingMs: 1_500, socketMs: 1_500 });
    provider = await startProvider();
    proxy = await startFaultProxy({ host: '127.0.0.1', port: provider.port });
    engine = createEngine({
      dbPath: join(tempDir('faults-smtp-'), 'outbox.db'),
      secrets: new MemorySecretStore(),
      clock,
      intakePort: 0,
      watch: false,
      scheduleOptions: { random: () => 0.5, recheckMs: 0, concurrency: 1 },
    });
    await engine.start();
    await addTestAccount(engine, proxy.port, { name: 'acme', email: 'sender@example.test' });
    const relay = await engine.relayInfo();
    transport = nodemailer.createTransport({
      host: relay.host, port: relay.port, secure: false, ignoreTLS: true, auth: { user: relay.user, pass: relay.password },
    });
  });
  afterAll(async () => {
    transport?.close();
    await engine?.stop();
    await proxy?.stop();
    await provider?.stop();
    Object.assign(SMTP_TIMEOUTS, savedTimeouts);
  });

  /** Hands messages to the relay as a mail program would; returns their Message-IDs. */
  async function handIn(tag: string, n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const m = rawMessage({ subject: `${tag} ${i}`, to: [`${tag}-${i}@example.test`], body: `Body of ${tag} ${i}.\r\n`.repeat(40) });
      ids.push(m.messageId);
      await transport.sendMail({ envelope: { from: 'sender@example.test', to: [`${tag}-${i}@example.test`] }, raw: m.raw });
    }
    return ids;
  }

  /** Runs the scheduler, moving the clock from timer to timer, until nothing waits. */
  async function drain(): Promise<void> {
    const queue = createQueueRepo(engine.db);
    const until = clock.now() + 6 * 3600_000;
    for (let guard = 0; guard < 500; guard++) {
      await engine.scheduler!.runDueNow();
      const waiting = queue.idsInState('queued').length + queue.idsInState('sending').length;
      if (waiting === 0) return;
      const next = clock.nextTimerAt();
      if (next === null || next > until) break;
      clock.advanceTo(Math.max(next, clock.now()));
    }
    throw new Error('messages still waiting after six simulated hours');
  }

  function attemptsOf(messageIds: string[]): AttemptRow[][] {
    const messages = createMessagesRepo(engine.db);
    const attempts = createAttemptsRepo(engine.db);
    return messageIds.map((mid) => attempts.listForMessage(messages.findByMessageId(mid)!.id));
  }

  /** Every message once at the server, one sent row each, nothing left open or waiting. */
  function expectDeliveredOnce(ids: string[]): void {
    const messages = createMessagesRepo(engine.db);
    const failures = createFailuresRepo(engine.db);
    for (const mid of ids) {
      expect(provider.received.get(mid), `${mid} at the server`).toBe(1);
      const rows = engine.db.prepare('SELECT count(*) AS n FROM messages WHERE message_id = ?').get(mid) as { n: number };
      expect(rows.n, `${mid} rows`).toBe(1);
      const m = messages.findByMessageId(mid)!;
      expect(m.state).toBe('sent');
      expect(failures.openForMessage(m.id)).toEqual([]);
    }
  }

  const points: { name: string; fault: Fault; stage: RegExp }[] = [
    { name: 'dropped before the greeting', fault: { at: { match: /^220 /m, from: 'server' }, action: 'drop' }, stage: /network|connect/ },
    { name: 'greeting stalled (greeting timeout)', fault: { at: { match: /^220 /m, from: 'server' }, action: 'stall' }, stage: /network|connect/ },
    { name: 'EHLO reply cut after 30 bytes from the server', fault: { at: { bytes: 30, from: 'server' }, action: 'drop' }, stage: /network|connect|auth/ },
    { name: 'AUTH reply truncated mid-line', fault: { at: { match: /^235 /m, from: 'server', cut: 'after', plus: 1 }, action: 'truncate' }, stage: /network|auth|connect/ },
    // The server offers PIPELINING, so MAIL, RCPT and DATA leave together and a drop there is
    // recorded at the last command sent (data); the classification is what matters here.
    { name: 'reset at MAIL FROM', fault: { at: { match: /^MAIL FROM/m, from: 'client' }, action: 'reset' }, stage: /mail|data|network/ },
    { name: 'dropped at RCPT TO', fault: { at: { match: /^RCPT TO/m, from: 'client' }, action: 'drop' }, stage: /rcpt|mail|data|network/ },
    { name: 'dropped at DATA', fault: { at: { match: /^DATA\r\n/m, from: 'client' }, action: 'drop' }, stage: /data|rcpt|network/ },
    { name: 'body truncated mid-message', fault: { at: { match: /^Subject: /m, from: 'client', cut: 'after', plus: 5 }, action: 'truncate' }, stage: /data/ },
    { name: 'body stalled mid-message (socket timeout)', fault: { at: { match: /^Body of /m, from: 'client', cut: 'after', plus: 100 }, action: 'stall' }, stage: /data/ },
    { name: 'stalled after the final dot, before 250 (socket timeout, nothing accepted)', fault: { at: { match: /\r\n\.\r\n/, from: 'client' }, action: 'stall' }, stage: /data/ },
  ];

  for (const [i, p] of points.entries()) {
    it(`${p.name}: recorded as provider_outage, retried, delivered once, nothing lost or duplicated`, async () => {
      closeSessions(engine); // a fresh connection, so the fault meets it
      const firedBefore = proxy.fired.length;
      proxy.inject(p.fault);
      const ids = await handIn(`case${i}`, PER_CASE);
      await drain();

      expect(proxy.fired.length, 'the fault fired').toBe(firedBefore + 1);
      expectDeliveredOnce(ids);
      const all = attemptsOf(ids).flat();
      const failed = all.filter((a) => a.outcome === 'failed');
      expect(failed, 'one broken attempt').toHaveLength(1);
      expect(failed[0]).toMatchObject({ category: 'provider_outage', kind: 'temporary' });
      expect(failed[0]!.stage ?? "network").toMatch(p.stage);
      expect(all.filter((a) => a.outcome === 'sent')).toHaveLength(PER_CASE);
      expect(all.every((a) => a.finished_at !== null)).toBe(true);
    });
  }

  it('an idle pooled connection the network cut: the next send notices, records it, retries, delivers once', async () => {
    const warm = await handIn('warm', 1);
    await drain();
    expectDeliveredOnce(warm);
    proxy.cutAll(); // the pooled session is dead now, and nobody has told the sender
    await new Promise((r) => setTimeout(r, 50));
    const ids = await handIn('idlecut', PER_CASE);
    await drain();
    expectDeliveredOnce(ids);
    const all = attemptsOf(ids).flat();
    expect(all.filter((a) => a.outcome === 'sent')).toHaveLength(PER_CASE);
    // either the pool saw the close and opened a new session (no failure), or the send met the
    // dead socket and was recorded and retried — never a lost or doubled message
    expect(all.filter((a) => a.outcome === 'failed').every((a) => a.category === 'provider_outage')).toBe(true);
  });

  it('the final 250 lost after the server took the message: one row, retried, the server sees the Message-ID twice (SMTP cannot tell)', async () => {
    closeSessions(engine);
    proxy.inject({ at: { match: /^250 [^\r\n]*SCRIPTED/m, from: 'server' }, action: 'drop' });
    const [mid] = await handIn('lost250', 1);
    await drain();
    const m = createMessagesRepo(engine.db).findByMessageId(mid!)!;
    const rows = engine.db.prepare('SELECT count(*) AS n FROM messages WHERE message_id = ?').get(mid) as { n: number };
    expect(rows.n).toBe(1);
    expect(m.state).toBe('sent');
    const attempts = attemptsOf([mid!])[0]!;
    expect(attempts.map((a) => a.outcome)).toEqual(['failed', 'sent']);
    expect(attempts[0]).toMatchObject({ category: 'provider_outage', stage: 'data' });
    // The server had committed the first copy; the same Message-ID lets it (and the recipient) see the repeat.
    expect(provider.received.get(mid!)).toBe(2);
  });
});
