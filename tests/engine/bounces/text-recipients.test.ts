import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recipientsFromText, wordsBeside } from '../../../src/main/engine/bounces/parse/text-recipients';
import { seededRandom } from '../../support/rng';

/** The measure as first written, with the strings built: the definition wordsBeside keeps to. */
function reference(line: string, a: string): number {
  const self = line.split(a).join(' ');
  return /[A-Za-z]{4}/.test(self) ? self.replace(/[<>()[\]"':,.\-=*\s]+/g, ' ').trim().length : 0;
}

const PIECES = ['a@b.io', 'A@B.IO', 'user', 'unknown', '550', ' ', '  ', '\t', '<', '>', ':', '...', '-', '=', '*', '"', "'", 'é', '\u00a0', '\u2028', '\u3000', 'ab', 'abcd', 'x@y', '(', ')', '[', ']', ';', '/'];

describe('words beside an address on a line', () => {
  it('measures every line with an address in the fixtures as the string-building version does', () => {
    const dir = join(__dirname, '../../fixtures/bounces');
    let checked = 0;
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.eml'))) {
      for (const line of readFileSync(join(dir, f), 'latin1').split('\n')) {
        const m = /[\w.+-]+@[\w.-]+/.exec(line);
        if (!m) continue;
        const lower = line.toLowerCase();
        const a = m[0].toLowerCase();
        expect(wordsBeside(lower, a), line).toBe(reference(lower, a));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(500);
  });

  it('agrees with it on 30,000 random lines (seed 3)', () => {
    const next = seededRandom(3);
    for (let i = 0; i < 30_000; i++) {
      let s = '';
      const n = Math.floor(next() * 16);
      for (let k = 0; k < n; k++) s += PIECES[Math.floor(next() * PIECES.length)];
      const a = next() < 0.8 ? 'a@b.io' : 'aa';
      if (wordsBeside(s, a) !== reference(s, a)) expect({ s, a, got: wordsBeside(s, a) }).toEqual({ s, a, got: reference(s, a) });
    }
  });

  it('takes the failed address and its diagnostic from a plain notice', () => {
    const text = 'This is the mail system.\n\n<kijitora@example.jp>: host mx.example.jp[192.0.2.1] said: 550 5.1.1\n    <kijitora@example.jp>: Recipient address rejected: User unknown\n\n';
    const r = recipientsFromText(text, new Set(), null);
    expect(r.map((x) => x.address)).toEqual(['kijitora@example.jp']);
    expect(r[0].window).toContain('User unknown');
  });
});

describe('lines that name messages', () => {
  it('give no recipient, and still end the window of the address above them', () => {
    const text = [
      'kijitora@example.co.jp Invalid Address, ERROR_CODE :550 User Unknown',
      '',
      'Received:from mail.example.com by mx.example.com',
      'Message-ID:<14a3e1b4b5a.10b1.85883@zoho.example.com>',
      'In-Reply-To: <abc.def@mail.example.org>',
      '> References: <x1@a.example> <x2@b.example>',
      'X-Original-Message-ID: <q@r.example>',
      'To:<kijitora@example.co.jp>',
    ].join('\n');
    const r = recipientsFromText(text, new Set(), null);
    expect(r.map((x) => x.address)).toEqual(['kijitora@example.co.jp']);
    expect(r[0].window).not.toContain('Message-ID');
  });
});
