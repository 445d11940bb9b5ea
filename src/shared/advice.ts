import type { Category } from './categories';

/**
 * What the app tells the user about each failure category: what happened, whether and when the
 * app retries by itself, and the concrete step that fixes it. Our own words (facts from the
 * seed document and PROVIDERS.md). Pure TypeScript, no Node imports: the renderer uses it too.
 */
export type AdviceActionId = 'reconnect' | 'resend' | 'resend_without_attachments' | 'resend_from_own_address' | 'edit_account' | 'unsuppress' | 'none';

export interface Advice {
  /** one or two sentences: what happened */
  summary: string;
  /** whether the app will retry by itself, and when */
  willRetry: string;
  /** the main button, or null when there is nothing to press */
  action: { id: AdviceActionId; label: string } | null;
  /** what the user can do, in order */
  steps: string[];
}

export interface AdviceContext {
  /** provider id of the account: gmail, m365, outlook, yahoo, icloud, zoho, ses, … */
  provider?: string;
  /** the size limit that applied, in bytes (from EHLO SIZE or the provider preset) */
  limitBytes?: number;
  /** the message's size in bytes */
  sizeBytes?: number;
  /** when the app's next attempt is due (ms since epoch), if one is scheduled */
  nextAttemptAt?: number | null;
}

const MB = 1024 * 1024;

function megabytes(bytes: number): string {
  const v = bytes / MB;
  return v >= 10 ? `${Math.round(v)} MB` : `${(Math.round(v * 10) / 10).toString()} MB`;
}

function providerName(p: string | undefined): string | null {
  switch ((p ?? '').toLowerCase()) {
    case 'gmail':
    case 'google':
      return 'Gmail';
    case 'workspace':
    case 'google-workspace':
    case 'gsuite':
    case 'gmail-relay':
      return 'Google Workspace';
    case 'm365':
    case 'microsoft365':
    case 'office365':
    case 'exchange':
      return 'Microsoft 365';
    case 'outlook':
    case 'outlook.com':
    case 'hotmail':
      return 'Outlook.com';
    case 'yahoo':
      return 'Yahoo Mail';
    case 'icloud':
      return 'iCloud Mail';
    case 'zoho':
      return 'Zoho Mail';
    case 'ses':
    case 'amazon-ses':
      return 'Amazon SES';
    case 'sendgrid':
      return 'SendGrid';
    case 'mailgun':
      return 'Mailgun';
    case 'postmark':
      return 'Postmark';
    case 'brevo':
      return 'Brevo';
    default:
      return null;
  }
}

function isMicrosoft(p: string | undefined): boolean {
  return /^(m365|microsoft365|office365|exchange|outlook|outlook\.com|hotmail)$/i.test(p ?? '');
}

/** "at 14:05" / "on 3 Dec at 09:00" / "in about 2 hours", in the user's locale, or null. */
function when(at: number | null | undefined): string | null {
  if (at == null || !Number.isFinite(at)) return null;
  const now = Date.now();
  const ms = at - now;
  if (ms <= 60_000) return 'in a moment';
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `in about ${minutes} minute${minutes === 1 ? '' : 's'}`;
  const d = new Date(at);
  const time = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  const sameDay = new Date(now).toDateString() === d.toDateString();
  if (sameDay) return `at ${time}`;
  return `on ${d.toLocaleDateString(undefined, { day: 'numeric', month: 'short' })} at ${time}`;
}

const RESEND = { id: 'resend' as const, label: 'Resend now' };

export function adviceFor(category: Category, context: AdviceContext = {}): Advice {
  const name = providerName(context.provider);
  const your = name ? `your ${name} account` : 'your account';
  const next = when(context.nextAttemptAt);
  switch (category) {
    case 'sending_limit':
      return {
        summary: `${name ?? 'Your provider'} refused the message because ${your} has sent as many messages as it may for now (a cap per hour or per day). Nothing is wrong with the message itself.`,
        willRetry: next
          ? `Yes: the app holds it until the quota window reopens and sends it ${next}. Later sends are paced to stay under the cap.`
          : 'Yes: the app sends it again when the quota window reopens (usually within an hour, or within 24 hours for a daily cap) and paces later sends under the cap.',
        action: RESEND,
        steps: [
          'Wait for the limit to reset; the countdown shows when the slot opens.',
          'Or resend it yourself once the limit has reset.',
          'If you hit the cap often, spread big sends over several days or ask your provider for a higher quota. The cap is shared by every app that sends from this account.',
        ],
      };
    case 'provider_outage':
      return {
        summary: `${name ?? 'Your provider'} could not be reached or answered with a temporary server error (a timeout, a refused or dropped connection, or a failed DNS look-up).`,
        willRetry: next ? `Yes: the app tries again ${next}, waiting longer after each failure.` : 'Yes: the app tries again in a few minutes, waiting longer after each failure.',
        action: RESEND,
        steps: ['Nothing to do for now; the app keeps trying.', "If it keeps failing, check your internet connection and the provider's status page."],
      };
    case 'throttled':
      return {
        summary: `${name ?? 'Your provider'} is slowing ${your} down: too many messages or connections in a short time.`,
        willRetry: next ? `Yes: the app waits, slows this account's pace and tries again ${next}.` : "Yes: the app waits a few minutes, slows this account's pace and sends in smaller batches.",
        action: RESEND,
        steps: ['Nothing to do for now.', 'For large mailings, send in smaller batches or spread them over time.'],
      };
    case 'auth_failed':
      return {
        summary: `${name ?? 'Your provider'} rejected the sign-in for ${your}. The password may have changed, the app's access may have been revoked, or the sign-in token expired.`,
        willRetry: "No: the account's messages are held until you reconnect it, then they are sent.",
        action: { id: 'reconnect', label: 'Reconnect account' },
        steps: [
          'Reconnect this account (sign in again or enter the new password).',
          name === 'Gmail' || name === 'Google Workspace'
            ? 'For Gmail with a password, use an app password (Google account › Security › App passwords); a normal password is refused.'
            : 'If your provider uses app passwords or requires modern sign-in (OAuth), use that instead of your normal password.',
          'The held messages are sent as soon as the account works again.',
        ],
      };
    case 'send_as_denied':
      return {
        summary: isMicrosoft(context.provider)
          ? 'Microsoft 365 refused to send from this address: your account is not allowed to send as it (SendAsDenied). This is common with aliases and shared mailboxes.'
          : `${name ?? 'Your provider'} refused to send from this From address: ${your} is not allowed to send as it (it is not one of the account's verified addresses).`,
        willRetry: 'No: the message is held until the permission is granted or you send it from your own address.',
        action: { id: 'resend_from_own_address', label: 'Resend from my own address' },
        steps: isMicrosoft(context.provider)
          ? [
              'Ask your Microsoft 365 administrator to grant you "Send As" or "Send on Behalf" permission for this address.',
              'Reconnect the account if asked to, then resend.',
              'Or resend the message from your own address.',
            ]
          : ["Add and verify this address as a sender in your provider's settings (or ask your administrator).", 'Then resend, or resend it from your own address.'],
      };
    case 'account_suspended':
      return {
        summary: `${name ?? 'Your provider'} has suspended or blocked ${your}, often after suspicious activity, a policy violation or an account that was never activated.`,
        willRetry: "No: all of this account's messages are held until the account works again.",
        action: { id: 'reconnect', label: 'Reconnect after reactivating' },
        steps: [
          `Sign in to ${name ?? 'your provider'} directly (in a browser) and follow its steps to reactivate the account.`,
          'Once it is reactivated, reconnect the account here.',
          'The held messages are then sent.',
        ],
      };
    case 'sender_quota_full':
      return {
        summary: `Your own mailbox at ${name ?? 'your provider'} is full (or your plan's quota is used up), so it will not send.`,
        willRetry: 'No: the message is held until you resend it.',
        action: RESEND,
        steps: [
          'Free up space: delete old messages and large attachments, and empty the trash and the deleted items.',
          isMicrosoft(context.provider) ? "Ask your Microsoft 365 admin about your mailbox size and sending limits." : "Or upgrade your plan's storage.",
          'Then resend the message.',
        ],
      };
    case 'message_too_large': {
      const limit = context.limitBytes && context.limitBytes > 0 ? context.limitBytes : null;
      const size = context.sizeBytes && context.sizeBytes > 0 ? context.sizeBytes : null;
      const fallbackLimit = /gmail|google|workspace/i.test(context.provider ?? '') ? '25 MB' : /outlook|hotmail|m365|microsoft|exchange|office365/i.test(context.provider ?? '') ? '20–25 MB' : null;
      const limitText = limit ? megabytes(limit) : fallbackLimit;
      const sizeText = size ? ` This one is ${megabytes(size)}.` : '';
      return {
        summary: `The message is larger than ${name ?? 'the server'} accepts${limitText ? ` (the limit is ${limitText})` : ''}.${sizeText} Attachments grow by about a third when sent, so the real room is smaller than the limit.`,
        willRetry: 'No: the message is held; resending the same message would fail again.',
        action: { id: 'resend_without_attachments', label: 'Resend without attachments' },
        steps: [
          `Remove or shrink the attachments${limitText ? ` so the whole message stays under ${limitText}` : ''}, or share the files as a link instead.`,
          'Then resend the message.',
        ],
      };
    }
    case 'recipient_unknown':
      return {
        summary: "The recipient's server says this address does not exist (or it has moved).",
        willRetry: 'No: it will not be sent to this address again, and the address is added to your suppression list.',
        action: { id: 'unsuppress', label: 'Remove from suppression list' },
        steps: ['Check the address for typos, or find the person\'s current address.', 'If you are sure it is right, remove it from the suppression list and resend.'],
      };
    case 'recipient_domain':
      return {
        summary: "The recipient's domain does not exist or does not accept email.",
        willRetry: 'No: the address is added to your suppression list.',
        action: { id: 'unsuppress', label: 'Remove from suppression list' },
        steps: ['Check the part after the @ for typos.', 'If the domain is right, remove the address from the suppression list and resend later.'],
      };
    case 'recipient_mailbox_full':
      return {
        summary: "The recipient's mailbox is full.",
        willRetry: next ? `Yes, a few times, hours apart; the next try is ${next}. After that the app gives up.` : 'Yes, a few times, hours apart; after that the app gives up.',
        action: RESEND,
        steps: ['Nothing to do for now.', 'If it keeps failing, reach the recipient another way.'],
      };
    case 'recipient_suspended':
      return {
        summary: "The recipient's account is disabled or suspended.",
        willRetry: 'No: the address is added to your suppression list.',
        action: { id: 'unsuppress', label: 'Remove from suppression list' },
        steps: ['Reach the recipient another way to get a current address.'],
      };
    case 'rejected_content':
      return {
        summary: "The recipient's server refused the message because of its content: it looked like spam, or an attachment or link was flagged.",
        willRetry: 'No: the message is held. The server\'s own words are shown beside it.',
        action: RESEND,
        steps: ['Read the server\'s words for the reason.', 'Remove the flagged attachment or link, tone down spam-like wording, then resend.'],
      };
    case 'rejected_policy':
      return {
        summary: "The recipient's server refused the message by policy: the sending server's reputation, a block list, a failed SPF / DKIM / DMARC check, a relay not allowed, or a message that breaks the standards.",
        willRetry: "No: the message is held. The server's own words are shown beside it.",
        action: RESEND,
        steps: [
          "Read the server's words; they usually name the reason or a link.",
          'If it mentions SPF, DKIM or DMARC, ask whoever runs your domain to fix its DNS records.',
          'If it names a block list, ask your provider or the list to remove the sending server, then resend.',
        ],
      };
    case 'remote_temporary':
      return {
        summary: "The recipient's server had a temporary problem and asked to try again later.",
        willRetry: next ? `Yes: the app tries again ${next}, waiting longer each time.` : 'Yes: the app tries again later, waiting longer each time.',
        action: RESEND,
        steps: ['Nothing to do for now.'],
      };
    case 'delivery_expired':
      return {
        summary: 'A mail server on the way kept trying to deliver the message and finally gave up.',
        willRetry: next ? `Once more, ${next}.` : 'Not by itself for now: resend it when you like, or the app tries once more after a long delay.',
        action: RESEND,
        steps: ['Resend it once; if it fails again, the recipient\'s server is probably down or the address is wrong.'],
      };
    case 'auto_reply':
      return {
        summary: 'An automatic reply (for example out of office). The message was delivered.',
        willRetry: 'Nothing to retry.',
        action: null,
        steps: [],
      };
    case 'complaint':
      return {
        summary: 'The recipient marked your message as spam. The address is added to your suppression list so you do not write to them again.',
        willRetry: 'No.',
        action: { id: 'unsuppress', label: 'Remove from suppression list' },
        steps: ['Only remove the address from the suppression list if the recipient asked you to write again.'],
      };
    case 'delivered':
      return { summary: 'Delivered: the receiving server confirmed it.', willRetry: 'Nothing to retry.', action: null, steps: [] };
    case 'config_error':
      return {
        summary: `The settings of ${your} look wrong: the server name, port, security mode (SSL/TLS or STARTTLS) or its certificate did not match what the server expects.`,
        willRetry: 'No: the message is held until the settings are fixed and tested.',
        action: { id: 'edit_account', label: 'Edit account settings' },
        steps: [
          'Check the server name and port: usually 587 with STARTTLS, or 465 with SSL/TLS.',
          'Test the connection, then the held messages are sent.',
        ],
      };
    case 'unknown':
    default:
      return {
        summary: "The message failed for a reason the app does not recognise. The server's own words are shown beside it.",
        willRetry: 'No: the message is held until you decide.',
        action: RESEND,
        steps: ["Read the server's words (and the raw bounce) for the reason.", 'Fix what it names, then resend.'],
      };
  }
}
