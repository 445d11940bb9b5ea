import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fake-electron'));

import { BrowserWindow, FakeWebContents, resetFakeElectron, session } from './fake-electron';
import {
  createMainWindow, devServerUrlFrom, hardenContents, hardenSession, isOwnPage,
} from '../../../src/main/electron/window';

beforeEach(() => resetFakeElectron());

const file = '/opt/outbox/out/renderer/index.html';

describe('window options', () => {
  it('turn on isolation and the sandbox and turn off node, webviews, insecure content and middle-click windows', () => {
    const win = createMainWindow({ preloadPath: '/opt/outbox/out/preload/index.js', source: { file }, openLink: () => {} }) as unknown as BrowserWindow;
    const prefs = win.options.webPreferences;
    expect(prefs).toEqual({
      preload: '/opt/outbox/out/preload/index.js',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      disableBlinkFeatures: 'Auxclick',
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
    });
    expect(win.options.show).toBe(false);
  });
});

describe('createMainWindow', () => {
  it('loads the bundled file, or the loopback dev server when one is given', () => {
    const a = createMainWindow({ preloadPath: '/p.js', source: { file }, openLink: () => {} }) as unknown as BrowserWindow;
    expect(a.loaded).toEqual({ file });
    expect(a.options.webPreferences.sandbox).toBe(true);
    const b = createMainWindow({ preloadPath: '/p.js', source: { file, devServerUrl: 'http://localhost:5173/' }, openLink: () => {} }) as unknown as BrowserWindow;
    expect(b.loaded).toEqual({ url: 'http://localhost:5173/' });
  });

  it('denies navigation, redirects, webviews and new windows; https links go to the link checker', () => {
    const opened: string[] = [];
    const win = createMainWindow({ preloadPath: '/p.js', source: { file }, openLink: (u) => opened.push(u) }) as unknown as BrowserWindow;
    const wc = win.webContents;
    for (const name of ['will-navigate', 'will-frame-navigate', 'will-redirect', 'will-attach-webview']) {
      expect(wc.raise(name, { url: 'https://evil.test/' }).defaultPrevented, name).toBe(true);
    }
    const open = wc.windowOpenHandler!;
    expect(open({ url: 'https://support.google.com/mail' })).toEqual({ action: 'deny' });
    expect(open({ url: 'http://evil.test/' })).toEqual({ action: 'deny' });
    expect(open({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(open({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://support.google.com/mail']);
  });

  it('guards any other web contents the same way', () => {
    const wc = new FakeWebContents();
    hardenContents(wc as never, () => {});
    expect(wc.raise('will-navigate').defaultPrevented).toBe(true);
    expect(wc.windowOpenHandler!({ url: 'https://support.google.com/' })).toEqual({ action: 'deny' });
  });
});

describe('hardenSession', () => {
  it('denies every permission request and check', () => {
    hardenSession(session.defaultSession as never);
    const s = session.defaultSession;
    for (const permission of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read', 'fullscreen']) {
      const callback = vi.fn();
      s.permissionRequestHandler!(null, permission, callback, {});
      expect(callback).toHaveBeenCalledWith(false);
      expect(s.permissionCheckHandler!(null, permission, 'file://', {})).toBe(false);
    }
    expect(s.devicePermissionHandler!({})).toBe(false);
    const media = vi.fn();
    s.displayMediaHandler!({}, media);
    expect(media).toHaveBeenCalledWith(null);
  });

  it('lets only our own page write to the clipboard, and nothing else', () => {
    const own = new FakeWebContents('file:///opt/outbox/out/renderer/index.html');
    const other = new FakeWebContents('https://evil.test/');
    hardenSession(session.defaultSession as never, (wc) => wc === (own as never));
    const s = session.defaultSession;
    const ask = (wc: unknown, permission: string) => {
      const callback = vi.fn();
      s.permissionRequestHandler!(wc, permission, callback, {});
      return callback.mock.calls[0][0] as boolean;
    };
    expect(ask(own, 'clipboard-sanitized-write')).toBe(true);
    expect(s.permissionCheckHandler!(own, 'clipboard-sanitized-write', 'file://', {})).toBe(true);
    expect(ask(other, 'clipboard-sanitized-write')).toBe(false);
    expect(s.permissionCheckHandler!(other, 'clipboard-sanitized-write', 'https://evil.test', {})).toBe(false);
    expect(ask(null, 'clipboard-sanitized-write')).toBe(false);
    for (const permission of ['clipboard-read', 'media', 'notifications', 'geolocation', 'openExternal']) {
      expect(ask(own, permission), permission).toBe(false);
      expect(s.permissionCheckHandler!(own, permission, 'file://', {}), permission).toBe(false);
    }
  });
});

describe('isOwnPage and devServerUrlFrom', () => {
  it('accepts only the bundled index.html', () => {
    expect(isOwnPage('file:///opt/outbox/out/renderer/index.html', { file })).toBe(true);
    expect(isOwnPage('file:///opt/outbox/out/renderer/index.html?x#/y', { file })).toBe(true);
    expect(isOwnPage('file:///opt/outbox/out/renderer/other.html', { file })).toBe(false);
    expect(isOwnPage('file://evil.test/opt/outbox/out/renderer/index.html', { file })).toBe(false);
    expect(isOwnPage('https://opt/outbox/out/renderer/index.html', { file })).toBe(false);
    expect(isOwnPage('not a url', { file })).toBe(false);
  });

  it('takes ELECTRON_RENDERER_URL only for loopback http in an unpackaged app', () => {
    expect(devServerUrlFrom({ ELECTRON_RENDERER_URL: 'http://localhost:5173' }, false)).toBe('http://localhost:5173/');
    expect(devServerUrlFrom({ ELECTRON_RENDERER_URL: 'http://127.0.0.1:5173/' }, false)).toBe('http://127.0.0.1:5173/');
    expect(devServerUrlFrom({ ELECTRON_RENDERER_URL: 'http://localhost:5173' }, true)).toBeUndefined();
    expect(devServerUrlFrom({ ELECTRON_RENDERER_URL: 'https://evil.test/' }, false)).toBeUndefined();
    expect(devServerUrlFrom({ ELECTRON_RENDERER_URL: 'http://localhost.evil.test:5173/' }, false)).toBeUndefined();
    expect(devServerUrlFrom({ ELECTRON_RENDERER_URL: 'file:///tmp/x.html' }, false)).toBeUndefined();
    expect(devServerUrlFrom({}, false)).toBeUndefined();
  });
});
