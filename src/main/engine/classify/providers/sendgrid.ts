import type { ProviderTable } from '../types';

/**
 * Twilio SendGrid.
 * Sources: "SMTP errors and troubleshooting", docs.sendgrid.com/for-developers/sending-email/smtp-errors-and-troubleshooting;
 * "Sender identity", docs.sendgrid.com/for-developers/sending-email/sender-identity;
 * "Bounce classifications", docs.sendgrid.com/ui/sending-email/bounce-classification.
 */
export const sendgrid: ProviderTable = {
  ids: ['sendgrid', 'twilio-sendgrid'],
  signature: /sendgrid/,
  rules: [
    // smtp-errors: "451 Authentication failed: Maximum credits exceeded" = plan's sending credits used up
    { id: 'sendgrid/credits', text: /maximum credits exceeded|credits exceeded/, category: 'sending_limit' },
    // sender-identity: "550 The from address does not match a verified Sender Identity"
    { id: 'sendgrid/sender-identity', text: /verified sender identity|from address does not match/, category: 'send_as_denied' },
    // smtp-errors: "550 Unauthenticated senders not allowed", "535 Authentication failed: Bad username / password"
    { id: 'sendgrid/unauthenticated', text: /unauthenticated senders|bad username|authentication failed/, category: 'auth_failed' },
    // smtp-errors: account disabled / suspended
    { id: 'sendgrid/disabled', text: /account (is )?(disabled|suspended|banned)|disabled account/, category: 'account_suspended' },
    // bounce-classification: relayed "too frequent connects" / "too many recipients received this hour" = recipient side throttling
    { id: 'sendgrid/remote-throttle', text: /too frequent connects|received this hour/, stages: ['remote'], category: 'remote_temporary' },
  ],
};
