import type { CommandName, Commands, EventName, Events, OutboxApi } from '../shared/contract';
import {
  IPC_CHANNEL_PREFIX, IPC_EVENT_CHANNEL, isListedCommand, isListedEvent, type EventEnvelope,
} from '../shared/contract-names';
import type { Result } from '../shared/result';

/** The two ipcRenderer abilities the bridge uses; passing them in keeps this file testable. */
export interface RendererIpc {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, envelope: unknown) => void): unknown;
}

/**
 * Builds `window.outbox`: one named call per contract command and a subscription per contract
 * event. The window never sees ipcRenderer itself, so it cannot reach any channel we did not
 * list. Names outside the contract are refused here, before anything crosses to the main process.
 */
export function createOutboxApi(ipc: RendererIpc): OutboxApi {
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();

  // One channel listener for all events; the envelope names the event.
  ipc.on(IPC_EVENT_CHANNEL, (_event, envelope) => {
    const { event, payload } = (envelope ?? {}) as Partial<EventEnvelope>;
    if (!isListedEvent(event)) return;
    for (const listener of [...(listeners.get(event) ?? [])]) {
      try {
        listener(payload);
      } catch (e) {
        // One faulty subscriber must not starve the others.
        console.error(`outbox: listener for ${event} failed`, e);
      }
    }
  });

  const api: OutboxApi = {
    invoke<K extends CommandName>(name: K, ...args: Parameters<Commands[K]>): Promise<Result<ReturnType<Commands[K]>>> {
      if (!isListedCommand(name)) {
        const refused: Result<never> = {
          ok: false,
          error: { code: 'unknown_command', message: `No such command: ${String(name).slice(0, 100)}` },
        };
        return Promise.resolve(refused);
      }
      return ipc.invoke(IPC_CHANNEL_PREFIX + name, ...args) as Promise<Result<ReturnType<Commands[K]>>>;
    },
    on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
      if (!isListedEvent(event)) throw new TypeError(`No such event: ${String(event).slice(0, 100)}`);
      if (typeof listener !== 'function') throw new TypeError('listener must be a function');
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      const wrapped = listener as (payload: unknown) => void;
      set.add(wrapped);
      return () => void set.delete(wrapped);
    },
  };
  return Object.freeze(api);
}
