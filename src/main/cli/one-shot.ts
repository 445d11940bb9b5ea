import type { EngineContext } from '../engine/index';
import { openCliDatabase } from './common';

/**
 * An engine context for a command that runs once and exits: the database, the headless secret
 * store, the system clock, no parts started. The caller closes it.
 */
export async function oneShot(dbOpt: string | undefined): Promise<EngineContext & { close(): void }> {
  const { createHeadlessSecretStore } = await import('../engine/accounts/secrets');
  const { EngineEvents } = await import('../engine/events');
  const { systemClock, silentLogger } = await import('../engine/ports');
  const { db, path } = openCliDatabase(dbOpt);
  return {
    db,
    dbPath: path,
    events: new EngineEvents(),
    clock: systemClock,
    logger: silentLogger,
    secrets: createHeadlessSecretStore(path),
    close: () => db.close(),
  };
}
