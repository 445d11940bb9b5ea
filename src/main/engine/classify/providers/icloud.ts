import type { ProviderTable } from '../types';

/**
 * iCloud Mail.
 * Sources: "Postmaster information for iCloud Mail", support.apple.com/en-us/102322 (HT204137);
 * "iCloud Mail server settings / limits", support.apple.com/en-us/102198 (HT202305 older).
 */
export const icloud: ProviderTable = {
  ids: ['icloud', 'apple', 'me.com', 'mac.com'],
  signature: /icloud\.com|\bme\.com|apple\.com|\bmac\.com/,
  rules: [
    // support.apple.com/102198: 1,000 messages / day, 1,000 recipients / day
    { id: 'icloud/daily-limit', text: /(daily|sending|send) limit|too many (messages|recipients) (sent|today)/, stages: ['own'], category: 'sending_limit' },
    // support.apple.com/102198: sending from an address that is not one of the account's addresses
    { id: 'icloud/from-not-owned', text: /from address is not one of your|not (one of )?your (addresses|aliases)|sender address rejected/, stages: ['own'], category: 'send_as_denied' },
    // support.apple.com/102322: 554 5.7.1 DMARC policy / [CS01] local policy
    { id: 'icloud/dmarc', text: /dmarc|local policy|\[cs0\d\]/, category: 'rejected_policy' },
    // support.apple.com/102322: 550 5.1.6 "recipient no longer on server" / 5.1.1 "unknown or illegal alias"
    { id: 'icloud/no-longer-on-server', text: /no longer on server|unknown or illegal alias|user unknown/, category: 'recipient_unknown' },
    // support.apple.com/102322: 552 5.2.2 "mailbox full" / over quota
    { id: 'icloud/mailbox-full', text: /mailbox (is )?full|over quota/, stages: ['remote', 'rcpt'], category: 'recipient_mailbox_full' },
    // support.apple.com/102322: 4.7.1 "Service unavailable - try again later"
    { id: 'icloud/try-later', text: /try again later/, stages: ['remote'], category: 'remote_temporary' },
  ],
};
