import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fake-electron'));

import { FakeFrame, FakeWebContents, ipcMain, resetFakeElectron } from './fake-electron';
import { COMMAND_NAMES, IPC_CHANNEL_PREFIX, IPC_EVENT_CHANNEL } from '../../../src/shared/contract';
import { forwardEvents, isTrustedSender, registerIpc } from '../../../src/main/electron/ipc';
import type { RendererSource } from '../../../src/main/electron/window';
import { createEngine, type Engine } from '../../../src/main/engine/index';
import { createCommandHandlers, type CommandServices } from '../../../src/main/engine/commands';
import { createDispatcher, type Dispatch } from '../../../src/main/engine/dispatch';
import type { SecretStore } from '../../../src/main/engine/ports';

const source: RendererSource = { file: '/opt/outbox/out/renderer/index.html' };
const ownUrl = 'file:///opt/outbox/out/renderer/index.html#/failures';

const memorySecrets: SecretStore = {
  description: 'memory',
  map: new Map<string, string>(),
  async get(ref: string) {
    return this.map.get(ref) ?? null;
  },
  async set(ref: string, value: string) {
    this.map.set(ref, value);
  },
  async delete(ref: string) {
    this.map.delete(ref);
  },
} as SecretStore & { map: Map<string, string> };

let engine: Engine;
let dispatch: Dispatch;
let main: FakeWebContents;
let unregister: () => void;
let dispatched: { name: unknown; args: unknown }[];

const call = (channel: string, event: { sender: unknown; senderFrame: unknown }, ...args: unknown[]) => {
  const handler = ipcMain.handlers.get(IPC_CHANNEL_PREFIX + channel);
  if (!handler) throw new Error(`no handler for ${channel}`);
  return handler(event, ...args) as Promise<any>;
};
const fromMain = () => ({ sender: main, senderFrame: main.mainFrame });
const suppressionCount = () => (engine.db.prepare('SELECT count(*) AS n FROM suppressions').get() as { n: number }).n;

beforeEach(() => {
  resetFakeElectron();
  const dir = mkdtempSync(join(process.env.OUTBOX_TEST_TMP ?? tmpdir(), 'edge-ipc-'));
  engine = createEngine({ dbPath: join(dir, 'outbox.db'), secrets: memorySecrets, intake: false, watch: false, schedule: false });
  const real = createDispatcher(createCommandHandlers(engine as Engine & CommandServices));
  dispatched = [];
  dispatch = async (name, args) => {
    dispatched.push({ name, args });
    return real(name, args);
  };
  main = new FakeWebContents(ownUrl);
  unregister = registerIpc({ dispatch, mainContents: () => main as never, source });
});
afterEach(async () => {
  unregister();
  await engine.stop();
});

describe('registerIpc', () => {
  it('registers exactly one handler per contract command and removes them again', () => {
    expect([...ipcMain.handlers.keys()].sort()).toEqual(COMMAND_NAMES.map((n) => IPC_CHANNEL_PREFIX + n).sort());
    unregister();
    expect(ipcMain.handlers.size).toBe(0);
    unregister = registerIpc({ dispatch, mainContents: () => main as never, source });
  });

  it('answers the main window and writes through the real engine', async () => {
    const added = await call('suppressions/add', fromMain(), { addresses: ['someone@example.org'] });
    expect(added).toEqual({ ok: true, value: { added: 1 } });
    expect(suppressionCount()).toBe(1);
  });

  it('rejects a malformed payload with invalid_payload and writes nothing', async () => {
    const cases: unknown[][] = [
      [{ addresses: 'someone@example.org' }],
      [{ addresses: ['someone@example.org'], extra: true }],
      [{ addresses: [] }],
      [],
      [{ addresses: ['someone@example.org'] }, 'surplus'],
      [null],
      [{ addresses: [{ toString: 'x' }] }],
    ];
    for (const args of cases) {
      const result = await call('suppressions/add', fromMain(), ...args);
      expect(result.ok, JSON.stringify(args)).toBe(false);
      expect(result.error.code).toBe('invalid_payload');
    }
    expect(suppressionCount()).toBe(0);
  });

  it('refuses a different window, a sub-frame and a navigated page without reaching the engine', async () => {
    const other = new FakeWebContents(ownUrl);
    const subFrame = new FakeFrame(ownUrl);
    const senders = [
      { sender: other, senderFrame: other.mainFrame },
      { sender: main, senderFrame: subFrame },
      { sender: main, senderFrame: null },
      { sender: other, senderFrame: main.mainFrame },
    ];
    for (const event of senders) {
      const result = await call('suppressions/add', event, { addresses: ['someone@example.org'] });
      expect(result).toMatchObject({ ok: false, error: { code: 'forbidden_sender' } });
    }
    for (const url of ['https://evil.test/index.html', 'file:///tmp/evil/index.html', 'http://localhost:5173/', 'data:text/html,x', 'about:blank']) {
      main.mainFrame.url = url;
      const result = await call('suppressions/add', fromMain(), { addresses: ['someone@example.org'] });
      expect(result.error?.code, url).toBe('forbidden_sender');
    }
    expect(dispatched).toEqual([]);
    expect(suppressionCount()).toBe(0);
  });

  it('refuses everything once the window is gone', async () => {
    main.destroyed = true;
    expect((await call('status/summary', fromMain())).error.code).toBe('forbidden_sender');
    expect(dispatched).toEqual([]);
  });
});

describe('isTrustedSender', () => {
  it('accepts the dev server origin only when one is configured, on loopback', () => {
    const dev: RendererSource = { ...source, devServerUrl: 'http://localhost:5173/' };
    main.mainFrame.url = 'http://localhost:5173/#/accounts';
    expect(isTrustedSender({ sender: main, senderFrame: main.mainFrame } as never, main as never, dev)).toBe(true);
    expect(isTrustedSender({ sender: main, senderFrame: main.mainFrame } as never, main as never, source)).toBe(false);
    main.mainFrame.url = 'http://localhost:5174/';
    expect(isTrustedSender({ sender: main, senderFrame: main.mainFrame } as never, main as never, dev)).toBe(false);
  });
});

describe('forwardEvents', () => {
  it('sends each engine event to the window in one envelope on the event channel', () => {
    const off = forwardEvents(engine.events, () => main as never);
    engine.events.emit('failures/changed', { ids: [3, 4] });
    engine.events.emit('navigate/failure', { failureId: 9 });
    off();
    engine.events.emit('failures/changed', { ids: [5] });
    expect(main.sent).toEqual([
      { channel: IPC_EVENT_CHANNEL, payload: { event: 'failures/changed', payload: { ids: [3, 4] } } },
      { channel: IPC_EVENT_CHANNEL, payload: { event: 'navigate/failure', payload: { failureId: 9 } } },
    ]);
  });

  it('drops events while there is no live window', () => {
    const off = forwardEvents(engine.events, () => null);
    expect(() => engine.events.emit('queue/changed', { accountId: null })).not.toThrow();
    off();
  });
});
