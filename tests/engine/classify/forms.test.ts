import { describe, expect, it } from 'vitest';
import { parseReport } from '../../../src/main/engine/bounces/parse/index';

/** Bounce forms of common MTAs, written from their documented / well-known layouts. */
const returned = '\nReturn-Path: <me@example.com>\nFrom: Me <me@example.com>\nTo: <someone@example.net>\nSubject: hello\nMessage-ID: <orig-1@example.com>\n\nhello\n';

describe('non-standard bounce forms', () => {
  it('qmail', () => {
    const r = parseReport(
      'From: MAILER-DAEMON@mx.example.org\nTo: me@example.com\nSubject: failure notice\n\nHi. This is the qmail-send program at mx.example.org.\nI\'m afraid I wasn\'t able to deliver your message to the following addresses.\nThis is a permanent error; I\'ve given up. Sorry it didn\'t work out.\n\n<someone@example.net>:\n192.0.2.1 does not like recipient.\nRemote host said: 550 5.1.1 <someone@example.net>... User unknown\nGiving up on 192.0.2.1.\n\n--- Below this line is a copy of the message.\n' +
        returned,
    );
    expect(r).toMatchObject({ type: 'bounce', bounce: true, originalMessageId: '<orig-1@example.com>' });
    expect(r.recipients.map((x) => [x.address, x.category])).toEqual([['someone@example.net', 'recipient_unknown']]);
  });

  it('Postfix text without a DSN part, two recipients', () => {
    const r = parseReport(
      'From: MAILER-DAEMON@mx.example.org (Mail Delivery System)\nTo: me@example.com\nSubject: Undelivered Mail Returned to Sender\n\nThis is the mail system at host mx.example.org.\n\nI\'m sorry to have to inform you that your message could not\nbe delivered to one or more recipients.\n\n<full@example.net>: host mx.example.net[192.0.2.2] said: 552 5.2.2\n    <full@example.net>: Mailbox full (in reply to RCPT TO command)\n\n<gone@example.org>: Host or domain name not found. Name service error for\n    name=example.org type=A: Host not found\n\n--- original message follows ---\n' +
        returned,
    );
    expect(r.type).toBe('bounce');
    expect(Object.fromEntries(r.recipients.map((x) => [x.address, x.category]))).toEqual({
      'full@example.net': 'recipient_mailbox_full',
      'gone@example.org': 'recipient_domain',
    });
  });

  it('Gmail wording around the remote server\'s words', () => {
    const r = parseReport(
      'From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nTo: me@gmail.com\nSubject: Delivery Status Notification (Failure)\nContent-Type: text/plain\n\n** Message not delivered **\n\nThere was a problem delivering your message to someone@example.net. See the technical details below.\n\nThe response from the remote server was:\n550 5.7.1 <someone@example.net>: Recipient address rejected: Message rejected due to: SPF fail - not authorized\n' +
        '\n----- Original message -----\n' + returned,
    );
    expect(r.recipients[0]).toMatchObject({ address: 'someone@example.net', category: 'rejected_policy' });
  });

  it('a delay notice is a delay, not a final bounce', () => {
    const r = parseReport(
      'From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\nTo: me@example.com\nSubject: Delayed Mail (still being retried)\n\n####################################################################\n# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\n####################################################################\n\nYour message could not be delivered for more than 4 hour(s).\nIt will be retried until it is 5 day(s) old.\n\n<slow@example.net>: connect to mx.example.net[192.0.2.9]:25: Connection timed out\n',
    );
    expect(r.type).toBe('delay');
    expect(r.recipients[0]).toMatchObject({ address: 'slow@example.net', action: 'delayed', kind: 'temporary' });
  });

  it('Exchange text NDR', () => {
    const r = parseReport(
      'From: System Administrator <postmaster@example.com>\nTo: me@example.com\nSubject: Undeliverable: hello\n\nYour message did not reach some or all of the intended recipients.\n\n      Subject:  hello\n\nThe following recipient(s) cannot be reached:\n\n      Nobody on 4/29/2024 11:34 AM\n            The e-mail address you entered couldn\'t be found. Please check the recipient\'s e-mail address and try to resend the message.\n            <mx.example.com #5.1.1 smtp;550 5.1.1 RESOLVER.ADR.RecipNotFound; not found>\n\n      someone@example.net\n',
    );
    expect(r.type).toBe('bounce');
    expect(r.recipients.some((x) => x.address === 'someone@example.net')).toBe(true);
  });
});

describe('not bounces', () => {
  it('a newsletter about bounce rates with addresses is ordinary mail', () => {
    const r = parseReport('From: Newsletter <news@example.org>\nTo: me@example.com\nSubject: How to lower your bounce rate\n\nWrite to help@example.org for tips. Our team at team@example.org is happy to help.\n');
    expect(r).toMatchObject({ type: 'not_bounce', bounce: false, recipients: [] });
  });
  it('a human reply that mentions a vacation is not an auto-reply', () => {
    expect(parseReport('From: Ann <ann@example.org>\nTo: me@example.com\nSubject: Re: vacation plans\n\nSounds good!\n').type).toBe('not_bounce');
  });
  it('auto-replies in several languages', () => {
    for (const subject of ['Automatische Antwort: hallo', 'Réponse automatique : bonjour', 'Out of Office: hello', 'Automatic reply: hello', 'Respuesta automática: hola']) {
      const r = parseReport(`From: Boss <boss@example.org>\nTo: me@example.com\nSubject: ${subject}\n\nAway.\n`);
      expect(r.type, subject).toBe('auto_reply');
    }
  });
});
