import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { openCliDatabase, printJsonLine, resolveDbPath, UsageError, withDb, withJson } from './common';

export function registerDb(program: Command): void {
  const db = program.command('db').description('inspect and upgrade the database');

  withJson(withDb(db.command('info').description('schema version and row counts'))).action(
    async (opts: { db?: string; json?: boolean }) => {
      const { databaseInfo } = await import('../engine/store/info');
      // Opened without migrating and never created: `info` must describe the file as it is.
      if (!existsSync(resolveDbPath(opts.db))) throw new UsageError(`There is no database at ${resolveDbPath(opts.db)} (run \`outbox-monitor db migrate\` to create one).`);
      const { db: handle, path } = openCliDatabase(opts.db, { migrate: false });
      try {
        const info = databaseInfo(handle, path);
        if (opts.json) return printJsonLine(info);
        process.stdout.write(
          `database: ${info.path}\nschema version: ${info.schemaVersion} (this app: ${info.codeSchemaVersion})\njournal: ${info.journalMode}\n` +
            Object.entries(info.counts)
              .map(([t, n]) => `${t}: ${n}`)
              .join('\n') +
            '\n',
        );
      } finally {
        handle.close();
      }
    },
  );

  withJson(withDb(db.command('migrate').description('upgrade the database to this version\'s schema'))).action(
    async (opts: { db?: string; json?: boolean }) => {
      const { migrate, schemaVersion } = await import('../engine/store/migrations');
      const { db: handle, path: resolved } = openCliDatabase(opts.db, { migrate: false });
      try {
        const before = schemaVersion(handle);
        const after = migrate(handle, resolved);
        if (opts.json) printJsonLine({ path: resolved, from: before, to: after });
        else process.stdout.write(before === after ? `${resolved}: already at version ${after}\n` : `${resolved}: migrated from version ${before} to ${after}\n`);
      } finally {
        handle.close();
      }
    },
  );
}
