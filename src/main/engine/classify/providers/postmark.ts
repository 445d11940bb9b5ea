import type { ProviderTable } from '../types';

/**
 * Postmark.
 * Sources: API error codes, postmarkapp.com/developer/api/overview#error-codes; "What are the
 * attachment and email size limits", postmarkapp.com/support/article/1056; "Sender signatures",
 * postmarkapp.com/support/article/1002.
 */
export const postmark: ProviderTable = {
  ids: ['postmark', 'postmarkapp'],
  signature: /postmarkapp/,
  rules: [
    // error 400: "The 'From' address you supplied is not a Sender Signature on your account"; 401 "Sender signature not confirmed"
    { id: 'postmark/sender-signature', text: /sender signature|not confirmed|from' address you supplied/, category: 'send_as_denied' },
    // error 412 / 405: "Account pending approval" / "Not allowed to send" (account paused)
    { id: 'postmark/pending', text: /pending approval|not allowed to send|account (is )?(paused|suspended|disabled)/, category: 'account_suspended' },
    // error 406: "Inactive recipient" (on Postmark's suppression list after a hard bounce or complaint)
    { id: 'postmark/inactive-recipient', text: /inactive recipient|marked as inactive/, category: 'recipient_unknown' },
    // 1056: 10 MB total message size
    { id: 'postmark/too-large', text: /size (limit|exceeds)|too large/, category: 'message_too_large' },
    // API overview: at most 50 recipients per message
    { id: 'postmark/too-many-recipients', text: /maximum of 50 recipients|too many recipients/, category: 'throttled' },
  ],
};
