// The preload: runs sandboxed beside the window and hands it exactly the contract's API as
// `window.outbox`. It imports only 'electron' and zod-free shared code, so electron-vite can
// bundle it into the single CommonJS file a sandboxed preload must be.
import { contextBridge, ipcRenderer } from 'electron';
import { createOutboxApi } from './bridge';

contextBridge.exposeInMainWorld(
  'outbox',
  createOutboxApi({
    invoke: (channel, ...args) => ipcRenderer.invoke(channel, ...args),
    on: (channel, listener) => ipcRenderer.on(channel, listener),
  }),
);
