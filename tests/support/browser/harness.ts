// Drives the built renderer in Debian's Chromium against a real engine. The page gets a
// `window.outbox` with exactly the OutboxApi shape; behind it, every call goes through the
// same dispatcher (zod validation, Result values) that Electron's IPC edge uses, and every
// engine event is forwarded into the page. Nothing in the renderer knows it is under test.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createCommandHandlers } from '../../../src/main/engine/commands';
import { createDispatcher, type Dispatch } from '../../../src/main/engine/dispatch';
import { createEngine, type Engine, type EngineOptions } from '../../../src/main/engine/index';
import { MemorySecretStore } from '../../../src/main/engine/accounts/secrets';
import type { Clock } from '../../../src/main/engine/ports';

export const ROOT = resolve(__dirname, '../../..');
export const RENDERER_DIR = join(ROOT, 'out', 'renderer');
export const SCREENSHOT_DIR = join(ROOT, 'test-results', 'screenshots');

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Builds the renderer when out/renderer is missing or older than its sources' newest file. */
export function ensureRendererBuilt(): void {
  if (existsSync(join(RENDERER_DIR, 'index.html')) && !process.env.OUTBOX_REBUILD) return;
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], {
    cwd: ROOT,
    stdio: 'ignore',
  });
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

/** A tiny static file server for the built renderer, on 127.0.0.1 and a free port. */
export async function serveStatic(root: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(root, path === '/' ? 'index.html' : path));
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

// The page side of the bridge, as a string (tsx's keepNames breaks function-form init scripts).
const BRIDGE_SCRIPT = `(() => {
  const listeners = new Map();
  Object.defineProperty(window, '__outboxEmit', {
    value: (name, payload) => {
      for (const l of [...(listeners.get(name) || [])]) {
        try { l(payload); } catch (e) { console.error(e); }
      }
    },
  });
  const api = Object.freeze({
    invoke: (name, ...args) => window.__outboxInvoke(name, JSON.stringify(args)).then((text) => JSON.parse(text)),
    on: (event, listener) => {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event).add(listener);
      return () => listeners.get(event).delete(listener);
    },
  });
  Object.defineProperty(window, 'outbox', { value: api, writable: false, configurable: false });
})();`;

export interface TestEngine {
  engine: Engine;
  dispatch: Dispatch;
  dir: string;
  stop(): Promise<void>;
}

/** A real engine on a database in a fresh temporary folder, with in-memory secrets. */
export function startTestEngine(options: Partial<EngineOptions> & { clock?: Clock } = {}): TestEngine {
  const base = process.env.OUTBOX_TEST_TMP ?? tmpdir();
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, 'browser-'));
  const engine = createEngine({
    dbPath: join(dir, 'outbox.db'),
    secrets: new MemorySecretStore(),
    intake: false,
    watch: false,
    ...options,
  });
  const dispatch = createDispatcher(createCommandHandlers(engine));
  return {
    engine,
    dispatch,
    dir,
    async stop() {
      await engine.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface AppPage {
  page: Page;
  context: BrowserContext;
  /** every command the page sent, in order */
  calls: { name: string; args: unknown[] }[];
  close(): Promise<void>;
}

/** Opens the app in a new browser context wired to `dispatch` and the engine's events. */
export async function openApp(
  browser: Browser,
  url: string,
  te: { engine: Engine; dispatch: Dispatch },
  options: { colorScheme?: 'light' | 'dark'; viewport?: { width: number; height: number }; clockAt?: number; deviceScaleFactor?: number } = {},
): Promise<AppPage> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 800 },
    colorScheme: options.colorScheme ?? 'light',
    deviceScaleFactor: options.deviceScaleFactor ?? 1,
  });
  const calls: { name: string; args: unknown[] }[] = [];
  // Arguments and answers cross as JSON text: Playwright's own serializer walks every value
  // and made a page of 100 rows cost ~50 ms, where Electron's IPC (structured clone) takes ~1 ms.
  await context.exposeBinding('__outboxInvoke', async (_source, name: unknown, argsJson: unknown) => {
    const args: unknown = JSON.parse(String(argsJson));
    calls.push({ name: String(name), args: Array.isArray(args) ? args : [] });
    return JSON.stringify(await te.dispatch(name, args));
  });
  await context.addInitScript({ content: BRIDGE_SCRIPT });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  if (options.clockAt !== undefined) await page.clock.install({ time: options.clockAt });
  const off = te.engine.events.onAny((name, payload) => {
    const script = `window.__outboxEmit && window.__outboxEmit(${JSON.stringify(name)}, ${JSON.stringify(payload)})`;
    page.evaluate(script).catch(() => {});
  });
  await page.goto(url);
  return {
    page,
    context,
    calls,
    async close() {
      off();
      await context.close();
      if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path });
  return path;
}
