// Turns one report fetched from a watched folder into rows: the bounce itself, a failure per
// failed or delayed recipient, suppressions, delivered marks, and the link to the stored send.
// Pure database work, one transaction per report, no IMAP here.
import { createHash } from 'node:crypto';
import type { Db } from '../../store/db';
import { transaction } from '../../store/db';
import type { ParsedReport, ReportRecipient } from '../../../../shared/classification';
import { CATEGORY_KIND, SUPPRESSING_CATEGORIES } from '../../../../shared/categories';
import { createBouncesRepo, type LinkMethod } from '../../store/bounces';
import { createFailuresRepo } from '../../store/failures';
import { createMessagesRepo, type MessageRow } from '../../store/messages';
import { createSentIndexRepo } from '../../store/sent-index';
import { createSuppressionsRepo } from '../../store/suppressions';

/** How far back "by recipient and time" looks for the send a report is about. */
export const LINK_WINDOW_MS = 30 * 24 * 3600_000;

export interface ReportInput {
  accountId: number;
  folder: string;
  uidValidity: number;
  uid: number;
  /** raw bytes as fetched (may be the first part only of a huge message) */
  raw: Buffer | null;
  sizeBytes: number | null;
  receivedAt: number | null;
  /** the parser's reading, or null when parsing was impossible (fetch failed, parser threw) */
  parsed: ParsedReport | null;
  /** true when the sender/structure says "report" but the parser found none: keep it as unknown */
  reportShaped: boolean;
  /** why it could not be read, when it could not */
  error?: string | null;
}

export interface RecordOutcome {
  /** null when nothing was stored (a duplicate, or not a report at all) */
  bounceId: number | null;
  duplicate: boolean;
  type: string;
  failureIds: number[];
  linkedMessageId: number | null;
  linkMethod: LinkMethod | null;
  /** messages whose recipient states changed (the scheduler may care) */
  touchedMessages: number[];
}

export type Recorder = ReturnType<typeof createRecorder>;

export function createRecorder(db: Db) {
  const bounces = createBouncesRepo(db);
  const failures = createFailuresRepo(db);
  const messages = createMessagesRepo(db);
  const sentIndex = createSentIndexRepo(db);
  const suppressions = createSuppressionsRepo(db);

  function link(accountId: number, parsed: ParsedReport | null, at: number): { message: MessageRow | null; method: LinkMethod } {
    const original = parsed?.originalMessageId ?? null;
    if (original) {
      const m = messages.findByMessageId(original, accountId) ?? messages.findByMessageId(original);
      if (m) return { message: m, method: 'message-id' };
    }
    for (const r of parsed?.recipients ?? []) {
      const m = messages.findByRecipientBetween(r.address, at - LINK_WINDOW_MS, at);
      if (m && m.account_id === accountId) return { message: m, method: 'recipient-time' };
    }
    if (original && sentIndex.findByMessageId(accountId, original)) return { message: null, method: 'sent-folder' };
    for (const r of parsed?.recipients ?? []) {
      if (sentIndex.findByRecipientBetween(accountId, r.address, at - LINK_WINDOW_MS, at)) return { message: null, method: 'sent-folder' };
    }
    return { message: null, method: 'none' };
  }

  /** The Message-ID a report was sent about, when only the Sent folder knows it. */
  function sentFolderMessageId(accountId: number, parsed: ParsedReport | null, at: number): string | null {
    if (parsed?.originalMessageId) return parsed.originalMessageId;
    for (const r of parsed?.recipients ?? []) {
      const hit = sentIndex.findByRecipientBetween(accountId, r.address, at - LINK_WINDOW_MS, at);
      if (hit) return hit.message_id;
    }
    return null;
  }

  function typeOf(input: ReportInput): string | null {
    if (!input.parsed) return 'unknown';
    if (input.parsed.type === 'not_bounce') return input.reportShaped ? 'unknown' : null;
    if ((input.parsed.type === 'bounce' || input.parsed.type === 'delay') && input.parsed.recipients.length === 0) return 'unknown';
    return input.parsed.type;
  }

  return {
    /**
     * Runs several records (and the watermark that covers them) as one transaction: one commit,
     * one fsync, instead of one per report. Each record stays its own savepoint inside it, so one
     * that throws is rolled back alone.
     */
    batch<T>(fn: () => T): T {
      return transaction(db, fn);
    },
    record(input: ReportInput, now: number): RecordOutcome {
      const type = typeOf(input);
      const empty: RecordOutcome = { bounceId: null, duplicate: false, type: type ?? 'not_bounce', failureIds: [], linkedMessageId: null, linkMethod: null, touchedMessages: [] };
      if (type === null) return empty;
      const hash = input.raw ? createHash('sha256').update(input.raw).digest('hex') : null;
      const reportMessageId = input.parsed?.messageId ?? null;

      return transaction(db, () => {
        if (bounces.findDuplicate(input.accountId, input, reportMessageId, hash) !== null) return { ...empty, duplicate: true };
        const at = input.receivedAt ?? now;
        const { message, method } = link(input.accountId, input.parsed, at);
        const parsedJson = JSON.stringify(
          input.parsed ? { ...input.parsed, error: input.error ?? undefined } : { error: input.error ?? 'could not be read' },
        );
        const bounceId = bounces.insert({
          accountId: input.accountId,
          folder: input.folder,
          uidValidity: input.uidValidity,
          uid: input.uid,
          reportMessageId,
          receivedAt: input.receivedAt,
          type,
          raw: input.raw,
          parsedJson,
          originalMessageId: input.parsed?.originalMessageId ?? (method === 'sent-folder' ? sentFolderMessageId(input.accountId, input.parsed, at) : null),
          linkedMessageId: message?.id ?? null,
          linkMethod: method,
          contentHash: hash,
          sizeBytes: input.sizeBytes,
          now,
        });
        if (bounceId === null) return { ...empty, duplicate: true };

        const failureIds: number[] = [];
        const touched = new Set<number>();
        const addFailure = (r: ReportRecipient | null, classification: { category: ReportRecipient['category']; kind: ReportRecipient['kind']; rule: string }) =>
          failures.insert({
            messageId: message?.id ?? null,
            accountId: input.accountId,
            bounceId,
            recipient: r?.address ?? null,
            category: classification.category,
            kind: classification.kind,
            rule: classification.rule,
            source: 'bounce',
            status: r?.status ?? null,
            replyCode: r?.replyCode ?? null,
            diagnostic: r ? (r.diagnostic ?? r.words ?? null) : (input.error ?? 'The report could not be read; the raw message is kept.'),
            remoteMta: r?.remoteMta ?? null,
            detectedAt: at,
          });

        if (type === 'unknown') {
          failureIds.push(addFailure(null, { category: 'unknown', kind: CATEGORY_KIND.unknown, rule: 'bounce/unreadable' }));
        } else if (type === 'bounce' || type === 'delay') {
          for (const r of input.parsed!.recipients) {
            if (r.kind === 'none') continue;
            if (message && type === 'bounce') {
              // a final verdict replaces what was said before about this recipient (a delay notice, a 250)
              for (const open of failures.openForMessage(message.id)) {
                if (open.recipient && open.recipient.toLowerCase() === r.address.toLowerCase()) failures.resolve(open.id, 'superseded', now);
              }
            }
            const id = addFailure(r, r);
            failureIds.push(id);
            if (SUPPRESSING_CATEGORIES.includes(r.category)) suppressions.add(r.address, r.category, now, r.words || r.diagnostic, id);
            if (message && r.kind === 'permanent') {
              messages.setRecipientState(message.id, r.address, 'bounced');
              touched.add(message.id);
            }
          }
        } else if (type === 'delivered') {
          for (const r of input.parsed!.recipients) {
            if (!message) continue;
            for (const open of failures.openForMessage(message.id)) {
              if (open.recipient && open.recipient.toLowerCase() === r.address.toLowerCase()) failures.resolve(open.id, 'delivered', now);
            }
            messages.setRecipientState(message.id, r.address, 'delivered');
            touched.add(message.id);
          }
        } else if (type === 'complaint') {
          for (const r of input.parsed!.recipients) suppressions.add(r.address, 'complaint', now, r.words || 'spam complaint (feedback loop)');
        }
        // auto_reply: recorded above, never a failure

        return {
          bounceId,
          duplicate: false,
          type,
          failureIds,
          linkedMessageId: message?.id ?? null,
          linkMethod: method,
          touchedMessages: [...touched],
        };
      });
    },
  };
}
