import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { looksLikeReportCandidate, parseReport } from '../../../src/main/engine/bounces/parse/index';
import { CATEGORY_KIND } from '../../../src/shared/categories';

interface Label {
  file: string;
  bounce: boolean;
  originalMessageId: string | null;
  expected: { recipient: string; category: string; accept?: string[] }[] | null;
}

const dir = join(__dirname, '../../fixtures/bounces');
const labels: Label[] = readFileSync(join(dir, 'labels.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as Label);

/**
 * Known misses on the public bounces, each with the reason. A miss not listed here fails the
 * test; a listed one that starts passing is fine (remove it from the list then).
 */
const KNOWN_MISSES: Record<string, string> = {
  '0001.eml kijitora@example.edu': 'V5 sendmail transcript: the label comes from the "<<< 550 … redundant" line two steps away from the address; we read "Remote protocol error … Host unknown"',
  '0007.eml kijitora@example.org': 'same V5 sendmail transcript layout as 0001',
  '0093.eml kijitora@example.edu': 'same V5 sendmail transcript layout as 0001',
  '0006.eml undisclosed-recipient-in-headers@libsisimai.org.invalid': 'label is a placeholder address invented by the labelling tool; the ARF report names no recipient',
  '0079.eml undisclosed-recipient-in-headers@libsisimai.org.invalid': 'placeholder address, as 0006',
  '0019.eml kijitora@nyaan.example.com': '"is not a registered gateway user" reads as an unknown user to us; label says policy',
  '0019.eml sabatora@cat.example.net': 'a delayed recipient inside a failed DSN with no diagnostic; label says expired',
  '0077.eml 00000000000@vtext.example.com': 'the label has 11 zeros, the message 12: we report the address the message gives',
  '0089.eml neko@example.co.jp': 'fml mailing-list "Duplicated Message-ID" loop alert: not a delivery report by any standard form',
  '0095.eml neko-nyaan@example.org': 'fml mailing-list "not a member" notice sent by the list, not a mailer daemon',
  '0105.eml sotoneko@nora.nyaan.jp': 'a Gmail delay notice (action delayed); we keep delays as remote_temporary, label says expired',
  '0107.eml kijitora@example.ed.jp': 'remote said "500 Remote server does not support TLS": label says system error; we read it as a policy refusal',
  '0119.eml xxxx@laposte.net': '"421 Service refuse … please try later" at greeting; label unknown',
  '0123.eml this-local-part-does-not-exist-on-the-server@ezweb.ne.jp': 'Japanese-only EZweb notice; label says expired',
  '0248.eml jp1rb6cm3@mozmail.com': '"451 4.3.0 … recipient error. Please try again later" reads temporary; label unknown',
};
const KNOWN_FLAG_MISSES = new Set(['0089.eml', '0095.eml']);
const KNOWN_ID_MISSES: Record<string, string> = {
  '0124.eml': 'a bounce forwarded as plain text: we link to the inner bounce\'s Message-ID, the label to the innermost original',
  '0181.eml': 'same forwarded-bounce layout as 0124',
};

const strip = (s: string | null | undefined) => (s ?? '').replace(/^<|>$/g, '').toLowerCase();

describe('parseReport on the public bounces', () => {
  const results = labels.map((l) => ({ l, r: parseReport(readFileSync(join(dir, l.file))) }));

  it.each(results.map((x) => [x.l.file, x] as const))('%s', (_f, { l, r }) => {
    if (!KNOWN_FLAG_MISSES.has(l.file)) expect(r.bounce).toBe(l.bounce);
    if (l.originalMessageId && !KNOWN_ID_MISSES[l.file]) expect(strip(r.originalMessageId)).toBe(strip(l.originalMessageId));
    for (const rec of r.recipients) expect(rec.kind).toBe(CATEGORY_KIND[rec.category]);
    for (const e of l.expected ?? []) {
      const key = `${l.file} ${e.recipient}`;
      if (KNOWN_MISSES[key]) continue;
      const got = r.recipients.find((x) => x.address.toLowerCase() === e.recipient.toLowerCase());
      expect(got, `${key} found`).toBeDefined();
      expect([e.category, ...(e.accept ?? [])], key).toContain(got!.category);
    }
  });

  it('floors: recipients found, categories right, message-ids found', () => {
    let expected = 0;
    let found = 0;
    let right = 0;
    let exact = 0;
    let ids = 0;
    let idsFound = 0;
    for (const { l, r } of results) {
      if (l.originalMessageId) {
        ids++;
        if (strip(r.originalMessageId) === strip(l.originalMessageId)) idsFound++;
      }
      for (const e of l.expected ?? []) {
        expected++;
        const got = r.recipients.find((x) => x.address.toLowerCase() === e.recipient.toLowerCase());
        if (!got) continue;
        found++;
        if (got.category === e.category) exact++;
        if ([e.category, ...(e.accept ?? [])].includes(got.category)) right++;
      }
    }
    expect(found / expected).toBeGreaterThanOrEqual(0.95);
    expect(right / expected).toBeGreaterThanOrEqual(0.9);
    expect(exact / expected).toBeGreaterThanOrEqual(0.78);
    expect(idsFound / ids).toBeGreaterThanOrEqual(0.95);
  });
});

describe('parseReport: kinds of report', () => {
  it('reads an RFC 3464 DSN', () => {
    const raw = [
      'From: MAILER-DAEMON@mx.example.org',
      'To: me@example.com',
      'Subject: Undelivered Mail Returned to Sender',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'I am sorry.',
      '--b',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.example.org',
      '',
      'Final-Recipient: rfc822; nobody@example.net',
      'Action: failed',
      'Status: 5.1.1',
      'Remote-MTA: dns; mx.example.net',
      'Diagnostic-Code: smtp; 550 5.1.1 <nobody@example.net>: Recipient address rejected: User unknown',
      '',
      '--b',
      'Content-Type: text/rfc822-headers',
      '',
      'From: me@example.com',
      'To: nobody@example.net',
      'Message-ID: <abc@example.com>',
      '',
      '--b--',
      '',
    ].join('\r\n');
    const r = parseReport(raw);
    expect(r).toMatchObject({ type: 'bounce', bounce: true, originalMessageId: '<abc@example.com>', reportingMta: 'mx.example.org' });
    expect(r.recipients).toHaveLength(1);
    expect(r.recipients[0]).toMatchObject({ address: 'nobody@example.net', status: '5.1.1', action: 'failed', remoteMta: 'mx.example.net', replyCode: 550, category: 'recipient_unknown', kind: 'permanent' });
  });

  it('reads a delay notice and a success DSN', () => {
    const dsn = (action: string, status: string) =>
      `From: MAILER-DAEMON@x.org\nSubject: Delivery Status Notification\nContent-Type: multipart/report; report-type=delivery-status; boundary=q\n\n--q\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; x.org\n\nFinal-Recipient: rfc822; a@b.org\nAction: ${action}\nStatus: ${status}\n\n--q--\n`;
    expect(parseReport(dsn('delayed', '4.4.1')).type).toBe('delay');
    const ok = parseReport(dsn('delivered', '2.0.0'));
    expect(ok).toMatchObject({ type: 'delivered', bounce: false });
    expect(ok.recipients[0]).toMatchObject({ category: 'delivered', kind: 'none' });
  });

  it('reads an RFC 3834 auto-reply and an ARF complaint', () => {
    const auto = parseReport('From: Boss <boss@example.org>\nTo: me@example.com\nSubject: Automatic reply: hello\nAuto-Submitted: auto-replied\nIn-Reply-To: <m1@example.com>\n\nI am away.\n');
    expect(auto).toMatchObject({ type: 'auto_reply', bounce: false, originalMessageId: '<m1@example.com>' });
    expect(auto.recipients[0]).toMatchObject({ address: 'boss@example.org', category: 'auto_reply' });
    const arf = parseReport(
      'From: fbl@isp.example\nSubject: FW: abuse\nContent-Type: multipart/report; report-type=feedback-report; boundary=z\n\n--z\nContent-Type: text/plain\n\nA complaint.\n--z\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\nUser-Agent: x/1\nVersion: 1\nOriginal-Rcpt-To: angry@isp.example\n\n--z\nContent-Type: message/rfc822\n\nFrom: me@example.com\nTo: angry@isp.example\nMessage-ID: <m2@example.com>\n\nhi\n--z--\n',
    );
    expect(arf).toMatchObject({ type: 'complaint', bounce: false, originalMessageId: '<m2@example.com>' });
    expect(arf.recipients[0]).toMatchObject({ address: 'angry@isp.example', category: 'complaint', kind: 'none' });
  });

  it('ordinary mail is not a bounce and has no recipients', () => {
    const r = parseReport('From: friend@example.org\nTo: me@example.com\nSubject: lunch?\nMessage-ID: <x@y>\n\nSee you at noon.\n');
    expect(r).toMatchObject({ type: 'not_bounce', bounce: false, recipients: [], originalMessageId: null });
  });

  it('reads an Exim text bounce', () => {
    const r = parseReport(
      'From: Mail Delivery System <Mailer-Daemon@mx.example.org>\nTo: me@example.com\nSubject: Mail delivery failed: returning message to sender\nX-Failed-Recipients: gone@example.net\n\nThis message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n  gone@example.net\n    host mx.example.net [192.0.2.1]\n    SMTP error from remote mail server after RCPT TO:<gone@example.net>:\n    550 5.2.2 <gone@example.net>: mailbox full\n\n------ This is a copy of the message, including all the headers. ------\n\nFrom: me@example.com\nTo: gone@example.net\nMessage-ID: <m3@example.com>\n\nhello\n',
    );
    expect(r).toMatchObject({ type: 'bounce', originalMessageId: '<m3@example.com>' });
    expect(r.recipients).toHaveLength(1);
    expect(r.recipients[0]).toMatchObject({ address: 'gone@example.net', category: 'recipient_mailbox_full', status: '5.2.2', action: 'failed' });
  });
});

describe('looksLikeReportCandidate', () => {
  it('flags bounces, reports, auto-replies and complaints; not ordinary mail', () => {
    expect(looksLikeReportCandidate({ from: 'MAILER-DAEMON@example.org' })).toBe(true);
    expect(looksLikeReportCandidate({ contentType: 'multipart/report; report-type=delivery-status' })).toBe(true);
    expect(looksLikeReportCandidate({ xFailedRecipients: 'a@b.c' })).toBe(true);
    expect(looksLikeReportCandidate({ autoSubmitted: 'auto-replied' })).toBe(true);
    expect(looksLikeReportCandidate({ subject: 'Undeliverable: hello' })).toBe(true);
    expect(looksLikeReportCandidate({ subject: 'Out of Office: hello' })).toBe(true);
    expect(looksLikeReportCandidate({ from: 'friend@example.org', subject: 'lunch?' })).toBe(false);
    expect(looksLikeReportCandidate({})).toBe(false);
    expect(looksLikeReportCandidate(null as never)).toBe(false);
  });
});
