import type { ProviderTable } from '../types';

/**
 * Mailgun.
 * Sources: "Sending messages" and "Sandbox domains" in documentation.mailgun.com; Mailgun help
 * center "Why am I getting 'Domain is not allowed to send'" (help.mailgun.com); "Rate limits".
 */
export const mailgun: ProviderTable = {
  ids: ['mailgun'],
  signature: /mailgun/,
  rules: [
    // help center: "Domain X is not allowed to send: Please activate your Mailgun account"
    { id: 'mailgun/not-activated', text: /activate your (mailgun )?account|account (is )?(disabled|suspended|not activated)|is not allowed to send: (please activate|account)/, category: 'account_suspended' },
    // sandbox domains: "Free accounts are for test purposes only ... authorized recipients"
    { id: 'mailgun/sandbox', text: /authorized recipients|sandbox subdomains are for test|test purposes only/, category: 'rejected_policy' },
    // documentation: sending quota exceeded / "Domain ... has exceeded its sending limit"
    { id: 'mailgun/limit', text: /sending limit|quota exceeded|exceeded (its|the) (daily|monthly|hourly)/, category: 'sending_limit' },
    // documentation: 429 "Too many requests"
    { id: 'mailgun/rate', text: /too many requests|rate limit/, category: 'throttled' },
  ],
};
