// One pass over one folder on an open IMAP session: what is new since the last pass (by UID,
// under the same UIDVALIDITY), a cheap header look at all of it, full bytes only for the
// candidates, and each candidate handed to the recorder. Never sets \Seen: the folder is opened
// read-only (EXAMINE) and bodies are fetched with BODY.PEEK, unless the user asked for processed
// reports to be flagged or moved.
import type { ImapFlow } from 'imapflow';
import type { Logger } from '../../ports';
import type { SyncStateRepo } from '../../store/sync-state';
import type { BouncesRepo } from '../../store/bounces';
import type { SentIndexRepo } from '../../store/sent-index';
import type { Recorder } from './record';
import { looksLikeReportCandidate, parseReport } from '../parse/index';
import type { ParsedReport } from '../../../../shared/classification';
import { readHeaderFields, toSequenceSet } from './headers';
import { describeError } from './connection';

export type ProcessedAction = { action: 'none' } | { action: 'flag' } | { action: 'move'; folder: string };

export interface FolderSyncContext {
  accountId: number;
  provider?: string;
  now(): number;
  syncState: SyncStateRepo;
  bounces: BouncesRepo;
  recorder: Recorder;
  /** where a first sync (or a rescan after UIDVALIDITY changed) starts */
  since: Date;
  processed: ProcessedAction;
  /** bodies larger than this are fetched only up to it (the report parts come first) */
  maxFetchBytes: number;
  logger: Logger;
}

export interface FolderScan {
  folder: string;
  uidValidity: number;
  rescanned: boolean;
  /** messages looked at (headers) */
  scanned: number;
  candidates: number;
  stored: number;
  duplicates: number;
  bounceIds: number[];
  failureIds: number[];
  touchedMessages: number[];
  byType: Record<string, number>;
  errors: string[];
}

const HEADER_FIELDS = ['content-type', 'auto-submitted', 'x-failed-recipients', 'return-path'];
const BODY_CHUNK = 25;

function isConnectionGone(client: ImapFlow): boolean {
  return !client.usable;
}

export async function syncFolder(client: ImapFlow, folder: string, ctx: FolderSyncContext): Promise<FolderScan> {
  const scan: FolderScan = {
    folder, uidValidity: 0, rescanned: false, scanned: 0, candidates: 0, stored: 0, duplicates: 0,
    bounceIds: [], failureIds: [], touchedMessages: [], byType: {}, errors: [],
  };
  const lock = await client.getMailboxLock(folder, { readOnly: ctx.processed.action === 'none', description: 'bounce sync' });
  try {
    const mailbox = client.mailbox;
    if (!mailbox) throw new Error(`could not open ${folder}`);
    const uidValidity = Number(mailbox.uidValidity);
    const uidNext = Number(mailbox.uidNext ?? 0);
    const modseq = mailbox.highestModseq !== undefined ? String(mailbox.highestModseq) : null;
    scan.uidValidity = uidValidity;
    const state = ctx.syncState.get(ctx.accountId, folder);
    scan.rescanned = !!state && state.uidvalidity !== null && state.uidvalidity !== uidValidity;
    const incremental = !!state && state.uidvalidity === uidValidity && state.highest_uid > 0;
    const save = (highestUid: number) =>
      ctx.syncState.save({ accountId: ctx.accountId, folder, uidValidity, highestUid, highestModseq: modseq, now: ctx.now() });

    if (mailbox.exists === 0) {
      save(Math.max(uidNext - 1, incremental ? state!.highest_uid : 0));
      return scan;
    }
    // No shortcut on UIDNEXT: on a mailbox that stayed selected (IDLE) it is the value from the
    // SELECT, older than the EXISTS that woke us. "n:*" past the end costs one small FETCH.

    // The UIDs to look at: everything above the watermark, or (first pass) what arrived since the look-back date.
    let range: string;
    if (incremental) {
      range = `${state!.highest_uid + 1}:*`;
    } else {
      const found = await client.search({ since: ctx.since }, { uid: true });
      const uids = Array.isArray(found) ? found : [];
      if (uids.length === 0) {
        save(Math.max(uidNext - 1, 0));
        return scan;
      }
      range = toSequenceSet(uids);
    }

    const seen: { uid: number; size: number; date: number | null; candidate: boolean }[] = [];
    const floor = incremental ? state!.highest_uid + 1 : 1;
    for await (const msg of client.fetch(range, { uid: true, envelope: true, size: true, internalDate: true, headers: HEADER_FIELDS }, { uid: true })) {
      if (msg.uid < floor) continue; // "n:*" answers with the last message even when n is past it
      const h = readHeaderFields(msg.headers);
      const from = msg.envelope?.from?.[0];
      const candidate = looksLikeReportCandidate({
        from: from ? `${from.name ?? ''} <${from.address ?? ''}>` : null,
        subject: msg.envelope?.subject ?? null,
        contentType: h.get('content-type') ?? null,
        autoSubmitted: h.get('auto-submitted') ?? null,
        xFailedRecipients: h.get('x-failed-recipients') ?? null,
        returnPath: h.get('return-path') ?? null,
      });
      const date = msg.internalDate instanceof Date ? msg.internalDate.getTime() : msg.internalDate ? Date.parse(String(msg.internalDate)) : null;
      seen.push({ uid: msg.uid, size: msg.size ?? 0, date: Number.isFinite(date) ? date : null, candidate });
    }
    seen.sort((a, b) => a.uid - b.uid);
    scan.scanned = seen.length;
    const maxUid = seen.length ? seen[seen.length - 1].uid : 0;
    const stored = seen.length ? ctx.bounces.storedUids(ctx.accountId, folder, uidValidity, seen[0].uid, maxUid) : new Set<number>();
    const candidates = seen.filter((m) => m.candidate);
    scan.candidates = candidates.length;
    const todo = candidates.filter((m) => !stored.has(m.uid));
    scan.duplicates += candidates.length - todo.length;

    for (let i = 0; i < todo.length; i += BODY_CHUNK) {
      const chunk = todo.slice(i, i + BODY_CHUNK);
      const bodies = await fetchBodies(client, chunk.map((m) => m.uid), ctx.maxFetchBytes, scan);
      const processed: number[] = [];
      for (const m of chunk) {
        const body = bodies.get(m.uid);
        const raw = body && 'raw' in body ? body.raw : null;
        let parsed: ParsedReport | null = null;
        let error = body && 'error' in body ? body.error : body ? null : 'the server returned no body for this message';
        if (raw) {
          try {
            parsed = parseReport(raw, { provider: ctx.provider });
          } catch (err) {
            error = `could not be parsed: ${String(err)}`;
          }
          if (raw.length < m.size) error = `${error ? `${error}; ` : ''}only the first ${raw.length} of ${m.size} bytes were fetched`;
        }
        const reportShaped = !parsed || parsed.type !== 'not_bounce' || isReportShaped(raw);
        try {
          const out = ctx.recorder.record(
            { accountId: ctx.accountId, folder, uidValidity, uid: m.uid, raw, sizeBytes: m.size, receivedAt: m.date, parsed, reportShaped, error },
            ctx.now(),
          );
          if (out.duplicate) scan.duplicates++;
          if (out.bounceId !== null) {
            scan.stored++;
            scan.bounceIds.push(out.bounceId);
            scan.failureIds.push(...out.failureIds);
            scan.touchedMessages.push(...out.touchedMessages);
            scan.byType[out.type] = (scan.byType[out.type] ?? 0) + 1;
            processed.push(m.uid);
          }
        } catch (err) {
          scan.errors.push(`uid ${m.uid}: ${describeError(err)}`);
          ctx.logger.error('bounces.record_failed', { account: ctx.accountId, folder, uid: m.uid, error: String(err) });
        }
      }
      await applyProcessedAction(client, processed, ctx.processed, scan);
      // everything below the next unhandled candidate is done
      const next = todo[i + BODY_CHUNK];
      save(next ? next.uid - 1 : Math.max(maxUid, uidNext - 1));
    }
    save(Math.max(maxUid, uidNext - 1, incremental ? state!.highest_uid : 0));
    return scan;
  } finally {
    lock.release();
  }
}

/** A message the parser could not read but whose shape says "report": kept as unknown. */
function isReportShaped(raw: Buffer | null): boolean {
  if (!raw) return true;
  const head = raw.subarray(0, 16_384).toString('latin1');
  const end = head.search(/\r?\n\r?\n/);
  const h = end >= 0 ? head.slice(0, end) : head;
  return /^from:.*(mailer-daemon|postmaster)/im.test(h) || /^content-type:\s*multipart\/report/im.test(h) || /^x-failed-recipients:/im.test(h);
}

type Body = { raw: Buffer } | { error: string };

/**
 * Full bytes (BODY.PEEK, capped) for a set of UIDs. A NO or BAD for the batch is retried message
 * by message, so one message the server will not give never blocks the others; a dropped
 * connection is thrown to the caller, which reconnects and resumes from the watermark.
 */
async function fetchBodies(client: ImapFlow, uids: number[], maxBytes: number, scan: FolderScan): Promise<Map<number, Body>> {
  const out = new Map<number, Body>();
  const query = { uid: true, source: { maxLength: maxBytes } } as const;
  try {
    for await (const msg of client.fetch(toSequenceSet(uids), query, { uid: true })) {
      if (msg.source) out.set(msg.uid, { raw: msg.source });
    }
    return out;
  } catch (err) {
    if (isConnectionGone(client)) throw err;
    scan.errors.push(`fetch ${toSequenceSet(uids)}: ${describeError(err)}`);
  }
  for (const uid of uids) {
    if (out.has(uid)) continue;
    try {
      const msg = await client.fetchOne(String(uid), query, { uid: true });
      if (msg && msg.source) out.set(uid, { raw: msg.source });
      else out.set(uid, { error: 'the server returned no body for this message' });
    } catch (err) {
      if (isConnectionGone(client)) throw err;
      out.set(uid, { error: `the server refused to return it: ${describeError(err)}` });
    }
  }
  return out;
}

async function applyProcessedAction(client: ImapFlow, uids: number[], action: ProcessedAction, scan: FolderScan): Promise<void> {
  if (uids.length === 0 || action.action === 'none') return;
  try {
    if (action.action === 'flag') await client.messageFlagsAdd(toSequenceSet(uids), ['\\Flagged'], { uid: true });
    else {
      const list = await client.list();
      if (!list.some((m) => m.path === action.folder)) await client.mailboxCreate(action.folder);
      await client.messageMove(toSequenceSet(uids), action.folder, { uid: true });
    }
  } catch (err) {
    if (isConnectionGone(client)) throw err;
    scan.errors.push(`${action.action}: ${describeError(err)}`);
  }
}

export interface SentSyncContext {
  accountId: number;
  now(): number;
  syncState: SyncStateRepo;
  sentIndex: SentIndexRepo;
  since: Date;
}

/** The key under which the Sent folder's progress is kept (it is indexed, not watched for reports). */
export function sentStateKey(path: string): string {
  return `sent-index:${path}`;
}

/** Finds the Sent folder: the account's setting, else the SPECIAL-USE \Sent mailbox. */
export async function findSentFolder(client: ImapFlow, configured: string | null): Promise<string | null> {
  if (configured) return configured;
  const list = await client.list();
  return list.find((m) => m.specialUse === '\\Sent')?.path ?? null;
}

/** Indexes new Message-IDs and recipients of the Sent folder; returns how many were added. */
export async function syncSentIndex(client: ImapFlow, path: string, ctx: SentSyncContext): Promise<number> {
  const key = sentStateKey(path);
  const state = ctx.syncState.get(ctx.accountId, key);
  const status = await client.status(path, { uidNext: true, uidValidity: true });
  if (!status) return 0;
  const uidValidity = Number(status.uidValidity ?? 0);
  const uidNext = Number(status.uidNext ?? 0);
  const incremental = !!state && state.uidvalidity === uidValidity;
  if (incremental && state!.highest_uid >= uidNext - 1) return 0;
  const lock = await client.getMailboxLock(path, { readOnly: true, description: 'sent index' });
  let added = 0;
  try {
    let range: string;
    if (incremental) range = `${state!.highest_uid + 1}:*`;
    else {
      const found = await client.search({ since: ctx.since }, { uid: true });
      const uids = Array.isArray(found) ? found : [];
      if (!uids.length) {
        ctx.syncState.save({ accountId: ctx.accountId, folder: key, uidValidity, highestUid: Math.max(0, uidNext - 1), highestModseq: null, now: ctx.now() });
        return 0;
      }
      range = toSequenceSet(uids);
    }
    const floor = incremental ? state!.highest_uid + 1 : 1;
    let maxUid = 0;
    for await (const msg of client.fetch(range, { uid: true, envelope: true }, { uid: true })) {
      if (msg.uid < floor) continue;
      maxUid = Math.max(maxUid, msg.uid);
      const env = msg.envelope;
      if (!env?.messageId) continue;
      const recipients = [...(env.to ?? []), ...(env.cc ?? []), ...(env.bcc ?? [])].map((a) => a.address).filter((a): a is string => !!a);
      ctx.sentIndex.add({
        accountId: ctx.accountId,
        messageId: env.messageId,
        recipients,
        subject: env.subject ?? null,
        sentAt: env.date instanceof Date ? env.date.getTime() : null,
      });
      added++;
    }
    ctx.syncState.save({ accountId: ctx.accountId, folder: key, uidValidity, highestUid: Math.max(maxUid, uidNext - 1), highestModseq: null, now: ctx.now() });
  } finally {
    lock.release();
  }
  return added;
}
