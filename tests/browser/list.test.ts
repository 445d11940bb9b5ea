import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Dispatch } from '../../src/main/engine/dispatch';
import { transaction } from '../../src/main/engine/store/db';
import { createFailuresRepo } from '../../src/main/engine/store/failures';
import { createMessagesRepo } from '../../src/main/engine/store/messages';
import { ensureRendererBuilt, launchChromium, openApp, RENDERER_DIR, serveStatic, startTestEngine, type TestEngine } from '../support/browser/harness';
import { rawMessage } from '../support/browser/seed';

// The failure list with more rows than it keeps in memory, and an engine slower than typing.

let browser: Browser;
let server: { url: string; close(): Promise<void> };
let te: TestEngine;
const FAILURES = 2_000;

beforeAll(async () => {
  ensureRendererBuilt();
  server = await serveStatic(RENDERER_DIR);
  browser = await launchChromium();
  te = startTestEngine({ schedule: false });
  await te.engine.start();
  const added = await te.dispatch('accounts/add', [{
    name: 'Merge', provider: 'gmail', email: 'merge@example.test', password: 'x', smtp: { host: '127.0.0.1', port: 2, tls: 'none' }, imap: null,
  }]);
  if (!added.ok) throw new Error(added.error.message);
  const accountId = (added.value as { id: number }).id;
  const messages = createMessagesRepo(te.engine.db);
  const failures = createFailuresRepo(te.engine.db);
  const now = Date.now();
  transaction(te.engine.db, () => {
    for (let i = 0; i < FAILURES; i++) {
      const to = `lead${i}@example.com`;
      const subject = `Campaign ${i % 20} — note ${i}`;
      const { raw, messageId } = rawMessage('merge@example.test', [to], subject);
      const id = messages.insert({
        accountId, messageId, source: 'intake', mailFrom: 'merge@example.test', recipients: [to], subject, sizeBytes: raw.length,
        hasAttachments: false, raw, now: now - i * 1000, nextAttemptAt: null, dueReason: null,
      });
      failures.insert({
        messageId: id, accountId, recipient: to, category: 'rejected_policy', kind: 'fix', rule: 'test', source: 'smtp',
        diagnostic: '550 5.7.26 Unauthenticated email is not accepted', detectedAt: now - i * 1000,
      });
    }
  });
});
afterAll(async () => {
  await te?.stop();
  await browser?.close();
  await server?.close();
});

describe('the failure list', () => {
  it('typing faster than the engine answers keeps one query in flight and ends on the newest text', async () => {
    // An engine that takes 150 ms per page, as a big database on a slow disk might.
    let inFlight = 0;
    let mostInFlight = 0;
    const searches: string[] = [];
    const slow: Dispatch = async (name, args) => {
      if (name !== 'failures/list') return te.dispatch(name, args);
      searches.push(String((args as [{ search?: string }])[0].search ?? ''));
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 150));
      inFlight--;
      return te.dispatch(name, args);
    };
    const app = await openApp(browser, server.url, { engine: te.engine, dispatch: slow });
    const { page } = app;
    await page.locator('.row[data-failure-id]').first().waitFor();
    searches.length = 0;
    mostInFlight = 0;

    await page.locator('#failure-search').pressSequentially('campaign 13');
    await expect.poll(() => page.locator('.bulkbar .hint').textContent()).toMatch(/^100 failures/);
    const subjects = await page.locator('.row .subject').allTextContents();
    expect(subjects.length).toBeGreaterThan(0);
    for (const s of subjects) expect(s).toMatch(/^Campaign 13 — /);

    expect(mostInFlight).toBe(1);
    // Eleven keystrokes, far fewer queries; the last one asked for is the whole text.
    expect(searches.length).toBeLessThan(6);
    expect(searches[searches.length - 1]).toBe('campaign 13');
    await app.close();
  });

  it('asks for one or two letters only after a pause, so typing a word skips their full scans', async () => {
    const searches: string[] = [];
    const counting: Dispatch = async (name, args) => {
      if (name === 'failures/list') searches.push(String((args as [{ search?: string }])[0].search ?? ''));
      return te.dispatch(name, args);
    };
    const app = await openApp(browser, server.url, { engine: te.engine, dispatch: counting });
    const { page } = app;
    await page.locator('.row[data-failure-id]').first().waitFor();
    searches.length = 0;

    await page.locator('#failure-search').pressSequentially('cam', { delay: 30 });
    await expect.poll(() => searches.includes('cam')).toBe(true);
    expect(searches.filter((s) => s === 'c' || s === 'ca')).toEqual([]);

    // a short text on its own is still searched for, once the typing stops
    await page.locator('#failure-search').fill('');
    await page.locator('#failure-search').pressSequentially('13');
    await expect.poll(() => searches[searches.length - 1], { timeout: 5_000 }).toBe('13');
    await app.close();
  });

  it('keeps the selection when the rows it came from are scrolled out of memory', async () => {
    const app = await openApp(browser, server.url, te);
    const { page } = app;
    await page.locator('.row[data-failure-id]').first().waitFor();
    const picked = [await page.locator('.row .recipient').nth(0).textContent(), await page.locator('.row .recipient').nth(1).textContent()];
    await page.locator('.row input[type=checkbox]').nth(0).check();
    await page.locator('.row input[type=checkbox]').nth(1).check();
    await expect.poll(() => page.locator('.bulkbar').textContent()).toContain('2 selected');

    // To the end of the list and back: the first pages are dropped on the way and fetched again.
    await page.locator('#failure-list').focus();
    await page.keyboard.press('End');
    await page.locator('.row .recipient', { hasText: `lead${FAILURES - 1}@example.com` }).waitFor();
    const callsBefore = app.calls.length;
    await page.keyboard.press('Home');
    await page.locator('.row .recipient', { hasText: 'lead0@example.com' }).waitFor();
    expect(app.calls.slice(callsBefore).some((c) => c.name === 'failures/list' && (c.args[0] as { offset: number }).offset === 0)).toBe(true);

    await page.getByRole('button', { name: 'Suppress recipients' }).click();
    await expect.poll(async () => {
      const r = await te.dispatch('suppressions/list', []);
      return r.ok ? (r.value as { address: string }[]).map((s) => s.address).sort() : [];
    }).toEqual([...picked].sort());
    await app.close();
  });
});
