import { Notification } from 'electron';
import type { AttentionNotice } from '../../shared/model';

/** What a native notification shows for an attention notice (the engine already grouped it). */
export function notificationContent(notice: AttentionNotice): { title: string; body: string; silent: boolean } {
  return {
    title: notice.title.slice(0, 200),
    body: notice.body.slice(0, 500),
    // Only what needs the user makes a sound; information arrives quietly.
    silent: notice.level !== 'needs_you',
  };
}

export interface Notifier {
  show(notice: AttentionNotice): void;
}

/**
 * One native notification per attention event. Clicking it opens the failure it names (or just
 * the window). Shown notifications are held until closed or clicked: Electron drops the click
 * handler of a notification that was garbage-collected.
 */
export function createNotifier(openFailure: (failureId: number | null) => void): Notifier {
  const live = new Set<Notification>();
  return {
    show(notice) {
      if (!Notification.isSupported()) return;
      const n = new Notification(notificationContent(notice));
      live.add(n);
      n.on('click', () => {
        live.delete(n);
        openFailure(notice.failureId);
      });
      n.on('close', () => live.delete(n));
      n.show();
    },
  };
}
