// The real mail-server harness itself: Dovecot and Postfix start privately, deliver, bounce,
// reject as configured and leave no process behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { startMailServers } from '../../support/servers/postfix';
import { isAlive } from '../../support/servers/procs';
import { sleep } from '../../support/servers/ports';

type Servers = Awaited<ReturnType<typeof startMailServers>>;

async function subjects(servers: Servers, user: string): Promise<string[]> {
  const client = await servers.dovecot.connect(user);
  try {
    const lock = await client.getMailboxLock('INBOX');
    try {
      const out: string[] = [];
      if (!client.mailbox || client.mailbox.exists === 0) return out;
      for await (const m of client.fetch('1:*', { envelope: true })) out.push(m.envelope?.subject ?? '');
      return out;
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
}

describe('mail server harness', () => {
  let servers: Servers;
  beforeAll(async () => {
    servers = await startMailServers({ rejectUnknownAtRcpt: false });
    servers.dovecot.addUser('alice', 'alice-pw');
  });
  afterAll(async () => {
    await servers?.stop();
  });

  it('accepts an unknown user of the virtual domain and returns a real DSN to the sender', async () => {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: servers.postfix.port,
      secure: false,
      auth: { user: 'alice@example.test', pass: 'alice-pw' },
      tls: { ca: servers.postfix.cert.cert },
    });
    const info = await transport.sendMail({
      from: 'alice@example.test',
      to: 'nobody@example.test',
      subject: 'harness',
      text: 'hello',
    });
    expect(info.response).toMatch(/^250 2\.0\.0 Ok: queued as/);
    let found: string[] = [];
    for (let i = 0; i < 100 && !found.includes('Undelivered Mail Returned to Sender'); i++) {
      await sleep(100);
      found = await subjects(servers, 'alice');
    }
    expect(found).toContain('Undelivered Mail Returned to Sender');
  });

  it('rejects mail without AUTH', async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: servers.postfix.port, secure: false, tls: { ca: servers.postfix.cert.cert } });
    await expect(transport.sendMail({ from: 'x@outside.test', to: 'alice@example.test', text: 'x' })).rejects.toMatchObject({
      responseCode: 554,
    });
  });

  it('restarts Dovecot with the same ports and mail', async () => {
    const before = await servers.dovecot.appendMessage('alice', 'Bounces', 'Subject: kept\r\n\r\nbody\r\n');
    await servers.dovecot.restart();
    const after = await servers.dovecot.appendMessage('alice', 'Bounces', 'Subject: kept 2\r\n\r\nbody\r\n');
    expect(after.uidValidity).toBe(before.uidValidity);
    expect(after.uid).toBe(before.uid + 1);
  });
});

describe('rejecting unknown users at RCPT, and stopping', () => {
  it('answers 550 5.1.1 and leaves no process running after stop()', async () => {
    const servers = await startMailServers({ rejectUnknownAtRcpt: true });
    let pids: number[] = [];
    try {
      servers.dovecot.addUser('bob', 'bob-pw');
      await servers.postfix.restart(); // re-reads the user list into the virtual mailbox map
      const transport = nodemailer.createTransport({
        host: '127.0.0.1',
        port: servers.postfix.port,
        secure: false,
        auth: { user: 'bob@example.test', pass: 'bob-pw' },
        tls: { ca: servers.postfix.cert.cert },
      });
      const err = await transport
        .sendMail({ from: 'bob@example.test', to: 'ghost@example.test', text: 'x' })
        .then(() => undefined, (e: { response?: string }) => e);
      expect(err?.response).toMatch(/^550 5\.1\.1 <ghost@example\.test>: Recipient address rejected: User unknown in virtual mailbox table/);
      pids = [...servers.dovecot.processIds(), ...servers.postfix.processIds()];
      expect(pids.length).toBeGreaterThan(3);
    } finally {
      await servers.stop();
    }
    expect(pids.filter(isAlive)).toEqual([]);
  });
});
