import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyReply, findCode, findEnhanced } from '../../../src/main/engine/classify/index';
import { CATEGORY_KIND } from '../../../src/shared/categories';
import type { ReplyEvidence } from '../../../src/shared/classification';

interface Fixture extends ReplyEvidence {
  id: string;
  category: string;
  accept?: string[];
}

const fixtures: Fixture[] = readFileSync(join(__dirname, '../../fixtures/provider-replies.public.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as Fixture);

/** Replies where our answer is only in `accept`, with the reason we prefer it. */
const KNOWN_ACCEPTED: Record<string, string> = {};

describe('classifyReply on the public provider replies', () => {
  it.each(fixtures.map((f) => [f.id, f] as const))('%s', (_id, f) => {
    const c = classifyReply(f);
    expect(c.kind).toBe(CATEGORY_KIND[c.category]);
    expect(c.words).toBe(f.text ?? '');
    expect([f.category, ...(f.accept ?? [])]).toContain(c.category);
  });

  it('gets at least 90 % exactly right (the rest accepted)', () => {
    const exact = fixtures.filter((f) => classifyReply(f).category === f.category).length;
    expect(exact / fixtures.length).toBeGreaterThanOrEqual(0.9);
    void KNOWN_ACCEPTED;
  });
});

describe('classifyReply: order of evidence', () => {
  it('Gmail 550 5.4.5 daily limit is a temporary sending limit, not permanent', () => {
    const c = classifyReply({ provider: 'gmail', stage: 'data', text: '550 5.4.5 Daily user sending limit exceeded.' });
    expect(c).toMatchObject({ category: 'sending_limit', kind: 'temporary', rule: 'gmail/daily-limit' });
  });
  it('5.2.2 at DATA in our own session is the sender\'s mailbox; in a bounce the recipient\'s', () => {
    expect(classifyReply({ provider: 'm365', stage: 'data', code: 554, enhanced: '5.2.2', text: '554 5.2.2 mailbox full' }).category).toBe('sender_quota_full');
    expect(classifyReply({ stage: 'after-data', code: 552, enhanced: '5.2.2', text: '552 5.2.2 mailbox full' }).category).toBe('recipient_mailbox_full');
  });
  it('text keywords beat a generic enhanced code', () => {
    expect(classifyReply({ stage: 'rcpt', code: 550, enhanced: '5.1.1', text: '550 5.1.1 <a@b.c> - 203.0.113.2 has sent to too many recipients this hour. IB607' }).category).toBe('sending_limit');
  });
  it('network, client and OAuth errors come first', () => {
    expect(classifyReply({ errorCode: 'ECONNREFUSED', text: 'connect ECONNREFUSED 1.2.3.4:587' })).toMatchObject({ category: 'provider_outage', rule: 'network/ECONNREFUSED' });
    expect(classifyReply({ errorCode: 'invalid_grant', text: 'Token has been expired or revoked.' }).category).toBe('auth_failed');
    expect(classifyReply({ errorCode: 'ETLS', text: 'wrong version number' }).category).toBe('config_error');
    expect(classifyReply({ errorCode: 'EMESSAGE', text: 'Message size larger than allowed 35882577' }).category).toBe('message_too_large');
  });
  it('falls back to the enhanced code, then the reply code, then unknown', () => {
    expect(classifyReply({ stage: 'after-data', enhanced: '5.1.2', text: 'xyzzy' }).rule).toBe('enhanced/5.1.2');
    expect(classifyReply({ stage: 'after-data', code: 421, text: 'xyzzy' }).rule).toBe('code/421');
    expect(classifyReply({ text: 'xyzzy' })).toMatchObject({ category: 'unknown', rule: 'unknown' });
    expect(classifyReply({})).toMatchObject({ category: 'unknown', words: '' });
  });
  it('reads codes out of text', () => {
    expect(findCode('550-5.7.26 The MAIL FROM domain')).toBe(550);
    expect(findEnhanced('550-5.7.26 The MAIL FROM domain')).toBe('5.7.26');
    expect(findEnhanced('from 192.0.2.225 said hi')).toBeNull();
  });
  it('never throws on odd input', () => {
    const odd = [null, undefined, 42, {}, [], 'x'.repeat(100_000)];
    for (const v of odd) {
      expect(() => classifyReply({ text: v as never, code: v as never, enhanced: v as never, stage: v as never, provider: v as never, errorCode: v as never })).not.toThrow();
    }
    expect(classifyReply(null as never).category).toBe('unknown');
  });
});
