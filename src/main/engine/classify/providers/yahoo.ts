import type { ProviderTable } from '../types';

/**
 * Yahoo Mail, AOL (same infrastructure), Yahoo Japan.
 * Sources: "SMTP error codes", senders.yahooinc.com/smtp-error-codes/; "Yahoo Sender Best
 * Practices", senders.yahooinc.com/best-practices/; Yahoo Help "Fix problems sending email"
 * (help.yahoo.com SLN3402, SLN5092); Yahoo Business Mail limits, help.yahoo.com SLN17518;
 * Yahoo! JAPAN "メール送信エラー" help pages, www.yahoo-help.jp/app/answers/detail/a_id/80870.
 */
export const yahoo: ProviderTable = {
  ids: ['yahoo', 'aol', 'yahoo-japan', 'ymail', 'verizon'],
  signature: /yahoo|yahoodns|\baol\.com|\[(tss?|bl|ph|cs|te)\d{2}\]/,
  rules: [
    // help.yahoo.com SLN5092: "554 6.6.0 Error sending message for delivery" at submission = too many messages too quickly
    { id: 'yahoo/6.6.0-rate', text: /\b6\.6\.0\b|error sending message for delivery/, stages: ['own'], category: 'throttled' },
    // help.yahoo.com SLN17518: Business Mail 500 messages / day
    { id: 'yahoo/daily-limit', text: /sending limit|daily limit|too many (messages|emails) (sent|today)/, category: 'sending_limit' },
    // senders.yahooinc.com/smtp-error-codes: 535 5.7.0 "(#AUTH005) Too many bad auth attempts"
    { id: 'yahoo/bad-auth', text: /#auth0\d\d|bad auth/, category: 'auth_failed' },
    // smtp-error-codes: 421 4.7.0 [TSS04] / [TS01]-[TS03] "Messages from x temporarily deferred due to unexpected volume or user complaints"
    // (a deferral for reputation: complaints or volume from the sending IP, i.e. a policy block in effect)
    { id: 'yahoo/deferred-volume', text: /\[tss?0\d\]|temporarily deferred|unexpected volume|user complaints/, stages: ['remote'], category: 'rejected_policy' },
    { id: 'yahoo/deferred-volume-own', text: /\[tss?0\d\]|temporarily deferred|unexpected volume/, category: 'throttled' },
    // smtp-error-codes: 421 "Max message per connection reached"
    { id: 'yahoo/max-per-connection', text: /max message per connection|max(imum)? (number of )?(messages|connections)/, stages: ['remote'], category: 'remote_temporary' },
    { id: 'yahoo/max-per-connection-own', text: /max message per connection/, category: 'throttled' },
    // smtp-error-codes: 553 5.7.1 [BL21] / [BL22] / [BL23] "Connections will not be accepted from IP, because the ip is in Spamhaus's list"
    { id: 'yahoo/blocklisted-ip', text: /\[bl2\d\]|connections will not be accepted|because the ip is/, category: 'rejected_policy' },
    // smtp-error-codes: 554 5.7.9 "Message not accepted for policy reasons" ([PH01] etc.)
    { id: 'yahoo/policy', text: /not accepted for policy reasons|\[ph0\d\]|\[cs0\d\]/, category: 'rejected_policy' },
    // smtp-error-codes: 554 "Message not allowed - [299]" = content judged unacceptable
    { id: 'yahoo/message-not-allowed', text: /message not allowed/, category: 'rejected_content' },
    // smtp-error-codes: 554 delivery error: dd "This account has been disabled or discontinued [#102]"
    { id: 'yahoo/account-disabled', text: /disabled or discontinued|\[#102\]/, category: 'recipient_suspended' },
    // smtp-error-codes: 554 delivery error: dd "This user doesn't have a yahoo.com account" [#101]; 552 "mailbox not found"
    { id: 'yahoo/no-such-user', text: /doesn't have an? [a-z.]{0,30} account|\[#101\]|mailbox not found/, category: 'recipient_unknown' },
    // smtp-error-codes: 552 "1 Requested mail action aborted, mailbox is full" / over quota
    { id: 'yahoo/mailbox-full', text: /mailbox (is )?full|over quota/, stages: ['remote', 'rcpt'], category: 'recipient_mailbox_full' },
    // smtp-error-codes: 451 "Resources temporarily unavailable. Please try again later [#4.16.1]"
    { id: 'yahoo/resources', text: /resources temporarily unavailable|#4\.16\.\d/, category: 'remote_temporary' },
    // smtp-error-codes: "No MX record found for domain" / "Name service error"
    { id: 'yahoo/no-mx', text: /no mx record|name service error/, category: 'recipient_domain' },
  ],
};
