// The "system browser" for sign-in tests: Debian's Chromium driven by playwright-core. The
// engine's openBrowser port only hands over the URL; the test then plays the user.
import { chromium, type Browser, type Page } from 'playwright-core';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** An openBrowser port that records the URL it was asked to open, and a promise of it. */
export function urlCatcher(): { openBrowser: (url: string) => void; url: Promise<string> } {
  let resolve!: (url: string) => void;
  const url = new Promise<string>((r) => (resolve = r));
  return { openBrowser: (u) => resolve(u), url };
}

export interface Landing {
  url: URL;
  status: number | null;
  text: string;
  failed: string | null;
}

/**
 * Opens the authorization URL, presses Allow or Deny on the consent page, and returns where the
 * browser landed (the loopback listener's page, or an error page).
 */
export async function consent(browser: Browser, authUrl: string, choice: 'allow' | 'deny'): Promise<Landing> {
  const page: Page = await browser.newPage();
  try {
    await page.goto(authUrl);
    // The redirect lands on the loopback listener, or fails (nothing listens on a wrong port).
    const landed = new Promise<{ status: number | null; failed: string | null }>((resolve) => {
      page.on('response', (r) => {
        if (new URL(r.url()).pathname === '/callback') resolve({ status: r.status(), failed: null });
      });
      page.on('requestfailed', (r) => {
        if (new URL(r.url()).pathname === '/callback') resolve({ status: null, failed: r.failure()?.errorText ?? 'failed' });
      });
    });
    await page.click(`#${choice}`);
    const { status, failed } = await landed;
    await page.waitForLoadState('domcontentloaded').catch(() => undefined);
    return { url: new URL(page.url()), status, failed, text: failed ? '' : await page.innerText('body').catch(() => '') };
  } finally {
    await page.close();
  }
}

/** Loads a URL in a fresh tab and reports the answer (for forged or misdirected redirects). */
export async function visit(browser: Browser, url: string): Promise<Landing> {
  const page = await browser.newPage();
  try {
    const response = await page.goto(url).catch((err: Error) => err);
    if (response instanceof Error) return { url: new URL(url), status: null, text: '', failed: response.message };
    return { url: new URL(page.url()), status: response?.status() ?? null, text: await page.innerText('body'), failed: null };
  } finally {
    await page.close();
  }
}
