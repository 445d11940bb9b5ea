import type { Db } from './db';

/** Small app-wide settings as JSON values (relay port, look-back period, global pause …). */
export function createSettingsRepo(db: Db) {
  const get = db.prepare<[string], { value_json: string }>('SELECT value_json FROM settings WHERE key = ?');
  const put = db.prepare<[string, string]>(
    'INSERT INTO settings (key, value_json) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json',
  );
  const del = db.prepare<[string]>('DELETE FROM settings WHERE key = ?');
  return {
    get<T>(key: string, fallback: T): T {
      const row = get.get(key);
      if (!row) return fallback;
      try {
        return JSON.parse(row.value_json) as T;
      } catch {
        return fallback;
      }
    },
    set(key: string, value: unknown): void {
      put.run(key, JSON.stringify(value));
    },
    delete(key: string): void {
      del.run(key);
    },
  };
}
export type SettingsRepo = ReturnType<typeof createSettingsRepo>;
