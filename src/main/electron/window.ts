import { BrowserWindow, type Session, type WebContents } from 'electron';
import { pathToFileURL } from 'node:url';

/** Where the window's page comes from: the bundled file, or electron-vite's dev server. */
export interface RendererSource {
  /** absolute path of out/renderer/index.html */
  file: string;
  /** set only when ELECTRON_RENDERER_URL came from `electron-vite dev` */
  devServerUrl?: string;
}

/** The page's own origin check: the bundled index.html exactly, or the dev server's origin. */
export function isOwnPage(rawUrl: string, source: RendererSource): boolean {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return false;
  }
  if (source.devServerUrl) {
    const dev = new URL(source.devServerUrl);
    if (url.origin === dev.origin && (dev.hostname === 'localhost' || dev.hostname === '127.0.0.1')) return true;
  }
  if (url.protocol !== 'file:') return false;
  const own = pathToFileURL(source.file);
  return url.pathname === own.pathname && url.host === own.host;
}

/** Reads ELECTRON_RENDERER_URL only when it points at a loopback dev server (electron-vite dev sets it). */
export function devServerUrlFrom(env: NodeJS.ProcessEnv, packaged: boolean): string | undefined {
  const raw = env.ELECTRON_RENDERER_URL;
  if (!raw || packaged) return undefined;
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' && (url.hostname === 'localhost' || url.hostname === '127.0.0.1')) return url.href;
  } catch {
    // fall through: a malformed value is ignored, and the bundled file is loaded
  }
  return undefined;
}

/**
 * Navigation, new windows, webviews and permission prompts: all refused. https links the page
 * asks to open (target=_blank, window.open) go to `openLink`, which applies the external-links
 * allow-list and hands them to the user's browser — never to a window of ours.
 */
export function hardenContents(contents: WebContents, openLink: (url: string) => void): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  // Page-initiated navigation of any frame; our own loadFile/loadURL calls do not raise these.
  contents.on('will-frame-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) openLink(url);
    return { action: 'deny' };
  });
}

/**
 * Permissions our own page may use: writing plain text to the clipboard (the copy buttons).
 * Everything else (camera, microphone, geolocation, notifications from the page, HID, USB, …)
 * is never needed and always denied.
 */
export const OWN_PAGE_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

/** Every permission request and check is denied, except OWN_PAGE_PERMISSIONS for our own page. */
export function hardenSession(session: Session, isOwnContents: (contents: WebContents | null) => boolean = () => false): void {
  session.setPermissionRequestHandler((contents, permission, callback) => callback(OWN_PAGE_PERMISSIONS.has(permission) && isOwnContents(contents)));
  session.setPermissionCheckHandler((contents, permission) => OWN_PAGE_PERMISSIONS.has(permission) && isOwnContents(contents));
  session.setDevicePermissionHandler(() => false);
  session.setDisplayMediaRequestHandler((_request, callback) => callback(null));
}

export interface MainWindowOptions {
  preloadPath: string;
  source: RendererSource;
  icon?: string;
  openLink: (url: string) => void;
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  // The security settings are written out here, in the constructor call, so that a reader and
  // electronegativity's static scan both see them. Each is also Electron's default today; we
  // state them anyway so a default change or a careless edit cannot weaken them silently.
  const win = new BrowserWindow({
    width: 1200,
    height: 800,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'Outbox Monitor',
    icon: options.icon,
    backgroundColor: '#1f2430',
    autoHideMenuBar: true,
    webPreferences: {
      preload: options.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      // Middle-click would ask for a new window; the open handler denies it anyway, this stops it earlier.
      disableBlinkFeatures: 'Auxclick',
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
    },
  });
  hardenContents(win.webContents, options.openLink);
  win.once('ready-to-show', () => win.show());
  if (options.source.devServerUrl) void win.loadURL(options.source.devServerUrl);
  else void win.loadFile(options.source.file);
  return win;
}
