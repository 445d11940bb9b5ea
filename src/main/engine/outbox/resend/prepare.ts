import type { EngineContext } from '../../index';
import { AppFailure } from '../../../../shared/result';
import { transaction } from '../../store/db';
import { createAccountsRepo } from '../../store/accounts';
import { createFailuresRepo } from '../../store/failures';
import { createMessagesRepo } from '../../store/messages';
import { mimeInfo } from '../mime-info';
import { stripAttachments } from './strip';
import { rewriteFrom } from './from';

export interface ResendOptions {
  /** only the recipients that failed (default); otherwise every original recipient */
  onlyFailedRecipients?: boolean;
  /** drop attachments, keep the text and HTML parts, add a note (for message_too_large) */
  withoutAttachments?: boolean;
  /** From becomes the account's own address, Reply-To keeps the original From (for send_as_denied) */
  fromOwnAddress?: boolean;
  /** skip quota and backoff once */
  force?: boolean;
}

export interface ResendResult {
  /** the message that will go out: the same row, or a new one when the bytes changed */
  messageId: number;
  newRow: boolean;
  recipients: string[];
}

/**
 * Prepares a resend and marks it due now; the scheduler sends it.
 *
 * - Bytes unchanged (the usual case): the same message row is queued again, so its attempts
 *   stay one history and its stored bytes — same Message-ID — go out again.
 * - Bytes changed (without attachments, or From rewritten): a new row (source 'resend',
 *   resend_of = the original) keeps the new bytes, with the same Message-ID so bounces still
 *   link; the original keeps its own bytes and is marked failed with "resent as #N".
 *
 * Either way the original's open failures are resolved as 'resent'.
 */
export function prepareResend(ctx: EngineContext, messageId: number, opts: ResendOptions = {}): ResendResult {
  const { db, clock } = ctx;
  const messages = createMessagesRepo(db);
  const failures = createFailuresRepo(db);
  const original = messages.get(messageId);
  if (!original) throw new AppFailure('not_found', `No message with id ${messageId}.`);
  if (original.state === 'sending') throw new AppFailure('conflict', `Message ${messageId} is being sent right now.`);
  const raw = messages.raw(messageId);
  if (!raw) throw new AppFailure('not_found', `The stored bytes of message ${messageId} are missing.`);

  const all = messages.recipients(messageId);
  const failed = all.filter((r) => r.state === 'rejected' || r.state === 'bounced' || r.state === 'suppressed' || r.state === 'pending').map((r) => r.address);
  const onlyFailed = opts.onlyFailedRecipients ?? true;
  let recipients = onlyFailed ? failed : all.map((r) => r.address);
  // A message that never went anywhere has every recipient still pending.
  if (recipients.length === 0) recipients = onlyFailed ? parsePending(original.rcpt_json) : all.map((r) => r.address);
  if (recipients.length === 0) throw new AppFailure('conflict', `Message ${messageId} has no failed recipients to resend to.`);

  let bytes = raw;
  if (opts.withoutAttachments) bytes = stripAttachments(bytes);
  let mailFrom = original.mail_from;
  if (opts.fromOwnAddress) {
    const account = createAccountsRepo(db).get(original.account_id);
    if (!account) throw new AppFailure('not_found', 'The message\'s account no longer exists.');
    bytes = rewriteFrom(bytes, account.email, account.display_name);
    mailFrom = account.email;
  }
  const now = clock.now();
  const changed = bytes !== raw;
  const result = transaction(db, () => {
    failures.resolveOpenForMessage(messageId, 'resent', now);
    if (!changed) {
      for (const address of recipients) messages.setRecipientState(messageId, address, 'pending');
      messages.setPendingRecipients(messageId, recipients, now);
      messages.queueResend(messageId, now, opts.force ?? false);
      return { messageId, newRow: false, recipients };
    }
    const info = mimeInfo(bytes);
    const id = messages.insert({
      accountId: original.account_id,
      messageId: info.messageId ?? original.message_id,
      source: 'resend',
      mailFrom,
      recipients,
      subject: info.subject ?? original.subject,
      sizeBytes: bytes.length,
      hasAttachments: info.hasAttachments,
      raw: bytes,
      now,
      nextAttemptAt: now,
      dueReason: 'resend',
      resendOf: messageId,
    });
    if (opts.force) messages.queueResend(id, now, true);
    messages.setState(messageId, 'failed', now, { holdCategory: original.hold_category, holdDetail: `Resent as message #${id}.` });
    return { messageId: id, newRow: true, recipients };
  });
  ctx.events.emit('queue/changed', { accountId: original.account_id });
  return result;
}

function parsePending(json: string): string[] {
  try {
    const v = JSON.parse(json);
    return Array.isArray(v) ? v.map(String) : [];
  } catch {
    return [];
  }
}
