import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fake-electron'));

import { BrowserWindow, Notification, Tray, resetFakeElectron } from './fake-electron';
import { createAppTray, trayIconPath, trayMenuTemplate, trayView, type TrayActions } from '../../../src/main/electron/tray';
import { createNotifier, notificationContent } from '../../../src/main/electron/notifications';
import { resendAllReady } from '../../../src/main/electron/app';
import type { AttentionNotice, StatusSummary } from '../../../src/shared/model';
import type { Result } from '../../../src/shared/result';

beforeEach(() => resetFakeElectron());

const summary = (s: Partial<StatusSummary>): StatusSummary => ({ tray: 'clear', needsYou: 0, retrying: 0, wontRetry: 0, resolved: 0, paused: false, ...s });

describe('trayView', () => {
  it('maps the three states with the count that matters', () => {
    expect(trayView(summary({ resolved: 40, wontRetry: 2 }))).toEqual({ state: 'clear', tooltip: 'Outbox Monitor — all clear', title: '', count: 0 });
    expect(trayView(summary({ tray: 'retrying', retrying: 7 }))).toEqual({ state: 'retrying', tooltip: 'Outbox Monitor — 7 retrying', title: '7', count: 7 });
    expect(trayView(summary({ tray: 'needs_you', needsYou: 1, retrying: 3 }))).toEqual({
      state: 'needs_you', tooltip: 'Outbox Monitor — 1 needs you, 3 retrying', title: '1', count: 1,
    });
    expect(trayView(summary({ tray: 'needs_you', needsYou: 2, paused: true })).tooltip).toBe('Outbox Monitor — 2 need you, sending paused');
  });

  it('picks a distinct icon per state, and template images on macOS', () => {
    const paths = (['clear', 'retrying', 'needs_you'] as const).map((s) => trayIconPath('/r', s, 'linux'));
    expect(new Set(paths).size).toBe(3);
    expect(trayIconPath('/r', 'retrying', 'darwin')).toMatch(/tray-retryingTemplate\.png$/);
  });
});

describe('the tray menu', () => {
  const calls: string[] = [];
  const actions: TrayActions = {
    open: () => calls.push('open'), pause: () => calls.push('pause'), resume: () => calls.push('resume'),
    resendReady: () => calls.push('resend'), quit: () => calls.push('quit'),
  };
  const click = (items: any[], id: string) => items.find((i) => i.id === id).click();

  it('offers Open, Pause or Resume, Resend all ready and Quit', () => {
    calls.length = 0;
    const running = trayMenuTemplate(summary({ tray: 'retrying', retrying: 2 }), actions);
    expect(running.filter((i) => i.id).map((i) => i.id)).toEqual(['open', 'pause', 'resend', 'quit']);
    const paused = trayMenuTemplate(summary({ paused: true }), actions);
    expect(paused.filter((i) => i.id).map((i) => i.id)).toEqual(['open', 'resume', 'resend', 'quit']);
    expect(paused.find((i) => i.id === 'resend')!.enabled).toBe(false);
    for (const id of ['open', 'pause', 'resend', 'quit']) click(running, id);
    click(paused, 'resume');
    expect(calls).toEqual(['open', 'pause', 'resend', 'quit', 'resume']);
  });

  it('follows status changes: icon, tooltip and menu', () => {
    const tray = createAppTray('/r', summary({}), actions);
    const t = Tray.created[0];
    expect((t.image as { path: string }).path).toBe(trayIconPath('/r', 'clear'));
    tray.update(summary({ tray: 'needs_you', needsYou: 4 }));
    expect((t.image as { path: string }).path).toBe(trayIconPath('/r', 'needs_you'));
    expect(t.tooltip).toContain('4 need you');
    expect(t.menu!.template.map((i: any) => i.id).filter(Boolean)).toContain('pause');
    tray.destroy();
    expect(t.destroyed).toBe(true);
  });
});

describe('notifications', () => {
  const notice = (n: Partial<AttentionNotice>): AttentionNotice => ({
    id: 'n1', level: 'needs_you', title: 'Gmail refused your password', body: '12 messages are held', failureId: 31, accountId: 1, count: 12, at: 0, ...n,
  });

  it('shows one notification per attention event; a click opens that failure', () => {
    const opened: (number | null)[] = [];
    const notifier = createNotifier((id) => opened.push(id));
    notifier.show(notice({}));
    notifier.show(notice({ id: 'n2', level: 'info', failureId: null, title: 'Sending resumed' }));
    expect(Notification.shown.map((n) => n.options)).toEqual([
      { title: 'Gmail refused your password', body: '12 messages are held', silent: false },
      { title: 'Sending resumed', body: '12 messages are held', silent: true },
    ]);
    Notification.shown[0].emit('click');
    Notification.shown[1].emit('click');
    expect(opened).toEqual([31, null]);
  });

  it('clips long provider text', () => {
    const c = notificationContent(notice({ title: 'x'.repeat(1_000), body: 'y'.repeat(5_000) }));
    expect(c.title.length).toBe(200);
    expect(c.body.length).toBe(500);
    expect(BrowserWindow.created).toEqual([]);
  });
});

describe('resendAllReady', () => {
  it('pages through every retrying failure and resends them in one validated call', async () => {
    const calls: { name: unknown; args: any }[] = [];
    const rows = Array.from({ length: 2_345 }, (_, i) => ({ id: i + 1 }));
    const dispatch = async (name: unknown, args: any): Promise<Result<unknown>> => {
      calls.push({ name, args });
      if (name === 'failures/list') {
        const { offset, limit } = args[0];
        return { ok: true, value: { rows: rows.slice(offset, offset + limit), total: rows.length, groups: {} } };
      }
      return { ok: true, value: { queued: args[0].failureIds.length, skipped: 0 } };
    };
    await resendAllReady(dispatch);
    expect(calls.filter((c) => c.name === 'failures/list').map((c) => c.args[0])).toEqual([
      { group: 'retrying', offset: 0, limit: 1_000 },
      { group: 'retrying', offset: 1_000, limit: 1_000 },
      { group: 'retrying', offset: 2_000, limit: 1_000 },
    ]);
    const resend = calls.find((c) => c.name === 'failures/resend')!;
    expect(resend.args[0].failureIds).toEqual(rows.map((r) => r.id));
  });

  it('does not call resend when nothing is retrying', async () => {
    const names: unknown[] = [];
    await resendAllReady(async (name) => {
      names.push(name);
      return { ok: true, value: { rows: [], total: 0, groups: {} } };
    });
    expect(names).toEqual(['failures/list']);
  });
});
