// Putting messages and failures into a test engine's store through the repositories that own
// them, the way the app's own send path and the bounce watcher do.
import { randomUUID } from 'node:crypto';
import type { Engine } from '../../../src/main/engine/index';
import { transaction } from '../../../src/main/engine/store/db';
import { createFailuresRepo, type NewFailure } from '../../../src/main/engine/store/failures';
import { createMessagesRepo } from '../../../src/main/engine/store/messages';

export function rawMessage(from: string, to: string[], subject: string, body = 'Hello,\r\n\r\nthis is a test.\r\n'): { raw: Buffer; messageId: string } {
  const messageId = `<${randomUUID()}@outbox.test>`;
  const raw = Buffer.from(
    [`From: ${from}`, `To: ${to.join(', ')}`, `Subject: ${subject}`, `Message-ID: ${messageId}`, 'Date: Mon, 05 Jan 2026 09:00:00 +0000', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', body].join('\r\n'),
  );
  return { raw, messageId };
}

/** Stores a message as due now and wakes the scheduler, like "send from the app". */
export function queueMessage(engine: Engine, accountId: number, from: string, to: string[], subject: string): number {
  const { raw, messageId } = rawMessage(from, to, subject);
  const now = engine.clock.now();
  const id = transaction(engine.db, () =>
    createMessagesRepo(engine.db).insert({
      accountId, messageId, source: 'app', mailFrom: from, recipients: to, subject, sizeBytes: raw.length,
      hasAttachments: false, raw, now, nextAttemptAt: now, dueReason: 'new',
    }),
  );
  engine.events.emit('queue/changed', { accountId });
  return id;
}

/** Records a failure as the bounce watcher would (no SMTP session involved). */
export function insertFailure(engine: Engine, f: Omit<NewFailure, 'detectedAt'> & { detectedAt?: number }): number {
  const id = createFailuresRepo(engine.db).insert({ ...f, detectedAt: f.detectedAt ?? engine.clock.now() });
  engine.events.emit('failures/changed', { ids: [id] });
  return id;
}
