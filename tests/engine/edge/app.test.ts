import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fake-electron'));

import { BrowserWindow, FakeEvent, FakeWebContents, Notification, Tray, app, dialog, ipcMain, resetFakeElectron, session } from './fake-electron';
import { defaultDataDir, defaultDatabasePath } from '../../../src/main/engine/paths';
import { IPC_CHANNEL_PREFIX, IPC_EVENT_CHANNEL } from '../../../src/shared/contract';
import { startApp, type RunningApp } from '../../../src/main/electron/app';

const quietEngine = { intake: false, watch: false, schedule: false };
let userData: string;
let running: RunningApp | null = null;

beforeEach(() => {
  resetFakeElectron();
  userData = mkdtempSync(join(process.env.OUTBOX_TEST_TMP ?? tmpdir(), 'edge-app-'));
  app.setPath('userData', userData);
  app.setPath('appData', '/nonexistent/appdata');
  app.isPackaged = true; // no console mirror of the log in test output
  vi.resetModules();
});
afterEach(async () => {
  await running?.shutdown();
  running = null;
  delete process.env.OUTBOX_MONITOR_HOME;
});

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('the entry (src/main/index.ts)', () => {
  // The entry is tested with a stand-in startApp (so no engine starts in a real data folder);
  // startApp itself is tested below against a real engine on a temporary database.
  const stopped: string[] = [];
  const fakeRunning = { shown: 0 };
  beforeEach(() => {
    stopped.length = 0;
    fakeRunning.shown = 0;
    vi.doMock('../../../src/main/electron/app', () => ({
      startApp: async () => ({
        showWindow: () => void fakeRunning.shown++,
        shutdown: async () => {
          await flush();
          stopped.push('engine');
        },
      }),
    }));
  });
  afterEach(() => vi.doUnmock('../../../src/main/electron/app'));

  it('quits at once when another copy holds the single-instance lock', async () => {
    app.lock = false;
    const ready = vi.spyOn(app, 'whenReady');
    await import('../../../src/main/index');
    expect(app.quitCalls).toBe(1);
    expect(app.listenerCount('second-instance')).toBe(0);
    expect(ready).not.toHaveBeenCalled();
  });

  it('uses the same data folder as the command line', async () => {
    app.setPath('appData', '/home/u/.config');
    await import('../../../src/main/index');
    expect(app.getName()).toBe('Outbox Monitor');
    expect(app.getPath('userData')).toBe(defaultDataDir({ XDG_CONFIG_HOME: '/home/u/.config' }, 'linux'));
    expect(join(app.getPath('userData'), 'outbox.db')).toBe(defaultDatabasePath({ XDG_CONFIG_HOME: '/home/u/.config' }));
  });

  it('honours OUTBOX_MONITOR_HOME like the command line does', async () => {
    process.env.OUTBOX_MONITOR_HOME = userData;
    await import('../../../src/main/index');
    expect(app.getPath('userData')).toBe(defaultDataDir(process.env));
  });

  it('focuses the running copy when a second one starts, and holds Quit until the engine stopped', async () => {
    await import('../../../src/main/index');
    await flush();
    app.emit('second-instance');
    expect(fakeRunning.shown).toBe(1);
    expect(app.listenerCount('window-all-closed')).toBe(1); // closing windows does not quit

    const quit = new FakeEvent();
    app.emit('before-quit', quit);
    expect(quit.defaultPrevented).toBe(true);
    expect(stopped).toEqual([]);
    await vi.waitFor(() => expect(app.quitCalls).toBe(1));
    expect(stopped).toEqual(['engine']);
    const again = new FakeEvent();
    app.emit('before-quit', again);
    expect(again.defaultPrevented).toBe(false);
  });
});

describe('startApp', () => {
  it('refuses a damaged database with a dialog naming the file, and leaves the file as it was', async () => {
    const dbFile = join(userData, 'outbox.db');
    const garbage = Buffer.from('this is not a database at all, but the user may want it back\n'.repeat(200));
    writeFileSync(dbFile, garbage);
    running = await startApp(process.cwd(), quietEngine);
    expect(running).toBeNull();
    expect(dialog.errors).toHaveLength(1);
    expect(dialog.errors[0].title).toMatch(/damaged/);
    expect(dialog.errors[0].content).toContain(dbFile);
    expect(readFileSync(dbFile).equals(garbage)).toBe(true);
    expect(BrowserWindow.created).toHaveLength(0);
  });

  it('wires window, IPC, tray and notifications to a real engine, and hides the window on close', async () => {
    running = await startApp(process.cwd(), quietEngine);
    expect(running).not.toBeNull();
    const win = BrowserWindow.created[0];
    expect(win.options.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false });
    expect(win.loaded.file).toMatch(/renderer[\\/]index\.html$/);

    const handler = ipcMain.handlers.get(IPC_CHANNEL_PREFIX + 'status/summary')!;
    const summary = await handler({ sender: win.webContents, senderFrame: win.webContents.mainFrame });
    expect(summary).toMatchObject({ ok: true, value: { tray: 'clear', needsYou: 0 } });

    const check = session.defaultSession.permissionCheckHandler!;
    expect(check(win.webContents, 'clipboard-sanitized-write', 'file://', {})).toBe(true);
    expect(check(new FakeWebContents(win.webContents.getURL()), 'clipboard-sanitized-write', 'file://', {})).toBe(false);
    expect(check(win.webContents, 'media', 'file://', {})).toBe(false);

    win.close();
    expect(win.destroyed).toBe(false);
    expect(win.visible).toBe(false);

    running!.engine.events.emit('status/changed', { tray: 'needs_you', needsYou: 3, retrying: 0, wontRetry: 0, resolved: 0, paused: false });
    expect(Tray.created[0].tooltip).toContain('3 need you');

    running!.engine.events.emit('attention', {
      id: 'a1', level: 'needs_you', title: 'Outlook suspended sending', body: '3 messages held', failureId: 17, accountId: 1, count: 3, at: 0,
    });
    expect(Notification.shown).toHaveLength(1);
    win.webContents.sent = [];
    Notification.shown[0].emit('click');
    expect(win.visible).toBe(true);
    expect(win.webContents.sent).toContainEqual({ channel: IPC_EVENT_CHANNEL, payload: { event: 'navigate/failure', payload: { failureId: 17 } } });

    const db = running!.engine.db;
    await running!.shutdown();
    expect(db.open).toBe(false);
    expect(ipcMain.handlers.size).toBe(0);
    running = null;
  });
});
