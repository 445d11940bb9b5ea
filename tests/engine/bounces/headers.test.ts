import { describe, expect, it } from 'vitest';
import { parseHeaders, REPORT_HEADERS } from '../../../src/main/engine/bounces/parse/mime';
import { seededRandom } from '../../support/rng';

/** What the reader must return: every header, named by trim + toLowerCase, then filtered. */
function reference(block: string, wanted: ReadonlySet<string>): Map<string, string[]> {
  const all = parseHeaders(block, 0, block.length);
  const out = new Map<string, string[]>();
  for (const [k, v] of all) if (wanted.has(k)) out.set(k, v);
  return out;
}

describe('header reader with a list of wanted names', () => {
  it('finds wanted names in any case and spacing, and only those', () => {
    const block = [
      'Received: from a by b',
      '\tfor <x@y.z>; Mon, 1 Jan 2024 00:00:00 +0000',
      'SUBJECT: Undelivered Mail',
      'from : MAILER-DAEMON@example.org',
      'Message-Id : <1@example.org>',
      'X-Failed-Recipients: a@example.net,',
      ' b@example.net',
      'Content-Type: multipart/report; report-type=delivery-status;',
      'boundary="b1"',
      'X-Unknown-Header: ignored',
      'To\u00a0: someone@example.com',
      'Subjecu: same length and ends as nothing wanted',
      'Date: Mon, 1 Jan 2024 00:00:00 +0000',
      '',
    ].join('\r\n');
    const h = parseHeaders(block, 0, block.length, REPORT_HEADERS);
    expect(h).toEqual(reference(block, REPORT_HEADERS));
    expect(h.get('subject')).toEqual(['Undelivered Mail']);
    expect(h.get('from')).toEqual(['MAILER-DAEMON@example.org']);
    expect(h.get('message-id')).toEqual(['<1@example.org>']);
    expect(h.get('x-failed-recipients')).toEqual(['a@example.net, b@example.net']);
    expect(h.get('content-type')).toEqual(['multipart/report; report-type=delivery-status; boundary="b1"']);
    expect(h.get('to')).toEqual(['someone@example.com']);
    expect(h.has('received')).toBe(false);
    expect(h.has('x-unknown-header')).toBe(false);
    expect(h.has('subjecu')).toBe(false);
  });

  it('reads names with non-ASCII letters the way toLowerCase does', () => {
    // U+0130 lower-cases to two characters, KELVIN SIGN to "k": neither may pass for a wanted name
    const block = 'Date\u0130: x\nFro\u212a: y\nRepl\u00dd-To: z\nTo: t@example.com\n';
    const h = parseHeaders(block, 0, block.length, REPORT_HEADERS);
    expect(h).toEqual(reference(block, REPORT_HEADERS));
    expect([...h.keys()]).toEqual(['to']);
    // KELVIN SIGN inside a name does lower-case to a wanted name's k
    const wanted = new Set(['x-kelvin-test', 'to']);
    const k = 'X-\u212aelvin-Test: found\nX-Kelvin-Test: again\nX-\u212aelvin-Tes\u0130: no\n';
    const hk = parseHeaders(k, 0, k.length, wanted);
    expect(hk).toEqual(reference(k, wanted));
    expect(hk.get('x-kelvin-test')).toEqual(['found', 'again']);
    // at the end of a name, and at the start (a name starting with k turns the table off)
    for (const [wantedName, line] of [['x-check', 'X-Chec\u212a: v\n'], ['keywords', '\u212aeywords: v\n']]) {
      const set = new Set([wantedName]);
      expect(parseHeaders(line, 0, line.length, set)).toEqual(reference(line, set));
      expect(parseHeaders(line, 0, line.length, set).get(wantedName)).toEqual(['v']);
    }
  });

  it('agrees with the unfiltered reader on random blocks of header-like lines (seed 11)', () => {
    const next = seededRandom(11);
    const names = ['From', 'TO', 'cc', 'Subject', 'subjecT', 'Message-ID', 'X-Mailer', 'Received', 'DKIM-Signature', 'Content-Type', ' Date', 'Date ', 'X-Autoreply', 'x-autorespond', 'Sender', 'Senders', 'Reply-To', 'Return-Path', 'Auto-Submitted', 'Precedence', 'K', 'X-Vacation', 'X-Original-To'];
    for (let i = 0; i < 2000; i++) {
      const lines: string[] = [];
      const n = 1 + Math.floor(next() * 12);
      for (let k = 0; k < n; k++) {
        const r = next();
        if (r < 0.15) lines.push(' continued ' + k);
        else if (r < 0.2) lines.push('not a header line');
        else lines.push(`${names[Math.floor(next() * names.length)]}: value ${k};`);
      }
      const block = lines.join(next() < 0.5 ? '\n' : '\r\n') + '\n';
      expect(parseHeaders(block, 0, block.length, REPORT_HEADERS)).toEqual(reference(block, REPORT_HEADERS));
    }
  });
});

describe('content type', () => {
  it('keeps the first charset and boundary, quoted or not, escapes undone', async () => {
    const { parseContentType } = await import('../../../src/main/engine/bounces/parse/mime');
    expect(parseContentType('Multipart/Report; report-type=delivery-status;\tboundary="a;b=c"; boundary=second')).toEqual({
      type: 'multipart/report',
      params: { charset: undefined, boundary: 'a;b=c' },
    });
    expect(parseContentType('text/plain; CHARSET = "iso\\"-8859-1"; charset=utf-8')).toEqual({ type: 'text/plain', params: { charset: 'iso"-8859-1', boundary: undefined } });
    expect(parseContentType('text/plain; charset=""; charset=utf-8').params.charset).toBe('');
    expect(parseContentType('text/plain; constructor=x; toString=y; charset=us-ascii').params).toEqual({ charset: 'us-ascii', boundary: undefined });
    expect(parseContentType('garbage').type).toBe('text/plain');
    expect(parseContentType(null)).toEqual({ type: 'text/plain', params: { charset: undefined, boundary: undefined } });
  });
});
