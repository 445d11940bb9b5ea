import { homedir } from 'node:os';
import { join } from 'node:path';

export const APP_DIR_NAME = 'Outbox Monitor';
export const DATABASE_FILE = 'outbox.db';

/**
 * The folder Electron calls `userData` for an app named "Outbox Monitor", computed without
 * Electron so the command line and the app open the same database by default.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.OUTBOX_MONITOR_HOME) return env.OUTBOX_MONITOR_HOME;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_DIR_NAME);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_DIR_NAME);
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), APP_DIR_NAME);
}

export function defaultDatabasePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(defaultDataDir(env), DATABASE_FILE);
}
