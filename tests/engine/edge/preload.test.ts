import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fake-electron'));

import { contextBridge, ipcRenderer, resetFakeElectron } from './fake-electron';
import { COMMAND_NAMES, EVENT_NAMES, IPC_CHANNEL_PREFIX, IPC_EVENT_CHANNEL, type OutboxApi } from '../../../src/shared/contract';

let api: OutboxApi;

beforeAll(async () => {
  resetFakeElectron();
  await import('../../../src/preload/index');
  api = contextBridge.exposed.get('outbox') as OutboxApi;
});

describe('the preload', () => {
  it('exposes exactly window.outbox with invoke and on, frozen', () => {
    expect([...contextBridge.exposed.keys()]).toEqual(['outbox']);
    expect(Object.keys(api).sort()).toEqual(['invoke', 'on']);
    expect(Object.isFrozen(api)).toBe(true);
    expect(Object.values(api).every((v) => typeof v === 'function')).toBe(true);
  });

  it('sends every contract command on its own channel with the arguments unchanged', async () => {
    for (const name of COMMAND_NAMES) {
      ipcRenderer.invoked = [];
      const result = await (api.invoke as (n: string, ...a: unknown[]) => Promise<unknown>)(name, { probe: name });
      expect(result).toEqual({ ok: true, value: 'from-main' });
      expect(ipcRenderer.invoked).toEqual([{ channel: IPC_CHANNEL_PREFIX + name, args: [{ probe: name }] }]);
    }
  });

  it('refuses names outside the contract before anything is sent', async () => {
    ipcRenderer.invoked = [];
    for (const name of ['db/drop', 'event', '../status/summary', 'status/summary ', 'constructor', '__proto__', 'hasOwnProperty', 42, null]) {
      const result = await (api.invoke as (n: unknown) => Promise<any>)(name);
      expect(result).toMatchObject({ ok: false, error: { code: 'unknown_command' } });
    }
    expect(ipcRenderer.invoked).toEqual([]);
  });

  it('delivers only contract events, to their subscribers, until unsubscribed', () => {
    const seen: unknown[] = [];
    const off = api.on('failures/changed', (p) => seen.push(p));
    const other: unknown[] = [];
    api.on('attention', (p) => other.push(p));
    ipcRenderer.deliver(IPC_EVENT_CHANNEL, { event: 'failures/changed', payload: { ids: [1] } });
    ipcRenderer.deliver(IPC_EVENT_CHANNEL, { event: 'not-an-event', payload: { ids: [2] } });
    ipcRenderer.deliver(IPC_EVENT_CHANNEL, null);
    off();
    ipcRenderer.deliver(IPC_EVENT_CHANNEL, { event: 'failures/changed', payload: { ids: [3] } });
    expect(seen).toEqual([{ ids: [1] }]);
    expect(other).toEqual([]);
  });

  it('refuses subscriptions to names outside the contract', () => {
    for (const name of Object.keys(EVENT_NAMES)) expect(() => api.on(name as never, () => {})).not.toThrow();
    for (const name of ['outbox:event', 'toString', '__proto__', 'failures']) {
      expect(() => api.on(name as never, () => {})).toThrow(/No such event/);
    }
  });

  it('listens on the event channel only, never on command channels', () => {
    expect([...ipcRenderer.listeners.keys()]).toEqual([IPC_EVENT_CHANNEL]);
  });
});

describe('the preload sources', () => {
  // A sandboxed preload may require only 'electron': zod (or anything from node_modules) in its
  // bundle would fail at load. Runtime imports are limited to electron and zod-free shared files.
  it('import at runtime only electron, each other and shared/contract-names', () => {
    const dir = join(__dirname, '../../../src/preload');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))) {
      const text = readFileSync(join(dir, file), 'utf8');
      const runtime = [...text.matchAll(/^import\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]);
      for (const spec of runtime) expect(['electron', '../shared/contract-names', './bridge'], `${file}: ${spec}`).toContain(spec);
    }
  });
});

describe('the preload bundle', () => {
  // What a sandboxed preload gets: a `require` that knows only 'electron'. Bundle the preload the
  // way electron-vite does (one CommonJS file, electron external) and run it with just that.
  it('runs with a require that offers nothing but electron', async () => {
    const { build } = await import('esbuild');
    const out = await build({
      entryPoints: [join(__dirname, '../../../src/preload/index.ts')],
      bundle: true,
      format: 'cjs',
      platform: 'node',
      external: ['electron'],
      write: false,
      logLevel: 'silent',
    });
    const code = out.outputFiles[0].text;
    const exposed = new Map<string, unknown>();
    const asked: string[] = [];
    const sandboxRequire = (name: string) => {
      asked.push(name);
      if (name !== 'electron') throw new Error(`module not found: ${name}`);
      return {
        contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
        ipcRenderer: { invoke: async () => null, on: () => undefined },
      };
    };
    const { runInNewContext } = await import('node:vm');
    const module = { exports: {} };
    runInNewContext(code, { require: sandboxRequire, module, exports: module.exports, console });
    expect(asked).toEqual(['electron']);
    expect([...exposed.keys()]).toEqual(['outbox']);
    expect(code).not.toMatch(/\bzod\b/);
  });
});
