import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ManualClock } from '../../src/main/engine/ports';
import { startProvider } from '../engine/outbox/support/provider';
import { ensureRendererBuilt, launchChromium, openApp, RENDERER_DIR, screenshot, serveStatic, startTestEngine, type TestEngine } from '../support/browser/harness';
import { insertFailure, queueMessage } from '../support/browser/seed';
import { until } from '../support/until';

let browser: Browser;
let server: { url: string; close(): Promise<void> };
const stops: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  ensureRendererBuilt();
  server = await serveStatic(RENDERER_DIR);
  browser = await launchChromium();
});
afterAll(async () => {
  for (const stop of stops.reverse()) await stop().catch(() => {});
  await browser?.close();
  await server?.close();
});

const SENDER = 'sender@example.test';

async function setup(clock: ManualClock, script: Parameters<typeof startProvider>[0] = {}) {
  const provider = await startProvider(script);
  stops.push(() => provider.stop());
  const te: TestEngine = startTestEngine({ clock });
  stops.push(() => te.stop());
  await te.engine.start();
  const added = await te.dispatch('accounts/add', [{
    name: 'Sales Gmail', provider: 'gmail', email: SENDER, password: script.password ?? 'secret',
    smtp: { host: '127.0.0.1', port: provider.port, tls: 'none' }, imap: null,
  }]);
  if (!added.ok) throw new Error(added.error.message);
  return { provider, te, accountId: (added.value as { id: number }).id };
}

/** Resolves once `count()` has not changed for `quietMs` (at most `ms`). */
async function settled(count: () => number, quietMs = 1_200, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  let last = count();
  let since = Date.now();
  while (Date.now() - since < quietMs) {
    if (Date.now() > end) throw new Error('the window kept calling the engine');
    await new Promise((r) => setTimeout(r, 100));
    if (count() !== last) {
      last = count();
      since = Date.now();
    }
  }
}

/** The scheduler arms its timer on the next turn of the event loop; fire it once it is due. */
async function fireDue(clock: ManualClock): Promise<void> {
  await until('the scheduler to arm its timer', () => {
    const at = clock.nextTimerAt();
    return at !== null && at <= clock.now();
  });
  clock.advanceBy(0);
}

describe('failures in the window', () => {
  it('a failure appears live, shows hostile provider words as inert text, and resend queues it again', async () => {
    const clock = new ManualClock(Date.now());
    const hostile = '554 5.7.1 Message rejected as spam: <b>bad content</b><script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> \u202Eevil.exe\u202C done';
    const { te, accountId, provider } = await setup(clock, { rejectRecipients: { 'ghost@example.test': { code: 554, text: hostile } } });
    const app = await openApp(browser, server.url, te);
    const { page } = app;
    await page.getByRole('tab', { name: /Needs you/ }).waitFor();

    queueMessage(te.engine, accountId, SENDER, ['ghost@example.test'], 'Quarterly numbers');
    await fireDue(clock);
    // No reload: the row arrives through the engine's event.
    const row = page.locator('.row', { hasText: 'ghost@example.test' });
    await row.waitFor({ timeout: 15_000 });
    expect(provider.received.size).toBe(0);
    await screenshot(page, 'failures-live');

    await row.click();
    const words = page.locator('[data-testid=detail] pre.words');
    await words.waitFor();
    const text = (await words.textContent()) ?? '';
    expect(text).toContain('<script>window.__pwned = 1</script>');
    expect(text).toContain('⟦U+202E⟧');
    expect(text).not.toContain('\u202E');
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(await page.locator('[data-testid=detail] script, [data-testid=detail] img, [data-testid=detail] b').count()).toBe(0);

    // A 1 MB line from a bounce: cut for display, inert, and the page stays responsive.
    const huge = `<div onclick="x()">${'A'.repeat(1_000_000)}</div>`;
    const hugeId = insertFailure(te.engine, {
      messageId: null, accountId, recipient: 'far@away.test', category: 'unknown', kind: 'fix', rule: 'test/huge', source: 'bounce', diagnostic: huge,
    });
    await page.locator(`[data-failure-id="${hugeId}"]`).click();
    await page.getByRole('button', { name: /Show all/ }).waitFor();
    const shown = (await page.locator('[data-testid=detail] pre.words').textContent()) ?? '';
    expect(shown.startsWith('<div onclick="x()">AAAA')).toBe(true);
    expect(shown.length).toBeLessThan(huge.length);
    await screenshot(page, 'detail-hostile');

    // Resend from the detail of the first failure: the message goes back to the queue.
    provider.script.rejectRecipients = {};
    await page.locator('.row', { hasText: 'ghost@example.test' }).click();
    await page.locator('[data-testid=detail]').getByRole('button', { name: /^Resend( now)?$/ }).first().click();
    await fireDue(clock);
    await until('the resent message to arrive', () => provider.messages.length === 1);
    expect(provider.messages[0].to).toEqual(['ghost@example.test']);
    await app.close();
  });

  it('the countdown ticks and the message goes out when its quota slot opens', async () => {
    const clock = new ManualClock(Date.now());
    const limitReply = { code: 550, text: '550-5.4.5 Daily user sending limit exceeded. For more information on Gmail 550-5.4.5 sending limits go to 550 5.4.5  https://support.google.com/a/answer/166852 - gsmtp' };
    const { te, accountId, provider } = await setup(clock, { failAt: { stage: 'data', reply: limitReply } });
    // The engine's manual clock starts at the real time, so the page's own clock agrees with it.
    const app = await openApp(browser, server.url, te);
    const { page } = app;
    queueMessage(te.engine, accountId, SENDER, ['client@example.test'], 'Invoice 42');
    await fireDue(clock);

    const countdown = page.locator('.row', { hasText: 'Invoice 42' }).getByTestId('countdown');
    await countdown.waitFor({ timeout: 15_000 }).catch(async (e) => {
      await screenshot(page, 'debug-countdown');
      throw e;
    });
    const first = await countdown.textContent();
    expect(first).toMatch(/Retrying in [\d:]+/);
    // One shared ticking clock redraws it every second without asking the engine. First let the
    // refetches that engine events legitimately cause (the failure, the status summary) settle.
    await settled(() => app.calls.length);
    const callsBefore = app.calls.length;
    await until('the countdown to tick', async () => (await countdown.textContent()) !== first, 5_000);
    expect(app.calls.length).toBe(callsBefore);
    await screenshot(page, 'failures-retrying');

    // Move both clocks to the moment the engine stored as due: the scheduler sends then.
    const list = await te.dispatch('failures/list', [{ group: 'retrying' }]);
    if (!list.ok) throw new Error(list.error.message);
    const due = (list.value as { rows: { nextAttemptAt: number | null }[] }).rows[0].nextAttemptAt;
    expect(due).not.toBeNull();
    expect(due!).toBeGreaterThan(clock.now());
    provider.script.failAt = null;
    clock.advanceTo(due! - 1_000);
    expect(provider.messages.length).toBe(0);
    clock.advanceTo(due! + 1);
    await until('the message to go out', () => provider.messages.length === 1);
    // Once sent, the row no longer counts down (the message is no longer waiting).
    await countdown.waitFor({ state: 'detached', timeout: 15_000 });
    await app.close();
  });

  it('the reconnect flow tests the new password, saves it and releases the held messages', async () => {
    const clock = new ManualClock(Date.now());
    const { te, accountId, provider } = await setup(clock);
    provider.script.password = 'changed-elsewhere';
    const app = await openApp(browser, server.url, te);
    const { page } = app;
    queueMessage(te.engine, accountId, SENDER, ['a@example.test'], 'Proposal');
    queueMessage(te.engine, accountId, SENDER, ['b@example.test'], 'Proposal');
    await fireDue(clock);

    const banner = page.getByRole('alert').filter({ hasText: 'needs to sign in again' });
    await banner.waitFor({ timeout: 15_000 });
    await screenshot(page, 'reconnect-banner');
    await banner.getByRole('button', { name: 'Reconnect…' }).click();
    const dialog = page.getByTestId('reconnect');
    await dialog.waitFor();
    expect(await dialog.locator('pre.words').textContent()).toContain('535');
    expect(await dialog.getByTestId('app-password-hint').textContent()).toContain('app password');

    await dialog.getByLabel('New password').fill('wrong-again');
    await dialog.getByRole('button', { name: 'Test and save' }).click();
    await dialog.getByTestId('test-steps').waitFor();
    expect(await dialog.locator('.step.failed').count()).toBeGreaterThan(0);
    expect(provider.messages.length).toBe(0);

    await dialog.getByLabel('New password').fill('changed-elsewhere');
    await dialog.getByRole('button', { name: 'Test and save' }).click();
    await dialog.getByTestId('released').waitFor({ timeout: 15_000 });
    expect(await dialog.locator('.step.failed').count()).toBe(0);
    expect(await dialog.locator('.step.ok').count()).toBeGreaterThan(0);
    expect(await dialog.getByTestId('released').textContent()).toMatch(/[12] held messages? (was|were) released/);
    await fireDue(clock);
    await until('the held messages to go out', () => provider.messages.length >= 1, 15_000);
    await screenshot(page, 'reconnect-done');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('alert').filter({ hasText: 'needs to sign in again' }).waitFor({ state: 'detached' });
    await app.close();
  });
});
