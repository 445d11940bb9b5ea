import type { Db } from './db';

/** Message-IDs and recipients seen in the account's Sent folder, so bounces for mail sent elsewhere link too. */
export function createSentIndexRepo(db: Db) {
  const upsert = db.prepare(`
    INSERT INTO sent_index (account_id, message_id, recipients_json, subject, sent_at) VALUES (@accountId, @messageId, @recipientsJson, @subject, @sentAt)
    ON CONFLICT(account_id, message_id) DO NOTHING`);
  const byMessageId = db.prepare<[number, string], { message_id: string; recipients_json: string; subject: string | null; sent_at: number | null }>(
    'SELECT message_id, recipients_json, subject, sent_at FROM sent_index WHERE account_id = ? AND message_id = ?',
  );
  const byRecipient = db.prepare<[number, string, number, number], { message_id: string; sent_at: number | null }>(`
    SELECT s.message_id, s.sent_at FROM sent_index s, json_each(s.recipients_json) r
    WHERE s.account_id = ? AND lower(r.value) = ? AND s.sent_at BETWEEN ? AND ?
    ORDER BY s.sent_at DESC LIMIT 1`);
  const count = db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM sent_index WHERE account_id = ?');
  return {
    add(e: { accountId: number; messageId: string; recipients: string[]; subject: string | null; sentAt: number | null }): void {
      upsert.run({ accountId: e.accountId, messageId: e.messageId, recipientsJson: JSON.stringify(e.recipients), subject: e.subject, sentAt: e.sentAt });
    },
    findByMessageId(accountId: number, messageId: string) {
      return byMessageId.get(accountId, messageId);
    },
    /** The newest indexed send to `address` in [from, to]. */
    findByRecipientBetween(accountId: number, address: string, from: number, to: number) {
      return byRecipient.get(accountId, address.toLowerCase(), from, to);
    },
    count(accountId: number): number {
      return count.get(accountId)?.n ?? 0;
    },
  };
}
export type SentIndexRepo = ReturnType<typeof createSentIndexRepo>;
