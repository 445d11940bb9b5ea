import { describe, expect, it } from 'vitest';
import { decodeTransfer } from '../../../src/main/engine/bounces/parse/mime';
import { seededRandom } from '../../support/rng';

/** Quoted-printable as first written, with two replaces: the definition the decoder keeps to. */
function reference(s: string): string {
  if (s.indexOf('=') === -1) return s;
  return s.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

describe('quoted-printable', () => {
  it('decodes escapes and soft line breaks', () => {
    expect(decodeTransfer('caf=C3=A9 =\r\nna=\nive=3d=3D', 'quoted-printable')).toBe('caf\u00c3\u00a9 naive==');
    // a soft break can join an "=" to the two hex digits after it
    expect(decodeTransfer('==\nAB', 'quoted-printable')).toBe('\u00ab');
    expect(decodeTransfer('end=', 'quoted-printable')).toBe('end=');
    expect(decodeTransfer('=4', 'quoted-printable')).toBe('=4');
  });

  it('agrees with the replace-based decoder on 30,000 random strings (seed 9)', () => {
    const next = seededRandom(9);
    const pieces = ['=', '=', '3D', 'A', 'f', 'G', '0', '\n', '\r\n', '\r', ' ', 'text', '=2', '==', 'é'];
    for (let i = 0; i < 30_000; i++) {
      let s = '';
      const n = Math.floor(next() * 12);
      for (let k = 0; k < n; k++) s += pieces[Math.floor(next() * pieces.length)];
      const got = decodeTransfer(s, 'quoted-printable');
      if (got !== reference(s)) expect({ s, got }).toEqual({ s, got: reference(s) });
    }
  });
});

describe('plain ASCII parts', () => {
  it('are marked only when every byte of the message is below 0x80 and not ESC', async () => {
    const { parseMime } = await import('../../../src/main/engine/bounces/parse/mime');
    const msg = (body: string) => Buffer.from(`From: a@example.com\r\nContent-Type: text/plain\r\n\r\n${body}\r\n`, 'utf8');
    expect(parseMime(msg('plain words')).parts.every((p) => p.ascii)).toBe(true);
    expect(parseMime(msg('caf\u00e9')).parts.some((p) => p.ascii)).toBe(false);
    expect(parseMime(msg('\u001b$B$3$N\u001b(B')).parts.some((p) => p.ascii)).toBe(false);
    expect(parseMime(msg('plain words').toString('latin1')).parts.some((p) => p.ascii)).toBe(false);
  });

  it('give the same text as the charset route, for every part of every fixture', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { bytesToString, parseMime, partText } = await import('../../../src/main/engine/bounces/parse/mime');
    const dir = join(__dirname, '../../fixtures/bounces');
    let plain = 0;
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.eml'))) {
      for (const p of parseMime(readFileSync(join(dir, f))).parts) {
        const viaCharset = partText({ ...p, ascii: false });
        expect(partText(p), f).toBe(viaCharset);
        if (p.ascii) {
          plain++;
          expect(bytesToString(p.body, p.params.charset)).toBe(p.body);
        }
      }
    }
    expect(plain).toBeGreaterThan(300);
  });
});
