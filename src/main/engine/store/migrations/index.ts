import type Database from 'better-sqlite3';
import { StoreError } from '../db';
import { migration0001Initial } from './0001-initial';

export interface Migration {
  version: number;
  name: string;
  up(db: Database.Database): void;
}

/** Forward-only, in order. Never edit a migration that has shipped: add the next one. */
export const MIGRATIONS: readonly Migration[] = [migration0001Initial];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings the database to `target` (default: the newest), one migration per transaction so a
 * crash leaves it at a whole version. Refuses a database written by a newer Outbox Monitor.
 */
export function migrate(db: Database.Database, path: string, target = SCHEMA_VERSION): number {
  const current = schemaVersion(db);
  if (current > SCHEMA_VERSION) {
    throw new StoreError(
      'db_too_new',
      `The database file ${path} has schema version ${current}, but this Outbox Monitor only knows up to version ${SCHEMA_VERSION}. It was written by a newer version of the app; update the app, or open a different file. Nothing was changed.`,
    );
  }
  for (const m of MIGRATIONS) {
    if (m.version <= current || m.version > target) continue;
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  return schemaVersion(db);
}
