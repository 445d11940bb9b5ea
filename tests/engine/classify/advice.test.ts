import { describe, expect, it } from 'vitest';
import { adviceFor } from '../../../src/shared/advice';
import { CATEGORIES, CATEGORY_KIND } from '../../../src/shared/categories';

describe('adviceFor', () => {
  it('has advice for every category', () => {
    for (const c of CATEGORIES) {
      const a = adviceFor(c);
      expect(a.summary.length, c).toBeGreaterThan(10);
      expect(a.willRetry.length, c).toBeGreaterThan(1);
      if (CATEGORY_KIND[c] === 'fix') expect(a.action, c).not.toBeNull();
    }
  });
  it('names the concrete fix', () => {
    expect(adviceFor('auth_failed', { provider: 'gmail' }).action?.id).toBe('reconnect');
    expect(adviceFor('send_as_denied', { provider: 'm365' }).steps.join(' ')).toMatch(/Send As/);
    const big = adviceFor('message_too_large', { provider: 'gmail', limitBytes: 25 * 1024 * 1024, sizeBytes: 31 * 1024 * 1024 });
    expect(big.action?.id).toBe('resend_without_attachments');
    expect(big.summary).toContain('25 MB');
    expect(big.summary).toContain('31 MB');
    expect(adviceFor('config_error').action?.id).toBe('edit_account');
  });
  it('says when the app retries', () => {
    const at = Date.now() + 30 * 60_000;
    expect(adviceFor('sending_limit', { nextAttemptAt: at }).willRetry).toMatch(/in about 30 minutes/);
    expect(adviceFor('recipient_unknown').willRetry).toMatch(/^No/);
  });
});
