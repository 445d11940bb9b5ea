import type { EngineContext } from '../../index';
import { AppFailure } from '../../../../shared/result';
import { transaction } from '../../store/db';
import { createAccountsRepo } from '../../store/accounts';
import { createMessagesRepo } from '../../store/messages';
import { headerBlock, mimeInfo } from '../mime-info';

/** Addresses of the To, Cc and Bcc headers (the envelope of a message handed over as a file). */
export function envelopeRecipients(raw: Buffer): string[] {
  const { text } = headerBlock(raw);
  const out = new Set<string>();
  for (const name of ['to', 'cc', 'bcc']) {
    const unfolded = text.replace(/\r?\n[ \t]+/g, ' ');
    const re = new RegExp(`^${name}[ \\t]*:(.*)$`, 'gim');
    for (const m of unfolded.matchAll(re)) {
      for (const a of m[1].matchAll(/[^\s<>",;:()]+@[^\s<>",;:()]+/g)) out.add(a[0]);
    }
  }
  return [...out];
}

/**
 * Stores a message the user sends from the app (or `outbox-monitor send`), queued and due now;
 * the scheduler sends it. The bytes are kept exactly as given.
 */
export function storeAppMessage(ctx: EngineContext, accountName: string, raw: Buffer, recipients?: string[]): number {
  const account = createAccountsRepo(ctx.db).getByName(accountName);
  if (!account) throw new AppFailure('not_found', `No account named "${accountName}".`);
  const to = recipients ?? envelopeRecipients(raw);
  if (to.length === 0) throw new AppFailure('invalid_payload', 'The message names no recipients (To, Cc or Bcc).');
  const info = mimeInfo(raw);
  const now = ctx.clock.now();
  const id = transaction(ctx.db, () =>
    createMessagesRepo(ctx.db).insert({
      accountId: account.id,
      messageId: info.messageId,
      source: 'app',
      mailFrom: account.email,
      recipients: to,
      subject: info.subject,
      sizeBytes: raw.length,
      hasAttachments: info.hasAttachments,
      raw,
      now,
      nextAttemptAt: now,
      dueReason: 'new',
    }),
  );
  ctx.events.emit('queue/changed', { accountId: account.id });
  return id;
}
