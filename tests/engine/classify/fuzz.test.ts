import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseReport } from '../../../src/main/engine/bounces/parse/index';
import { classifyReply } from '../../../src/main/engine/classify/index';
import { CATEGORY_KIND } from '../../../src/shared/categories';
import { seededRandom } from '../../support/rng';

/**
 * Mutation fuzzing over the real fixtures: bytes flipped, lines cut, duplicated and shuffled,
 * boundaries broken, headers garbled, charsets swapped. Each case must give an answer of the
 * right shape, without an exception, in bounded time.
 *   FUZZ_SEED=123 FUZZ_CASES=20000 npx vitest run tests/engine/classify/fuzz.test.ts
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261128) >>> 0;
const CASES = Number(process.env.FUZZ_CASES ?? 3000);
const PER_CASE_MS = 250;

const dir = join(__dirname, '../../fixtures/bounces');
const corpus = readdirSync(dir)
  .filter((f) => f.endsWith('.eml'))
  .sort()
  .map((f) => readFileSync(join(dir, f)));

const SNIPPETS = [
  '\r\n\r\n',
  '\n--',
  'Content-Type: multipart/report; boundary="x"\n',
  'Content-Type: message/delivery-status\n\n',
  'Final-Recipient: rfc822; a@b.c\nAction: failed\nStatus: 5.1.1\n',
  'Content-Transfer-Encoding: base64\n',
  'Content-Transfer-Encoding: quoted-printable\n=',
  'charset="x-unknown-charset"',
  'charset=utf-16',
  '=?utf-8?B?////?=',
  '\x00\x01\xff\xfe',
  '<<<<<<<<@@@@@@@@>>>>>>>',
  'Diagnostic-Code: smtp; 550 ' + 'a'.repeat(300),
  'Message-ID: <',
  'X-Failed-Recipients: ',
  '{"notificationType":"Bounce","bounce":{"bouncedRecipients":[{"emailAddress":',
  ' '.repeat(20_000),
  '-'.repeat(20_000) + ' original message',
  '\t'.repeat(5_000) + 'x',
  '> '.repeat(5_000),
  'a'.repeat(20_000) + '@',
  '\n'.repeat(5_000),
];

function mutate(src: Buffer, r: () => number): Buffer {
  let b = Buffer.from(src);
  const ops = 1 + Math.floor(r() * 6);
  for (let k = 0; k < ops; k++) {
    const op = Math.floor(r() * 8);
    const at = Math.floor(r() * Math.max(1, b.length));
    if (op === 0) {
      // flip some bytes
      for (let i = 0; i < 1 + r() * 20; i++) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
    } else if (op === 1) {
      b = b.subarray(0, at); // truncate
    } else if (op === 2) {
      const len = Math.floor(r() * 2000);
      b = Buffer.concat([b.subarray(0, at), b.subarray(at, at + len), b.subarray(at)]); // duplicate a slice
    } else if (op === 3) {
      const s = Buffer.from(SNIPPETS[Math.floor(r() * SNIPPETS.length)], 'latin1');
      b = Buffer.concat([b.subarray(0, at), s, b.subarray(at)]); // insert a hostile snippet
    } else if (op === 4) {
      const len = Math.floor(r() * 500);
      b = Buffer.concat([b.subarray(0, at), b.subarray(at + len)]); // delete a slice
    } else if (op === 5) {
      const other = corpus[Math.floor(r() * corpus.length)];
      const at2 = Math.floor(r() * other.length);
      b = Buffer.concat([b.subarray(0, at), other.subarray(at2)]); // splice two messages
    } else if (op === 6) {
      b = Buffer.from(b.toString('latin1').replace(/\n/g, () => (r() < 0.05 ? '\r' : '\n')), 'latin1'); // stray CRs
    } else {
      b = Buffer.from(b.toString('latin1').replace(/boundary="?([^";\s]+)"?/i, 'boundary="$1x"'), 'latin1'); // break the boundary
    }
  }
  return b;
}

describe(`fuzz: mutated fixtures (seed ${SEED}, ${CASES} cases)`, () => {
  it('parseReport always answers, in bounded time, with a well-formed report', () => {
    const r = seededRandom(SEED);
    let slowest = 0;
    for (let i = 0; i < CASES; i++) {
      const input = mutate(corpus[Math.floor(r() * corpus.length)], r);
      const t0 = performance.now();
      let rep;
      try {
        rep = parseReport(r() < 0.5 ? input : input.toString('latin1'));
      } catch (e) {
        throw new Error(`case ${i} (seed ${SEED}) threw: ${String(e)}`);
      }
      const ms = performance.now() - t0;
      slowest = Math.max(slowest, ms);
      expect(ms, `case ${i} (seed ${SEED}) took ${ms.toFixed(1)} ms`).toBeLessThan(PER_CASE_MS);
      expect(['bounce', 'delay', 'delivered', 'auto_reply', 'complaint', 'not_bounce']).toContain(rep.type);
      expect(typeof rep.bounce).toBe('boolean');
      for (const x of rep.recipients) {
        expect(typeof x.address).toBe('string');
        expect(x.kind).toBe(CATEGORY_KIND[x.category]);
      }
      expect(rep.originalMessageId === null || /^<.*>$/.test(rep.originalMessageId)).toBe(true);
    }
    expect(slowest).toBeLessThan(PER_CASE_MS);
  });

  it('classifyReply always answers on mutated reply texts', () => {
    const r = seededRandom(SEED ^ 0x5bd1e995);
    const texts = readFileSync(join(__dirname, '../../fixtures/provider-replies.public.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => String((JSON.parse(l) as { text: unknown }).text ?? ''));
    const stages = ['connect', 'tls', 'auth', 'mail', 'rcpt', 'data', 'after-data', 'network', null, 'bogus'];
    for (let i = 0; i < CASES; i++) {
      const base = texts[Math.floor(r() * texts.length)];
      const text = mutate(Buffer.from(base, 'utf8'), r).toString(r() < 0.5 ? 'utf8' : 'latin1');
      const c = classifyReply({ text, stage: stages[Math.floor(r() * stages.length)] as never, provider: r() < 0.5 ? 'gmail' : 'm365', code: r() < 0.3 ? Math.floor(r() * 700) : null });
      expect(c.kind).toBe(CATEGORY_KIND[c.category]);
      expect(c.words).toBe(text);
    }
  });
});

describe('wording gates are sound', () => {
  it('every text a wording rule matches also passes its gate', async () => {
    const { WORDING_RULES } = await import('../../../src/main/engine/classify/wording');
    const r = seededRandom(SEED ^ 0x9e3779b9);
    const texts: string[] = readFileSync(join(__dirname, '../../fixtures/provider-replies.public.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => String((JSON.parse(l) as { text: unknown }).text ?? ''));
    for (const raw of corpus) {
      const rep = parseReport(raw);
      for (const x of rep.recipients) texts.push(x.diagnostic ?? '', x.words);
      texts.push(raw.toString('latin1').slice(0, 4000));
    }
    const n = texts.length;
    for (let i = 0; i < Math.min(CASES, 3000); i++) texts.push(mutate(Buffer.from(texts[Math.floor(r() * n)], 'latin1'), r).toString('latin1'));
    const { gatesOpenFor } = await import('../../../src/main/engine/classify/index');
    for (const t of texts) {
      const lower = t.toLowerCase().replace(/\s+/g, ' ').slice(0, 2048);
      const open = gatesOpenFor(lower);
      WORDING_RULES.forEach((rule, i) => {
        if (rule.gate && rule.re.test(lower)) expect(rule.gate.test(lower), `${rule.id} gate misses "${lower.slice(0, 200)}"`).toBe(true);
        // the one-pass scan opens exactly the rules whose own gate matches
        if (rule.gate) expect(open[i], `${rule.id} one-pass gate on "${lower.slice(0, 200)}"`).toBe(rule.gate.test(lower));
      });
    }
  });
});
