import { CATEGORY_KIND, type Category } from '../../../shared/categories';
import type { SmtpStage } from '../../../shared/classification';

/**
 * RFC 3463 enhanced status codes (and the IANA "Enumerated Status Codes" registry that extends
 * it: RFC 3886, 4468, 4865, 4954, 5248, 6710, 7293, 7372, 7504, 8689) mapped to the taxonomy.
 * Keyed by "subject.detail"; the class (2/4/5) is handled by the caller. A value is either one
 * category or a function of the session stage (own session = about the sender's account).
 */
type Pick = Category | ((stage: SmtpStage | null, cls: number) => Category);

const own = (s: SmtpStage | null) => s === 'connect' || s === 'tls' || s === 'auth' || s === 'mail' || s === 'rcpt' || s === 'data';
const submission = (s: SmtpStage | null) => s === 'auth' || s === 'mail' || s === 'data';
const temp = (s: SmtpStage | null): Category => (own(s) ? 'provider_outage' : 'remote_temporary');

export const ENHANCED: Record<string, Pick> = {
  // X.1.x addressing (RFC 3463 3.2)
  '1.0': (s, c) => (c === 4 ? temp(s) : 'recipient_unknown'),
  '1.1': 'recipient_unknown', // bad destination mailbox address
  '1.2': 'recipient_domain', // bad destination system address
  '1.3': 'recipient_unknown', // bad destination mailbox address syntax
  '1.4': 'recipient_unknown', // destination mailbox address ambiguous
  '1.6': 'recipient_unknown', // destination mailbox has moved, no forwarding address
  '1.7': 'rejected_policy', // bad sender's mailbox address syntax
  '1.8': (s) => (submission(s) ? 'send_as_denied' : 'rejected_policy'), // bad sender's system address
  // X.1.10 is "recipient address has null MX" in RFC 7505, but Microsoft's NDRs use 5.1.10 for
  // RESOLVER.ADR.RecipientNotFound ("Recipient not found by SMTP address lookup", Exchange Online NDR
  // reference); a real null-MX reply says so in words ("null MX"), which the wording rules catch first
  '1.10': 'recipient_unknown',
  '1.5': (s, c) => (c === 4 ? temp(s) : 'recipient_unknown'), // "destination address valid" only makes sense as 2.1.5
  '1.9': 'delivered', // message relayed to a non-compliant mailer (RFC 3886): it left, unchecked
  // X.2.x mailbox status (RFC 3463 3.3)
  '2.0': (s, c) => (c === 4 ? temp(s) : 'recipient_unknown'),
  '2.1': (s, c) => (c === 4 ? temp(s) : 'recipient_suspended'), // mailbox disabled, not accepting messages
  '2.2': (s) => (submission(s) ? 'sender_quota_full' : 'recipient_mailbox_full'), // mailbox full
  '2.3': 'message_too_large', // message length exceeds administrative limit
  '2.4': (s) => temp(s), // mailing list expansion problem
  // X.3.x mail system status (RFC 3463 3.4)
  '3.0': (s) => temp(s),
  '3.1': (s) => temp(s), // mail system full
  '3.2': (s) => temp(s), // system not accepting network messages
  '3.3': 'rejected_policy', // system not capable of selected features
  '3.4': 'message_too_large', // message too big for system
  '3.5': (s) => temp(s), // system incorrectly configured
  '3.6': (s) => temp(s), // requested priority was changed (RFC 6710)
  // X.4.x network and routing (RFC 3463 3.5)
  '4.0': (s) => temp(s),
  '4.1': (s) => temp(s), // no answer from host
  '4.2': (s) => temp(s), // bad connection
  '4.3': (s) => temp(s), // directory server failure
  '4.4': (s, c) => (c === 4 ? temp(s) : 'recipient_domain'), // unable to route
  '4.5': (s) => (own(s) ? 'throttled' : 'remote_temporary'), // mail system congestion
  '4.6': (s) => temp(s), // routing loop detected
  '4.7': 'delivery_expired', // delivery time expired
  // X.5.x mail delivery protocol (RFC 3463 3.6)
  '5.0': (s) => (own(s) ? 'config_error' : 'remote_temporary'),
  '5.1': (s) => (own(s) ? 'config_error' : 'remote_temporary'), // invalid command
  '5.2': (s) => (own(s) ? 'config_error' : 'remote_temporary'), // syntax error
  '5.3': (s) => (own(s) ? 'throttled' : 'remote_temporary'), // too many recipients
  '5.4': (s) => (own(s) ? 'config_error' : 'remote_temporary'), // invalid command arguments
  '5.5': (s) => (own(s) ? 'config_error' : 'remote_temporary'), // wrong protocol version
  '5.6': (s) => (own(s) ? 'config_error' : 'remote_temporary'), // authentication exchange line too long (RFC 4954)
  // X.6.x message content or media (RFC 3463 3.7)
  '6.0': 'rejected_content',
  '6.1': 'rejected_content', // media not supported
  '6.2': 'rejected_content', // conversion required and prohibited
  '6.3': 'rejected_content', // conversion required but not supported
  '6.4': 'rejected_content', // conversion with loss performed
  '6.5': 'rejected_content', // conversion failed
  '6.6': 'rejected_content', // message content not available (RFC 4468)
  '6.7': 'rejected_policy', // non-ASCII addresses not permitted (RFC 6531)
  '6.8': 'rejected_policy',
  '6.9': 'rejected_policy',
  '6.10': 'rejected_policy',
  // X.7.x security or policy (RFC 3463 3.8 and later registrations)
  '7.0': (s, c) => (c === 4 ? temp(s) : 'rejected_policy'),
  '7.1': (s, c) => (c === 4 ? temp(s) : 'rejected_policy'), // delivery not authorized, message refused
  '7.2': 'rejected_policy', // mailing list expansion prohibited
  '7.3': (s) => (s === 'auth' ? 'auth_failed' : 'rejected_policy'), // security conversion required
  '7.4': 'rejected_policy', // security features not supported
  '7.5': 'rejected_policy', // cryptographic failure
  '7.6': 'rejected_policy', // cryptographic algorithm not supported
  '7.7': 'rejected_content', // message integrity failure
  '7.8': (s) => (s === 'after-data' ? 'rejected_policy' : 'auth_failed'), // authentication credentials invalid (RFC 4954)
  '7.9': 'auth_failed', // authentication mechanism is too weak
  '7.10': 'config_error', // encryption needed
  '7.11': 'config_error', // encryption required for requested authentication mechanism
  '7.12': 'auth_failed', // a password transition is needed
  '7.13': (s) => (own(s) && s !== 'rcpt' ? 'account_suspended' : 'recipient_suspended'), // user account disabled (RFC 5248)
  '7.14': 'rejected_policy', // trust relationship required
  '7.15': 'rejected_policy', // priority level is unacceptable (RFC 6710)
  '7.16': 'message_too_large', // message is too big for the specified priority
  '7.17': 'recipient_unknown', // mailbox owner has changed (RFC 7293)
  '7.18': 'recipient_unknown', // domain owner has changed
  '7.19': 'recipient_unknown', // RRVS test cannot be completed
  '7.20': 'rejected_policy', // no passing DKIM signature found (RFC 7372)
  '7.21': 'rejected_policy', // no acceptable DKIM signature
  '7.22': 'rejected_policy', // no valid author-matched DKIM signature
  '7.23': 'rejected_policy', // SPF validation failed
  '7.24': 'rejected_policy', // SPF validation error
  '7.25': 'rejected_policy', // reverse DNS validation failed
  '7.26': 'rejected_policy', // multiple authentication checks failed
  '7.27': 'rejected_policy', // sender address has null MX (RFC 7505)
  '7.28': 'rejected_policy', // mail flood detected (RFC 8689 registry)
  '7.29': 'rejected_policy', // ARC validation failure
  '7.30': 'config_error', // REQUIRETLS support required (RFC 8689)
};

/** Category for an enhanced status code, or null when nothing specific is known. */
export function categoryForEnhanced(enhanced: string, stage: SmtpStage | null): Category | null {
  const m = /^([245])\.(\d{1,3})\.(\d{1,3})$/.exec(enhanced);
  if (!m) return null;
  const cls = Number(m[1]);
  if (cls === 2) return 'delivered';
  const key = `${Number(m[2])}.${Number(m[3])}`;
  // RFC 3463 gives every subject an X.Y.0 "other or undefined" status: an unlisted detail is read as that;
  // vendors extend the detail (Microsoft's 5.6.211, 5.1.351, 4.7.500 …) within the subject's meaning
  const pick = ENHANCED[key] ?? ENHANCED[`${Number(m[2])}.0`];
  if (pick === undefined) return null;
  const c = typeof pick === 'function' ? pick(stage, cls) : pick;
  // the class decides the kind where the taxonomy allows (RFC 3463 section 3.1: 4.X.X is a persistent
  // transient failure): a 4.1.1 / 4.1.2 / 4.7.13 is not yet a reason to give up on the address
  if (cls === 4 && CATEGORY_KIND[c] === 'permanent') return temp(stage);
  return c;
}
