import { networkInterfaces } from 'node:os';
import { connect } from 'node:net';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/main/engine/store/db';
import { createSuppressionsRepo } from '../../../src/main/engine/store/suppressions';
import { createFailuresRepo } from '../../../src/main/engine/store/failures';
import { startIntake, relayInfo, type RunningIntake } from '../../../src/main/engine/outbox/intake/server';
import { intakeCredentials } from '../../../src/main/engine/outbox/intake/credentials';
import { addTestAccount, makeContext, rawMessage } from './support/context';

type Ctx = ReturnType<typeof makeContext>;

function client(port: number): SMTPConnection {
  return new SMTPConnection({ host: '127.0.0.1', port, ignoreTLS: true, connectionTimeout: 5000 });
}

function open(c: SMTPConnection): Promise<void> {
  return new Promise((resolve, reject) => c.connect((err) => (err ? reject(err) : resolve())));
}
function login(c: SMTPConnection, user: string, pass: string): Promise<void> {
  return new Promise((resolve, reject) => c.login({ user, pass }, (err) => (err ? reject(err) : resolve())));
}
function send(c: SMTPConnection, from: string, to: string[], raw: Buffer): Promise<{ response: string }> {
  return new Promise((resolve, reject) => c.send({ from, to }, raw, (err, info) => (err ? reject(err) : resolve(info as { response: string }))));
}

describe('the intake (local relay)', () => {
  let ctx: Ctx;
  let intake: RunningIntake;
  let creds: { user: string; password: string };

  beforeAll(async () => {
    ctx = makeContext();
    await addTestAccount(ctx, 9, { name: 'main', email: 'main@example.test', maxMessageBytes: 50_000 });
    await addTestAccount(ctx, 9, { name: 'other', email: 'other@example.test', maxMessageBytes: 2_000_000 });
    intake = await startIntake(ctx, { port: 0 });
    creds = await intakeCredentials(ctx);
  });
  afterAll(async () => {
    await intake.stop();
    ctx.close();
  });

  it('keeps its generated credentials, with the password outside the database', async () => {
    expect(await intakeCredentials(ctx)).toEqual(creds);
    const info = await relayInfo(ctx, intake);
    expect(info).toMatchObject({ host: '127.0.0.1', port: intake.port, user: creds.user, password: creds.password, running: true });
    const settings = ctx.db.prepare("SELECT value_json FROM settings WHERE key = 'intake.credentials'").get() as { value_json: string };
    expect(settings.value_json).not.toContain(creds.password);
  });

  it('requires AUTH before MAIL', async () => {
    const c = client(intake.port);
    await open(c);
    const err = await send(c, 'main@example.test', ['a@example.test'], rawMessage().raw).catch((e) => e);
    expect(err.responseCode).toBe(530);
    c.close();
  });

  it('answers a wrong password with 535', async () => {
    const c = client(intake.port);
    await open(c);
    const err = await login(c, creds.user, 'not-the-password').catch((e) => e);
    expect(err.responseCode).toBe(535);
    c.close();
  });

  it('listens on 127.0.0.1 only', async () => {
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((i) => i && i.family === 'IPv4' && !i.internal)
      .map((i) => i!.address);
    for (const address of others) {
      const refused = await new Promise<boolean>((resolve) => {
        const s = connect({ host: address, port: intake.port });
        s.once('connect', () => (s.destroy(), resolve(false)));
        s.once('error', () => resolve(true));
      });
      expect(refused, address).toBe(true);
    }
    expect(intake.host).toBe('127.0.0.1');
  });

  it('stores the message durably before answering 250: a second connection sees it at once', async () => {
    const c = client(intake.port);
    await open(c);
    await login(c, creds.user, creds.password);
    const { raw, messageId } = rawMessage({ from: 'main@example.test', to: ['x@example.test', 'y@example.test'] });
    const info = await send(c, 'main@example.test', ['x@example.test', 'y@example.test'], raw);
    expect(info.response).toMatch(/^250 .*stored as #(\d+)/);
    const id = Number(/#(\d+)/.exec(info.response)![1]);
    const reader = openDatabase(ctx.dbPath, { readonly: true });
    try {
      const row = reader.prepare('SELECT m.*, a.name AS account FROM messages m JOIN accounts a ON a.id = m.account_id WHERE m.id = ?').get(id) as Record<string, unknown>;
      expect(row).toMatchObject({ message_id: messageId, state: 'queued', due_reason: 'new', source: 'intake', account: 'main', size_bytes: raw.length });
      expect(JSON.parse(row.rcpt_json as string)).toEqual(['x@example.test', 'y@example.test']);
      const body = reader.prepare('SELECT raw FROM message_bodies WHERE message_id = ?').get(id) as { raw: Buffer };
      expect(body.raw.equals(raw)).toBe(true);
    } finally {
      reader.close();
    }
    c.close();
  });

  it('maps an account-name login, or the envelope sender, to the account', async () => {
    const c = client(intake.port);
    await open(c);
    await login(c, 'other', creds.password);
    const a = await send(c, 'whoever@example.test', ['x@example.test'], rawMessage().raw);
    c.close();
    const d = client(intake.port);
    await open(d);
    await login(d, creds.user, creds.password);
    const b = await send(d, 'other@example.test', ['x@example.test'], rawMessage().raw);
    d.close();
    const accountOf = (resp: string) =>
      (ctx.db.prepare('SELECT a.name FROM messages m JOIN accounts a ON a.id = m.account_id WHERE m.id = ?').get(Number(/#(\d+)/.exec(resp)![1])) as { name: string }).name;
    expect(accountOf(a.response)).toBe('other');
    expect(accountOf(b.response)).toBe('other');
  });

  it('refuses a message over the account limit with a 552 that names the limit, and stores nothing', async () => {
    const before = (ctx.db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;
    const c = client(intake.port);
    await open(c);
    await login(c, 'main', creds.password);
    const big = rawMessage({ body: 'x'.repeat(60_000) }).raw;
    const err = await send(c, 'main@example.test', ['x@example.test'], big).catch((e) => e);
    expect(err.responseCode).toBe(552);
    expect(err.response).toContain('50000 bytes');
    expect(err.response).toContain('"main"');
    c.close();
    expect((ctx.db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n).toBe(before);
  });

  it('accepts a message to a suppressed recipient and holds it with a local failure', async () => {
    createSuppressionsRepo(ctx.db).add('gone@example.test', 'recipient_unknown', ctx.clock.now());
    const c = client(intake.port);
    await open(c);
    await login(c, 'main', creds.password);
    const info = await send(c, 'main@example.test', ['gone@example.test', 'fine@example.test'], rawMessage().raw);
    c.close();
    expect(info.response).toMatch(/^250 .*held/);
    const id = Number(/#(\d+)/.exec(info.response)![1]);
    const row = ctx.db.prepare('SELECT state, hold_category FROM messages WHERE id = ?').get(id);
    expect(row).toEqual({ state: 'held', hold_category: 'recipient_unknown' });
    const failures = createFailuresRepo(ctx.db).openForMessage(id);
    expect(failures.map((f) => [f.recipient, f.category])).toEqual([['gone@example.test', 'recipient_unknown']]);
  });

  it('stores malformed MIME exactly as it came', async () => {
    const junk = Buffer.concat([
      Buffer.from('Subject: =?bogus?Q?=ZZ?=\r\nContent-Type: multipart/mixed; boundary=\r\nX: \x01\x02\r\n\r\n--\r\n'),
      Buffer.from([0xff, 0xfe, 0x00, 0x80]),
      Buffer.from('\r\nno end\r\n'),
    ]);
    const c = client(intake.port);
    await open(c);
    await login(c, 'main', creds.password);
    const info = await send(c, 'main@example.test', ['x@example.test'], junk);
    c.close();
    const id = Number(/#(\d+)/.exec(info.response)![1]);
    const body = ctx.db.prepare('SELECT raw FROM message_bodies WHERE message_id = ?').get(id) as { raw: Buffer };
    expect(body.raw.equals(junk)).toBe(true);
  });

  it('emits queue/changed after the commit', async () => {
    const seen: (number | null)[] = [];
    const off = ctx.events.on('queue/changed', (p) => seen.push(p.accountId));
    const c = client(intake.port);
    await open(c);
    await login(c, 'main', creds.password);
    await send(c, 'main@example.test', ['x@example.test'], rawMessage().raw);
    c.close();
    off();
    expect(seen.length).toBeGreaterThanOrEqual(1);
  });

  it('commits on its own thread: a burst over several connections is stored whole, one row per 250', async () => {
    expect(intake.writer).toBe('thread');
    const conns = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const c = client(intake.port);
        await open(c);
        await login(c, 'main', creds.password);
        return c;
      }),
    );
    const sent = await Promise.all(
      conns.map(async (c, k) => {
        const out: { id: number; raw: Buffer; messageId: string }[] = [];
        for (let i = 0; i < 10; i++) {
          const { raw, messageId } = rawMessage({ from: 'main@example.test', to: [`burst${k}-${i}@example.test`], body: 'x'.repeat(3000 + 97 * i) });
          const info = await send(c, 'main@example.test', [`burst${k}-${i}@example.test`], raw);
          out.push({ id: Number(/stored as #(\d+)/.exec(info.response)![1]), raw, messageId });
        }
        c.close();
        return out;
      }),
    );
    const all = sent.flat();
    expect(new Set(all.map((m) => m.id)).size).toBe(40);
    const reader = openDatabase(ctx.dbPath, { readonly: true });
    try {
      for (const m of all) {
        const row = reader.prepare('SELECT m.message_id, b.raw FROM messages m JOIN message_bodies b ON b.message_id = m.id WHERE m.id = ?').get(m.id) as { message_id: string; raw: Buffer };
        expect(row.message_id).toBe(m.messageId);
        expect(row.raw.equals(m.raw)).toBe(true);
      }
    } finally {
      reader.close();
    }
  });

  it('with the writer thread turned off, still answers 250 only after the commit', async () => {
    const inline = await startIntake(ctx, { port: 0, writerThread: false });
    try {
      expect(inline.writer).toBe('inline');
      const c = client(inline.port);
      await open(c);
      await login(c, 'main', creds.password);
      const { raw, messageId } = rawMessage({ from: 'main@example.test', to: ['inline@example.test'] });
      const info = await send(c, 'main@example.test', ['inline@example.test'], raw);
      c.close();
      const id = Number(/stored as #(\d+)/.exec(info.response)![1]);
      const reader = openDatabase(ctx.dbPath, { readonly: true });
      try {
        expect((reader.prepare('SELECT message_id FROM messages WHERE id = ?').get(id) as { message_id: string }).message_id).toBe(messageId);
      } finally {
        reader.close();
      }
    } finally {
      await inline.stop();
    }
  });
});
