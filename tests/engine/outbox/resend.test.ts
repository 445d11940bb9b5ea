import { afterAll, describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { prepareResend } from '../../../src/main/engine/outbox/resend/prepare';
import { stripAttachments } from '../../../src/main/engine/outbox/resend/strip';
import { rewriteFrom } from '../../../src/main/engine/outbox/resend/from';
import { createMessagesRepo } from '../../../src/main/engine/store/messages';
import { createFailuresRepo } from '../../../src/main/engine/store/failures';
import { addTestAccount, makeContext } from './support/context';

const MIXED = Buffer.from(
  [
    'From: Ann <ann@example.test>',
    'To: bob@example.test, carl@example.test',
    'Subject: Report',
    'Message-ID: <report-1@example.test>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="outer"',
    '',
    'preamble',
    '--outer',
    'Content-Type: multipart/alternative; boundary="alt"',
    '',
    '--alt',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Plain body.',
    '--alt',
    'Content-Type: text/html; charset=utf-8',
    '',
    '<p>HTML body.</p>',
    '--alt--',
    '',
    '--outer',
    'Content-Type: application/pdf; name="big.pdf"',
    'Content-Disposition: attachment; filename="big.pdf"',
    'Content-Transfer-Encoding: base64',
    '',
    'JVBERi0xLjQK'.repeat(2000),
    '--outer--',
    '',
  ].join('\r\n'),
);

describe('resend preparation', () => {
  const ctx = makeContext();
  afterAll(() => ctx.close());

  it('strips attachments, keeps the text and HTML parts byte for byte, and says what went', async () => {
    const stripped = stripAttachments(MIXED);
    expect(stripped.length).toBeLessThan(MIXED.length / 4);
    const parsed = await simpleParser(stripped);
    expect(parsed.attachments).toHaveLength(0);
    expect(parsed.text).toContain('Plain body.');
    expect(parsed.text).toContain('big.pdf');
    expect(parsed.html).toContain('<p>HTML body.</p>');
    expect(parsed.messageId).toBe('<report-1@example.test>');
    expect(stripped.toString('latin1')).toContain('--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlain body.\r\n--alt\r\n');
    // nothing to strip: the very same bytes
    const plain = Buffer.from('Subject: x\r\n\r\nhello\r\n');
    expect(stripAttachments(plain)).toBe(plain);
  });

  it('rewrites From to the account address and keeps the original as Reply-To', async () => {
    const out = rewriteFrom(MIXED, 'me@own.test', 'Me');
    const parsed = await simpleParser(out);
    expect(parsed.from?.value[0].address).toBe('me@own.test');
    expect(parsed.replyTo?.value[0].address).toBe('ann@example.test');
    expect(out.subarray(out.indexOf('\r\n\r\n')).equals(MIXED.subarray(MIXED.indexOf('\r\n\r\n')))).toBe(true);
  });

  it('plain resend: the same row, only the failed recipients, same bytes, due now, failures resolved', async () => {
    const account = await addTestAccount(ctx, 9);
    const messages = createMessagesRepo(ctx.db);
    const id = messages.insert({
      accountId: account.id, messageId: '<report-1@example.test>', source: 'intake', mailFrom: 'ann@example.test',
      recipients: ['bob@example.test', 'carl@example.test'], subject: 'Report', sizeBytes: MIXED.length, hasAttachments: true,
      raw: MIXED, now: ctx.clock.now(), nextAttemptAt: null, dueReason: null, state: 'held', holdCategory: 'message_too_large',
    });
    messages.setRecipientState(id, 'bob@example.test', 'accepted');
    messages.setRecipientState(id, 'carl@example.test', 'rejected');
    createFailuresRepo(ctx.db).insert({
      messageId: id, accountId: account.id, recipient: 'carl@example.test', category: 'recipient_mailbox_full', kind: 'temporary',
      rule: 't', source: 'smtp', diagnostic: '452 full', detectedAt: ctx.clock.now(),
    });
    const r = prepareResend(ctx, id, {});
    expect(r).toEqual({ messageId: id, newRow: false, recipients: ['carl@example.test'] });
    expect(messages.get(id)).toMatchObject({ state: 'queued', due_reason: 'resend', next_attempt_at: ctx.clock.now(), rcpt_json: '["carl@example.test"]' });
    expect(messages.raw(id)!.equals(MIXED)).toBe(true);
    expect(createFailuresRepo(ctx.db).openForMessage(id)).toHaveLength(0);

    // without attachments: new bytes, so a new row that points back, same Message-ID
    const r2 = prepareResend(ctx, id, { withoutAttachments: true, onlyFailedRecipients: false });
    expect(r2.newRow).toBe(true);
    const copy = messages.get(r2.messageId)!;
    expect(copy).toMatchObject({ source: 'resend', resend_of: id, message_id: '<report-1@example.test>', state: 'queued', has_attachments: 0 });
    expect(JSON.parse(copy.rcpt_json)).toEqual(['bob@example.test', 'carl@example.test']);
    expect(messages.raw(r2.messageId)!.length).toBeLessThan(MIXED.length);
    expect(messages.get(id)).toMatchObject({ state: 'failed', hold_detail: `Resent as message #${r2.messageId}.` });
  });
});
