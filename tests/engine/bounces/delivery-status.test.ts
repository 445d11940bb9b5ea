import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { firstAddress } from '../../../src/main/engine/bounces/parse/addresses';
import { parseDeliveryStatus, type Dsn } from '../../../src/main/engine/bounces/parse/delivery-status';
import { parseMime, partText } from '../../../src/main/engine/bounces/parse/mime';
import { normMessageId, normStatus, stripType } from '../../../src/main/engine/bounces/parse/values';
import { seededRandom } from '../../support/rng';

/**
 * The reader as it was first written, with split / replace over the whole part: the definition
 * the offset-based reader must keep to, line break for line break.
 */
function reference(text: string): Dsn {
  const out: Dsn = { reportingMta: null, recipients: [], originalMessageId: null };
  const blocks = text.split(/\r?\n[ \t]*\r?\n/, 120);
  type G = Dsn['recipients'][number] & { hasFinal: boolean; hasOrig: boolean; orig: string | null };
  const fresh = (): G => ({ address: '', action: null, status: null, remoteMta: null, diagnostic: null, hasFinal: false, hasOrig: false, orig: null });
  const push = (g: G) => {
    const address = g.address || g.orig;
    if (address && out.recipients.length < 100) out.recipients.push({ address, action: g.action, status: g.status, remoteMta: g.remoteMta, diagnostic: g.diagnostic });
  };
  for (const block of blocks) {
    const lines = block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/, 400);
    let g = fresh();
    for (const line of lines) {
      const c = line.indexOf(':');
      if (c <= 0 || c > 40) continue;
      const name = line.slice(0, c).trim().toLowerCase();
      const value = line.slice(c + 1).trim();
      if (name === 'reporting-mta') out.reportingMta ??= stripType(value);
      else if (name === 'original-message-id' || name === 'x-original-message-id') out.originalMessageId ??= normMessageId(value);
      else if (name === 'final-recipient') {
        if (g.hasFinal) {
          push(g);
          g = fresh();
        }
        g.hasFinal = true;
        g.address = firstAddress(stripType(value)) ?? '';
      } else if (name === 'original-recipient') {
        if (g.hasOrig) {
          push(g);
          g = fresh();
        }
        g.hasOrig = true;
        g.orig = firstAddress(stripType(value));
      } else if (name === 'action') g.action = value.toLowerCase().split(/[\s(;]/)[0] || null;
      else if (name === 'status') g.status = normStatus(value);
      else if (name === 'remote-mta') g.remoteMta = stripType(value);
      else if (name === 'diagnostic-code') g.diagnostic = stripType(value);
    }
    if (g.hasFinal || g.hasOrig) push(g);
  }
  return out;
}

const PIECES = [
  'Reporting-MTA: dns; mx.example.org', 'Final-Recipient: rfc822; a@example.com', 'Original-Recipient: rfc822;b@example.net', 'final-recipient:rfc822;c@x.io',
  'Action: failed', 'Action: Delayed (retry)', 'Status: 5.1.1', 'Status: 4.07.001', 'Remote-MTA: dns; mx.remote.example', 'Diagnostic-Code: smtp; 550 5.1.1 no such user',
  'Original-Message-ID: <id1@example.org>', 'X-Original-Message-ID: id2@example.org', 'Arrival-Date: Mon, 1 Jan 2024', 'Final-Recipient', ': no name', 'not a field',
  '', '', ' ', '\t', ' \t ', '  continued text', '\tmore: with colon', ' : x', '\r', '\r\r', 'x'.repeat(45) + ': long name',
];

describe('delivery-status reader', () => {
  it('reads every fixture delivery-status part exactly as the split-based reader did', () => {
    const dir = join(__dirname, '../../fixtures/bounces');
    let parts = 0;
    let recipients = 0;
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.eml'))) {
      for (const p of parseMime(readFileSync(join(dir, f))).parts) {
        if (p.type !== 'message/delivery-status' && p.type !== 'message/global-delivery-status') continue;
        const text = partText(p);
        parts++;
        const want = reference(text);
        recipients += want.recipients.length;
        expect(parseDeliveryStatus(text), f).toEqual(want);
      }
    }
    expect(parts).toBeGreaterThan(50);
    expect(recipients).toBeGreaterThan(50);
  });

  it('agrees with it on 30,000 random parts of fields, blank lines, folds and line breaks (seed 5)', () => {
    const next = seededRandom(5);
    const breaks = ['\n', '\r\n', '\n', '\r\n', '\r\r\n'];
    for (let i = 0; i < 30_000; i++) {
      let s = next() < 0.2 ? breaks[Math.floor(next() * breaks.length)] : '';
      const n = 1 + Math.floor(next() * 14);
      for (let k = 0; k < n; k++) {
        s += PIECES[Math.floor(next() * PIECES.length)];
        if (k < n - 1 || next() < 0.5) s += breaks[Math.floor(next() * breaks.length)];
      }
      const got = parseDeliveryStatus(s);
      const want = reference(s);
      if (JSON.stringify(got) !== JSON.stringify(want)) expect({ s, got }).toEqual({ s, got: want });
    }
  });

  it('keeps the limits: 100 recipients, 120 blocks, 400 lines a block', () => {
    const many = Array.from({ length: 130 }, (_, i) => `Final-Recipient: rfc822; r${i}@example.com\nStatus: 5.1.1`).join('\n\n');
    expect(parseDeliveryStatus(many)).toEqual(reference(many));
    expect(parseDeliveryStatus(many).recipients).toHaveLength(100);
    const blocks = Array.from({ length: 125 }, (_, i) => (i === 121 ? 'Reporting-MTA: dns; late.example' : 'X: y')).join('\n\n');
    expect(parseDeliveryStatus(blocks)).toEqual(reference(blocks));
    expect(parseDeliveryStatus(blocks).reportingMta).toBeNull();
    // two blank lines in a row end one block, not two
    const spaced = Array.from({ length: 125 }, (_, i) => (i === 70 ? 'Reporting-MTA: dns; mid.example' : 'X: y')).join('\n\n\n');
    expect(parseDeliveryStatus(spaced)).toEqual(reference(spaced));
    expect(parseDeliveryStatus(spaced).reportingMta).toBe('mid.example');
    const lines = 'Final-Recipient: rfc822; a@example.com\n' + 'X: y\n'.repeat(398) + 'Status: 5.1.1\nAction: failed\n';
    expect(parseDeliveryStatus(lines)).toEqual(reference(lines));
    expect(parseDeliveryStatus(lines).recipients[0]).toMatchObject({ status: '5.1.1', action: null });
  });
});
