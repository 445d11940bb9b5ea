import type { CommandName, Commands, EventName, Events, OutboxApi } from '../../shared/contract';
import type { AppError } from '../../shared/result';

/** An error a command answered with, carried as an exception inside the renderer only. */
export class CommandError extends Error {
  constructor(readonly error: AppError) {
    super(error.message);
    this.name = 'CommandError';
  }
}

function api(): OutboxApi {
  const value = window.outbox;
  if (!value) throw new CommandError({ code: 'internal', message: 'The app bridge is missing: this page must run inside Outbox Monitor.' });
  return value;
}

/** Calls a command and returns its value, or throws a CommandError with the engine's code and words. */
export async function call<K extends CommandName>(name: K, ...args: Parameters<Commands[K]>): Promise<ReturnType<Commands[K]>> {
  const result = await api().invoke(name, ...args);
  if (!result.ok) throw new CommandError(result.error);
  return result.value;
}

export function subscribe<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
  return api().on(event, listener);
}

export function errorText(e: unknown): string {
  if (e instanceof CommandError) return e.error.message;
  return e instanceof Error ? e.message : String(e);
}
