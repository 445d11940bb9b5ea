// What the user must be told, gathered so a burst becomes one notice. Items are grouped by what
// they are about (failures that need the user; one account needing a reconnect; one account's
// window reopening; one account's cap learned), held for a short debounce, then emitted as the
// contract's `attention` event together with a fresh `status/changed` summary.
import { CATEGORY_LABEL, type Category } from '../../../shared/categories';
import type { AttentionNotice, StatusSummary } from '../../../shared/model';
import type { EngineEvents } from '../events';
import type { Clock, TimerHandle } from '../ports';

export type AttentionItem =
  | { type: 'needs_you'; category: Category; accountId: number | null; failureId: number | null; messageId: number; detail: string }
  | { type: 'reconnect'; category: Category; accountId: number; accountName: string; detail: string }
  | { type: 'quota_reopened'; accountId: number; accountName: string; waiting: number }
  | { type: 'learned'; accountId: number; accountName: string; text: string };

export interface AttentionOptions {
  /** how long items gather before one notice goes out (the first item starts the wait) */
  debounceMs?: number;
  summary: () => StatusSummary;
}

interface Group {
  key: string;
  items: AttentionItem[];
}

export function createAttention(deps: { clock: Clock; events: EngineEvents }, opts: AttentionOptions) {
  const debounceMs = opts.debounceMs ?? 2_000;
  const groups = new Map<string, Group>();
  let statusDirty = false;
  let timer: TimerHandle | null = null;
  let seq = 0;

  function arm(): void {
    if (timer) return;
    // The wait starts with the first item and is not extended by later ones, so a steady
    // trickle still gets through within one debounce period.
    timer = deps.clock.setTimer(deps.clock.now() + debounceMs, () => {
      timer = null;
      flush();
    });
  }

  function keyOf(item: AttentionItem): string {
    return item.type === 'needs_you' ? 'needs_you' : `${item.type}:${item.accountId}`;
  }

  function report(item: AttentionItem): void {
    const key = keyOf(item);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, items: [] }));
    g.items.push(item);
    statusDirty = true;
    arm();
  }

  /** Counts changed (a send, a hold, a release): the tray's summary should follow soon. */
  function statusChanged(): void {
    statusDirty = true;
    arm();
  }

  function flush(): AttentionNotice[] {
    if (timer) {
      timer.cancel();
      timer = null;
    }
    const now = deps.clock.now();
    const notices = [...groups.values()].map((g) => noticeOf(g, now, ++seq));
    groups.clear();
    for (const n of notices) deps.events.emit('attention', n);
    if (statusDirty) {
      statusDirty = false;
      deps.events.emit('status/changed', opts.summary());
    }
    return notices;
  }

  function stop(): void {
    timer?.cancel();
    timer = null;
    groups.clear();
  }

  return { report, statusChanged, flush, stop };
}
export type Attention = ReturnType<typeof createAttention>;

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** One notice for a group; exported for tests of the wording. */
export function noticeOf(g: { key: string; items: AttentionItem[] }, at: number, seq: number): AttentionNotice {
  const first = g.items[0]!;
  const id = `${g.key}:${at}:${seq}`;
  if (first.type === 'needs_you') {
    const items = g.items as Extract<AttentionItem, { type: 'needs_you' }>[];
    const byCategory = new Map<Category, number>();
    for (const i of items) byCategory.set(i.category, (byCategory.get(i.category) ?? 0) + 1);
    const parts = [...byCategory.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([c, n]) => `${n} × ${CATEGORY_LABEL[c]}`);
    const accounts = new Set(items.map((i) => i.accountId));
    return {
      id,
      level: 'needs_you',
      title: items.length === 1 ? `A message needs you: ${CATEGORY_LABEL[first.category]}` : `${plural(items.length, 'message needs', 'messages need')} you`,
      body: items.length === 1 ? first.detail : parts.join(', '),
      failureId: items.find((i) => i.failureId !== null)?.failureId ?? null,
      accountId: accounts.size === 1 ? first.accountId : null,
      count: items.length,
      at,
    };
  }
  if (first.type === 'reconnect') {
    return {
      id,
      level: 'needs_you',
      title: first.category === 'config_error' ? `${first.accountName}: settings need fixing` : `${first.accountName} needs to be reconnected`,
      body: `${CATEGORY_LABEL[first.category]}: ${first.detail} Its messages wait until ${first.category === 'config_error' ? 'the settings are fixed and tested' : 'it is reconnected'}.`,
      failureId: null,
      accountId: first.accountId,
      count: g.items.length,
      at,
    };
  }
  if (first.type === 'quota_reopened') {
    const last = g.items[g.items.length - 1] as Extract<AttentionItem, { type: 'quota_reopened' }>;
    return {
      id,
      level: 'info',
      title: `${first.accountName}: sending again`,
      body: `The sending limit reopened; ${plural(last.waiting, 'message is', 'messages are')} going out.`,
      failureId: null,
      accountId: first.accountId,
      count: last.waiting,
      at,
    };
  }
  const items = g.items as Extract<AttentionItem, { type: 'learned' }>[];
  return {
    id,
    level: 'info',
    title: `${first.accountName}: lower sending limit learned`,
    body: items.map((i) => i.text).join(' '),
    failureId: null,
    accountId: first.accountId,
    count: items.length,
    at,
  };
}
