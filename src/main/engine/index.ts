// The engine's composition root: builds every part in the order data flows
// (store → accounts → outbox → schedule → bounces → commands) and starts and stops them.
// Runs in plain Node (command line, tests) and in Electron's main process alike.
import { openDatabase, type Db } from './store/db';
import { EngineEvents } from './events';
import { systemClock, silentLogger, type Clock, type Logger, type OpenExternal, type SecretStore } from './ports';
import { createScheduler, type Scheduler, type SchedulerOptions } from './schedule';
import { createOutboxPart, type OutboxServices } from './outbox';
import { createWatcher } from './bounces/watch';

export interface EngineOptions {
  /** database file path, or ':memory:' */
  dbPath: string;
  /** an already-open database (tests); takes precedence over dbPath */
  db?: Db;
  /** better-sqlite3 addon built for the host runtime (Electron passes its own) */
  nativeBinding?: string;
  secrets: SecretStore;
  clock?: Clock;
  logger?: Logger;
  /** local SMTP intake port on 127.0.0.1 (0 = any free port); undefined = the stored setting */
  intakePort?: number;
  /** start the local SMTP intake (default true) */
  intake?: boolean;
  /** start the IMAP bounce watcher for accounts with IMAP settings (default true) */
  watch?: boolean;
  /** run the scheduler that sends due messages (default true) */
  schedule?: boolean;
  /** scheduler tuning (tests inject the sender, backoff, jitter) */
  scheduleOptions?: SchedulerOptions;
  /** opens a URL in the system browser (OAuth sign-in); the Electron edge checks it against its allow-list */
  openExternal?: OpenExternal;
}

export interface EngineContext {
  db: Db;
  dbPath: string;
  /** the better-sqlite3 addon the host runtime needs, for worker threads that open their own connection */
  nativeBinding?: string;
  events: EngineEvents;
  clock: Clock;
  logger: Logger;
  secrets: SecretStore;
  /** absent where no browser can be opened (then OAuth reconnect from the window is refused) */
  openExternal?: OpenExternal;
}

export interface Engine extends EngineContext, OutboxServices {
  /** the retry scheduler (null when started with schedule: false) */
  scheduler: Scheduler | null;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createEngine(options: EngineOptions): Engine {
  const db = options.db ?? openDatabase(options.dbPath, { nativeBinding: options.nativeBinding });
  const ctx: EngineContext = {
    db,
    dbPath: options.dbPath,
    nativeBinding: options.nativeBinding,
    events: new EngineEvents(),
    clock: options.clock ?? systemClock,
    logger: options.logger ?? silentLogger,
    secrets: options.secrets,
    ...(options.openExternal ? { openExternal: options.openExternal } : {}),
  };

  // Parts register here in flow order; each has start/stop. Stop runs in reverse.
  const parts: { name: string; start(): Promise<void> | void; stop(): Promise<void> | void }[] = [];

  // --- outbox (intake + sender) ---
  const outbox = createOutboxPart(ctx, { intake: options.intake !== false, intakePort: options.intakePort });
  parts.push(outbox.part);
  // --- schedule ---
  const scheduler = options.schedule === false ? null : createScheduler(ctx, options.scheduleOptions);
  if (scheduler) parts.push({ name: 'schedule', start: () => scheduler.start(), stop: () => scheduler.stop() });
  // --- bounces (watcher) ---
  if (options.watch !== false) {
    const watcher = createWatcher(ctx);
    parts.push({ name: 'bounces', start: () => watcher.start(), stop: () => watcher.stop() });
  }

  let started = false;
  return {
    ...ctx,
    ...outbox.services,
    scheduler,
    async start() {
      if (started) return;
      started = true;
      for (const part of parts) {
        await part.start();
        ctx.logger.info('engine.part.started', { part: part.name });
      }
    },
    async stop() {
      if (!started) {
        if (!options.db) db.close();
        return;
      }
      started = false;
      for (const part of [...parts].reverse()) {
        try {
          await part.stop();
        } catch (err) {
          ctx.logger.error('engine.part.stop_failed', { part: part.name, error: String(err) });
        }
      }
      if (!options.db) db.close();
    },
  };
}
