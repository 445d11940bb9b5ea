import { describe, expect, it } from 'vitest';
import { categoryForEnhanced } from '../../../src/main/engine/classify/enhanced';
import { CATEGORY_KIND } from '../../../src/shared/categories';
import type { SmtpStage } from '../../../src/shared/classification';

/**
 * Every subject.detail defined by RFC 3463 and the IANA "Enumerated Status Codes" registry
 * (RFC 3886, 4468, 4954, 5248, 6531, 6710, 7293, 7372, 7504, 7505, 8689).
 */
const DEFINED: Record<string, number> = { '1': 10, '2': 4, '3': 6, '4': 7, '5': 6, '6': 10, '7': 30 };
const ALL = Object.entries(DEFINED).flatMap(([s, max]) => Array.from({ length: max + 1 }, (_, d) => `${s}.${d}`));

describe('RFC 3463 enhanced codes', () => {
  it('every defined failure code has a category, in a bounce and in the own session', () => {
    for (const sd of ALL) {
      for (const stage of ['after-data', 'rcpt', 'data', null] as (SmtpStage | null)[]) {
        expect(categoryForEnhanced(`5.${sd}`, stage), `5.${sd} at ${stage}`).not.toBeNull();
        expect(categoryForEnhanced(`4.${sd}`, stage), `4.${sd} at ${stage}`).not.toBeNull();
      }
    }
  });

  it('a 4.X.X code never reads as a permanent failure (the class decides the kind)', () => {
    for (const sd of ALL) {
      for (const stage of ['after-data', 'rcpt', 'mail', null] as (SmtpStage | null)[]) {
        const c = categoryForEnhanced(`4.${sd}`, stage)!;
        expect(CATEGORY_KIND[c], `4.${sd} at ${stage} → ${c}`).not.toBe('permanent');
      }
    }
  });

  it('2.X.X is a success', () => {
    for (const sd of ['0.0', '1.5', '6.0']) expect(categoryForEnhanced(`2.${sd}`, 'after-data')).toBe('delivered');
  });

  it('a vendor detail is read as its subject', () => {
    expect(categoryForEnhanced('5.6.211', 'after-data')).toBe('rejected_content');
    expect(categoryForEnhanced('5.7.750', 'after-data')).toBe('rejected_policy');
    expect(categoryForEnhanced('4.4.316', 'after-data')).toBe('remote_temporary');
    expect(categoryForEnhanced('5.9.1', 'after-data')).toBeNull();
  });

  const SPOT: [string, SmtpStage | null, string][] = [
    ['5.1.1', 'after-data', 'recipient_unknown'],
    ['5.1.2', 'after-data', 'recipient_domain'],
    ['5.1.10', 'after-data', 'recipient_unknown'], // Microsoft RecipientNotFound; a null MX says so in words
    ['5.1.8', 'mail', 'send_as_denied'],
    ['5.2.1', 'after-data', 'recipient_suspended'],
    ['5.2.2', 'after-data', 'recipient_mailbox_full'],
    ['5.2.2', 'data', 'sender_quota_full'],
    ['4.2.2', 'after-data', 'recipient_mailbox_full'],
    ['5.2.3', 'after-data', 'message_too_large'],
    ['5.3.4', 'data', 'message_too_large'],
    ['5.4.4', 'after-data', 'recipient_domain'],
    ['4.4.4', 'after-data', 'remote_temporary'],
    ['5.4.7', 'after-data', 'delivery_expired'],
    ['4.5.3', 'rcpt', 'throttled'],
    ['5.5.2', 'mail', 'config_error'],
    ['5.6.0', 'after-data', 'rejected_content'],
    ['5.7.1', 'after-data', 'rejected_policy'],
    ['4.7.1', 'after-data', 'remote_temporary'],
    ['5.7.8', 'auth', 'auth_failed'],
    ['5.7.9', 'auth', 'auth_failed'],
    ['5.7.10', 'mail', 'config_error'],
    ['5.7.13', 'mail', 'account_suspended'],
    ['5.7.13', 'after-data', 'recipient_suspended'],
    ['4.7.13', 'after-data', 'remote_temporary'],
    ['5.7.17', 'after-data', 'recipient_unknown'],
    ['5.7.20', 'after-data', 'rejected_policy'],
    ['5.7.23', 'after-data', 'rejected_policy'],
    ['5.7.25', 'after-data', 'rejected_policy'],
    ['5.7.26', 'after-data', 'rejected_policy'],
    ['5.7.30', 'mail', 'config_error'],
    ['4.1.1', 'after-data', 'remote_temporary'],
    ['4.1.1', 'rcpt', 'provider_outage'],
  ];
  it.each(SPOT)('%s at %s → %s', (code, stage, category) => {
    expect(categoryForEnhanced(code, stage)).toBe(category);
  });
});
