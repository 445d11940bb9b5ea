import { describe, expect, it } from 'vitest';
import { parseReport } from '../../../src/main/engine/bounces/parse/index';
import { classifyReply } from '../../../src/main/engine/classify/index';

/** Hostile and broken input: each gets an answer in bounded time and memory, never an exception. */
const LIMIT_MS = 1500;

function timed<T>(f: () => T): { value: T; ms: number } {
  const t0 = performance.now();
  const value = f();
  return { value, ms: performance.now() - t0 };
}

const dsnHead = (boundary: string) =>
  `From: MAILER-DAEMON@mx.example.org\nTo: me@example.com\nSubject: Undelivered Mail Returned to Sender\nContent-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"\n\n`;
const dsnBody = 'Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; gone@example.net\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 user unknown\n';

describe('pathological input', () => {
  it('truncated MIME in the middle of the delivery status', () => {
    const raw = dsnHead('b') + '--b\n' + dsnBody.slice(0, 120);
    const { value, ms } = timed(() => parseReport(raw));
    expect(ms).toBeLessThan(LIMIT_MS);
    expect(value.type).toBe('bounce');
  });

  it('unknown and wrong charsets, 8-bit garbage in headers', () => {
    const garbage = Buffer.alloc(4000);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 37 + 11) & 0xff;
    const raw = Buffer.concat([
      Buffer.from('From: =?x-klingon?Q?=FF=FE?= <MAILER-DAEMON@x.org>\nSubject: =?utf-8?B?////?= '),
      garbage.subarray(0, 500),
      Buffer.from('\nContent-Type: text/plain; charset="x-does-not-exist"\nContent-Transfer-Encoding: quoted-printable\n\nThe following address failed:\n  a@b.org\n  550 5.1.1 no such user=\n=ZZ=FF'),
      garbage,
    ]);
    const { value, ms } = timed(() => parseReport(raw));
    expect(ms).toBeLessThan(LIMIT_MS);
    expect(value.type).toBe('bounce');
  });

  it('multipart nested 1,000 deep', () => {
    let raw = 'From: MAILER-DAEMON@x.org\nSubject: Returned mail\n';
    for (let i = 0; i < 1000; i++) raw += `Content-Type: multipart/mixed; boundary="b${i}"\n\n--b${i}\n`;
    raw += 'Content-Type: text/plain\n\n<gone@example.net>: 550 5.1.1 no such user\n';
    for (let i = 999; i >= 0; i--) raw += `\n--b${i}--\n`;
    const { ms } = timed(() => parseReport(raw));
    expect(ms).toBeLessThan(LIMIT_MS);
  });

  it('a 50 MB attachment after the report', () => {
    const big = Buffer.alloc(50 * 1024 * 1024, 'QUFBQUFB\n');
    const raw = Buffer.concat([
      Buffer.from(dsnHead('b') + '--b\n' + dsnBody + '\n--b\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n'),
      big,
      Buffer.from('\n--b--\n'),
    ]);
    const before = process.memoryUsage().heapUsed;
    const { value, ms } = timed(() => parseReport(raw));
    const grown = process.memoryUsage().heapUsed - before;
    expect(ms).toBeLessThan(LIMIT_MS);
    expect(grown).toBeLessThan(40 * 1024 * 1024);
    expect(value.recipients[0]).toMatchObject({ address: 'gone@example.net', category: 'recipient_unknown' });
  });

  it('a 1 MB header line', () => {
    const raw = `From: MAILER-DAEMON@x.org\nSubject: ${'A'.repeat(1024 * 1024)}\nX-Long: ${'<a@b.c> '.repeat(100_000)}\n\nhello\n`;
    const { ms } = timed(() => parseReport(raw));
    expect(ms).toBeLessThan(LIMIT_MS);
  });

  it('text written to make regular expressions backtrack', () => {
    const evil = [
      'a'.repeat(100_000) + '@',
      ('a.' as string).repeat(50_000) + '!',
      '<'.repeat(50_000) + 'x@y' + '>'.repeat(50_000),
      'user unknown '.repeat(20_000),
      ' '.repeat(100_000) + 'x',
      '550-'.repeat(30_000),
      '5.1.1.'.repeat(30_000),
      'Content-Type: a/b; ' + 'x='.repeat(50_000),
      '=?utf-8?q?' + '='.repeat(100_000),
      'connect to ' + 'a'.repeat(100_000),
      '@'.repeat(100_000),
      ('x@' + 'a-'.repeat(30) + '.').repeat(5000),
    ];
    for (const e of evil) {
      const c = timed(() => classifyReply({ stage: 'after-data', text: e }));
      expect(c.ms, `classify ${e.slice(0, 20)}`).toBeLessThan(LIMIT_MS);
      const p = timed(() => parseReport(`From: MAILER-DAEMON@x.org\nSubject: Undelivered ${e.slice(0, 5000)}\nX-Failed-Recipients: ${e.slice(0, 5000)}\nContent-Type: text/plain\n\n${e}\n`));
      expect(p.ms, `parse ${e.slice(0, 20)}`).toBeLessThan(LIMIT_MS);
    }
  });

  it('empty and absurd inputs', () => {
    for (const raw of ['', '\n', '\r\n\r\n', Buffer.alloc(0), Buffer.alloc(10_000), 'From ', ':::::', null, undefined, 42]) {
      const r = parseReport(raw as never);
      expect(r.type).toBe('not_bounce');
      expect(r.recipients).toEqual([]);
    }
  });
});
