/**
 * A real Postfix 3.7 (Debian's package) for tests, from its own config folder under
 * /tmp/outbox-mail-postfix-XXXX, delivering to a real Dovecot (see dovecot.ts).
 *
 *   const dovecot = await startDovecot();
 *   dovecot.addUser('alice', 'secret');
 *   const postfix = await startPostfix({ dovecot });
 *   // submission-like smtpd on 127.0.0.1:postfix.port, AUTH PLAIN/LOGIN checked by Dovecot
 *   //   user 'alice@example.test', pass 'secret'; mail without AUTH → 554 5.7.1 Access denied
 *   // example.test (dovecot.domain): delivered over LMTP; an unknown user is accepted at RCPT and
 *   //   bounced a moment later → a real DSN "Undelivered Mail Returned to Sender" in the sender's
 *   //   INBOX when the sender is a Dovecot user. With `rejectUnknownAtRcpt: true` unknown users get
 *   //   `550 5.1.1 <x>: Recipient address rejected: User unknown in virtual mailbox table` instead.
 *   // down.test (postfix.downDomain): next hop is a closed port → "Delayed Mail" DSN after ~5 s,
 *   //   "Undelivered Mail Returned to Sender" (4.4.1) after ~35 s (queue timings below).
 *   await postfix.flush(); postfix.queue(); postfix.log();
 *   await postfix.restart();   // also resets anvil's rate counters
 *   await postfix.stop();      // stops the master and kills every process it left
 *
 * Knobs: messageSizeLimit (552 5.3.4), messageRateLimit (smtpd_client_message_rate_limit →
 * 450 4.7.1 Error: too much mail from 127.0.0.1), connectionRateLimit (421 4.7.0), tls
 * ('none' | 'may' | 'encrypt' → 530 5.7.0 Must issue a STARTTLS command first), senderLoginMaps
 * (553 5.7.1 Sender address rejected: not owned by user), extraMain (raw main.cf lines).
 * Each instance has its own folder and ports, so test files running in parallel can each start one.
 */
import { spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DovecotServer } from './dovecot';
import { makeSelfSignedCert, type TestCert } from './certs';
import { freePorts, sleep, waitForPorts } from './ports';
import { readPidFile, runDetaching, serverLifecycle, terminateMaster } from './procs';
import { makeServerDir } from './tmp';

export interface PostfixOptions {
  dovecot: DovecotServer;
  messageSizeLimit?: number;
  messageRateLimit?: number;
  connectionRateLimit?: number;
  /** seconds; default 60 */
  rateTimeUnit?: number;
  rejectUnknownAtRcpt?: boolean;
  tls?: 'none' | 'may' | 'encrypt';
  /** require MAIL FROM to be the logged-in user's own address */
  senderLoginMaps?: boolean;
  /** a domain whose next hop is a closed port (default 'down.test') */
  downDomain?: string;
  extraMain?: string;
}

export interface PostfixServer {
  host: '127.0.0.1';
  /** submission-like smtpd (AUTH required to send) */
  port: number;
  /** the closed port down.test is routed to */
  closedPort: number;
  domain: string;
  downDomain: string;
  dir: string;
  cert: TestCert;
  /** `postqueue -p` output */
  queue(): string;
  /** `postqueue -f`: try deferred mail now */
  flush(): void;
  log(): string;
  /** waits until the log matches, e.g. /status=bounced/ */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** the master and all its live descendants (empty once stopped) */
  processIds(): number[];
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function userIds(name: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`no system user ${name}: is the postfix package installed?`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

export async function startPostfix(options: PostfixOptions): Promise<PostfixServer> {
  const { dovecot } = options;
  const dir = makeServerDir('postfix');
  const etc = join(dir, 'etc');
  const queueDir = join(dir, 'queue');
  const dataDir = join(dir, 'data');
  mkdirSync(etc, { mode: 0o755 });
  mkdirSync(queueDir, { mode: 0o755 });
  mkdirSync(dataDir, { mode: 0o700 });
  const postfixUser = userIds('postfix');
  chownSync(dataDir, postfixUser.uid, postfixUser.gid);
  const cert = makeSelfSignedCert(dir);
  const [port, closedPort] = await freePorts(2);
  const downDomain = options.downDomain ?? 'down.test';
  const logPath = join(dir, 'maillog');
  const tls = options.tls ?? 'may';
  const vmailbox = join(etc, 'vmailbox');
  const transport = join(etc, 'transport');
  const loginMaps = join(etc, 'sender-logins');

  // texthash: maps need no postmap; the vmailbox list is read from Dovecot's users at start.
  const users = () =>
    readFileSync(join(dovecot.dir, 'users'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(':')[0]);
  const writeMaps = () => {
    writeFileSync(vmailbox, users().map((u) => `${u} ok\n`).join('') || `postmaster@${dovecot.domain} ok\n`);
    writeFileSync(loginMaps, users().map((u) => `${u} ${u}\n`).join('') || `postmaster@${dovecot.domain} postmaster\n`);
  };
  writeMaps();
  writeFileSync(transport, `${downDomain} smtp:[127.0.0.1]:${closedPort}\n`);

  const tlsLines =
    tls === 'none'
      ? 'smtpd_tls_security_level = none'
      : `smtpd_tls_security_level = ${tls}
smtpd_tls_cert_file = ${cert.certPath}
smtpd_tls_key_file = ${cert.keyPath}
smtpd_tls_auth_only = ${tls === 'encrypt' ? 'yes' : 'no'}`;

  writeFileSync(
    join(etc, 'main.cf'),
    `# written by tests/support/servers/postfix.ts
compatibility_level = 3.6
queue_directory = ${queueDir}
data_directory = ${dataDir}
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
shlib_directory = /usr/lib/postfix
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
maillog_file = ${logPath}
maillog_file_prefixes = ${dir}
myhostname = mx.outbox.test
mydomain = outbox.test
myorigin = $myhostname
mydestination =
local_recipient_maps =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.1/32
smtpd_client_event_limit_exceptions =
smtpd_client_connection_limit_exceptions =
biff = no
smtpd_banner = $myhostname ESMTP
virtual_mailbox_domains = ${dovecot.domain}
virtual_transport = lmtp:unix:${dovecot.lmtpSocket}
${options.rejectUnknownAtRcpt ? `virtual_mailbox_maps = texthash:${vmailbox}` : 'smtpd_reject_unlisted_recipient = no'}
relay_domains = ${downDomain}
transport_maps = texthash:${transport}
smtp_connect_timeout = 2s
delay_warning_time = 5s
maximal_queue_lifetime = 30s
bounce_queue_lifetime = 30s
queue_run_delay = 5s
minimal_backoff_time = 5s
maximal_backoff_time = 5s
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = ${dovecot.authSocket}
broken_sasl_auth_clients = no
smtpd_relay_restrictions = permit_sasl_authenticated, reject
smtpd_recipient_restrictions = permit_sasl_authenticated, reject
${options.senderLoginMaps ? `smtpd_sender_login_maps = texthash:${loginMaps}\nsmtpd_sender_restrictions = reject_sender_login_mismatch` : ''}
${options.messageSizeLimit ? `message_size_limit = ${options.messageSizeLimit}` : ''}
${options.messageRateLimit ? `smtpd_client_message_rate_limit = ${options.messageRateLimit}` : ''}
${options.connectionRateLimit ? `smtpd_client_connection_rate_limit = ${options.connectionRateLimit}` : ''}
anvil_rate_time_unit = ${options.rateTimeUnit ?? 60}s
${tlsLines}
${options.extraMain ?? ''}
`,
  );
  writeFileSync(
    join(etc, 'master.cf'),
    `# written by tests/support/servers/postfix.ts; nothing chrooted
127.0.0.1:${port} inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
`,
  );

  const env = { ...process.env, MAIL_CONFIG: etc };
  const pidPath = join(queueDir, 'pid', 'master.pid');
  const readLog = () => {
    try {
      return readFileSync(logPath, 'utf8');
    } catch {
      return '';
    }
  };
  const launch = async () => {
    writeMaps();
    try {
      runDetaching('/usr/sbin/postfix', ['-c', etc, 'start'], join(dir, 'start.out'), env);
    } catch (err) {
      throw new Error(`postfix did not start: ${String(err)}\n${readLog().slice(-3000)}`);
    }
    await waitForPorts([port], { describe: 'postfix' });
  };
  const halt = async () => {
    if (!readPidFile(pidPath)) return;
    await terminateMaster(pidPath);
    await waitForPorts([port], { listening: false, describe: 'postfix stop' });
  };
  const run = (cmd: string, args: string[]) => {
    const res = spawnSync(cmd, ['-c', etc, ...args], { env, encoding: 'utf8', timeout: 15_000 });
    if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${res.stderr || res.stdout}`);
    return res.stdout;
  };

  await launch();
  return {
    host: '127.0.0.1',
    port,
    closedPort,
    domain: dovecot.domain,
    downDomain,
    dir,
    cert,
    queue: () => run('/usr/sbin/postqueue', ['-p']),
    flush: () => void run('/usr/sbin/postqueue', ['-f']),
    log: readLog,
    async waitForLog(pattern, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(readLog())) {
        if (Date.now() > deadline) throw new Error(`postfix log never matched ${pattern}:\n${readLog().slice(-3000)}`);
        await sleep(100);
      }
    },
    ...serverLifecycle({ pidPath, dir, halt, launch }),
  };
}

/** Both servers together, stopped together. */
export async function startMailServers(
  options: Omit<PostfixOptions, 'dovecot'> & { domain?: string } = {},
): Promise<{ dovecot: DovecotServer; postfix: PostfixServer; stop(): Promise<void> }> {
  const { startDovecot } = await import('./dovecot');
  const dovecot = await startDovecot({ domain: options.domain });
  let postfix: PostfixServer;
  try {
    postfix = await startPostfix({ ...options, dovecot });
  } catch (err) {
    await dovecot.stop();
    throw err;
  }
  return {
    dovecot,
    postfix,
    async stop() {
      await postfix.stop().catch(() => undefined);
      await dovecot.stop();
    },
  };
}
