import type { DueReason } from '../../shared/model';

export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/** "4:05", "1:02:09" or "3 d 4 h" until `at`; "now" once it has passed. */
export function formatCountdown(at: number, now: number): string {
  const s = Math.ceil((at - now) / 1000);
  if (s <= 0) return 'now';
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d} d ${h} h`;
  const mm = String(m).padStart(h > 0 ? 2 : 1, '0');
  return h > 0 ? `${h}:${mm}:${String(sec).padStart(2, '0')}` : `${mm}:${String(sec).padStart(2, '0')}`;
}

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateTimeFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dayFmt = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

export function formatTime(at: number): string {
  return timeFmt.format(at);
}
export function formatDateTime(at: number | null | undefined): string {
  return at === null || at === undefined ? '—' : dateTimeFmt.format(at);
}
export function formatDay(at: number): string {
  return dayFmt.format(at);
}

/** "5 min ago", "yesterday" … for list rows, relative to the shared clock. */
export function formatAgo(at: number, now: number): string {
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  const d = Math.floor(s / 86_400);
  return d === 1 ? 'yesterday' : `${d} days ago`;
}

export const DUE_REASON_TEXT: Record<DueReason, string> = {
  new: 'waiting to be sent',
  quota: 'waiting for the quota window to reopen',
  backoff: 'backing off after a temporary failure',
  pace: 'pacing under the provider’s limit',
  paused: 'sending is paused',
  resend: 'resend requested',
  released: 'released after a fix',
};
