import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSpaceCode, WordScanner } from '../../../src/main/engine/classify/scan';
import { requiredWords, scanWords } from '../../../src/main/engine/classify/literals';
import { WORDING_RULES } from '../../../src/main/engine/classify/wording';
import { parseReport } from '../../../src/main/engine/bounces/parse/index';
import { ruleWordsSource } from './rule-words-source';
import { PROVIDER_TABLES } from '../../../src/main/engine/classify/index';
import { seededRandom } from '../../support/rng';

/**
 * The one-pass word scan and the required-word analysis that lets it stand in for regular
 * expressions: both are checked against brute force, so a wrong shortcut shows up as a failure
 * here rather than as a reply classified differently.
 */

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

describe('isSpaceCode', () => {
  it('is /\\s/ for every UTF-16 code unit', () => {
    for (let c = 0; c < 0x10000; c++) {
      if (isSpaceCode(c) !== /\s/.test(String.fromCharCode(c))) expect.fail(`code unit ${c.toString(16)}`);
    }
  });
});

describe('WordScanner', () => {
  const folded = (t: string) => t.replace(/\s+/g, ' ');

  /** Masks by brute force: every word that occurs in the folded text. */
  function naive(words: Map<string, [number, number, number]>, text: string): [number, number, number, boolean] {
    let a = 0;
    let b = 0;
    let c = 0;
    for (const [w, [ma, mb, mc]] of words) {
      if (folded(text).includes(w)) {
        a |= ma;
        b |= mb;
        c |= mc;
      }
    }
    return [a, b, c, /[^\S ]| {2}/.test(text)];
  }

  it('finds the same words as a search for each word, on random words and texts', () => {
    const r = seededRandom(7);
    const alphabet = ['a', 'b', 'c', ' ', 'é', '/'];
    const textAlphabet = [...alphabet, '\t', '\n', '\u00a0', '  ', 'x', '\u2028'];
    for (let round = 0; round < 300; round++) {
      const words = new Map<string, [number, number, number]>();
      const n = 1 + Math.floor(r() * 12);
      for (let i = 0; i < n; i++) {
        let w = '';
        const len = 1 + Math.floor(r() * 5);
        for (let k = 0; k < len; k++) w += pick(r, alphabet);
        if (/ {2}/.test(w)) continue;
        words.set(w, [1 << Math.floor(r() * 32), r() < 0.5 ? 0 : 1 << Math.floor(r() * 32), r() < 0.7 ? 0 : 1 << Math.floor(r() * 32)]);
      }
      if (words.size === 0) continue;
      const scanner = new WordScanner(words);
      for (let t = 0; t < 40; t++) {
        let text = '';
        const len = Math.floor(r() * 30);
        for (let k = 0; k < len; k++) text += pick(r, textAlphabet);
        const got = scanner.scan(text);
        expect([got.a, got.b, got.c, got.unfolded], `${JSON.stringify([...words.keys()])} in ${JSON.stringify(text)}`).toEqual(naive(words, text));
      }
    }
  });

  it('refuses words that a folded text could never contain', () => {
    expect(() => new WordScanner(new Map([['a  b', [1, 0, 0]]]))).toThrow();
    expect(() => new WordScanner(new Map([['a\tb', [1, 0, 0]]]))).toThrow();
  });
});

describe('requiredWords', () => {
  it('names the literal words of simple patterns', () => {
    expect(requiredWords(/\bgsmtp\b|google\.com/)).toEqual(['gsmtp', 'google.com']);
    expect(requiredWords(/\[(ts|bl)\d{2}\]/)).toEqual([...'0123456789'].map((d) => `[ts${d}`).concat([...'0123456789'].map((d) => `[bl${d}`)));
    expect(requiredWords(/\bib\d{2}\b/)).toEqual([...'0123456789'].map((d) => `ib${d}`)); // 100 words would be too many
    expect(requiredWords(/(?<!x)abc(?=d)/)).toEqual(['abc']);
    expect(requiredWords(/zoho(mail)?\.(com|eu)/)).toEqual(['zoho.com', 'zoho.eu', 'zohomail.com', 'zohomail.eu']);
  });

  it('gives no words where a match can avoid every literal', () => {
    expect(requiredWords(/a|\s+/)).toBeNull();
    expect(requiredWords(/a|\d+/)).toEqual(['a', ...'0123456789']);
    expect(requiredWords(/(abc)?/)).toBeNull();
    expect(requiredWords(/abc/i)).toBeNull(); // flags change what the source means
    expect(requiredWords(/\u0041bc/)).toBeNull(); // escapes beyond the analysis
    expect(requiredWords(/[^a]/)).toBeNull();
  });

  /** A random pattern over the letters a, b and the space, with the syntax our tables use. */
  function randomPattern(r: () => number, depth: number): string {
    const atoms = ['a', 'b', ' ', 'ab', '\\b', '\\.', '.', '[ab]', '[^a]', '\\d', '\\s', '[a-c]', '(?=a)', '(?<!b)'];
    const parts: string[] = [];
    const n = 1 + Math.floor(r() * 4);
    for (let i = 0; i < n; i++) {
      let atom = depth > 0 && r() < 0.3 ? `(${r() < 0.5 ? '?:' : ''}${randomPattern(r, depth - 1)})` : pick(r, atoms);
      if (!atom.startsWith('(?=') && !atom.startsWith('(?<') && atom !== '\\b' && r() < 0.3) atom += pick(r, ['?', '*', '+', '{2}', '{1,2}', '{0,3}']);
      parts.push(atom);
    }
    const seq = parts.join('');
    return depth > 0 && r() < 0.4 ? `${seq}|${randomPattern(r, depth - 1)}` : seq;
  }

  it('is sound: every match of a random pattern, on every short text, contains one of its words', () => {
    const r = seededRandom(11);
    const alphabet = ['a', 'b', ' ', '.', '1'];
    const texts: string[] = [''];
    for (let len = 1, from = 0; len <= 5; len++) {
      const to = texts.length;
      for (let i = from; i < to; i++) for (const c of alphabet) texts.push(texts[i] + c);
      from = to;
    }
    let proved = 0;
    for (let round = 0; round < 400; round++) {
      const src = randomPattern(r, 2);
      const re = new RegExp(src, 'g');
      const words = requiredWords(new RegExp(src));
      if (!words) continue;
      proved++;
      for (const t of texts) {
        re.lastIndex = 0;
        // every match (at every start) must contain a word: check each match, not only the first
        for (let at = 0; at <= t.length; at++) {
          re.lastIndex = at;
          const m = re.exec(t);
          if (m && !words.some((w) => m[0].includes(w))) expect.fail(`/${src}/ matched "${m[0]}" in "${t}" without any of ${JSON.stringify(words)}`);
        }
      }
    }
    expect(proved).toBeGreaterThan(100);
  });
});

describe('provider signatures and their words', () => {
  const texts = readFileSync(join(__dirname, '../../fixtures/provider-replies.public.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => String((JSON.parse(l) as { text: unknown }).text ?? '').toLowerCase());

  it('every signature gives words (else its table is tested on every text)', () => {
    for (const t of PROVIDER_TABLES) if (t.signature) expect(requiredWords(t.signature), t.ids[0]).not.toBeNull();
  });

  it('every signature match in the reply fixtures contains one of its words', () => {
    let matched = 0;
    for (const t of PROVIDER_TABLES) {
      if (!t.signature) continue;
      const words = requiredWords(t.signature)!;
      for (const text of texts) {
        const m = t.signature.exec(text);
        if (!m) continue;
        matched++;
        expect(words.some((w) => m[0].includes(w)), `${t.ids[0]}: "${m[0]}"`).toBe(true);
      }
    }
    expect(matched).toBeGreaterThan(20);
  });
});

describe('scanWords', () => {
  it('cuts words, keeps the shortest of nested ones, drops what a folded text cannot hold', () => {
    expect(scanWords(/mailbox is full|mailbox full/, 8)).toEqual(['mailbox ']);
    expect(scanWords(/abc|xabcx|a {2}b/, 16)).toEqual(['abc']);
    expect(scanWords(/a\tb/, 16)).toBeNull();
  });
});

describe('wording rules and their scan words', () => {
  const fixtures = join(__dirname, '../../fixtures');
  const texts = readFileSync(join(fixtures, 'provider-replies.public.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => String((JSON.parse(l) as { text: unknown }).text ?? ''));
  for (const f of readdirSync(join(fixtures, 'bounces')).filter((n) => n.endsWith('.eml'))) {
    const raw = readFileSync(join(fixtures, 'bounces', f));
    for (const x of parseReport(raw).recipients) texts.push(x.diagnostic ?? '', x.words);
    texts.push(raw.toString('latin1').slice(0, 4000));
  }
  const lowered = texts.map((t) => t.toLowerCase().replace(/\s+/g, ' ').slice(0, 2048));

  it('every rule pattern gives scan words (else it runs whenever its gate opens)', () => {
    for (const r of WORDING_RULES) expect(scanWords(r.re, 16), r.id).not.toBeNull();
  });

  it('every text a rule matches in the fixtures contains one of its scan words', () => {
    let matched = 0;
    for (const r of WORDING_RULES) {
      const words = scanWords(r.re, 16)!;
      for (const lower of lowered) {
        if (!r.re.test(lower)) continue;
        matched++;
        expect(words.some((w) => lower.includes(w)), `${r.id} on "${lower.slice(0, 200)}"`).toBe(true);
      }
    }
    expect(matched).toBeGreaterThan(500);
  });
});

describe('rule-words.ts', () => {
  it('is current: the words the analysis gives for today\'s wording rules (regenerate: npx tsx tests/engine/classify/rule-words.gen.ts)', () => {
    const file = readFileSync(join(__dirname, '../../../src/main/engine/classify/rule-words.ts'), 'utf8');
    expect(file).toBe(ruleWordsSource());
  });
});
