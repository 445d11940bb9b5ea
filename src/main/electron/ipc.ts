import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { COMMAND_NAMES, IPC_CHANNEL_PREFIX, IPC_EVENT_CHANNEL, type EventName, type Events } from '../../shared/contract';
import type { EventEnvelope } from '../../shared/contract-names';
import { err, type Result } from '../../shared/result';
import type { Dispatch } from '../engine/dispatch';
import type { EngineEvents } from '../engine/events';
import type { Logger } from '../engine/ports';
import { isOwnPage, type RendererSource } from './window';

export interface IpcOptions {
  /** the contract's door into the engine: validates every payload, returns Results */
  dispatch: Dispatch;
  /** the main window's contents, or null while there is none */
  mainContents: () => WebContents | null;
  source: RendererSource;
  logger?: Logger;
}

/**
 * A call is answered only when it comes from the top frame of our main window showing our own
 * page. A sub-frame, another window, or our window after it somehow navigated elsewhere is refused.
 */
export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>, mainContents: WebContents | null, source: RendererSource): boolean {
  if (!mainContents || mainContents.isDestroyed() || event.sender !== mainContents) return false;
  const frame = event.senderFrame;
  if (!frame || frame !== mainContents.mainFrame) return false;
  return isOwnPage(frame.url, source);
}

/**
 * Registers one `ipcMain.handle` per contract command (and nothing else). Each handler checks
 * the sender, then passes the name and the raw argument list to the dispatcher, which validates
 * them with the contract's zod schema before any engine code runs. Returns a function that
 * removes the handlers.
 */
export function registerIpc(options: IpcOptions): () => void {
  for (const name of COMMAND_NAMES) {
    ipcMain.handle(IPC_CHANNEL_PREFIX + name, async (event, ...args: unknown[]): Promise<Result<unknown>> => {
      if (!isTrustedSender(event, options.mainContents(), options.source)) {
        options.logger?.warn('ipc.forbidden_sender', { command: name, url: event.senderFrame?.url?.slice(0, 200) ?? null });
        return err('forbidden_sender', 'This window may not call Outbox Monitor.');
      }
      return options.dispatch(name, args);
    });
  }
  return () => {
    for (const name of COMMAND_NAMES) ipcMain.removeHandler(IPC_CHANNEL_PREFIX + name);
  };
}

/** Sends one event to the window on the single event channel, if the window can take it. */
export function sendEvent<E extends EventName>(contents: WebContents | null, event: E, payload: Events[E]): boolean {
  if (!contents || contents.isDestroyed()) return false;
  const envelope: EventEnvelope = { event, payload };
  contents.send(IPC_EVENT_CHANNEL, envelope);
  return true;
}

/** Forwards every engine event to the window; returns the unsubscribe. */
export function forwardEvents(events: EngineEvents, mainContents: () => WebContents | null): () => void {
  return events.onAny((event, payload) => void sendEvent(mainContents(), event, payload));
}
