import { app, BrowserWindow, dialog, safeStorage, session, type WebContents } from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { StatusSummary } from '../../shared/model';
import { createCommandHandlers, type CommandServices } from '../engine/commands';
import { createDispatcher, type Dispatch } from '../engine/dispatch';
import { createEngine, type Engine, type EngineOptions } from '../engine/index';
import type { Logger } from '../engine/ports';
import { StoreError } from '../engine/store/db';
import { openExternal } from './external-links';
import { forwardEvents, registerIpc, sendEvent } from './ipc';
import { createFileLogger } from './logger';
import { createNotifier } from './notifications';
import { appPaths } from './paths';
import { ALLOW_BASIC_TEXT_ENV, createSafeSecretStore } from './secret-store';
import { createAppTray, type AppTray } from './tray';
import { createMainWindow, devServerUrlFrom, hardenContents, hardenSession, isOwnPage, type RendererSource } from './window';

const EMPTY_SUMMARY: StatusSummary = { tray: 'clear', needsYou: 0, retrying: 0, wontRetry: 0, resolved: 0, paused: false };

/** The Electron build of better-sqlite3 made by `npm run native:electron`, when present. */
export function electronNativeBinding(appRoot: string): string | undefined {
  const file = join(appRoot, '.native', 'electron', 'better_sqlite3.node');
  return existsSync(file) ? file : undefined;
}

/** The window shows a plain-words error and the app ends; the database file is never touched. */
export function reportStoreError(error: StoreError, logger: Logger | null): void {
  logger?.error('store.open_failed', { code: error.code, message: error.message });
  const titles: Record<StoreError['code'], string> = {
    db_corrupt: 'The database is damaged',
    db_too_new: 'The database is from a newer Outbox Monitor',
    db_locked: 'The database is in use',
    db_unreadable: 'The database cannot be opened',
    db_readonly: 'The database is read-only',
    db_full: 'The disk is full',
  };
  dialog.showErrorBox(`Outbox Monitor: ${titles[error.code]}`, error.message);
}

export interface RunningApp {
  engine: Engine;
  dispatch: Dispatch;
  showWindow(): void;
  /** stops the engine once; later calls wait for the same stop */
  shutdown(): Promise<void>;
}

/**
 * Builds the running app after `ready`: ports (logger, secrets), the engine on the user's
 * database, IPC, the window, the tray and notifications. Returns null when the database cannot
 * be opened (the user has been told why).
 */
export async function startApp(
  appRoot: string,
  /** engine settings for tests (e.g. a free intake port); the app passes none */
  engineOverrides: Partial<Omit<EngineOptions, 'dbPath' | 'secrets'>> = {},
): Promise<RunningApp | null> {
  const paths = appPaths(app.getPath('userData'));
  const logger = createFileLogger(paths.mainLog, app.isPackaged ? null : console);
  const source: RendererSource = {
    file: join(__dirname, '../renderer/index.html'),
    devServerUrl: devServerUrlFrom(process.env, app.isPackaged),
  };
  const openLink = (url: string) => {
    void openExternal(url).then((check) => {
      if (!check.ok) logger.warn('link.refused', { reason: check.reason });
    });
  };

  // The OAuth sign-in page goes through the same allow-list as every other link (the providers'
  // authorization hosts are on it); a refusal throws so the sign-in fails at once.
  const openSignIn = async (url: string) => {
    const check = await openExternal(url);
    if (!check.ok) {
      logger.warn('signin.link.refused', { reason: check.reason });
      throw new Error(`The sign-in address was refused (${check.reason}).`);
    }
  };

  const secrets = createSafeSecretStore({
    file: paths.secrets,
    safeStorage,
    allowBasicText: process.env[ALLOW_BASIC_TEXT_ENV] === '1',
    logger,
  });

  let engine: Engine;
  try {
    engine = createEngine({ dbPath: paths.database, nativeBinding: electronNativeBinding(appRoot), secrets, logger, openExternal: openSignIn, ...engineOverrides });
  } catch (error) {
    if (error instanceof StoreError) {
      reportStoreError(error, logger);
      return null;
    }
    throw error;
  }
  const dispatch = createDispatcher(createCommandHandlers(engine as Engine & CommandServices), logger, engine.dbPath);

  let win: BrowserWindow | null = null;
  let quitting = false;
  const mainContents = (): WebContents | null => (win && !win.isDestroyed() ? win.webContents : null);
  hardenSession(session.defaultSession, (contents) => contents !== null && contents === mainContents() && isOwnPage(contents.getURL(), source));
  // Any web contents created later (a devtools window, a future view) gets the same guards.
  app.on('web-contents-created', (_event, contents) => hardenContents(contents, openLink));
  const showWindow = () => {
    if (!win || win.isDestroyed()) {
      win = createMainWindow({ preloadPath: join(__dirname, '../preload/index.js'), source, openLink, icon: join(appRoot, 'resources', 'icon.png') });
      // Closing the window hides it: the engine keeps sending and the tray keeps watch.
      win.on('close', (event) => {
        if (!quitting) {
          event.preventDefault();
          win?.hide();
        }
      });
    }
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  };
  const openFailure = (failureId: number | null) => {
    showWindow();
    if (failureId === null) return;
    const contents = mainContents();
    if (contents?.isLoading()) contents.once('did-finish-load', () => sendEvent(mainContents(), 'navigate/failure', { failureId }));
    else sendEvent(contents, 'navigate/failure', { failureId });
  };

  const unregister = registerIpc({ dispatch, mainContents, source, logger });
  const unforward = forwardEvents(engine.events, mainContents);

  const initial = await dispatch('status/summary', []);
  const tray: AppTray = createAppTray(join(appRoot, 'resources'), initial.ok ? (initial.value as StatusSummary) : EMPTY_SUMMARY, {
    open: showWindow,
    pause: () => void dispatch('sending/pause', [{}]),
    resume: () => void dispatch('sending/resume', [{}]),
    resendReady: () => void resendAllReady(dispatch),
    quit: () => app.quit(),
  });
  const offStatus = engine.events.on('status/changed', (summary) => tray.update(summary));
  const notifier = createNotifier(openFailure);
  const offAttention = engine.events.on('attention', (notice) => notifier.show(notice));

  showWindow();
  try {
    await engine.start();
  } catch (error) {
    // The window still opens on the stored data; the user learns why sending is off.
    logger.error('engine.start_failed', { error: error instanceof Error ? error.message : String(error) });
    dialog.showErrorBox('Outbox Monitor could not start sending', error instanceof Error ? error.message : String(error));
  }

  let stopping: Promise<void> | null = null;
  return {
    engine,
    dispatch,
    showWindow,
    shutdown() {
      quitting = true;
      stopping ??= (async () => {
        offStatus();
        offAttention();
        unforward();
        unregister();
        tray.destroy();
        await engine.stop();
        logger.info('app.stopped');
      })();
      return stopping;
    },
  };
}

/** "Resend all ready" from the tray: every failure that is waiting to retry, sent now (quotas still apply). */
export async function resendAllReady(dispatch: Dispatch): Promise<void> {
  const ids: number[] = [];
  for (let offset = 0; offset < 200_000; offset += 1_000) {
    const page = await dispatch('failures/list', [{ group: 'retrying', offset, limit: 1_000 }]);
    if (!page.ok) return;
    const rows = (page.value as { rows: { id: number }[] }).rows;
    ids.push(...rows.map((r) => r.id));
    if (rows.length < 1_000) break;
  }
  if (ids.length > 0) await dispatch('failures/resend', [{ failureIds: ids }]);
}
