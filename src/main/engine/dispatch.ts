import type { ZodError } from 'zod';
import {
  commandSchemas, isCommandName, type CommandHandlers, type CommandName, type Commands,
} from '../../shared/contract';
import { AppFailure, err, ok, type Result } from '../../shared/result';
import { describeOpenError, StoreError } from './store/db';
import type { Logger } from './ports';

/**
 * The one door from the window into the engine, shared by Electron's IPC edge and the browser
 * tests' bridge: checks the command name, validates the arguments with the contract's zod
 * schema (nothing runs on a bad payload), calls the handler, and turns anything thrown into a
 * Result value — errors never cross a process boundary as exceptions.
 */
export function createDispatcher(handlers: CommandHandlers, logger?: Logger, dbPath = 'the database') {
  return async function dispatch(name: unknown, args: unknown): Promise<Result<unknown>> {
    // A name is quoted only when it is a string: String() throws on objects without a prototype.
    if (!isCommandName(name)) return err('unknown_command', `No such command: ${typeof name === 'string' ? name.slice(0, 100) : `(${typeof name})`}`);
    if (!Array.isArray(args)) return err('invalid_payload', `Arguments of ${name} must be a list.`);
    const parsed = commandSchemas[name].safeParse(args);
    if (!parsed.success) return err('invalid_payload', `Invalid arguments for ${name}.`, issuesOf(parsed.error));
    try {
      const handler = handlers[name] as (...a: unknown[]) => Promise<ReturnType<Commands[CommandName]>>;
      return ok(await handler(...(parsed.data as unknown[])));
    } catch (e) {
      if (e instanceof AppFailure) return err(e.code, e.message);
      if (e instanceof StoreError) return err(e.code, e.message);
      // a write that met a full disk or a read-only file: the store's words, naming the file
      const code = (e as { code?: unknown })?.code;
      if (typeof code === 'string' && code.startsWith('SQLITE_')) {
        const described = describeOpenError(dbPath, e);
        if (described instanceof StoreError) return err(described.code, described.message);
      }
      logger?.error('command.failed', { command: name, error: e instanceof Error ? e.message : String(e) });
      return err('internal', `${name} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
}
export type Dispatch = ReturnType<typeof createDispatcher>;

function issuesOf(error: ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues.slice(0, 20)) out[issue.path.join('.') || '(root)'] = issue.message;
  return out;
}
