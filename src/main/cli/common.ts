import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Option, type Command } from 'commander';
import { openDatabase, type Db, type OpenOptions } from '../engine/store/db';
import { defaultDatabasePath } from '../engine/paths';

/** Adds the `--db PATH` option every command takes. */
export function withDb(cmd: Command): Command {
  return cmd.addOption(
    new Option('--db <path>', 'the database file (default: the app\'s own database in your user data folder)').default(
      undefined,
    ),
  );
}

export function withJson(cmd: Command): Command {
  return cmd.option('--json', 'print one JSON object per line');
}

export function resolveDbPath(path: string | undefined): string {
  return path ?? defaultDatabasePath();
}

/** Opens the database for a command, creating its folder when it is the default location. */
export function openCliDatabase(path: string | undefined, options: OpenOptions = {}): { db: Db; path: string } {
  const resolved = resolveDbPath(path);
  if (!path && !options.readonly) mkdirSync(dirname(resolved), { recursive: true });
  return { db: openDatabase(resolved, options), path: resolved };
}

export function printJsonLine(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** An error the user caused and can fix: printed without a stack trace, exit code 1 (or as given). */
export class UsageError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'UsageError';
  }
}
