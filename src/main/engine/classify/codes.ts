import type { Category } from '../../../shared/categories';
import type { SmtpStage } from '../../../shared/classification';

/**
 * Basic reply codes (RFC 5321 section 4.2.2 and 4.2.3, RFC 4954 for AUTH, RFC 3030/7504 for 521
 * and 556). Only used when neither a provider rule, nor wording, nor an enhanced code decided.
 */
const own = (s: SmtpStage | null) => s === 'connect' || s === 'tls' || s === 'auth' || s === 'mail' || s === 'rcpt' || s === 'data';

export function categoryForCode(code: number, stage: SmtpStage | null): Category | null {
  if (code >= 200 && code < 300) return stage === 'after-data' ? 'delivered' : null;
  if (code >= 400 && code < 500) {
    if (stage === 'auth' && (code === 454 || code === 432)) return 'provider_outage';
    if (code === 421 || code === 450 || code === 451 || code === 452 || code === 454 || code === 441 || code === 442 || code === 447) {
      return own(stage) ? 'provider_outage' : 'remote_temporary';
    }
    if (code === 471) return 'remote_temporary';
    return own(stage) ? 'provider_outage' : 'remote_temporary';
  }
  if (code >= 500 && code < 600) {
    if (stage === 'auth' || code === 535 || code === 534 || code === 538) return 'auth_failed'; // RFC 4954
    if (code === 530) return own(stage) ? 'auth_failed' : 'rejected_policy'; // authentication required
    if (code === 500 || code === 501 || code === 502 || code === 503 || code === 504 || code === 555) return own(stage) ? 'config_error' : 'unknown';
    if (code === 521 || code === 556) return 'recipient_domain'; // host does not accept mail (RFC 7504)
    if (stage === 'connect') return own(stage) ? 'rejected_policy' : 'rejected_policy';
    if (code === 550 || code === 551 || code === 553) return stage === 'mail' ? 'rejected_policy' : 'recipient_unknown';
    if (code === 552) return stage === 'data' ? 'message_too_large' : 'recipient_mailbox_full';
    if (code === 554) return 'rejected_policy';
    return 'unknown';
  }
  return null;
}
