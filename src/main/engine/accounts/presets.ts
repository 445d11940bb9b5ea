import type { ProviderPreset } from '../../../shared/contract';
import type { QuotaLimit } from '../../../shared/model';

// Provider presets: where to connect and how much an account may send. Every figure is a
// starting point the user can edit per account; the SIZE a server announces in EHLO is read at
// send time and wins over the table. Limit figures come from /work/shared/PROVIDERS.md (section
// B), which names each provider's own page; the page is repeated in each preset's `source`.
// Host names and ports are the ones each provider publishes on its "IMAP/SMTP settings" page.
//
// Size limits apply to the encoded message (base64 adds about a third), so where a provider's
// server announces SIZE we use that number rather than the attachment size in its help pages.

const MB = 1024 * 1024;

const rolling = (window: QuotaLimit['window'], max: number, counts: QuotaLimit['counts']): QuotaLimit => ({
  window,
  max,
  mode: 'rolling',
  counts,
});

export const PRESETS: readonly ProviderPreset[] = [
  {
    id: 'gmail',
    label: 'Gmail',
    smtp: { host: 'smtp.gmail.com', port: 465, tls: 'tls' },
    imap: { host: 'imap.gmail.com', port: 993, tls: 'tls' },
    // smtp.gmail.com announces SIZE 35882577 (seen in nodemailer issues #317 and #951); the
    // 25 MB in Google's help is the attachment size before encoding.
    maxMessageBytes: 35_882_577,
    // 100 recipients per message through POP/IMAP/SMTP clients (support.google.com/mail/answer/22839).
    maxRecipients: 100,
    // About 500 messages a day, lifted 1–24 h after it is hit: a rolling day.
    limits: [rolling('day', 500, 'messages')],
    appPasswordHint: 'Turn on 2-Step Verification, then create an app password at myaccount.google.com/apppasswords and use it instead of your normal password.',
    supportsOAuth: true,
    source: 'support.google.com/mail/answer/22839 (sending limits); SIZE from nodemailer issues #317, #951',
  },
  {
    id: 'google-workspace',
    label: 'Google Workspace',
    smtp: { host: 'smtp.gmail.com', port: 465, tls: 'tls' },
    imap: { host: 'imap.gmail.com', port: 993, tls: 'tls' },
    maxMessageBytes: 35_882_577,
    // 100 recipients per message via SMTP or the API.
    maxRecipients: 100,
    // 2,000 messages and 10,000 recipients per rolling 24 h (trial accounts: 500; edit if so).
    limits: [rolling('day', 2_000, 'messages'), rolling('day', 10_000, 'recipients')],
    appPasswordHint: 'If your administrator allows app passwords: turn on 2-Step Verification, then create one at myaccount.google.com/apppasswords.',
    supportsOAuth: true,
    source: 'support.google.com/a/answer/166852 (Workspace sending limits)',
  },
  {
    id: 'outlook',
    label: 'Outlook.com / Hotmail',
    smtp: { host: 'smtp-mail.outlook.com', port: 587, tls: 'starttls' },
    imap: { host: 'outlook.office365.com', port: 993, tls: 'tls' },
    // 25 MB per a Microsoft Q&A answer (learn.microsoft.com/en-us/answers/questions/5893508);
    // the older 20 MB is Outlook desktop's own limit for Internet accounts.
    maxMessageBytes: 25 * MB,
    maxRecipients: 500,
    // Microsoft publishes 5,000 recipients/day for Microsoft 365 subscribers and "lower,
    // unpublished" limits for free accounts; users report about 300/day there. We start low.
    limits: [rolling('day', 300, 'recipients')],
    appPasswordHint: 'Outlook.com personal accounts need modern sign-in (OAuth) since 16 September 2024; an app password works only where Microsoft still offers one (account.microsoft.com → Security → Advanced security options).',
    supportsOAuth: true,
    source: 'support.microsoft.com/office/sending-limits-in-outlook-com-279ee200-594c-40f0-9ec8-bb6af7735c2e',
  },
  {
    id: 'm365',
    label: 'Microsoft 365 (Exchange Online)',
    smtp: { host: 'smtp.office365.com', port: 587, tls: 'starttls' },
    imap: { host: 'outlook.office365.com', port: 993, tls: 'tls' },
    // Default 25 MB, configurable 1–150 MB by the tenant; the server announces SIZE 157286400
    // (150 MiB), which the EHLO check uses when the tenant raised its limit.
    maxMessageBytes: 25 * MB,
    maxRecipients: 500,
    // 30 messages per minute and 10,000 recipients per rolling day.
    limits: [rolling('minute', 30, 'messages'), rolling('day', 10_000, 'recipients')],
    appPasswordHint: 'SMTP AUTH must be enabled for your mailbox by the administrator; with MFA, use an app password from mysignins.microsoft.com/security-info. Basic SMTP AUTH is due to be switched off by default from December 2026.',
    supportsOAuth: true,
    source: 'learn.microsoft.com/office365/servicedescriptions/exchange-online-service-description/exchange-online-limits',
  },
  {
    id: 'yahoo',
    label: 'Yahoo Mail',
    smtp: { host: 'smtp.mail.yahoo.com', port: 465, tls: 'tls' },
    imap: { host: 'imap.mail.yahoo.com', port: 993, tls: 'tls' },
    maxMessageBytes: null,
    // Yahoo publishes figures only for Business Mail: 500 messages/day, each recipient counted,
    // 100 recipients per message (help.yahoo.com SLN17518). Consumer limits are unpublished.
    maxRecipients: 100,
    limits: [rolling('day', 500, 'recipients')],
    appPasswordHint: 'Create an app password under Account info → Account security → Generate app password.',
    supportsOAuth: true,
    source: 'help.yahoo.com SLN17518 (Business Mail sending limits)',
  },
  {
    id: 'icloud',
    label: 'iCloud Mail',
    smtp: { host: 'smtp.mail.me.com', port: 587, tls: 'starttls' },
    imap: { host: 'imap.mail.me.com', port: 993, tls: 'tls' },
    // 20 MB per message (larger files go through Mail Drop).
    maxMessageBytes: 20 * MB,
    maxRecipients: 500,
    // 1,000 messages and 1,000 recipients per day.
    limits: [rolling('day', 1_000, 'messages'), rolling('day', 1_000, 'recipients')],
    appPasswordHint: 'Create an app-specific password at account.apple.com → Sign-In and Security → App-Specific Passwords.',
    supportsOAuth: false,
    source: 'support.apple.com/en-ca/102198 (iCloud Mail limits)',
  },
  {
    id: 'zoho',
    label: 'Zoho Mail',
    smtp: { host: 'smtp.zoho.com', port: 465, tls: 'tls' },
    imap: { host: 'imap.zoho.com', port: 993, tls: 'tls' },
    maxMessageBytes: null,
    // 100 external recipients per message on free plans (150 paid).
    maxRecipients: 100,
    // External mail: 50–500 per rolling hour, set by reputation; we start at the floor.
    limits: [rolling('hour', 50, 'messages')],
    appPasswordHint: 'With two-factor authentication on, create an application-specific password under My Account → Security → App Passwords.',
    supportsOAuth: true,
    source: 'zoho.com/mail/help/adminconsole/rates-and-limits.html',
  },
  {
    id: 'fastmail',
    label: 'Fastmail',
    smtp: { host: 'smtp.fastmail.com', port: 465, tls: 'tls' },
    imap: { host: 'imap.fastmail.com', port: 993, tls: 'tls' },
    // Fastmail publishes no sending-limit figures (fastmail.com/help/account/limits.html).
    maxMessageBytes: null,
    maxRecipients: null,
    limits: [],
    appPasswordHint: 'Create an app password under Settings → Privacy & Security → Manage app passwords.',
    supportsOAuth: false,
    source: 'fastmail.com/help/account/limits.html',
  },
  {
    id: 'generic',
    label: 'Other SMTP + IMAP server',
    smtp: null,
    imap: null,
    maxMessageBytes: null,
    maxRecipients: null,
    limits: [],
    appPasswordHint: null,
    supportsOAuth: false,
    source: 'no published figures: enter your host\'s own limits',
  },
];

export function presetById(id: string): ProviderPreset | undefined {
  return PRESETS.find((p) => p.id === id);
}
