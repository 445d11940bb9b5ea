import { describe, expect, it } from 'vitest';
import { classifyReply } from '../../../src/main/engine/classify/index';
import type { SmtpStage } from '../../../src/shared/classification';

/**
 * Generalisation checks: typical replies of many MTAs and providers, written from their public
 * documentation and common knowledge of their wording (not from the fixtures). Each row:
 * [stage, text, expected category, optional provider, optional errorCode].
 */
type Row = [SmtpStage | null, string, string, string?, string?];

const ROWS: Row[] = [
  // sending limits and throttling in our own session
  ['data', '550 5.4.5 Daily user sending quota exceeded. abc - gsmtp', 'sending_limit', 'gmail'],
  ['data', '550 5.7.1 Daily SMTP relay limit exceeded for customer', 'sending_limit', 'gmail'],
  ['data', '554 5.2.0 STOREDRV.Submission.Exception:OutboundSpamException; WASCL UserAction verdict is not None. Actual verdict is RefuseQuota, ShowTierUpgrade.', 'sending_limit', 'outlook'],
  ['data', '554 5.2.0 STOREDRV.Submission.Exception:OutboundSpamException; WASCL UserAction verdict is not None. Actual verdict is Suspend, ShowTierUpgrade.', 'account_suspended', 'outlook'],
  ['data', '554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message', 'sending_limit', 'm365'],
  ['mail', '454 Throttling failure: Daily message quota exceeded.', 'sending_limit', 'ses'],
  ['mail', '421 4.7.0 Too many messages sent in the last hour, try again later', 'sending_limit'],
  ['mail', '432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded', 'throttled', 'm365'],
  ['auth', '454 4.7.0 Too many login attempts, please try again later. - gsmtp', 'throttled', 'gmail'],
  ['rcpt', '452 4.5.3 Your message has too many recipients.', 'throttled', 'gmail'],
  ['connect', '421 Too many concurrent SMTP connections from this IP address; please try again later', 'throttled'],
  // sign-in and sender identity
  ['auth', '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.', 'auth_failed', 'm365'],
  ['auth', '534-5.7.9 Application-specific password required. Learn more at https://support.google.com/mail/?p=InvalidSecondFactor', 'auth_failed', 'gmail'],
  ['auth', '534-5.7.14 <https://accounts.google.com/signin/continue> Please log in via your web browser and then try again.', 'auth_failed', 'gmail'],
  [null, 'invalid_grant: Token has been expired or revoked.', 'auth_failed', 'gmail', 'EAUTH'],
  [null, 'AADSTS700082: The refresh token has expired due to inactivity.', 'auth_failed', 'm365', 'EAUTH'],
  ['mail', '530 5.7.57 Client not authenticated to send mail.', 'auth_failed', 'm365'],
  ['data', '550 5.7.60 SMTP; Client does not have permissions to send as this sender', 'send_as_denied', 'm365'],
  ['mail', '553 Relaying disallowed as someone@example.com', 'send_as_denied', 'zoho'],
  ['mail', "422 The 'From' address you supplied (a@b.example) is not a Sender Signature on your account.", 'send_as_denied', 'postmark'],
  ['mail', '550 The from address does not match a verified Sender Identity.', 'send_as_denied', 'sendgrid'],
  ['data', '554 Message rejected: Sending suspended for this account.', 'account_suspended', 'ses'],
  ['data', '550 5.7.501 Service unavailable. Spam abuse detected from IP range.', 'account_suspended', 'm365'],
  ['mail', '554 5.1.8 Email Outgoing Blocked.', 'account_suspended', 'zoho'],
  ['data', '554 5.2.2 mailbox full; STOREDRV.Submission.Exception:QuotaExceededException.MapiExceptionQuotaExceeded', 'sender_quota_full', 'm365'],
  ['data', '552 5.3.4 Message size exceeds fixed maximum message size', 'message_too_large'],
  ['data', '552 Message size exceeds maximum permitted', 'message_too_large'],
  [null, 'Message size larger than allowed 26214400', 'message_too_large', null as never, 'EMESSAGE'],
  // settings
  ['mail', '530 5.7.0 Must issue a STARTTLS command first.', 'config_error'],
  ['mail', '530 5.7.3 STARTTLS is required to send mail', 'config_error', 'm365'],
  ['tls', '140737:error:1408F10B:SSL routines:ssl3_get_record:wrong version number', 'config_error', null as never, 'ESOCKET'],
  ['tls', "Hostname/IP does not match certificate's altnames: Host: smtp.example.com. is not in the cert's altnames", 'config_error', null as never, 'ESOCKET'],
  ['network', 'connect ECONNREFUSED 203.0.113.5:587', 'provider_outage', null as never, 'ECONNREFUSED'],
  ['network', 'Connection timeout', 'provider_outage', null as never, 'ETIMEDOUT'],
  ['network', 'read ECONNRESET', 'provider_outage', null as never, 'ECONNRESET'],
  ['data', '451 4.3.0 Mail server temporarily rejected message.', 'provider_outage'],
  ['data', '452 4.3.1 Insufficient system resources', 'provider_outage'],
  // replies relayed in bounces
  ['after-data', '550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown in virtual mailbox table', 'recipient_unknown'],
  ['after-data', '550 5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient\'s email address', 'recipient_unknown'],
  ['after-data', '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup', 'recipient_unknown'],
  ['after-data', 'Sorry, no mailbox here by that name. (#5.1.1)', 'recipient_unknown'],
  ['after-data', '550 No such user here', 'recipient_unknown'],
  ['after-data', '550 Unrouteable address', 'recipient_unknown'],
  ['after-data', "554 delivery error: dd This user doesn't have a yahoo.com account (x@yahoo.com) [0] - mta1.mail.yahoo.com", 'recipient_unknown'],
  ['after-data', '550 5.1.1 Benutzer unbekannt', 'recipient_unknown'],
  ['after-data', "550 5.1.1 Adresse d'au moins un destinataire invalide. Utilisateur inconnu", 'recipient_unknown'],
  ['after-data', "The recipient's e-mail address was not found in the recipient's e-mail system.", 'recipient_unknown'],
  ['after-data', 'Host or domain name not found. Name service error for name=example.invalid type=MX: Host not found, try again', 'recipient_domain'],
  ['after-data', '#554 5.4.4 SMTPSEND.DNS.NonExistentDomain; nonexistent domain ##', 'recipient_domain'],
  ["after-data", "Sorry, I couldn't find any host named example.invalid. (#5.1.2)", 'recipient_domain'],
  // qmail: the domain points at a server that does not take its mail (no other gate word than control/)
  ['after-data', "553 sorry, it isn't in my control/locals file, so I don't treat it as local", 'recipient_domain'],
  ['after-data', 'all relevant MX records point to non-existent hosts', 'recipient_domain'],
  ['after-data', '550 5.2.1 The email account that you tried to reach is disabled.', 'recipient_suspended'],
  ['after-data', '550 5.2.1 <x@example.org>: Recipient address rejected: this mailbox has been blocked due to inactivity', 'recipient_suspended'],
  ['after-data', '552 5.2.2 The email account that you tried to reach is over quota.', 'recipient_mailbox_full'],
  ['after-data', "The recipient's mailbox is over its quota. (#5.2.2)", 'recipient_mailbox_full'],
  ['after-data', '552 5.2.2 Postfach voll', 'recipient_mailbox_full'],
  ['after-data', '550 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org', 'rejected_policy'],
  ['after-data', '550 5.7.1 Unfortunately, messages from [192.0.2.1] weren\'t sent. Please contact your Internet service provider since part of their network is on our block list (S3150).', 'rejected_policy'],
  ['after-data', '550 5.7.26 This mail has been blocked because the sender is unauthenticated. Gmail requires all senders to authenticate with either SPF or DKIM.', 'rejected_policy'],
  ['after-data', '450 4.7.1 Client host rejected: cannot find your hostname, [192.0.2.1]', 'rejected_policy'],
  ['after-data', '554 5.7.1 <a@b.example>: Relay access denied', 'rejected_policy'],
  ['after-data', '550 Administrative prohibition', 'rejected_policy'],
  ['after-data', '554 5.7.9 Message not accepted for policy reasons. See https://help.yahoo.com/kb/postmaster', 'rejected_policy'],
  ['after-data', '550-5.7.1 Our system has detected that this message is likely unsolicited mail. To reduce the amount of spam sent to Gmail, this message has been blocked. - gsmtp', 'rejected_content'],
  ['after-data', '554 5.7.0 Reject, id=12345 - INFECTED: Eicar-Test-Signature', 'rejected_content'],
  ['after-data', '552 5.7.0 This message was blocked because its content presents a potential security issue.', 'rejected_content'],
  ['after-data', '450 4.2.0 <a@b.example>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/b.example.html', 'remote_temporary'],
  ['after-data', '451 4.7.500 Server busy. Please try again later from [192.0.2.1]. (S77714)', 'remote_temporary'],
  ['after-data', '554 5.4.14 Hop count exceeded - possible mail loop ATTR34', 'remote_temporary'],
  ['after-data', 'retry timeout exceeded', 'delivery_expired'],
  ['after-data', "all hosts for 'example.org' have been failing for a long time (and retry time not reached)", 'delivery_expired'],
  ['after-data', '#550 5.4.316 Message expired, connection refused(Socket error code 10061)', 'delivery_expired'],
  ['after-data', 'Message could not be delivered for 5 days', 'delivery_expired'],
];

describe('classifyReply generalises over common wordings', () => {
  it.each(ROWS.map((r) => [`${r[0] ?? '-'} ${r[1].slice(0, 70)}`, r] as const))('%s', (_name, [stage, text, category, provider, errorCode]) => {
    expect(classifyReply({ stage, text, provider: provider ?? null, errorCode: errorCode ?? null }).category).toBe(category);
  });
});
