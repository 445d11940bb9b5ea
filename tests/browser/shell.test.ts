import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ensureRendererBuilt, launchChromium, openApp, RENDERER_DIR, screenshot, serveStatic, startTestEngine, type TestEngine } from '../support/browser/harness';

let browser: Browser;
let server: { url: string; close(): Promise<void> };
let te: TestEngine;

beforeAll(async () => {
  ensureRendererBuilt();
  server = await serveStatic(RENDERER_DIR);
  browser = await launchChromium();
  te = startTestEngine({ schedule: false });
  await te.engine.start();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await te?.stop();
});

describe('the shell for a new user', () => {
  it('greets with what to do first, then leads to adding an account', async () => {
    const app = await openApp(browser, server.url, te);
    const { page } = app;
    await page.getByTestId('welcome').waitFor();
    expect(await page.getByRole('heading', { name: 'Welcome to Outbox Monitor' }).isVisible()).toBe(true);
    expect(await page.getByTestId('status-summary').textContent()).toBe('All clear');
    await screenshot(page, 'welcome');

    await page.getByRole('button', { name: 'Add an account' }).click();
    await page.getByRole('form', { name: 'Add account' }).waitFor();
    // The presets come from the engine: choosing one fills the SMTP server.
    await page.getByLabel('Provider').selectOption('gmail');
    expect(await page.locator('#smtp-host').inputValue()).toBe('smtp.gmail.com');
    expect(await page.getByText('myaccount.google.com/apppasswords').first().isVisible()).toBe(true);
    await screenshot(page, 'accounts-add');

    await page.getByRole('button', { name: 'Charts' }).click();
    await page.getByText('No failures in the last 30 days.').waitFor();
    await screenshot(page, 'charts-empty');
    await app.close();
  });

  it('renders in the dark scheme when the system asks for it', async () => {
    const app = await openApp(browser, server.url, te, { colorScheme: 'dark' });
    await app.page.getByTestId('welcome').waitFor();
    const bg = await app.page.evaluate('getComputedStyle(document.documentElement).backgroundColor');
    expect(bg).not.toBe('rgb(246, 247, 249)');
    await screenshot(app.page, 'welcome-dark');
    await app.close();
  });

  it('rejects a malformed command at the bridge with a validation error', async () => {
    const app = await openApp(browser, server.url, te);
    const result = await app.page.evaluate(`window.outbox.invoke('failures/list', { limit: -5 })`);
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    await app.close();
  });
});
