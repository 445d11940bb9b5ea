import type { Command } from 'commander';
import { printJsonLine, withDb, withJson } from './common';

/** Registers this group's commands. Implementations load lazily inside each action. */
export function registerSchedule(program: Command): void {
  withJson(withDb(program.command('queue')))
    .description('list waiting messages: when each is expected to go, why it waits, and its slot in the sending limit')
    .option('--account <name>', 'only this account')
    .option('--limit <n>', 'at most this many messages', (v) => Number.parseInt(v, 10))
    .action(async (opts: { db?: string; json?: boolean; account?: string; limit?: number }) => {
      const { withScheduler } = await import('./schedule-impl');
      await withScheduler(opts.db, ({ scheduler, accountId }) => {
        const entries = scheduler.queue({ accountId: accountId(opts.account), limit: opts.limit });
        for (const e of entries) {
          if (opts.json) {
            printJsonLine({
              id: e.id, messageId: e.messageId, account: e.accountName, subject: e.subject, recipients: e.recipients,
              dueAt: e.dueAt === null ? null : new Date(e.dueAt).toISOString(), dueAtMs: e.dueAt, reason: e.reason,
              storedReason: e.storedReason, category: e.category, slot: e.slot, cap: e.cap, window: e.window, text: e.text,
            });
          } else {
            process.stdout.write(`${String(e.id).padStart(7)}  ${e.accountName.padEnd(16)}  ${e.reason.padEnd(8)}  ${e.text}  ${e.subject ?? ''}\n`);
          }
        }
        if (!opts.json && entries.length === 0) process.stdout.write('Nothing is waiting.\n');
      });
    });

  for (const verb of ['pause', 'resume'] as const) {
    withJson(withDb(program.command(verb)))
      .description(verb === 'pause' ? 'stop starting new sends (all accounts, or one)' : 'start sending again (all accounts, or one)')
      .option('--account <name>', 'only this account')
      .action(async (opts: { db?: string; json?: boolean; account?: string }) => {
        const { withScheduler } = await import('./schedule-impl');
        await withScheduler(opts.db, ({ scheduler, accountId }) => {
          const id = accountId(opts.account);
          scheduler[verb](id);
          const what = opts.account ? `account ${opts.account}` : 'all sending';
          if (opts.json) printJsonLine({ ok: true, action: verb, account: opts.account ?? null });
          else process.stdout.write(`${verb === 'pause' ? 'Paused' : 'Resumed'} ${what}.\n`);
        });
      });
  }
}

