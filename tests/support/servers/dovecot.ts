/**
 * A real Dovecot 2.3 (Debian's dovecot-imapd + dovecot-lmtpd) for tests, started from its own
 * config folder under /tmp/outbox-mail-dovecot-XXXX on 127.0.0.1 with random free ports.
 *
 *   const dovecot = await startDovecot();             // domain 'example.test' by default
 *   dovecot.addUser('alice', 'secret');                // alice@example.test; login name = the address
 *   await dovecot.appendMessage('alice', 'INBOX', raw); // IMAP APPEND as that user → { uid, uidValidity }
 *   dovecot.imapPort / dovecot.imapsPort               // plain (+STARTTLS) / implicit TLS (self-signed, dovecot.cert.cert)
 *   await dovecot.restart(); await dovecot.stop();     // stop() kills the whole process tree
 *
 * Plaintext auth is allowed (loopback only), the authentication failure delay and per-IP penalty are
 * off, so a wrong-password test does not slow every later login. Postfix reaches it through
 * `lmtpSocket` (delivery; unknown users get 550 5.1.1 after Postfix accepted the message) and
 * `authSocket` (SASL for submission AUTH). Each instance has its own folder, instance name and
 * ports, so test files running in parallel can each start one.
 *
 * Runs as root (the servers drop to dovecot/dovenull; mail is stored as the `mail` user).
 */
import { execFileSync } from 'node:child_process';
import { chownSync, mkdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { makeSelfSignedCert, type TestCert } from './certs';
import { freePorts, waitForPorts } from './ports';
import { readPidFile, runDetaching, serverLifecycle, terminateMaster } from './procs';
import { makeServerDir } from './tmp';

export interface DovecotOptions {
  /** the virtual domain users live in (default 'example.test') */
  domain?: string;
  /** mailbox_idle_check_interval etc. are left at Dovecot's defaults; this adds raw config lines */
  extraConfig?: string;
}

export interface DovecotServer {
  host: '127.0.0.1';
  /** plain IMAP (STARTTLS offered) */
  imapPort: number;
  /** implicit TLS IMAP */
  imapsPort: number;
  domain: string;
  dir: string;
  cert: TestCert;
  lmtpSocket: string;
  authSocket: string;
  configPath: string;
  /** adds (or changes the password of) a user; `name` without '@' gets the instance domain */
  addUser(name: string, password: string): string;
  /**
   * changes a user's password and resolves once Dovecot accepts the new one: it re-checks a
   * passwd-file at most once per second, so a login right after the change may still see the old
   * password
   */
  changePassword(name: string, password: string): Promise<void>;
  /** the user's full address as used for login */
  address(name: string): string;
  /** the user's Maildir on disk (for filling big mailboxes quickly; files must belong to uid 8) */
  maildir(name: string): string;
  /** IMAP APPEND as the user (creates the folder when missing); flags default to none (unseen) */
  appendMessage(name: string, folder: string, raw: string | Buffer, flags?: string[]): Promise<{ uid: number; uidValidity: number }>;
  /** opens an imapflow client logged in as the user (caller logs out) */
  connect(name: string): Promise<ImapFlow>;
  /** runs doveadm against this instance, returns stdout */
  doveadm(args: string[]): string;
  log(): string;
  /** the master and all its live descendants (empty once stopped) */
  processIds(): number[];
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const MAIL_UID = 8;
const MAIL_GID = 8;

export async function startDovecot(options: DovecotOptions = {}): Promise<DovecotServer> {
  const domain = options.domain ?? 'example.test';
  const dir = makeServerDir('dovecot');
  const runDir = join(dir, 'run');
  const mailRoot = join(dir, 'mail');
  mkdirSync(runDir, { mode: 0o755 });
  mkdirSync(mailRoot, { mode: 0o755 });
  chownSync(mailRoot, MAIL_UID, MAIL_GID);
  const cert = makeSelfSignedCert(dir);
  const [imapPort, imapsPort] = await freePorts(2);
  // one passwd-file per user: a new user is a new file, never a stale cached one (Dovecot re-reads a
  // changed file only when its mtime moves, which two writes in one second do not do)
  const usersPath = join(dir, 'users');
  const usersDir = join(dir, 'users.d');
  mkdirSync(usersDir, { mode: 0o755 });
  writeFileSync(usersPath, '', { mode: 0o644 });
  const passwords = new Map<string, string>();
  let usersVersion = 0;
  const configPath = join(dir, 'dovecot.conf');
  const logPath = join(dir, 'dovecot.log');
  const instance = `outbox-${basename(dir).slice(-6)}`;

  writeFileSync(
    configPath,
    `# written by tests/support/servers/dovecot.ts
instance_name = ${instance}
base_dir = ${runDir}
state_dir = ${join(dir, 'state')}
log_path = ${logPath}
info_log_path = ${logPath}
protocols = imap lmtp
listen = 127.0.0.1
ssl = yes
ssl_cert = <${cert.certPath}
ssl_key = <${cert.keyPath}
ssl_dh = </usr/share/dovecot/dh.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
login_trusted_networks = 127.0.0.0/8
first_valid_uid = 1
mail_uid = mail
mail_gid = mail
mail_location = maildir:${mailRoot}/%d/%n/Maildir
lmtp_save_to_detail_mailbox = no
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${usersDir}/%u
}
userdb {
  driver = passwd-file
  args = username_format=%u ${usersDir}/%u
  default_fields = uid=mail gid=mail home=${mailRoot}/%d/%n
}
namespace inbox {
  inbox = yes
  separator = /
  mailbox Sent {
    special_use = \\Sent
    auto = create
  }
  mailbox Trash {
    special_use = \\Trash
  }
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${imapPort}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${imapsPort}
    ssl = yes
  }
}
service lmtp {
  unix_listener lmtp-postfix {
    mode = 0666
  }
}
service auth {
  unix_listener auth-postfix {
    mode = 0666
  }
}
# no per-IP authentication penalty: one wrong-password test must not slow every later login
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service stats {
  unix_listener stats-writer {
    mode = 0666
  }
}
${options.extraConfig ?? ''}
`,
  );

  const address = (name: string) => (name.includes('@') ? name : `${name}@${domain}`);
  const pidPath = join(runDir, 'master.pid');

  const launch = async () => {
    try {
      runDetaching('/usr/sbin/dovecot', ['-c', configPath], join(dir, 'start.out'));
    } catch (err) {
      throw new Error(`dovecot did not start: ${String(err)}\n${readLog()}`);
    }
    await waitForPorts([imapPort, imapsPort], { describe: 'dovecot' });
  };
  const readLog = () => {
    try {
      return readFileSync(logPath, 'utf8');
    } catch {
      return '';
    }
  };
  const halt = async () => {
    if (!readPidFile(pidPath)) return;
    await terminateMaster(pidPath);
    await waitForPorts([imapPort, imapsPort], { listening: false, describe: 'dovecot stop' });
    rmSync(pidPath, { force: true });
  };

  await launch();

  const connect = async (name: string) => {
    const user = address(name);
    const client = new ImapFlow({
      host: '127.0.0.1',
      port: imapPort,
      secure: false,
      doSTARTTLS: false,
      auth: { user, pass: passwords.get(user) ?? '' },
      logger: false,
    });
    await client.connect();
    return client;
  };

  const server: DovecotServer = {
    host: '127.0.0.1',
    imapPort,
    imapsPort,
    domain,
    dir,
    cert,
    lmtpSocket: join(runDir, 'lmtp-postfix'),
    authSocket: join(runDir, 'auth-postfix'),
    configPath,
    address,
    addUser(name, password) {
      const user = address(name);
      if (/[:\n]/.test(user) || /[:\n]/.test(password)) throw new Error('user names and passwords may not contain ":" or newlines');
      passwords.set(user, password);
      const line = `${user}:{PLAIN}${password}::::::\n`;
      const tmp = join(usersDir, `.${user}.tmp`);
      writeFileSync(tmp, line, { mode: 0o644 });
      usersVersion = Math.max(usersVersion + 1, Math.floor(Date.now() / 1000));
      utimesSync(tmp, usersVersion, usersVersion);
      renameSync(tmp, join(usersDir, user));
      // the whole list, for Postfix's virtual mailbox map
      writeFileSync(usersPath, [...passwords.keys()].map((u) => `${u}:\n`).join(''));
      return user;
    },
    async changePassword(name, password) {
      server.addUser(name, password);
      const deadline = Date.now() + 10_000;
      for (;;) {
        try {
          const client = await connect(name);
          await client.logout();
          return;
        } catch (e) {
          if (Date.now() > deadline) throw e;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    },
    maildir(name) {
      const [local, dom] = address(name).split('@');
      return join(mailRoot, dom, local, 'Maildir');
    },
    async appendMessage(name, folder, raw, flags = []) {
      const client = await connect(name);
      try {
        if (folder.toUpperCase() !== 'INBOX') {
          const list = await client.list();
          if (!list.some((m) => m.path === folder)) await client.mailboxCreate(folder);
        }
        const res = await client.append(folder, raw, flags).catch((err: { response?: string; message?: string }) => {
          throw new Error(`APPEND to ${folder} failed: ${err.response ?? err.message}`);
        });
        if (!res || !res.uid || !res.uidValidity) throw new Error(`APPEND to ${folder} returned no UID`);
        return { uid: Number(res.uid), uidValidity: Number(res.uidValidity) };
      } finally {
        await client.logout().catch(() => client.close());
      }
    },
    connect,
    doveadm(args) {
      return execFileSync('/usr/bin/doveadm', ['-c', configPath, ...args], { encoding: 'utf8', stdio: 'pipe' });
    },
    log: readLog,
    ...serverLifecycle({ pidPath, dir, halt, launch }),
  };
  return server;
}
