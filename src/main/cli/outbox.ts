import type { Command } from 'commander';
import { openCliDatabase, printJsonLine, resolveDbPath, UsageError, withDb, withJson } from './common';
import { oneShot } from './one-shot';
import type { Logger } from '../engine/ports';

function tlsMode(value: string | undefined, flag: string): 'tls' | 'starttls' | 'none' | undefined {
  if (value === undefined) return undefined;
  if (value === 'tls' || value === 'starttls' || value === 'none') return value;
  throw new UsageError(`${flag} must be tls, starttls or none (got "${value}").`);
}

function port(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new UsageError(`${flag} must be a port number (got "${value}").`);
  return n;
}

/** One line per event on stdout: time, level, event, key=value fields. */
export function lineLogger(out: NodeJS.WritableStream = process.stdout): Logger {
  const line = (level: string) => (event: string, fields: Record<string, unknown> = {}) => {
    const rest = Object.entries(fields)
      .map(([k, v]) => `${k}=${typeof v === 'string' && !/\s/.test(v) ? v : JSON.stringify(v)}`)
      .join(' ');
    out.write(`${new Date().toISOString()} ${level} ${event}${rest ? ' ' + rest : ''}\n`);
  };
  return { info: line('info'), warn: line('warn'), error: line('error') };
}

/** Registers this group's commands. Implementations load lazily inside each action. */
export function registerOutbox(program: Command): void {
  // --- accounts ---
  const accounts = program.command('accounts').description('sending accounts: add, list, test, remove');

  withJson(withDb(accounts.command('add').description('add an account from a provider preset (passwords come from an environment variable, never the command line)')))
    .requiredOption('--name <name>', 'a short name for the account (also a login name for the local relay)')
    .requiredOption('--provider <preset>', 'gmail, google-workspace, outlook, m365, yahoo, icloud, zoho, fastmail or generic')
    .requiredOption('--email <address>', 'the account\'s email address')
    .option('--smtp-host <host>', 'SMTP server (default: the preset\'s)')
    .option('--smtp-port <port>', 'SMTP port')
    .option('--smtp-tls <mode>', 'tls, starttls or none')
    .option('--imap-host <host>', 'IMAP server for bounces (default: the preset\'s)')
    .option('--imap-port <port>', 'IMAP port')
    .option('--imap-tls <mode>', 'tls, starttls or none')
    .option('--user <user>', 'login name (default: the email address)')
    .requiredOption('--password-env <VAR>', 'name of the environment variable holding the password or app password')
    .option('--keep-env-reference', 'store only "env:VAR" and read the variable at every use, instead of storing the password encrypted')
    .option('--insecure-tls', 'accept self-signed certificates (test servers only)')
    .action(async (opts: Record<string, string | boolean | undefined>) => {
      const { createAccountsService } = await import('../engine/accounts/service');
      const { presetById } = await import('../engine/accounts/presets');
      const variable = String(opts.passwordEnv);
      const password = process.env[variable];
      if (!password && opts.auth !== 'oauth2') throw new UsageError(`The environment variable ${variable} is not set (or empty).`);
      const preset = presetById(String(opts.provider));
      if (!preset) throw new UsageError(`Unknown provider preset "${opts.provider}". Run \`outbox-monitor accounts presets\` to list them.`);
      const smtpTls = tlsMode(opts.smtpTls as string | undefined, '--smtp-tls');
      const imapTls = tlsMode(opts.imapTls as string | undefined, '--imap-tls');
      const smtpPort = port(opts.smtpPort as string | undefined, '--smtp-port');
      const imapPort = port(opts.imapPort as string | undefined, '--imap-port');
      const smtp = opts.smtpHost || smtpPort || smtpTls
        ? { host: String(opts.smtpHost ?? preset.smtp?.host ?? ''), port: smtpPort ?? preset.smtp?.port ?? 587, tls: smtpTls ?? preset.smtp?.tls ?? 'starttls' }
        : undefined;
      if (smtp && !smtp.host) throw new UsageError('--smtp-host is needed with the generic preset.');
      if (!smtp && !preset.smtp) throw new UsageError('The generic preset needs --smtp-host, --smtp-port and --smtp-tls.');
      const imap = opts.imapHost || imapPort || imapTls
        ? { host: String(opts.imapHost ?? preset.imap?.host ?? ''), port: imapPort ?? preset.imap?.port ?? 993, tls: imapTls ?? preset.imap?.tls ?? 'tls' }
        : undefined;
      // --auth oauth2 (options added by cli/oauth.ts): browser sign-in instead of a password
      if (opts.auth === 'oauth2') return (await import('./oauth')).addOAuthFromCli(opts, { smtp, imap });
      const ctx = await oneShot(opts.db as string | undefined);
      try {
        const view = await createAccountsService(ctx).add({
          name: String(opts.name),
          provider: preset.id,
          email: String(opts.email),
          username: (opts.user as string | undefined) ?? null,
          ...(opts.keepEnvReference ? { secretRef: `env:${variable}` } : { password }),
          smtp,
          imap,
          insecureTls: Boolean(opts.insecureTls),
        });
        if (opts.json) printJsonLine(view);
        else process.stdout.write(`added account "${view.name}" (#${view.id}, ${preset.label}), password kept in ${opts.keepEnvReference ? `the environment variable ${variable}` : ctx.secrets.description}\n`);
      } finally {
        ctx.close();
      }
    });

  withJson(withDb(accounts.command('list').description('list the accounts'))).action(async (opts: { db?: string; json?: boolean }) => {
    const { createAccountsRepo } = await import('../engine/store/accounts');
    const { db } = openCliDatabase(opts.db);
    try {
      for (const a of createAccountsRepo(db).views()) {
        if (opts.json) printJsonLine(a);
        else process.stdout.write(`#${a.id} ${a.name} <${a.email}> ${a.provider} smtp=${a.smtp ? `${a.smtp.host}:${a.smtp.port}/${a.smtp.tls}` : '-'} imap=${a.imap ? `${a.imap.host}:${a.imap.port}/${a.imap.tls}` : '-'} status=${a.status}${a.paused ? ' paused' : ''}\n`);
      }
    } finally {
      db.close();
    }
  });

  withJson(accounts.command('presets').description('list the provider presets with their limits')).action(async (opts: { json?: boolean }) => {
    const { PRESETS } = await import('../engine/accounts/presets');
    for (const p of PRESETS) {
      if (opts.json) printJsonLine(p);
      else process.stdout.write(`${p.id}: ${p.label}; smtp ${p.smtp ? `${p.smtp.host}:${p.smtp.port}/${p.smtp.tls}` : '-'}; limits ${p.limits.map((l) => `${l.max}/${l.window} ${l.counts}`).join(', ') || 'none published'}\n`);
    }
  });

  withJson(withDb(accounts.command('test').description('sign in to SMTP and IMAP and report each step').argument('<name>', 'account name')))
    .action(async (name: string, opts: { db?: string; json?: boolean }) => {
      const { createAccountsService } = await import('../engine/accounts/service');
      const ctx = await oneShot(opts.db);
      try {
        const service = createAccountsService(ctx);
        const account = service.byName(name);
        if (!account) throw new UsageError(`No account named "${name}".`);
        const steps = await service.test(account.id);
        for (const s of steps) {
          if (opts.json) printJsonLine(s);
          else process.stdout.write(`${s.ok ? 'ok  ' : 'FAIL'} ${s.step} (${s.ms} ms): ${s.detail}\n`);
        }
        if (steps.some((s) => !s.ok)) process.exitCode = 1;
      } finally {
        ctx.close();
      }
    });

  withJson(withDb(accounts.command('remove').description('remove an account, its messages and its stored password').argument('<name>', 'account name')))
    .action(async (name: string, opts: { db?: string; json?: boolean }) => {
      const { createAccountsService } = await import('../engine/accounts/service');
      const ctx = await oneShot(opts.db);
      try {
        const service = createAccountsService(ctx);
        const account = service.byName(name);
        if (!account) throw new UsageError(`No account named "${name}".`);
        const removed = await service.remove(account.id);
        if (opts.json) printJsonLine({ name, removed });
        else process.stdout.write(`removed account "${name}"\n`);
      } finally {
        ctx.close();
      }
    });

  // --- relay ---
  const relay = program.command('relay').description('the local relay (SMTP on 127.0.0.1) that other programs send through');
  withJson(withDb(relay.command('info').description('where the local relay listens and how to log in'))).action(async (opts: { db?: string; json?: boolean }) => {
    const { relayInfo } = await import('../engine/outbox/intake/server');
    const ctx = await oneShot(opts.db);
    try {
      const info = await relayInfo(ctx, null);
      const running = await isListening(info.host, info.port);
      if (opts.json) printJsonLine({ host: info.host, port: info.port, user: info.user, password: info.password, running });
      else process.stdout.write(`local relay: ${info.host}:${info.port} (${running ? 'running' : 'not running'})\nuser: ${info.user}\npassword: ${info.password}\nno TLS (loopback only); AUTH PLAIN or LOGIN. Log in with an account's name instead of "${info.user}" to pick that account.\n`);
    } finally {
      ctx.close();
    }
  });

  // --- send ---
  withJson(withDb(program.command('send').description('store a message file and send it now through an account').argument('<file>', 'an .eml file (RFC 5322)')))
    .requiredOption('--account <name>', 'the account to send with')
    .action(async (file: string, opts: { db?: string; json?: boolean; account: string }) => {
      const { readFileSync } = await import('node:fs');
      const { storeAppMessage } = await import('../engine/outbox/send/submit');
      const { createEngine } = await import('../engine/index');
      const { createHeadlessSecretStore } = await import('../engine/accounts/secrets');
      const { createMessagesRepo } = await import('../engine/store/messages');
      const { createAttemptsRepo } = await import('../engine/store/attempts');
      let raw: Buffer;
      try {
        raw = readFileSync(file);
      } catch (e) {
        throw new UsageError(`Cannot read ${file}: ${(e as Error).message}`);
      }
      const dbPath = resolveDbPath(opts.db);
      openCliDatabase(opts.db).db.close(); // creates the folder and migrates, with the CLI's error messages
      const engine = createEngine({ dbPath, secrets: createHeadlessSecretStore(dbPath), intake: false, watch: false });
      try {
        let id: number;
        try {
          id = storeAppMessage(engine, opts.account, raw);
        } catch (e) {
          throw new UsageError((e as Error).message);
        }
        await engine.start();
        await engine.scheduler?.runDueNow();
        const m = createMessagesRepo(engine.db).get(id)!;
        const attempt = createAttemptsRepo(engine.db).listForMessage(id).at(-1);
        const result = {
          id,
          messageId: m.message_id,
          state: m.state,
          nextAttemptAt: m.next_attempt_at,
          category: attempt?.category ?? null,
          reply: attempt ? { stage: attempt.stage, code: attempt.reply_code, enhanced: attempt.enhanced, text: attempt.reply_text } : null,
        };
        if (opts.json) printJsonLine(result);
        else process.stdout.write(`message #${id} ${m.state}${attempt ? `: ${attempt.reply_text ?? ''}` : ''}${m.state === 'queued' && m.next_attempt_at ? ` (next try ${new Date(m.next_attempt_at).toISOString()})` : ''}\n`);
        if (m.state !== 'sent') process.exitCode = 1;
      } finally {
        await engine.stop();
      }
    });

  // --- serve ---
  withDb(program.command('serve').description('run the engine without a window: local relay, sender, scheduler and bounce watcher'))
    .option('--relay-port <port>', 'port of the local relay on 127.0.0.1 (0 = any free port; default: the stored setting or 2525)')
    .option('--no-relay', 'do not start the local relay')
    .action(async (opts: { db?: string; relayPort?: string; relay: boolean }) => {
      const { createEngine } = await import('../engine/index');
      const { createHeadlessSecretStore } = await import('../engine/accounts/secrets');
      const dbPath = resolveDbPath(opts.db);
      openCliDatabase(opts.db).db.close();
      const logger = lineLogger();
      const engine = createEngine({
        dbPath,
        secrets: createHeadlessSecretStore(dbPath),
        logger,
        intake: opts.relay,
        intakePort: port(opts.relayPort, '--relay-port'),
      });
      engine.events.onAny((event, payload) => logger.info(`event.${event}`, payload as Record<string, unknown>));
      await engine.start();
      const address = engine.intakeAddress();
      if (address) {
        const info = await engine.relayInfo();
        logger.info('relay.ready', { host: address.host, port: address.port, user: info.user, hint: 'password: outbox-monitor relay info --db ' + dbPath });
      }
      logger.info('serve.ready', { db: dbPath, secrets: engine.secrets.description });
      await new Promise<void>((resolve) => {
        let stopping = false;
        const shutdown = (signal: string) => {
          if (stopping) return;
          stopping = true;
          logger.info('serve.stopping', { signal });
          engine.stop().then(
            () => {
              logger.info('serve.stopped');
              resolve();
            },
            (e) => {
              logger.error('serve.stop_failed', { error: String(e) });
              process.exitCode = 1;
              resolve();
            },
          );
        };
        process.once('SIGTERM', () => shutdown('SIGTERM'));
        process.once('SIGINT', () => shutdown('SIGINT'));
      });
    });

  // --- messages, failures, resend ---
  withJson(withDb(program.command('messages').description('list stored messages with their state and next attempt'))).action(async (opts: { db?: string; json?: boolean }) => {
    const { createMessagesRepo } = await import('../engine/store/messages');
    const { db } = openCliDatabase(opts.db);
    try {
      const repo = createMessagesRepo(db);
      let after = 0;
      for (;;) {
        const page = repo.pageWithAccount(after, 1000);
        for (const m of page) {
          const row = {
            id: m.id,
            messageId: m.message_id,
            account: m.account_name,
            state: m.state,
            nextAttemptAt: m.next_attempt_at,
            dueReason: m.due_reason,
            holdCategory: m.hold_category,
            source: m.source,
            from: m.mail_from,
            recipients: JSON.parse(m.rcpt_json) as string[],
            subject: m.subject,
            sizeBytes: m.size_bytes,
            attempts: m.attempt_count,
            createdAt: m.created_at,
            sentAt: m.sent_at,
          };
          if (opts.json) printJsonLine(row);
          else process.stdout.write(`#${m.id} ${m.state}${m.next_attempt_at && m.state === 'queued' ? ` next=${new Date(m.next_attempt_at).toISOString()}` : ''} ${m.account_name} ${m.message_id ?? '-'} ${JSON.stringify(m.subject ?? '')}\n`);
        }
        if (page.length < 1000) break;
        after = page[page.length - 1].id;
      }
    } finally {
      db.close();
    }
  });

  withJson(withDb(program.command('failures').description('list failures: category, kind, the provider\'s words'))).action(async (opts: { db?: string; json?: boolean }) => {
    const { createViews } = await import('../engine/store/views');
    const { db } = openCliDatabase(opts.db);
    try {
      const views = createViews(db);
      for (let offset = 0; ; offset += 1000) {
        const page = views.failureList({ offset, limit: 1000 });
        for (const f of page.rows) {
          const row = {
            id: f.id,
            messageId: f.messageId,
            messageDbId: f.messageDbId,
            account: f.accountName,
            recipient: f.recipient,
            category: f.category,
            kind: f.kind,
            source: f.source,
            status: f.status,
            replyCode: f.replyCode,
            diagnostic: f.diagnostic,
            detectedAt: f.detectedAt,
            resolved: f.resolvedAt !== null,
          };
          if (opts.json) printJsonLine(row);
          else process.stdout.write(`#${f.id} ${f.category} (${f.kind}, ${f.source}) ${f.recipient ?? '(whole message)'}: ${f.diagnostic ?? ''}${f.resolvedAt ? ' [resolved]' : ''}\n`);
        }
        if (page.rows.length < 1000) break;
      }
    } finally {
      db.close();
    }
  });

  withJson(withDb(program.command('resend').description('send stored messages again (same bytes and Message-ID unless an option changes them)').argument('<id...>', 'message ids (see `messages`)')))
    .option('--all-recipients', 'send to every original recipient, not only the failed ones')
    .option('--without-attachments', 'remove attachments (for message_too_large)')
    .option('--from-own-address', 'send from the account\'s own address, original From as Reply-To (for send_as_denied)')
    .option('--force', 'skip the quota and backoff wait once')
    .action(async (ids: string[], opts: { db?: string; json?: boolean; allRecipients?: boolean; withoutAttachments?: boolean; fromOwnAddress?: boolean; force?: boolean }) => {
      const { prepareResend } = await import('../engine/outbox/resend/prepare');
      const ctx = await oneShot(opts.db);
      try {
        for (const text of ids) {
          const id = Number(text);
          if (!Number.isInteger(id) || id <= 0) throw new UsageError(`"${text}" is not a message id.`);
          try {
            const r = prepareResend(ctx, id, {
              onlyFailedRecipients: !opts.allRecipients,
              withoutAttachments: Boolean(opts.withoutAttachments),
              fromOwnAddress: Boolean(opts.fromOwnAddress),
              force: Boolean(opts.force),
            });
            if (opts.json) printJsonLine({ id, queued: r.messageId, newRow: r.newRow, recipients: r.recipients });
            else process.stdout.write(`message #${id}: queued${r.newRow ? ` as #${r.messageId}` : ''} to ${r.recipients.join(', ')} (the running \`serve\` sends it)\n`);
          } catch (e) {
            if (opts.json) printJsonLine({ id, error: (e as Error).message });
            else process.stderr.write(`message #${id}: ${(e as Error).message}\n`);
            process.exitCode = 1;
          }
        }
      } finally {
        ctx.close();
      }
    });
}

async function isListening(host: string, portNumber: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const socket = connect({ host, port: portNumber });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(300, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
