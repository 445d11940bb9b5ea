import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADDR_RE, addrEnd, addrStart, allAddresses, firstAddress, nextAddress } from '../../../src/main/engine/bounces/parse/addresses';
import { seededRandom } from '../../support/rng';

/** Every match of the pattern itself, as [start, end] pairs. */
function byPattern(s: string): [number, number][] {
  const re = new RegExp(ADDR_RE.source, 'g');
  const out: [number, number][] = [];
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) out.push([m.index, m.index + m[0].length]);
  return out;
}

function byScanner(s: string): [number, number][] {
  const out: [number, number][] = [];
  let from = 0;
  while (nextAddress(s, from)) {
    out.push([addrStart, addrEnd]);
    from = addrEnd;
  }
  return out;
}

const PIECES = ['a', 'Z', '9', '.', '-', '_', '+', '=', '/', '@', '@', ' ', '\n', '<', '>', '"', 'é', '\u2028', 'example', 'com', 'co.uk', 'x'.repeat(70), 'mail.', '..', '@-', '-.'];

describe('address scanner', () => {
  it('finds the same addresses at the same offsets as the pattern, in every fixture', () => {
    const dir = join(__dirname, '../../fixtures/bounces');
    let total = 0;
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.eml'))) {
      const text = readFileSync(join(dir, f), 'latin1');
      const want = byPattern(text);
      total += want.length;
      expect(byScanner(text), f).toEqual(want);
    }
    expect(total).toBeGreaterThan(1000);
  });

  it('agrees with the pattern on 20,000 random strings of address pieces (seed 7)', () => {
    const next = seededRandom(7);
    for (let i = 0; i < 20_000; i++) {
      let s = '';
      const n = 1 + Math.floor(next() * 30);
      for (let k = 0; k < n; k++) s += PIECES[Math.floor(next() * PIECES.length)];
      const want = byPattern(s);
      const got = byScanner(s);
      if (JSON.stringify(got) !== JSON.stringify(want)) expect({ s, got }).toEqual({ s, got: want });
    }
  });

  it('respects the start offset, the 64-character local part and the caps of the helpers', () => {
    const long = 'a'.repeat(80) + '@example.com';
    expect(byScanner(long)).toEqual(byPattern(long));
    expect(firstAddress(long)).toBe('a'.repeat(64) + '@example.com');
    const s = 'x@a.io y@b.io';
    expect(nextAddress(s, 1)).toBe(true);
    expect(s.slice(addrStart, addrEnd)).toBe('y@b.io');
    expect(allAddresses('a@b.io, c@d.io, e@f.io', 2)).toEqual(['a@b.io', 'c@d.io']);
    expect(allAddresses(' '.repeat(8000) + 'late@x.io')).toEqual([]);
    expect(firstAddress('no address here')).toBeNull();
  });
});
