import type { ProviderTable } from '../types';

/**
 * Microsoft 365 / Exchange Online, Outlook.com, on-premises Exchange.
 * Sources: "Email non-delivery reports and SMTP errors in Exchange Online",
 * learn.microsoft.com/exchange/mail-flow-best-practices/non-delivery-reports-in-exchange-online/non-delivery-reports-in-exchange-online;
 * the per-code NDR articles under the same path (fix-error-code-5-7-60 SendAsDenied, 5-2-2, 5-1-90,
 * 5-4-316, 5-7-133-through-5-7-136, 5-7-50x, 5-7-7xx, 5-7-515, 5-7-606-through-5-7-649, 4-4-62);
 * "Exchange Online limits", learn.microsoft.com/office365/servicedescriptions/exchange-online-service-description/exchange-online-limits;
 * "SMTP AUTH submission improvements", learn.microsoft.com/exchange/troubleshoot/send-emails/smtp-submission-improvements;
 * "Sending limits in Outlook.com", support.microsoft.com (279ee200-594c-40f0-9ec8-bb6af7735c2e).
 */
const THROTTLE_RANGE: readonly string[] = Array.from({ length: 200 }, (_, i) => `4.7.${500 + i}`);

export const microsoft: ProviderTable = {
  ids: ['m365', 'microsoft', 'microsoft365', 'office365', 'o365', 'outlook', 'outlook.com', 'hotmail', 'live', 'exchange', 'exchange-online'],
  signature: /outlook\.com|protection\.outlook|storedrv|office ?365|exchangelabs|hotmail\.com|\bmsn\.com|resolver\.adr|queue\.expired|transport\.rules|\bwascl\b|microsoft/,
  rules: [
    // NDR 5.7.60: "SendAsDenied" / MapiExceptionSendAsDenied: the user lacks Send As / Send on Behalf
    { id: 'microsoft/send-as-denied', text: /send ?as ?denied|sendasdeniedexception|send on behalf|not allowed to send as/, category: 'send_as_denied' },
    { id: 'microsoft/send-as-denied-code', enhanced: '5.7.60', category: 'send_as_denied' },
    // Outlook.com sending limits: WASCL verdict "RefuseQuota" / "ShowTierUpgrade" = the account's daily sending quota
    { id: 'microsoft/outlook-daily-quota', text: /refusequota|submissionquotaexceeded|daily sending quota|daily limit for message recipients|recipient rate limit/, category: 'sending_limit' },
    // Outlook.com WASCL verdicts "Suspend" / "HipNotify": the account is blocked until the user verifies it
    { id: 'microsoft/outlook-suspended', text: /verdict is (suspend|hipnotify|hipcheck)/, category: 'account_suspended' },
    // "5.7.3 STARTTLS is required to send mail": a TLS setting, not a credential problem
    { id: 'microsoft/starttls-required', text: /starttls is required|must issue a starttls|tls is required/, stages: ['own'], category: 'config_error' },
    // NDR 5.1.90: "Your message can't be sent because you've reached your daily limit for message recipients"
    { id: 'microsoft/daily-recipient-limit', enhanced: ['5.1.90', '5.2.121', '5.2.122'], stages: ['own', 'data', 'mail'], category: 'sending_limit' },
    // NDR 5.2.121 / 5.2.122: the *recipient's* hourly limit, seen in a bounce
    { id: 'microsoft/recipient-rate', enhanced: ['5.2.121', '5.2.122', '4.2.121', '4.2.122'], category: 'remote_temporary' },
    // NDR 5.2.2 at submission: "mailbox full; STOREDRV.Submission.Exception:QuotaExceededException" = the sender's own mailbox
    // … while "STOREDRV.Deliver.Exception:QuotaExceededException" is the store refusing delivery into the recipient's mailbox
    { id: 'microsoft/recipient-mailbox-full', text: /deliver\.exception:quota/, category: 'recipient_mailbox_full' },
    { id: 'microsoft/sender-mailbox-full', text: /submission\.exception:quota/, category: 'sender_quota_full' },
    { id: 'microsoft/sender-mailbox-full-own', text: /quotaexceededexception|shutoffquotaexceeded/, stages: ['own'], category: 'sender_quota_full' },
    { id: 'microsoft/sender-mailbox-full-code', enhanced: '5.2.2', stages: ['auth', 'mail', 'data'], category: 'sender_quota_full' },
    // NDR 5.7.501-5.7.503 and OutboundSpamException: the sending account is blocked for spam
    { id: 'microsoft/outbound-spam', text: /outboundspamexception|banned sender|spam abuse detected from ip range|user is blocked from sending/, category: 'account_suspended' },
    { id: 'microsoft/sender-blocked', text: /sender (is )?(blocked|suspended)|account (has been )?(suspended|blocked)/, stages: ['own'], category: 'account_suspended' },
    { id: 'microsoft/banned-sender', enhanced: ['5.7.501', '5.7.502', '5.7.503', '5.1.8'], category: 'account_suspended' },
    { id: 'microsoft/tenant-blocked', enhanced: ['5.7.703', '5.7.705', '5.7.708', '5.7.750'], stages: ['own'], category: 'account_suspended' },
    { id: 'microsoft/tenant-blocked-remote', enhanced: ['5.7.703', '5.7.705', '5.7.708', '5.7.750'], category: 'rejected_policy' },
    // SMTP AUTH: 5.7.139 (basic auth disabled / auth unsuccessful), 5.7.57 "Client not authenticated to send mail", 5.7.3 at AUTH
    { id: 'microsoft/auth-disabled', enhanced: ['5.7.139', '5.7.57', '5.7.3', '5.7.8'], stages: ['own'], category: 'auth_failed' },
    { id: 'microsoft/client-not-authenticated', text: /client (was )?not authenticated|authentication unsuccessful|smtpclientauthentication is disabled|basic authentication is disabled/, category: 'auth_failed' },
    // SMTP AUTH submission: 432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded (3 concurrent connections)
    { id: 'microsoft/concurrent-submission', text: /sender thread limit exceeded|concurrent (connections|submissions)/, stages: ['own'], category: 'throttled' },
    // 4.3.2 "maximum number of concurrent connections per resource forest" relayed from the remote side
    { id: 'microsoft/remote-concurrency', enhanced: ['4.3.2'], stages: ['remote'], category: 'remote_temporary' },
    // 4.7.3 "Organization queue quota exceeded" (recipient organization's inbound queue)
    { id: 'microsoft/queue-quota', text: /queue quota exceeded/, category: 'remote_temporary' },
    // NDR 5.4.316 "Message expired, connection refused" / 4.4.7 and 5.4.300 QUEUE.Expired
    { id: 'microsoft/expired', enhanced: ['5.4.316', '4.4.316', '5.4.300', '4.4.7', '5.4.7'], category: 'delivery_expired' },
    { id: 'microsoft/queue-expired', text: /queue\.expired|message expired/, category: 'delivery_expired' },
    // NDR 5.4.1 "Recipient address rejected: Access denied" (directory-based edge blocking / relay to unknown domain)
    { id: 'microsoft/dbeb-not-found', enhanced: ['5.4.1'], text: /recipient address rejected: access denied/, category: 'recipient_unknown' },
    { id: 'microsoft/relay-access-denied', enhanced: ['5.4.1'], stages: ['remote'], category: 'recipient_domain' },
    // NDR 5.1.10 "Recipient not found by SMTP address lookup"; 5.1.1 RESOLVER.ADR.RecipNotFound
    { id: 'microsoft/recipient-not-found', enhanced: ['5.1.10', '5.1.1'], category: 'recipient_unknown' },
    { id: 'microsoft/resolver-not-found', text: /resolver\.adr\.recipnotfound|recipient not found by smtp address lookup|mailbox unavailable/, category: 'recipient_unknown' },
    // Outlook.com 554 5.5.0 "the domain is not reachable"
    { id: 'microsoft/domain-unreachable', text: /domain is not reachable/, category: 'recipient_domain' },
    // NDR 5.7.133-5.7.136: sender not authenticated / not allowed for group or mailbox
    { id: 'microsoft/group-restriction', enhanced: ['5.7.133', '5.7.134', '5.7.135', '5.7.136'], category: 'rejected_policy' },
    // NDR 5.7.509 / 5.7.515 DMARC and authentication level; 5.7.606-5.7.649 banned sending IP; 5.7.900 transport rule; 5.7.520 forwarding blocked
    { id: 'microsoft/auth-level', enhanced: ['5.7.509', '5.7.515', '5.7.520', '5.7.900'], category: 'rejected_policy' },
    // NDR 5.4.14 "Hop count exceeded - possible mail loop" and 5.4.6 routing loop
    { id: 'microsoft/loop', enhanced: ['5.4.14', '5.4.6', '4.4.6'], category: 'remote_temporary' },
    { id: 'microsoft/banned-ip', enhanced: ['5.7.606', '5.7.607', '5.7.608', '5.7.609', '5.7.610', '5.7.611', '5.7.612', '5.7.613', '5.7.640', '5.7.649', '4.7.650', '4.7.651', '4.7.652'], category: 'rejected_policy' },
    // NDR 4.7.500-4.7.699 "Access denied, please try again later" / "Server busy": Exchange Online
    // throttling the sending IP or tenant (the reputation range 4.7.650-4.7.652 is matched above)
    { id: 'microsoft/throttle-own', enhanced: THROTTLE_RANGE, stages: ['own'], category: 'throttled' },
    { id: 'microsoft/throttle-remote', enhanced: THROTTLE_RANGE, category: 'remote_temporary' },
    // NDR 4.4.62 "Mail sent to the wrong Office 365 region": a connector misconfiguration, nothing to classify further
    { id: 'microsoft/wrong-region', enhanced: '4.4.62', category: 'unknown' },
    // NDR 5.3.4 / 5.2.3: message size exceeds the limit
    { id: 'microsoft/too-large', enhanced: ['5.3.4', '5.2.3'], category: 'message_too_large' },
  ],
};
