/**
 * The failure taxonomy (see PRODUCT.md). `kind` decides what the app does by itself:
 * - temporary: retried on a timer
 * - fix: held until the user fixes the cause
 * - permanent: never resent on its own
 * - none: not a failure at all (auto-replies, complaints, success DSNs)
 */
export const CATEGORY_KIND = {
  sending_limit: 'temporary',
  provider_outage: 'temporary',
  throttled: 'temporary',
  auth_failed: 'fix',
  send_as_denied: 'fix',
  account_suspended: 'fix',
  sender_quota_full: 'fix',
  message_too_large: 'fix',
  recipient_unknown: 'permanent',
  recipient_domain: 'permanent',
  recipient_mailbox_full: 'temporary',
  recipient_suspended: 'permanent',
  rejected_content: 'fix',
  rejected_policy: 'fix',
  remote_temporary: 'temporary',
  delivery_expired: 'temporary',
  auto_reply: 'none',
  complaint: 'none',
  delivered: 'none',
  config_error: 'fix',
  unknown: 'fix',
} as const satisfies Record<string, Kind>;

export type Kind = 'temporary' | 'fix' | 'permanent' | 'none';
export type Category = keyof typeof CATEGORY_KIND;

export const CATEGORIES = Object.keys(CATEGORY_KIND) as Category[];
export const KINDS: readonly Kind[] = ['temporary', 'fix', 'permanent', 'none'];

export function kindOf(category: Category): Kind {
  return CATEGORY_KIND[category];
}

export function isCategory(value: unknown): value is Category {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(CATEGORY_KIND, value);
}

/** Categories about the recipient rather than the sending account: they go on the suppression list. */
export const SUPPRESSING_CATEGORIES: readonly Category[] = [
  'recipient_unknown',
  'recipient_domain',
  'recipient_suspended',
  'complaint',
];

/** Human labels, short enough for a column. */
export const CATEGORY_LABEL: Record<Category, string> = {
  sending_limit: 'Sending limit reached',
  provider_outage: 'Provider unavailable',
  throttled: 'Sending too fast',
  auth_failed: 'Sign-in rejected',
  send_as_denied: 'Not allowed to send as this address',
  account_suspended: 'Account suspended',
  sender_quota_full: 'Your mailbox is full',
  message_too_large: 'Message too large',
  recipient_unknown: 'Address does not exist',
  recipient_domain: 'Domain does not accept mail',
  recipient_mailbox_full: "Recipient's mailbox full",
  recipient_suspended: "Recipient's account disabled",
  rejected_content: 'Rejected as spam or bad content',
  rejected_policy: 'Blocked by policy',
  remote_temporary: "Recipient's server had a problem",
  delivery_expired: 'Gave up after retrying',
  auto_reply: 'Automatic reply',
  complaint: 'Marked as spam by recipient',
  delivered: 'Delivered',
  config_error: 'Account settings wrong',
  unknown: 'Unrecognised failure',
};
