// The scheduler's command-line actions: a scheduler object on the database that is never
// started (no timer, no sends), used for its queue projection and pause switches. A running
// `serve` sees pause/resume within its recheck interval.
import { EngineEvents } from '../engine/events';
import { systemClock, silentLogger } from '../engine/ports';
import { createScheduler, type Scheduler } from '../engine/schedule';
import { createAccountsRepo } from '../engine/store/accounts';
import { openCliDatabase, UsageError } from './common';

export async function withScheduler(
  dbPath: string | undefined,
  fn: (s: { scheduler: Scheduler; accountId: (name: string | undefined) => number | undefined }) => void | Promise<void>,
): Promise<void> {
  const { db, path } = openCliDatabase(dbPath);
  try {
    const ctx = {
      db,
      dbPath: path,
      events: new EngineEvents(),
      clock: systemClock,
      logger: silentLogger,
      secrets: { description: 'none', get: async () => null, set: async () => {}, delete: async () => {} },
    };
    const scheduler = createScheduler(ctx);
    const accounts = createAccountsRepo(db);
    const accountId = (name: string | undefined) => {
      if (name === undefined) return undefined;
      const row = accounts.getByName(name);
      if (!row) throw new UsageError(`No account named "${name}".`);
      return row.id;
    };
    await fn({ scheduler, accountId });
  } finally {
    db.close();
  }
}
