import type { ProviderTable } from '../types';

/**
 * Shared hosts and small relays: GoDaddy / secureserver.net, cPanel / Exim hosts, Brevo, Titan,
 * Emailit.
 * Sources: GoDaddy "Fix rejected email with a bounce error", godaddy.com/help/40685 (IB codes);
 * cPanel "Mail limiting features" (max emails per hour, max defers and failures per hour),
 * docs.cpanel.net/whm/server-configuration/tweak-settings/#mail; Brevo "SMTP relay: account not
 * activated", help.brevo.com; Titan "Sending limits", support.titan.email; Emailit
 * "Limits", emailit.com/docs/limits/.
 */
export const hosting: ProviderTable = {
  ids: ['godaddy', 'secureserver', 'cpanel', 'exim', 'brevo', 'sendinblue', 'titan', 'emailit', 'hostinger', 'ionos'],
  signature: /secureserver\.net|\bib\d{3}\b|sendinblue|brevo|max emails per hour|max defers and failures/,
  rules: [
    // godaddy 40685: IB607 / "has sent to too many recipients this hour"
    { id: 'hosting/godaddy-recipients-hour', text: /ib607|sent to too many recipients/, stages: ['own'], category: 'sending_limit' },
    // godaddy 40685: the same IB607 relayed in a bounce from a receiving server: the remote side throttles the relay
    { id: 'hosting/godaddy-recipients-hour-remote', text: /ib607|sent to too many recipients/, category: 'remote_temporary' },
    // godaddy 40685: IB007 "too many sessions from IP"
    { id: 'hosting/godaddy-sessions', text: /ib007|too many sessions/, stages: ['own'], category: 'throttled' },
    // godaddy 40685: IB212 "content judged to be spam"
    { id: 'hosting/godaddy-spam', text: /ib212|content judged to be spam/, category: 'rejected_content' },
    // godaddy 40685: IB501 / IB502 / IB504 sender IP / domain on a blocklist
    { id: 'hosting/godaddy-blocklist', text: /ib50\d|ib10\d/, category: 'rejected_policy' },
    // cPanel mail limiting: "Domain x has exceeded the max emails per hour (n/m) allowed"; "max defers and failures per hour"
    { id: 'hosting/cpanel-hourly', text: /max emails per hour|max defers and failures/, category: 'sending_limit' },
    // cPanel / hosts: "[CSR] Our system has detected an unusual amount of unsolicited email originating from your address"
    { id: 'hosting/csr-block', text: /\[csr\]|originating from your (address|account)/, category: 'account_suspended' },
    // Brevo: "Your SMTP account is not yet activated"
    { id: 'hosting/brevo-not-activated', text: /not yet activated|request activation/, category: 'account_suspended' },
    // Brevo: sender not validated
    { id: 'hosting/brevo-sender', text: /sender (is )?not valid|validate your sender/, category: 'send_as_denied' },
  ],
};
