import type { ProviderTable } from '../types';

/**
 * Gmail and Google Workspace (including the Workspace SMTP relay).
 * Sources: "SMTP error reference", support.google.com/a/answer/3726730; "Gmail sending limits in
 * Google Workspace", support.google.com/a/answer/166852; "Limits for sending & getting mail",
 * support.google.com/mail/answer/22839; "SMTP relay service error messages",
 * support.google.com/a/answer/6140680; "Email sender guidelines", support.google.com/a/answer/81126.
 */
export const gmail: ProviderTable = {
  ids: ['gmail', 'google', 'gsuite', 'workspace', 'google-workspace', 'gmail-relay', 'googlemail'],
  signature: /\bgsmtp\b|support\.google\.com|groups\.google\.com|google\.com\/mail|googlemail\.com/,
  rules: [
    // answer/3726730: 550 5.4.5 "Daily user sending limit exceeded" / "Daily SMTP relay limit exceeded"
    { id: 'gmail/daily-limit', enhanced: ['5.4.5', '4.4.5', '5.7.1', '4.7.0', '5.7.0'], text: /daily (user )?(sending|smtp relay) (quota|limit)|sending (quota|limit) exceeded|relay limit exceeded/, category: 'sending_limit' },
    // answer/22839: "You have reached a limit for sending mail"
    { id: 'gmail/limit-reached', text: /reached a (daily )?limit for sending|sending limit(s)? (exceeded|reached)/, category: 'sending_limit' },
    // answer/3726730: 4.5.3 / 5.5.3 "Your message has too many recipients"
    { id: 'gmail/too-many-recipients', enhanced: ['4.5.3', '5.5.3'], category: 'throttled' },
    // answer/3726730: 4.2.1 / 5.2.1 "The user you are trying to contact is receiving mail at a rate that prevents additional messages"
    { id: 'gmail/recipient-rate', text: /receiving mail (at|too) (a )?(rate|quickly)|receiving mail too quickly/, category: 'remote_temporary' },
    // answer/3726730: 5.2.1 "The email account that you tried to reach is disabled" / inactive
    { id: 'gmail/recipient-disabled', enhanced: ['5.2.1', '4.2.1'], text: /is (disabled|inactive)|disableduser|account that you tried to reach is (disabled|inactive)/, category: 'recipient_suspended' },
    // answer/3726730: 4.2.2 / 5.2.2 "The email account that you tried to reach is over quota"
    { id: 'gmail/recipient-over-quota', text: /over quota|overquota/, stages: ['remote', 'rcpt'], category: 'recipient_mailbox_full' },
    // answer/3726730: 5.1.1 "The email account that you tried to reach does not exist"
    { id: 'gmail/no-such-user', enhanced: '5.1.1', category: 'recipient_unknown' },
    // answer/3726730: 5.1.2 / 5.1.3 bad address syntax / "not a valid RFC-5321 address"
    { id: 'gmail/bad-address', enhanced: ['5.1.2', '5.1.3'], text: /not a valid rfc[- ]?5321|address couldn't be found|domain (name )?not found|bad recipient address syntax/, category: 'recipient_unknown' },
    // answer/3726730: 5.2.3 / 5.3.4 "Your message exceeded Google's message size limits"
    { id: 'gmail/too-large', enhanced: ['5.2.3', '5.3.4', '4.3.4'], category: 'message_too_large' },
    { id: 'gmail/too-large-text', text: /maxsizeerror|message size limit/, category: 'message_too_large' },
    // answer/3726730: 5.7.9 "Application-specific password required", 5.7.8 "Username and Password not accepted", 5.7.14 "Please log in via your web browser", 5.7.0 / 530 "Authentication Required"
    { id: 'gmail/bad-credentials', enhanced: ['5.7.8', '5.7.9', '5.7.14', '5.7.11', '5.7.12', '5.7.13'], stages: ['own'], category: 'auth_failed' },
    { id: 'gmail/auth-required', code: [530, 534, 535], category: 'auth_failed' },
    // answer/3726730: 454 4.7.0 "Too many login attempts, please try again later"
    { id: 'gmail/too-many-logins', text: /too many login attempts/, category: 'throttled' },
    // answer/6140680: relay "Invalid credentials for relay" where the registered IP does not match the sending domain
    { id: 'gmail/relay-domain-mismatch', text: /doesn't match the domain of the account|not (a )?registered (domain|sender)|sender address is not (registered|permitted)/, category: 'send_as_denied' },
    { id: 'gmail/relay-denied', text: /invalid credentials for relay|mail relay denied/, category: 'auth_failed' },
    // answer/3726730: 4.7.32 / 5.7.32 From: header not aligned with SPF/DKIM domain (rate limited)
    { id: 'gmail/from-not-aligned-temp', enhanced: ['4.7.32', '4.7.30', '4.7.27', '4.7.26', '4.7.25', '4.7.24', '4.7.23'], category: 'remote_temporary' },
    // answer/3726730 & answer/81126: 5.7.23-5.7.27, 5.7.30-5.7.32 SPF / DKIM / DMARC / PTR failures
    { id: 'gmail/authentication-policy', enhanced: ['5.7.23', '5.7.24', '5.7.25', '5.7.26', '5.7.27', '5.7.30', '5.7.31', '5.7.32'], category: 'rejected_policy' },
    // answer/3726730: 4.7.28 / 5.7.28 "unusual rate of unsolicited mail originating from your IP" / "from your DKIM domain"
    { id: 'gmail/unsolicited-rate', enhanced: ['4.7.28', '5.7.28', '4.7.29', '5.7.29'], category: 'rejected_policy' },
    // answer/3726730: 4.7.0 / 5.7.1 "an unusual rate of unsolicited mail originating from your IP address … temporarily rate limited"
    { id: 'gmail/ip-rate-limited', text: /unusual rate of unsolicited|originating from your ip|has been temporarily rate limited/, category: 'rejected_policy' },
    // answer/3726730: 5.7.1 "not RFC 5322 compliant"
    { id: 'gmail/not-rfc-compliant', text: /not rfc ?5322 compliant|multiple (subject|from|to|date|message-id) headers|missing a valid message-id|rfc ?5322/, category: 'rejected_policy' },
    // answer/3726730: 5.7.1 "very low reputation of the sending IP / domain"
    { id: 'gmail/low-reputation', text: /low reputation|reputation of the sending/, category: 'rejected_policy' },
    // answer/3726730: 5.7.0 / 5.7.1 "likely unsolicited mail" / "potential security issue" / virus
    { id: 'gmail/spam', text: /likely unsolicited|unsolicited mail|potential security issue|contains (a|an) (virus|executable)|blocked because its content|spam/, category: 'rejected_content' },
    // answer/3726730: 5.7.1 "The user or domain that you are sending to (or from) has a policy that prohibited the mail"
    { id: 'gmail/recipient-policy', text: /has a policy that prohibited|prohibited the mail/, category: 'rejected_policy' },
    // Google Groups help (support.google.com/groups): "the group you tried to contact may not exist, or you may not have permission to post"
    { id: 'gmail/groups-permission', text: /permission to post|group you tried to contact|groups\.google\.com/, stages: ['remote'], category: 'rejected_policy' },
    // answer/3726730: 5.5.4 "Empty HELO/EHLO argument not allowed" and other session protocol errors
    { id: 'gmail/protocol', enhanced: ['5.5.4', '5.5.2', '5.5.1'], stages: ['own'], category: 'config_error' },
    // answer/3726730: 5.7.0 "Must issue a STARTTLS command first" / TLS required
    { id: 'gmail/starttls', text: /must issue a starttls|tls required|encryption required/, stages: ['own'], category: 'config_error' },
    // answer/3726730: 4.3.0 / 4.4.2 / 4.3.5 temporary server errors in the app's own session
    { id: 'gmail/temporary-own', enhanced: ['4.3.0', '4.4.2', '4.3.5', '4.4.1'], stages: ['own'], category: 'provider_outage' },
  ],
};
