import { join } from 'node:path';
import { DATABASE_FILE } from '../engine/paths';

/** Where the app keeps its files, all under Electron's `userData` folder for "Outbox Monitor". */
export interface AppPaths {
  userData: string;
  /** the same file the command line opens by default (engine/paths.ts) */
  database: string;
  /** encrypted secret blobs; never inside the database */
  secrets: string;
  logs: string;
  mainLog: string;
}

export function appPaths(userData: string): AppPaths {
  const logs = join(userData, 'logs');
  return {
    userData,
    database: join(userData, DATABASE_FILE),
    secrets: join(userData, 'secrets.json'),
    logs,
    mainLog: join(logs, 'main.log'),
  };
}
