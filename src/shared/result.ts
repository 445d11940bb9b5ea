/** Every error that crosses a process boundary has a machine code from this list and words for a person. */
export const ERROR_CODES = [
  'invalid_payload',
  'unknown_command',
  'forbidden_sender',
  'not_found',
  'conflict',
  'db_corrupt',
  'db_too_new',
  'db_locked',
  'db_readonly',
  'db_full',
  'db_unreadable',
  'secret_store_unavailable',
  'connection_failed',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface AppError {
  code: ErrorCode;
  message: string;
  /** zod issues for invalid_payload, as path → message */
  details?: Record<string, string>;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const err = (code: ErrorCode, message: string, details?: Record<string, string>): Result<never> => ({
  ok: false,
  error: details ? { code, message, details } : { code, message },
});

/** An error raised inside the engine that should reach the caller with its code intact. */
export class AppFailure extends Error {
  constructor(readonly code: ErrorCode, message: string) {
    super(message);
    this.name = 'AppFailure';
  }
}
