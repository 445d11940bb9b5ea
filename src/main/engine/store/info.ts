import type { Db } from './db';
import { SCHEMA_VERSION, schemaVersion } from './migrations';

const COUNTED_TABLES = [
  'accounts', 'messages', 'attempts', 'failures', 'bounces', 'sync_state', 'sent_index', 'suppressions', 'settings',
] as const;

export interface DatabaseInfo {
  path: string;
  schemaVersion: number;
  codeSchemaVersion: number;
  journalMode: string;
  counts: Record<string, number>;
}

/** Schema version and row counts, for `outbox-monitor db info`. */
export function databaseInfo(db: Db, path: string): DatabaseInfo {
  const existing = new Set(
    (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name),
  );
  const counts: Record<string, number> = {};
  for (const table of COUNTED_TABLES) {
    if (!existing.has(table)) continue;
    // Table names come from the constant list above, never from input.
    counts[table] = (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  }
  return {
    path,
    schemaVersion: schemaVersion(db),
    codeSchemaVersion: SCHEMA_VERSION,
    journalMode: String(db.pragma('journal_mode', { simple: true })),
    counts,
  };
}
