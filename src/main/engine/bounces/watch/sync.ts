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
import { candidateQuery } from './candidates';

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
  /** more new messages than this are narrowed down by a server-side SEARCH first (default FULL_PASS_MAX) */
  fullPassMax?: number;
  logger: Logger;
}

export interface FolderScan {
  folder: string;
  uidValidity: number;
  rescanned: boolean;
  /** messages looked at (headers) */
  scanned: number;
  /** true when the server's SEARCH picked the messages whose headers were read */
  searched: boolean;
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
/** Up to this many new messages, every header gets our own look; above it the server searches first. */
export const FULL_PASS_MAX = 500;
/** UIDs per header FETCH (keeps the command line well under servers' limits). */
const HEADER_FETCH_UIDS = 2_000;
/** Reports fetched, parsed and committed together (one FETCH, one transaction). */
const BODY_BATCH_MESSAGES = 25;
const BODY_BATCH_BYTES = 8 * 1024 * 1024;

export interface Seen {
  uid: number;
  size: number;
  date: number | null;
  candidate: boolean;
}

function isConnectionGone(client: ImapFlow): boolean {
  return !client.usable;
}

export async function syncFolder(client: ImapFlow, folder: string, ctx: FolderSyncContext): Promise<FolderScan> {
  const scan: FolderScan = {
    folder, uidValidity: 0, rescanned: false, scanned: 0, searched: false, candidates: 0, stored: 0, duplicates: 0,
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
    // SELECT, older than the EXISTS that woke us. "n:*" past the end costs one small SEARCH.

    // The UIDs to consider: everything above the watermark, or (first pass) what arrived since the look-back date.
    const floor = incremental ? state!.highest_uid + 1 : 1;
    const inRange = await uidsToConsider(client, floor, incremental ? null : ctx.since);
    if (inRange.length === 0) {
      save(Math.max(uidNext - 1, incremental ? state!.highest_uid : 0));
      return scan;
    }
    scan.scanned = inRange.length;
    const maxUid = inRange[inRange.length - 1];

    // A few messages get the header look each; many are narrowed down by the server first
    let lookAt = inRange;
    if (inRange.length > (ctx.fullPassMax ?? FULL_PASS_MAX) && searchesSubstrings(client, ctx.provider)) {
      const hits = await client.search(candidateQuery(`${inRange[0]}:${maxUid}`, incremental ? null : ctx.since), { uid: true });
      if (Array.isArray(hits)) {
        const wanted = new Set(inRange);
        lookAt = hits.filter((uid) => wanted.has(uid));
        scan.searched = true;
      } else {
        ctx.logger.warn('bounces.search_refused', { account: ctx.accountId, folder });
      }
    }

    const seen = await lookAtHeaders(client, lookAt);
    const stored = ctx.bounces.storedUids(ctx.accountId, folder, uidValidity, inRange[0], maxUid);
    const candidates = seen.filter((m) => m.candidate);
    scan.candidates = candidates.length;
    const todo = candidates.filter((m) => !stored.has(m.uid));
    scan.duplicates += candidates.length - todo.length;

    const batches = bodyBatches(todo, ctx.maxFetchBytes);
    for (let b = 0; b < batches.length; b++) {
      const chunk = batches[b];
      const bodies = await fetchBodies(client, chunk.map((m) => m.uid), ctx.maxFetchBytes, scan);
      const processed: number[] = [];
      // parsing happens outside the transaction; the rows of a batch and its watermark commit together
      const inputs = chunk.map((m) => readReport(m, bodies.get(m.uid), ctx.provider));
      ctx.recorder.batch(() => {
        for (const { m, raw, parsed, error, reportShaped } of inputs) {
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
        // everything below the next unhandled candidate is done
        const next = batches[b + 1]?.[0];
        save(next ? next.uid - 1 : Math.max(maxUid, uidNext - 1));
      });
      await applyProcessedAction(client, processed, ctx.processed, scan);
    }
    save(Math.max(maxUid, uidNext - 1, incremental ? state!.highest_uid : 0));
    return scan;
  } finally {
    lock.release();
  }
}

/**
 * UIDs from `floor` up, arrived since `since` when given, in order. SEARCH where the server
 * answers it; a server that refuses SEARCH is asked with a FETCH of UIDs (and arrival dates).
 */
async function uidsToConsider(client: ImapFlow, floor: number, since: Date | null): Promise<number[]> {
  const found = await client.search(since ? { since } : { uid: `${floor}:*` }, { uid: true });
  let uids: number[];
  if (Array.isArray(found)) uids = found;
  else {
    uids = [];
    // SINCE compares dates only, so the day the look-back starts counts in full
    const from = since ? Date.UTC(since.getUTCFullYear(), since.getUTCMonth(), since.getUTCDate()) : 0;
    for await (const msg of client.fetch(`${floor}:*`, { uid: true, internalDate: !!since }, { uid: true })) {
      const at = msg.internalDate ? new Date(msg.internalDate).getTime() : NaN;
      if (!since || !(at < from)) uids.push(msg.uid);
    }
  }
  // "n:*" answers with the last message even when n is past it
  return uids.filter((uid) => uid >= floor).sort((a, b) => a - b);
}

/**
 * Whether SEARCH FROM/SUBJECT/HEADER match substrings as IMAP requires. Gmail and Exchange search
 * whole words instead ("undeliver" would not find "Undelivered"), so there every header is read.
 */
function searchesSubstrings(client: ImapFlow, provider: string | undefined): boolean {
  if (provider === 'gmail' || provider === 'outlook' || provider === 'm365') return false;
  if (client.capabilities?.has('X-GM-EXT-1')) return false;
  return !/microsoft|exchange/i.test(client.greeting ?? '');
}

/** Envelope, size, arrival and the few header fields of each UID, with the candidate verdict. */
export async function lookAtHeaders(client: ImapFlow, uids: number[]): Promise<Seen[]> {
  const seen: Seen[] = [];
  for (let i = 0; i < uids.length; i += HEADER_FETCH_UIDS) {
    const set = toSequenceSet(uids.slice(i, i + HEADER_FETCH_UIDS));
    for await (const msg of client.fetch(set, { uid: true, envelope: true, size: true, internalDate: true, headers: HEADER_FIELDS }, { uid: true })) {
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
  }
  return seen.sort((a, b) => a.uid - b.uid);
}

/** Candidates in UID order, cut into batches small enough to hold in memory at once. */
function bodyBatches(todo: Seen[], maxFetchBytes: number): Seen[][] {
  const batches: Seen[][] = [];
  let current: Seen[] = [];
  let bytes = 0;
  for (const m of todo) {
    const size = Math.min(m.size, maxFetchBytes);
    if (current.length && (current.length >= BODY_BATCH_MESSAGES || bytes + size > BODY_BATCH_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += size;
  }
  if (current.length) batches.push(current);
  return batches;
}

/** The parser's reading of one fetched body, or why there is none. */
function readReport(m: Seen, body: Body | undefined, provider: string | undefined) {
  const raw = body && 'raw' in body ? body.raw : null;
  let parsed: ParsedReport | null = null;
  let error = body && 'error' in body ? body.error : body ? null : 'the server returned no body for this message';
  if (raw) {
    try {
      parsed = parseReport(raw, { provider });
    } catch (err) {
      error = `could not be parsed: ${String(err)}`;
    }
    if (raw.length < m.size) error = `${error ? `${error}; ` : ''}only the first ${raw.length} of ${m.size} bytes were fetched`;
  }
  const reportShaped = !parsed || parsed.type !== 'not_bounce' || isReportShaped(raw);
  return { m, raw, parsed, error, reportShaped };
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
