// A stand-in for the 'electron' module, loaded by `vi.mock('electron', () => import('./fake-electron'))`
// in each edge test. It records what the edge asks of Electron so tests can assert on it and
// drive the handlers the edge installed. It implements only what src/main/electron uses.
import { EventEmitter } from 'node:events';

type Listener = (...args: any[]) => unknown;

export class FakeEvent {
  defaultPrevented = false;
  constructor(readonly extra: Record<string, unknown> = {}) {
    Object.assign(this, extra);
  }
  preventDefault() {
    this.defaultPrevented = true;
  }
}

export class FakeFrame {
  constructor(public url: string) {}
}

let nextId = 1;
export class FakeWebContents extends EventEmitter {
  readonly id = nextId++;
  mainFrame: FakeFrame;
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  sent: { channel: string; payload: unknown }[] = [];
  destroyed = false;
  loading = false;
  constructor(url = 'about:blank') {
    super();
    this.mainFrame = new FakeFrame(url);
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
    this.windowOpenHandler = handler;
  }
  send(channel: string, payload: unknown) {
    this.sent.push({ channel, payload });
  }
  isDestroyed() {
    return this.destroyed;
  }
  isLoading() {
    return this.loading;
  }
  getURL() {
    return this.mainFrame.url;
  }
  /** raises an event the way Electron does and reports whether a handler prevented it */
  raise(name: string, extra: Record<string, unknown> = {}): FakeEvent {
    const event = new FakeEvent(extra);
    this.emit(name, event, extra.url);
    return event;
  }
}

export class BrowserWindow extends EventEmitter {
  static created: BrowserWindow[] = [];
  static getAllWindows() {
    return BrowserWindow.created.filter((w) => !w.destroyed);
  }
  readonly webContents = new FakeWebContents();
  loaded: { file?: string; url?: string } = {};
  visible = false;
  destroyed = false;
  constructor(readonly options: Record<string, any>) {
    super();
    BrowserWindow.created.push(this);
  }
  async loadFile(file: string) {
    this.loaded = { file };
    this.webContents.mainFrame.url = new URL(`file://${file}`).href;
  }
  async loadURL(url: string) {
    this.loaded = { url };
    this.webContents.mainFrame.url = url;
  }
  show() {
    this.visible = true;
  }
  hide() {
    this.visible = false;
  }
  focus() {}
  restore() {}
  isMinimized() {
    return false;
  }
  isDestroyed() {
    return this.destroyed;
  }
  close() {
    const event = new FakeEvent();
    this.emit('close', event);
    if (!event.defaultPrevented) this.destroyed = true;
  }
}

export const ipcMain = {
  handlers: new Map<string, Listener>(),
  handle(channel: string, fn: Listener) {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, fn);
  },
  removeHandler(channel: string) {
    this.handlers.delete(channel);
  },
};

export const ipcRenderer = {
  invoked: [] as { channel: string; args: unknown[] }[],
  listeners: new Map<string, Listener[]>(),
  reply: { ok: true, value: 'from-main' } as unknown,
  async invoke(channel: string, ...args: unknown[]) {
    this.invoked.push({ channel, args });
    return this.reply;
  },
  on(channel: string, fn: Listener) {
    this.listeners.set(channel, [...(this.listeners.get(channel) ?? []), fn]);
    return this;
  },
  /** what the main process sending on a channel looks like to the preload */
  deliver(channel: string, payload: unknown) {
    for (const fn of this.listeners.get(channel) ?? []) fn({}, payload);
  },
};

export const contextBridge = {
  exposed: new Map<string, unknown>(),
  exposeInMainWorld(key: string, api: unknown) {
    this.exposed.set(key, api);
  },
};

export class FakeSession {
  permissionRequestHandler: Listener | null = null;
  permissionCheckHandler: Listener | null = null;
  devicePermissionHandler: Listener | null = null;
  displayMediaHandler: Listener | null = null;
  setPermissionRequestHandler(fn: Listener) {
    this.permissionRequestHandler = fn;
  }
  setPermissionCheckHandler(fn: Listener) {
    this.permissionCheckHandler = fn;
  }
  setDevicePermissionHandler(fn: Listener) {
    this.devicePermissionHandler = fn;
  }
  setDisplayMediaRequestHandler(fn: Listener) {
    this.displayMediaHandler = fn;
  }
}
export const session = { defaultSession: new FakeSession() };

export const safeStorage = {
  available: true,
  backend: 'gnome_libsecret',
  isEncryptionAvailable() {
    return this.available;
  },
  /** a reversible, non-identity transform so tests can see that plaintext never lands on disk */
  encryptString(plain: string) {
    return Buffer.concat([Buffer.from('enc:'), Buffer.from(plain, 'utf8').map((b) => b ^ 0x5a)]);
  },
  decryptString(data: Buffer) {
    if (!data.subarray(0, 4).equals(Buffer.from('enc:'))) throw new Error('not ours');
    return Buffer.from(data.subarray(4).map((b) => b ^ 0x5a)).toString('utf8');
  },
  getSelectedStorageBackend() {
    return this.backend;
  },
};

export const shell = {
  opened: [] as string[],
  async openExternal(url: string) {
    this.opened.push(url);
  },
};

export const dialog = {
  errors: [] as { title: string; content: string }[],
  showErrorBox(title: string, content: string) {
    this.errors.push({ title, content });
  },
};

export class Notification extends EventEmitter {
  static shown: Notification[] = [];
  static isSupported() {
    return true;
  }
  constructor(readonly options: { title: string; body: string; silent?: boolean }) {
    super();
  }
  show() {
    Notification.shown.push(this);
  }
}

export const nativeImage = {
  createFromPath(path: string) {
    return { path, setTemplateImage() {} };
  },
};

export const Menu = {
  buildFromTemplate(template: unknown[]) {
    return { template };
  },
};

export class Tray extends EventEmitter {
  static created: Tray[] = [];
  image: unknown;
  tooltip = '';
  title = '';
  menu: { template: any[] } | null = null;
  destroyed = false;
  constructor(image: unknown) {
    super();
    this.image = image;
    Tray.created.push(this);
  }
  setImage(image: unknown) {
    this.image = image;
  }
  setToolTip(text: string) {
    this.tooltip = text;
  }
  setTitle(text: string) {
    this.title = text;
  }
  setContextMenu(menu: { template: any[] }) {
    this.menu = menu;
  }
  destroy() {
    this.destroyed = true;
  }
}

class FakeApp extends EventEmitter {
  paths = new Map<string, string>([['appData', '/tmp/fake-appdata']]);
  name = 'electron';
  isPackaged = false;
  lock = true;
  quitCalls = 0;
  exitCode: number | null = null;
  appPath = process.cwd();
  ready: Promise<void> = Promise.resolve();
  setName(name: string) {
    this.name = name;
  }
  getName() {
    return this.name;
  }
  getPath(name: string) {
    const p = this.paths.get(name);
    if (!p) throw new Error(`no path ${name}`);
    return p;
  }
  setPath(name: string, value: string) {
    this.paths.set(name, value);
  }
  getAppPath() {
    return this.appPath;
  }
  requestSingleInstanceLock() {
    return this.lock;
  }
  whenReady() {
    return this.ready;
  }
  quit() {
    this.quitCalls++;
  }
  exit(code = 0) {
    this.exitCode = code;
  }
}
export const app = new FakeApp();

export function resetFakeElectron(): void {
  BrowserWindow.created = [];
  ipcMain.handlers.clear();
  ipcRenderer.invoked = [];
  ipcRenderer.listeners.clear();
  contextBridge.exposed.clear();
  session.defaultSession = new FakeSession();
  safeStorage.available = true;
  safeStorage.backend = 'gnome_libsecret';
  shell.opened = [];
  dialog.errors = [];
  Notification.shown = [];
  Tray.created = [];
  app.removeAllListeners();
  app.lock = true;
  app.quitCalls = 0;
  app.exitCode = null;
}

export default {
  app, BrowserWindow, ipcMain, ipcRenderer, contextBridge, session, safeStorage, shell, dialog, Notification, nativeImage, Menu, Tray,
};
