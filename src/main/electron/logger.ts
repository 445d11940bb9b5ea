import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../engine/ports';

const MAX_LOG_BYTES = 5_000_000;
/** Field names whose values never reach a log line, whatever a caller passes. */
const SECRET_KEYS = /pass(word)?|secret|token|auth|credential|cookie/i;

/** Replaces values of secret-looking keys, at any depth, with a marker. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = SECRET_KEYS.test(key) ? '[redacted]' : redact(v, depth + 1);
  return out;
}

/**
 * The app's Logger port: one JSON line per event in userData/logs/main.log, rotated once to
 * main.log.1 past 5 MB. Synchronous appends keep the last lines before a crash.
 */
export function createFileLogger(file: string, mirror: Pick<Console, 'log' | 'warn' | 'error'> | null = null): Logger {
  mkdirSync(dirname(file), { recursive: true });
  const write = (level: 'info' | 'warn' | 'error', event: string, fields?: Record<string, unknown>) => {
    const line = JSON.stringify({ at: new Date().toISOString(), level, event, ...(redact(fields ?? {}) as object) });
    try {
      if ((statSync(file, { throwIfNoEntry: false })?.size ?? 0) > MAX_LOG_BYTES) renameSync(file, `${file}.1`);
      appendFileSync(file, line + '\n', { mode: 0o600 });
    } catch {
      // A full or read-only disk must not take the app down with it; the mirror still prints.
    }
    if (mirror) (level === 'info' ? mirror.log : mirror[level])(line);
  };
  return {
    info: (event, fields) => write('info', event, fields),
    warn: (event, fields) => write('warn', event, fields),
    error: (event, fields) => write('error', event, fields),
  };
}
