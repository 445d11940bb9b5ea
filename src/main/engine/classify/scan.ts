/**
 * Which of a fixed set of literal words occur in a text, in one left-to-right pass with one table
 * step per character (a deterministic Aho–Corasick automaton). Each word carries two 32-bit masks;
 * a scan returns the OR of the masks of every word found anywhere in the text, overlapping or not.
 *
 * A regular expression of all the words, restarted after every match to catch overlaps, gives the
 * same answer, but each restart allocates a match and a substring and hashes it: most of the cost
 * of classifying a reply was spent there.
 *
 * The scan also reads the text as if every run of white space (JavaScript's \s) were one space, so
 * it can run before the text is folded and tell whether folding is needed at all.
 */

/** JavaScript's \s: the same code units as /\s/ (checked by a test over every code unit). */
export function isSpaceCode(c: number): boolean {
  if (c < 128) return c === 32 || (c >= 9 && c <= 13);
  return (
    c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
  );
}

export interface ScanResult {
  /** OR of the first masks of the words found */
  a: number;
  /** OR of the second masks */
  b: number;
  /** OR of the third masks */
  c: number;
  /** the text has white space other than single spaces: /\s+/g → ' ' would change it */
  unfolded: boolean;
}

/** Masks of one word: [a, b, c]. */
export type WordMasks = readonly [number, number, number];

/** Marks a transition not yet computed (a 16-bit table holds fewer states than this). */
const UNKNOWN = 0xffff;

export class WordScanner {
  /** character class of each code unit below 128; 0 = no word has it */
  private readonly asciiClass = new Uint8Array(128);
  /** classes of the few code units ≥ 128 that words contain */
  private readonly wideClass = new Map<number, number>();
  private readonly classes: number;
  /** the trie: child = goto[state * classes + class], 0 = none */
  private readonly goto: Uint16Array | Int32Array;
  /** failure state of each state, -1 until first needed */
  private readonly fail: Int32Array;
  /** per state: its parent in the trie, and the class of the edge from it */
  private readonly parent: Int32Array;
  private readonly via: Int32Array;
  /** per state: 1 once its masks take in its failure state's */
  private readonly ready: Uint8Array;
  /** next state = delta[state * classes + class], `unknown` until first needed */
  private readonly delta: Uint16Array | Int32Array;
  private readonly unknown: number;
  /** per state: 1 when some word ends there (most states end none, and the scan skips them) */
  private readonly hasOut: Uint8Array;
  private readonly outA: Int32Array;
  private readonly outB: Int32Array;
  private readonly outC: Int32Array;
  private readonly spaceClass: number;
  /** reused so a scan allocates nothing */
  private readonly result: ScanResult = { a: 0, b: 0, c: 0, unfolded: false };

  constructor(words: ReadonlyMap<string, WordMasks>) {
    // character classes first, so the table's width is known before the trie is laid out in it
    let nextClass = 1;
    const classOf = (c: number): number => (c < 128 ? this.asciiClass[c] : this.wideClass.get(c) ?? 0);
    this.asciiClass[32] = nextClass++;
    this.spaceClass = 1;
    let chars = 1;
    for (const w of words.keys()) {
      if (w.length === 0) throw new Error('empty scan word');
      chars += w.length;
      for (let i = 0; i < w.length; i++) {
        const c = w.charCodeAt(i);
        // a word with white space other than one space could never be seen in a folded reading
        if (isSpaceCode(c) && (c !== 32 || (i > 0 && w.charCodeAt(i - 1) === 32))) throw new Error(`scan word "${w}" has unfolded space`);
        if (classOf(c) !== 0) continue;
        if (c < 128) this.asciiClass[c] = nextClass++;
        else this.wideClass.set(c, nextClass++);
      }
    }
    const classes = (this.classes = nextClass);
    // the trie (`chars` bounds the number of states): children by class, 0 = none (the root is
    // nobody's child)
    const wide = chars >= UNKNOWN;
    this.goto = wide ? new Int32Array(chars * classes) : new Uint16Array(chars * classes);
    this.fail = new Int32Array(chars).fill(-1);
    this.fail[0] = 0;
    this.outA = new Int32Array(chars);
    this.outB = new Int32Array(chars);
    this.outC = new Int32Array(chars);
    this.hasOut = new Uint8Array(chars);
    this.ready = new Uint8Array(chars);
    this.ready[0] = 1;
    const parent = (this.parent = new Int32Array(chars));
    const via = (this.via = new Int32Array(chars));
    const goto = this.goto;
    let states = 1;
    for (const [w, masks] of words) {
      let s = 0;
      for (let i = 0; i < w.length; i++) {
        const k = classOf(w.charCodeAt(i));
        const at = s * classes + k;
        if (goto[at] === 0) {
          parent[states] = s;
          via[states] = k;
          goto[at] = states++;
        }
        s = goto[at];
      }
      this.outA[s] |= masks[0];
      this.outB[s] |= masks[1];
      this.outC[s] |= masks[2];
    }
    // Failure links, the masks they bring, and the transitions of the full automaton are all
    // computed as texts first need them: a scan visits a small part of the states, and working
    // them all out at start-up cost more than thousands of texts' scans.
    this.delta = wide ? new Int32Array(states * classes).fill(-1) : new Uint16Array(states * classes).fill(UNKNOWN);
    this.unknown = wide ? -1 : UNKNOWN;
  }

  /** The failure state of s: the state of the longest proper suffix of s's word that is in the trie. */
  private failOf(s: number): number {
    const known = this.fail[s];
    if (known >= 0) return known;
    const p = this.parent[s];
    const f = p === 0 ? 0 : this.step(this.failOf(p), this.via[s]);
    this.fail[s] = f;
    return f;
  }

  /** Make s's masks those of every word ending at s: its own and its failure state's. */
  private prepare(s: number): void {
    if (this.ready[s] !== 0) return;
    const f = this.failOf(s);
    this.prepare(f);
    const { outA, outB, outC } = this;
    outA[s] |= outA[f];
    outB[s] |= outB[f];
    outC[s] |= outC[f];
    this.hasOut[s] = outA[s] !== 0 || outB[s] !== 0 || outC[s] !== 0 ? 1 : 0;
    this.ready[s] = 1;
  }

  /** The automaton's move from state s on class k: the trie's child, else the failure state's move. */
  private step(s: number, k: number): number {
    const { goto, classes } = this;
    for (;;) {
      const child = goto[s * classes + k];
      if (child !== 0) return child;
      if (s === 0) return 0;
      s = this.failOf(s);
    }
  }

  /** The masks of every word in `text` (read with white space runs as one space). */
  scan(text: string): ScanResult {
    const { delta, hasOut, outA, outB, outC, classes, asciiClass, spaceClass, unknown } = this;
    let a = 0;
    let b = 0;
    let c3 = 0;
    let unfolded = false;
    let s = 0;
    let prevSpace = false;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      let k: number;
      if (c < 128) {
        k = asciiClass[c];
        if (c <= 32 && (c === 32 || (c >= 9 && c <= 13))) {
          // a run of white space reads as its first character, as one space
          if (prevSpace || c !== 32) unfolded = true;
          if (prevSpace) continue;
          prevSpace = true;
          k = spaceClass;
        } else prevSpace = false;
      } else if (isSpaceCode(c)) {
        unfolded = true;
        if (prevSpace) continue;
        prevSpace = true;
        k = spaceClass;
      } else {
        prevSpace = false;
        k = this.wideClass.get(c) ?? 0;
      }
      const at = s * classes + k;
      let next = delta[at];
      if (next === unknown) {
        next = delta[at] = this.step(s, k);
        this.prepare(next);
      }
      s = next;
      if (hasOut[s] !== 0) {
        a |= outA[s];
        b |= outB[s];
        c3 |= outC[s];
      }
    }
    const r = this.result;
    r.a = a;
    r.b = b;
    r.c = c3;
    r.unfolded = unfolded;
    return r;
  }
}
