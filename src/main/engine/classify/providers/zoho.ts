import type { ProviderTable } from '../types';

/**
 * Zoho Mail.
 * Sources: "SMTP error codes / Mail bounce reasons", zoho.com/mail/help/mail-bounce-reasons.html (and
 * zoho.com/mail/help/zoho-smtp.html); "Rates and limits", zoho.com/mail/help/adminconsole/rates-and-limits.html.
 */
export const zoho: ProviderTable = {
  ids: ['zoho', 'zohomail', 'zeptomail'],
  signature: /zoho(mail)?\.(com|eu|in)|\bzoho\b|zeptomail/,
  rules: [
    // zoho-smtp.html: "554 5.1.8 Email Outgoing Blocked" = the account's outgoing mail is blocked
    { id: 'zoho/outgoing-blocked', text: /outgoing (mail )?blocked|unusual sending activity|access to smtp is blocked/, stages: ['own'], category: 'account_suspended' },
    { id: 'zoho/outgoing-blocked-code', enhanced: '5.1.8', stages: ['own'], category: 'account_suspended' },
    // zoho-smtp.html: "553 Relaying disallowed" = From address is not one of the account's addresses
    { id: 'zoho/relaying-disallowed', text: /relaying disallowed|sender is not allowed to relay/, stages: ['own'], category: 'send_as_denied' },
    // rates-and-limits: hourly/daily outgoing limit
    { id: 'zoho/rate-limit', text: /limit (exceeded|reached)|exceeded (the )?(sending|hourly|daily) limit/, stages: ['own'], category: 'sending_limit' },
    // mail-bounce-reasons: "550 5.7.1 Email rejected per DMARC policy"
    { id: 'zoho/dmarc', text: /dmarc|spf|dkim/, category: 'rejected_policy' },
    // mail-bounce-reasons: "554 5.7.1 Email cannot be delivered. Reason: Email flagged as Spam"
    { id: 'zoho/spam', text: /flagged as spam|spam/, category: 'rejected_content' },
    // mail-bounce-reasons: "Invalid Address, ERROR_CODE :550 ... User Unknown" / "Mailbox Full"
    { id: 'zoho/mailbox-full', text: /mailbox full/, stages: ['remote', 'rcpt'], category: 'recipient_mailbox_full' },
    { id: 'zoho/user-unknown', text: /user unknown|invalid address/, category: 'recipient_unknown' },
    // ZeptoMail: "5.2.0 Email size exceeded the policy"
    { id: 'zoho/size', text: /size exceeded|too large/, category: 'message_too_large' },
  ],
};
