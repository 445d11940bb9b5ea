import { accessSync, constants, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrations';

export type Db = Database.Database;

export interface OpenOptions {
  /** Path to a better-sqlite3 addon built for the current runtime (the Electron app passes one). */
  nativeBinding?: string;
  /** Run migrations on open (default true). `db info` opens without migrating. */
  migrate?: boolean;
  readonly?: boolean;
  /** Milliseconds to wait for a lock held by another process before failing. */
  busyTimeoutMs?: number;
}

/** A database problem the user must hear about, always naming the file. */
export class StoreError extends Error {
  constructor(
    readonly code: 'db_corrupt' | 'db_too_new' | 'db_locked' | 'db_unreadable' | 'db_readonly' | 'db_full',
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

/**
 * Opens (creating if needed) the app's SQLite database: WAL so the window can read while the
 * engine writes, foreign keys on, a busy timeout so a second process waits instead of failing
 * at once, and synchronous=FULL so a commit is on disk before we answer 250 to anyone.
 */
export function openDatabase(path: string, options: OpenOptions = {}): Db {
  let db: Db;
  try {
    db = new Database(path, {
      nativeBinding: options.nativeBinding,
      readonly: options.readonly ?? false,
      fileMustExist: options.readonly ?? false,
    });
  } catch (err) {
    throw describeOpenError(path, err);
  }
  try {
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    if (!options.readonly && path !== ':memory:') db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // Reading the schema proves the file is a database before anything relies on it.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    if (options.migrate !== false && !options.readonly) migrate(db, path);
  } catch (err) {
    db.close();
    throw describeOpenError(path, err);
  }
  return db;
}

export function describeOpenError(path: string, err: unknown): Error {
  if (err instanceof StoreError) return err;
  const code = (err as { code?: string }).code ?? '';
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || /not a database|malformed/i.test(message)) {
    return new StoreError('db_corrupt', `The database file ${path} is damaged or is not an Outbox Monitor database (${message}). It was left untouched; restore it from a backup or move it aside.`);
  }
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || /database is locked/i.test(message)) {
    return new StoreError('db_locked', `The database file ${path} is locked by another process (is Outbox Monitor already running?). Close it and try again.`);
  }
  if (code === 'SQLITE_READONLY' || /readonly/i.test(message)) {
    return new StoreError('db_readonly', `The database file ${path} is read-only: ${message}. Nothing was written.`);
  }
  if (code === 'SQLITE_FULL' || /disk is full|database or disk is full/i.test(message)) {
    return new StoreError('db_full', `The disk holding ${path} is full: ${message}. Nothing was lost; free some space and try again.`);
  }
  if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_IOERR_WRITE') {
    // WAL needs its side files next to the database: a read-only folder or file system shows up
    // as "cannot open", which would send the user looking for the wrong problem.
    const why = notWritable(path);
    if (why) return new StoreError('db_readonly', `The database file ${path} is read-only (${why}): ${message}. Nothing was written.`);
  }
  if (code === 'SQLITE_CANTOPEN') {
    return new StoreError('db_unreadable', `The database file ${path} cannot be opened: ${message}.`);
  }
  return err instanceof Error ? err : new Error(message);
}

/** Why the database file or its folder cannot be written, or null when they can (or the file does not exist). */
function notWritable(path: string): string | null {
  if (path === ':memory:' || !existsSync(path)) return null;
  for (const target of [path, dirname(path)]) {
    try {
      accessSync(target, constants.W_OK);
    } catch (e) {
      const c = (e as NodeJS.ErrnoException).code;
      return c === 'EROFS' ? 'it is on a read-only file system' : `${target} is not writable (${c})`;
    }
  }
  return null;
}

/** Runs `fn` in one IMMEDIATE transaction (writers queue up behind each other instead of deadlocking). */
export function transaction<T>(db: Db, fn: () => T): T {
  return db.transaction(fn).immediate();
}
