import type { ProviderTable } from '../types';

/**
 * Amazon SES.
 * Sources: "SMTP issues" troubleshooting, docs.aws.amazon.com/ses/latest/dg/troubleshoot-smtp.html;
 * "Service quotas", docs.aws.amazon.com/ses/latest/dg/quotas.html; "Verified identities",
 * docs.aws.amazon.com/ses/latest/dg/verify-addresses-and-domains.html; "Account-level suppression
 * list", docs.aws.amazon.com/ses/latest/dg/sending-email-suppression-list.html.
 */
export const ses: ProviderTable = {
  ids: ['ses', 'amazon-ses', 'aws-ses', 'amazonses', 'amazon'],
  signature: /amazonses\.com|amazon ses/,
  rules: [
    // troubleshoot-smtp: "454 Throttling failure: Daily message quota exceeded"
    { id: 'ses/daily-quota', text: /daily (message|sending) quota|quota exceeded|sending quota/, category: 'sending_limit' },
    // troubleshoot-smtp: "454 Throttling failure: Maximum sending rate exceeded"
    { id: 'ses/rate', text: /maximum sending rate|throttling failure|rate exceeded/, category: 'throttled' },
    // verify-addresses-and-domains: "554 Message rejected: Email address is not verified. The following identities failed the check"
    { id: 'ses/not-verified', text: /not verified|identities failed the check/, category: 'send_as_denied' },
    // troubleshoot-smtp: "554 Account disabled / Sending paused for this account"
    { id: 'ses/paused', text: /sending (paused|suspended|disabled)|account (is )?(disabled|suspended|paused)/, category: 'account_suspended' },
    // troubleshoot-smtp: "535 Authentication Credentials Invalid", "530 Authentication required"
    { id: 'ses/auth', text: /authentication credentials invalid|authentication required/, category: 'auth_failed' },
    // quotas: 40 MB message size; "552 Message length exceeds"
    { id: 'ses/too-large', text: /message (length|size) exceeds|message too long|too large/, category: 'message_too_large' },
    // sending-email-suppression-list: "Address blacklisted" / on the account-level suppression list
    { id: 'ses/suppressed', text: /address blacklisted|suppression list/, category: 'recipient_unknown' },
    // troubleshoot-smtp: "554 Transaction failed: Duplicate header" / illegal header
    { id: 'ses/bad-header', text: /duplicate header|illegal header|missing required header/, category: 'rejected_policy' },
  ],
};
