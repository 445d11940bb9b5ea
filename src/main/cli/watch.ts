import type { Command } from 'commander';
import { openCliDatabase, printJsonLine, UsageError, withDb, withJson } from './common';

/** Registers this group's commands. Implementations load lazily inside each action. */
export function registerWatch(program: Command): void {
  withJson(withDb(program.command('scan').description('look through an account\'s watched folders once for bounces and reports, store them, print what was found')))
    .requiredOption('--account <name>', 'the account to scan (its name)')
    .option('--since <date>', 'on a first scan, look back to this date (default: the look-back setting, 30 days)')
    .action(async (opts: { db?: string; account: string; since?: string; json?: boolean }) => {
      let since: Date | undefined;
      if (opts.since !== undefined) {
        since = new Date(opts.since);
        if (Number.isNaN(since.getTime())) throw new UsageError(`--since must be a date such as 2026-11-01 (got "${opts.since}").`);
      }
      const { createHeadlessSecretStore } = await import('../engine/accounts/secrets');
      const { EngineEvents } = await import('../engine/events');
      const { systemClock, silentLogger } = await import('../engine/ports');
      const { createAccountsRepo } = await import('../engine/store/accounts');
      const { createWatcher } = await import('../engine/bounces/watch');
      const { db, path } = openCliDatabase(opts.db);
      try {
        const account = createAccountsRepo(db).getByName(opts.account);
        if (!account) throw new UsageError(`No account named "${opts.account}".`);
        if (!account.imap_host) throw new UsageError(`Account "${opts.account}" has no IMAP settings, so there is nothing to scan.`);
        const ctx = { db, dbPath: path, events: new EngineEvents(), clock: systemClock, logger: silentLogger, secrets: createHeadlessSecretStore(path) };
        const watcher = createWatcher(ctx);
        let result;
        try {
          result = await watcher.syncOnce(account.id, { since });
        } catch (err) {
          const e = err as { response?: string; message?: string };
          throw new UsageError(`Could not scan "${opts.account}": ${e.response ?? e.message ?? String(err)}`);
        }
        if (opts.json) {
          printJsonLine(result);
          return;
        }
        const lines = [`${result.accountName}: ${result.stored} new report(s), ${result.failures} new failure(s)`];
        for (const f of result.folders) {
          const types = Object.entries(f.byType).map(([t, n]) => `${t} ${n}`).join(', ');
          lines.push(`  ${f.folder}: ${f.scanned} looked at${f.searched ? ' (narrowed by the server\'s search)' : ''}, ${f.candidates} candidate(s), ${f.stored} stored${types ? ` (${types})` : ''}${f.rescanned ? ', rescanned after a UIDVALIDITY change' : ''}`);
        }
        if (result.sentIndexed) lines.push(`  Sent folder: ${result.sentIndexed} message(s) indexed`);
        for (const e of result.errors) lines.push(`  problem: ${e}`);
        process.stdout.write(`${lines.join('\n')}\n`);
      } finally {
        db.close();
      }
    });
}
