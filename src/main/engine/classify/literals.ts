/**
 * Literal words that every match of a regular expression contains: a small static analysis of the
 * pattern's source. `requiredWords(/\bgsmtp\b|google\.com/)` is ["gsmtp", "google.com"]: a text
 * without either word cannot match, so a one-pass word scan can decide whether the pattern needs to
 * run at all.
 *
 * Only the syntax our tables use is understood (literals, escapes, classes, groups, lookarounds,
 * quantifiers); on anything else, or with flags, the answer is null ("no words known"), and the
 * caller must run the pattern always. The analysis is sound by construction: it only ever claims a
 * string that some part of every match must spell out character for character.
 *
 * Not run by the app: tests/engine/classify/rule-words.gen.ts uses it to write rule-words.ts ahead
 * of time (the analysis costs more at start-up than it saves), and scan.test.ts checks both.
 */

/** What is known of one piece of a pattern. */
interface Info {
  /** every string the piece can match, when that set is small; null when unknown or large */
  exact: Set<string> | null;
  /** strings one of which every match of the piece contains; null when none is known */
  must: string[] | null;
}

/** Largest set of strings followed exactly (beyond it, the shortest known factors are kept). */
const LIMIT = 40;

const EMPTY: Info = { exact: new Set(['']), must: null };
const UNKNOWN: Info = { exact: null, must: null };

class Unsupported extends Error {}

function exactly(strings: Iterable<string>): Info {
  return { exact: new Set(strings), must: null };
}

/** The best factor set a piece offers: its exact strings if none is empty, else its `must`. */
function factors(info: Info): string[] | null {
  if (info.exact && info.exact.size > 0 && !info.exact.has('')) return [...info.exact];
  return info.must;
}

/** Better = the shortest word is longer (a rarer word), then fewer words. */
function better(x: string[] | null, y: string[] | null): string[] | null {
  if (!x) return y;
  if (!y) return x;
  const mx = Math.min(...x.map((s) => s.length));
  const my = Math.min(...y.map((s) => s.length));
  if (mx !== my) return mx > my ? x : y;
  return x.length <= y.length ? x : y;
}

function product(x: Set<string>, y: Set<string>): Set<string> | null {
  if (x.size * y.size > LIMIT) return null;
  const out = new Set<string>();
  for (const a of x) for (const b of y) out.add(a + b);
  return out;
}

function sequence(parts: Info[]): Info {
  let run: Set<string> | null = new Set(['']);
  let best: string[] | null = null;
  let allExact = true;
  for (const p of parts) {
    best = better(best, factors(p));
    const joined: Set<string> | null = run && p.exact ? product(run, p.exact) : null;
    if (joined) {
      run = joined;
      continue;
    }
    // the run of exactly known pieces ends here: its strings are a factor set of every match
    allExact = false;
    if (run) best = better(best, factors({ exact: run, must: null }));
    run = p.exact ? new Set(p.exact) : null;
  }
  if (run) best = better(best, factors({ exact: run, must: null }));
  return { exact: allExact ? run : null, must: best };
}

function alternation(branches: Info[]): Info {
  let exact: Set<string> | null = new Set();
  let must: string[] | null = [];
  for (const b of branches) {
    if (exact && b.exact && exact.size + b.exact.size <= LIMIT) for (const s of b.exact) exact.add(s);
    else exact = null;
    const f = factors(b);
    must = must && f ? must.concat(f) : null;
  }
  return { exact, must };
}

/**
 * x repeated min..max times (max finite and small, else Infinity), as pieces of the enclosing
 * sequence: "ib\d{3}" reads as "ib", \d, \d, \d, so its words can be "ib0" … "ib9".
 */
function repeat(x: Info, min: number, max: number): Info[] {
  const parts: Info[] = [];
  for (let i = 0; i < min; i++) parts.push(x);
  if (max > min) {
    // the optional rest: known exactly only when short and finite
    let opt: Info = UNKNOWN;
    if (x.exact && Number.isFinite(max) && max - min <= 3) {
      let acc: Set<string> | null = new Set(['']);
      const all = new Set<string>(['']);
      for (let i = min; i < max && acc; i++) {
        acc = product(acc, x.exact);
        if (acc) for (const s of acc) all.add(s);
      }
      if (acc && all.size <= LIMIT) opt = exactly(all);
    }
    parts.push(opt);
  }
  return parts;
}

const DIGITS = '0123456789';

class Parser {
  private i = 0;
  constructor(private readonly src: string) {}

  parse(): Info {
    const info = this.alternation();
    if (this.i !== this.src.length) throw new Unsupported(`stray ${this.src[this.i]}`);
    return info;
  }

  private alternation(): Info {
    const branches = [this.sequence()];
    while (this.src[this.i] === '|') {
      this.i++;
      branches.push(this.sequence());
    }
    return branches.length === 1 ? branches[0] : alternation(branches);
  }

  private sequence(): Info {
    const parts: Info[] = [];
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') {
      const atom = this.atom();
      parts.push(...this.quantified(atom));
    }
    return sequence(parts);
  }

  private quantified(atom: Info): Info[] {
    const c = this.src[this.i];
    let min: number;
    let max: number;
    if (c === '?') [min, max] = [0, 1];
    else if (c === '*') [min, max] = [0, Infinity];
    else if (c === '+') [min, max] = [1, Infinity];
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
      if (!m) throw new Unsupported('brace');
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      this.i += m[0].length - 1;
    } else return [atom];
    this.i++;
    if (this.src[this.i] === '?') this.i++; // lazy: the same strings
    return repeat(atom, min, max);
  }

  private atom(): Info {
    const c = this.src[this.i++];
    if (c === '(') return this.group();
    if (c === '[') return this.charClass();
    if (c === '\\') return this.escape(false);
    if (c === '^' || c === '$') return EMPTY;
    if (c === '.') return UNKNOWN;
    if ('*+?{}]'.includes(c)) throw new Unsupported(c);
    return exactly([c]);
  }

  private group(): Info {
    let lookaround = false;
    if (this.src[this.i] === '?') {
      const head = /^\?(:|=|!|<=|<!|<[A-Za-z_]\w*>)/.exec(this.src.slice(this.i));
      if (!head) throw new Unsupported('group');
      this.i += head[0].length;
      lookaround = head[1] === '=' || head[1] === '!' || head[1] === '<=' || head[1] === '<!';
    }
    const inner = this.alternation();
    if (this.src[this.i++] !== ')') throw new Unsupported('unclosed group');
    // a lookaround matches no characters of the text it constrains
    return lookaround ? EMPTY : inner;
  }

  /** An escape; inside a class only single characters are accepted. */
  private escape(inClass: boolean): Info {
    const c = this.src[this.i++];
    if (c === undefined) throw new Unsupported('trailing \\');
    if (c === 'd') return exactly(DIGITS);
    if (c === 'b' || c === 'B') {
      if (inClass) throw new Unsupported('\\b in class');
      return EMPTY;
    }
    if ('DwWsS'.includes(c)) return UNKNOWN;
    if ('tnrfv'.includes(c)) return exactly([{ t: '\t', n: '\n', r: '\r', f: '\f', v: '\v' }[c]!]);
    // any other letter or digit escape (\u, \x, \p, back references …) is not followed
    if (/[A-Za-z0-9]/.test(c)) throw new Unsupported(`\\${c}`);
    return exactly([c]);
  }

  private charClass(): Info {
    if (this.src[this.i] === '^') {
      // a negated class: some character, unknown
      while (this.i < this.src.length && this.src[this.i] !== ']') this.i += this.src[this.i] === '\\' ? 2 : 1;
      this.i++;
      return UNKNOWN;
    }
    const chars = new Set<string>();
    let unknown = false;
    while (this.src[this.i] !== ']') {
      if (this.i >= this.src.length) throw new Unsupported('unclosed class');
      let one: Info;
      if (this.src[this.i] === '\\') {
        this.i++;
        one = this.escape(true);
      } else one = exactly([this.src[this.i++]]);
      if (!one.exact) {
        unknown = true;
        continue;
      }
      if (this.src[this.i] === '-' && this.src[this.i + 1] !== ']' && one.exact.size === 1) {
        // a range a-z
        this.i++;
        const to = this.src[this.i] === '\\' ? (this.i++, this.escape(true)) : exactly([this.src[this.i++]]);
        if (!to.exact || to.exact.size !== 1) throw new Unsupported('range');
        const lo = [...one.exact][0].charCodeAt(0);
        const hi = [...to.exact][0].charCodeAt(0);
        for (let k = lo; k <= hi; k++) chars.add(String.fromCharCode(k));
      } else for (const s of one.exact) chars.add(s);
    }
    this.i++;
    return unknown || chars.size > LIMIT ? UNKNOWN : exactly(chars);
  }
}

/**
 * Words, one of which every match of `re` contains; null when the pattern is beyond this analysis
 * (then the pattern must be run on every text).
 */
export function requiredWords(re: RegExp): string[] | null {
  if (re.flags.replace(/[gy]/g, '') !== '') return null; // i, m, s, u, v change what the source means
  try {
    const words = factors(new Parser(re.source).parse());
    return words && words.length > 0 && words.every((w) => w.length > 0) ? [...new Set(words)] : null;
  } catch (e) {
    if (e instanceof Unsupported) return null;
    throw e;
  }
}

/**
 * requiredWords shaped for the word scan of a folded text (white space runs read as one space):
 * - each word cut to its first `maxLength` characters (a match that contains a word contains its
 *   prefix), which keeps the scan's table small;
 * - a word that contains another word of the set is dropped (the shorter one is found whenever
 *   the longer one is);
 * - words with white space other than single spaces are dropped: a folded text never has them,
 *   so no match in it can contain them.
 * Null when the pattern gives no words, or none that a folded text could contain.
 */
export function scanWords(re: RegExp, maxLength: number): string[] | null {
  const words = requiredWords(re);
  if (!words) return null;
  const cut = [...new Set(words.filter((w) => !/[^\S ]| {2}/.test(w)).map((w) => w.slice(0, maxLength)))];
  const minimal = cut.filter((x) => !cut.some((y) => y !== x && x.includes(y)));
  return minimal.length > 0 ? minimal : null;
}
