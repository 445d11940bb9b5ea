// The bounce watcher: for every account with IMAP settings, one connection per watched folder,
// each syncing on start and whenever the server announces new mail (IDLE, or polling where the
// server has no IDLE). A dropped connection is reopened with growing, capped backoff and the
// account shows "offline"; refused credentials make it "auth_failed" and the watcher waits for
// the account to change (the reconnect flow) before trying again.
import type { ImapFlow } from 'imapflow';
import type { EngineContext } from '../../index';
import { createAccountsRepo, type AccountRow } from '../../store/accounts';
import { createBouncesRepo } from '../../store/bounces';
import { createSentIndexRepo } from '../../store/sent-index';
import { createSettingsRepo } from '../../store/settings';
import { createSyncStateRepo } from '../../store/sync-state';
import { authFailureWords, describeError, openImap } from './connection';
import { createRecorder } from './record';
import { findSentFolder, syncFolder, syncSentIndex, type FolderScan, type ProcessedAction } from './sync';

export const LOOKBACK_DAYS_KEY = 'bounces.lookbackDays';
/** per account: `bounces.processed.<accountId>` → { action: 'none' | 'flag' | 'move', folder? } */
export const processedActionKey = (accountId: number) => `bounces.processed.${accountId}`;

export interface WatcherOptions {
  /** first-sync look-back when the setting is absent (default 30) */
  lookbackDays?: number;
  /** reconnect backoff: first delay and cap (default 2 s and 5 min) */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** poll interval for servers without IDLE, and IDLE renewal (default 60 s) */
  pollMs?: number;
  /** bodies bigger than this are fetched only up to it (default 2 MB) */
  maxFetchBytes?: number;
  /** index the Sent folder too (default true) */
  indexSent?: boolean;
  /** above this many new messages in a folder the server's SEARCH picks the candidates (default 500) */
  fullPassMax?: number;
}

export interface ScanResult {
  accountId: number;
  accountName: string;
  folders: FolderScan[];
  sentIndexed: number;
  stored: number;
  failures: number;
  errors: string[];
}

export interface Watcher {
  start(): Promise<void>;
  stop(): Promise<void>;
  syncOnce(accountId: number, opts?: { since?: Date }): Promise<ScanResult>;
  /** watched folders currently connected (for tests and the status line) */
  connected(): { accountId: number; folder: string }[];
}

interface FolderWatch {
  accountId: number;
  folder: string;
  key: string;
  fingerprint: string;
  stop(): Promise<void>;
  isConnected(): boolean;
  /** the account changed: a watch waiting on refused credentials tries again now */
  poke(): void;
}

const DAY = 24 * 3600_000;

function fingerprint(a: AccountRow): string {
  return [a.imap_host, a.imap_port, a.imap_tls, a.username, a.email, a.secret_ref, a.auth_type, a.insecure_tls, a.watch_folders_json, a.sent_folder].join('|');
}

function watchedFolders(a: AccountRow): string[] {
  try {
    const list = JSON.parse(a.watch_folders_json) as unknown;
    if (Array.isArray(list) && list.every((f) => typeof f === 'string') && list.length) return [...new Set(list as string[])];
  } catch {
    // fall through
  }
  return ['INBOX'];
}

export function createWatcher(ctx: EngineContext, opts: WatcherOptions = {}): Watcher {
  const accounts = createAccountsRepo(ctx.db);
  const settings = createSettingsRepo(ctx.db);
  const syncState = createSyncStateRepo(ctx.db);
  const bounces = createBouncesRepo(ctx.db);
  const sentIndex = createSentIndexRepo(ctx.db);
  const recorder = createRecorder(ctx.db);
  const pollMs = opts.pollMs ?? 60_000;
  const baseMs = opts.backoffBaseMs ?? 2_000;
  const maxMs = opts.backoffMaxMs ?? 5 * 60_000;
  const maxFetchBytes = opts.maxFetchBytes ?? 2 * 1024 * 1024;
  const watches = new Map<string, FolderWatch>();
  let running = false;
  let offAccounts: (() => void) | null = null;
  let ownEmit = false;

  const now = () => ctx.clock.now();
  const sinceDefault = () => new Date(now() - settings.get<number>(LOOKBACK_DAYS_KEY, opts.lookbackDays ?? 30) * DAY);
  const processedFor = (accountId: number): ProcessedAction => {
    const p = settings.get<ProcessedAction>(processedActionKey(accountId), { action: 'none' });
    return p && (p.action === 'flag' || (p.action === 'move' && typeof p.folder === 'string' && p.folder)) ? p : { action: 'none' };
  };

  function setStatus(accountId: number, status: 'ok' | 'offline' | 'auth_failed', detail: string | null) {
    const row = accounts.get(accountId);
    if (!row) return;
    // "ok" only clears what the watcher itself reports; a refused SMTP login stays until the outbox clears it
    if (status === 'ok' && row.status !== 'offline' && row.status !== 'unknown') return;
    if (row.status === status && row.status_detail === detail) return;
    accounts.setStatus(accountId, status, detail, now());
    ownEmit = true;
    try {
      ctx.events.emit('accounts/changed', { accountId });
    } finally {
      ownEmit = false;
    }
  }

  function announce(accountId: number, scans: FolderScan[]) {
    const failureIds = scans.flatMap((s) => s.failureIds);
    const stored = scans.reduce((n, s) => n + s.stored, 0);
    if (stored > 0 || failureIds.length) ctx.events.emit('failures/changed', { ids: failureIds });
    if (scans.some((s) => s.touchedMessages.length)) ctx.events.emit('queue/changed', { accountId });
  }

  function folderContext(account: AccountRow, since: Date) {
    return {
      accountId: account.id,
      provider: account.provider,
      now,
      syncState,
      bounces,
      recorder,
      since,
      processed: processedFor(account.id),
      maxFetchBytes,
      fullPassMax: opts.fullPassMax,
      logger: ctx.logger,
    };
  }

  async function indexSent(client: ImapFlow, account: AccountRow, since: Date): Promise<number> {
    if (opts.indexSent === false) return 0;
    const path = await findSentFolder(client, account.sent_folder);
    if (!path) return 0;
    return syncSentIndex(client, path, { accountId: account.id, now, syncState, sentIndex, since });
  }

  /** One connection following one folder until stopped. */
  function watchFolder(account: AccountRow, folder: string): FolderWatch {
    let stopped = false;
    let client: ImapFlow | null = null;
    let wake: (() => void) | null = null;
    let timer: { cancel(): void } | null = null;
    let connected = false;
    let waitingOnAuth = false;
    const accountId = account.id;

    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        wake = resolve;
        timer = ctx.clock.setTimer(now() + ms, resolve);
      });

    const loop = (async () => {
      let failures = 0;
      while (!stopped) {
        const row = accounts.get(accountId);
        if (!row || !row.imap_host) return;
        try {
          client = await openImap(ctx.secrets, row, { pollMs, clock: ctx.clock, logger: ctx.logger });
          connected = true;
          failures = 0;
          setStatus(accountId, 'ok', null);
          const closed = new Promise<void>((resolve) => client!.once('close', () => resolve()));
          let dirty = true;
          let busy = false;
          const run = async () => {
            if (busy || stopped) return;
            busy = true;
            try {
              while (dirty && !stopped) {
                dirty = false;
                const since = sinceDefault();
                if (folder.toUpperCase() === 'INBOX') await indexSent(client!, row, since);
                const scan = await syncFolder(client!, folder, folderContext(row, since));
                if (scan.errors.length) syncState.noteError(accountId, folder, scan.errors.join('; '), now());
                announce(accountId, [scan]);
              }
            } catch (err) {
              ctx.logger.warn('bounces.sync_failed', { account: accountId, folder, error: String(err) });
              syncState.noteError(accountId, folder, describeError(err), now());
              // a broken session is closed; the outer loop reconnects and resumes from the watermark
              client?.close();
            } finally {
              busy = false;
            }
            // wait for the server's next word: IDLE where offered (imapflow polls with STATUS where not);
            // any later command breaks it
            if (!stopped && client?.usable) void client.idle().catch(() => undefined);
          };
          client.on('exists', () => {
            dirty = true;
            void run();
          });
          await run();
          await closed;
          connected = false;
          if (stopped) break;
          throw new Error('the server closed the connection');
        } catch (err) {
          connected = false;
          client?.close();
          client = null;
          if (stopped) break;
          const words = authFailureWords(err);
          if (words) {
            setStatus(accountId, 'auth_failed', words);
            // wait for the account to change (the reconnect flow pokes us), or try again after a long while
            waitingOnAuth = true;
            await sleep(maxMs);
            waitingOnAuth = false;
            continue;
          }
          failures++;
          const delay = Math.min(maxMs, baseMs * 2 ** (failures - 1)) * (0.8 + Math.random() * 0.4);
          setStatus(accountId, 'offline', `IMAP ${folder}: ${describeError(err)}`);
          await sleep(delay);
        }
      }
    })();

    return {
      accountId,
      folder,
      key: `${accountId}\u0000${folder}`,
      fingerprint: fingerprint(account),
      isConnected: () => connected,
      poke() {
        if (!waitingOnAuth) return;
        timer?.cancel();
        wake?.();
      },
      async stop() {
        stopped = true;
        timer?.cancel();
        wake?.();
        const c = client;
        if (c) await c.logout().catch(() => c.close());
        await loop.catch(() => undefined);
      },
    };
  }

  async function reconcile(): Promise<void> {
    if (!running) return;
    const wanted = new Map<string, AccountRow>();
    for (const row of accounts.list()) {
      if (!row.imap_host || !row.imap_port) continue;
      for (const folder of watchedFolders(row)) wanted.set(`${row.id}\u0000${folder}`, row);
    }
    for (const [key, w] of [...watches]) {
      const row = wanted.get(key);
      if (!row || fingerprint(row) !== w.fingerprint) {
        watches.delete(key);
        await w.stop();
      }
    }
    for (const [key, row] of wanted) {
      if (!watches.has(key) && running) watches.set(key, watchFolder(row, key.split('\u0000')[1]));
    }
  }

  return {
    async start() {
      if (running) return;
      running = true;
      offAccounts = ctx.events.on('accounts/changed', ({ accountId }) => {
        if (ownEmit) return;
        for (const w of watches.values()) if (accountId === null || w.accountId === accountId) w.poke();
        void reconcile();
      });
      await reconcile();
    },
    async stop() {
      running = false;
      offAccounts?.();
      offAccounts = null;
      const all = [...watches.values()];
      watches.clear();
      await Promise.all(all.map((w) => w.stop()));
    },
    connected() {
      return [...watches.values()].filter((w) => w.isConnected()).map((w) => ({ accountId: w.accountId, folder: w.folder }));
    },
    async syncOnce(accountId, options = {}) {
      const row = accounts.get(accountId);
      if (!row) throw new Error(`no account with id ${accountId}`);
      if (!row.imap_host || !row.imap_port) throw new Error(`account ${row.name} has no IMAP settings`);
      const result: ScanResult = { accountId, accountName: row.name, folders: [], sentIndexed: 0, stored: 0, failures: 0, errors: [] };
      let client: ImapFlow;
      try {
        client = await openImap(ctx.secrets, row, { pollMs, clock: ctx.clock, logger: ctx.logger });
      } catch (err) {
        const words = authFailureWords(err);
        if (words) setStatus(accountId, 'auth_failed', words);
        else setStatus(accountId, 'offline', `IMAP: ${describeError(err)}`);
        throw err;
      }
      try {
        setStatus(accountId, 'ok', null);
        const since = options.since ?? sinceDefault();
        try {
          result.sentIndexed = await indexSent(client, row, since);
        } catch (err) {
          result.errors.push(`Sent folder: ${describeError(err)}`);
        }
        for (const folder of watchedFolders(row)) {
          try {
            const scan = await syncFolder(client, folder, folderContext(row, since));
            result.folders.push(scan);
            result.errors.push(...scan.errors.map((e) => `${folder}: ${e}`));
          } catch (err) {
            result.errors.push(`${folder}: ${describeError(err)}`);
            syncState.noteError(accountId, folder, describeError(err), now());
            if (!client.usable) break;
          }
        }
      } finally {
        await client.logout().catch(() => client.close());
      }
      result.stored = result.folders.reduce((n, s) => n + s.stored, 0);
      result.failures = result.folders.reduce((n, s) => n + s.failureIds.length, 0);
      announce(accountId, result.folders);
      return result;
    },
  };
}
