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
  /** OR of the second masks of the words found */
  b: number;
  /** the text has white space other than single spaces: /\s+/g → ' ' would change it */
  unfolded: boolean;
}

export class WordScanner {
  /** character class of each code unit below 128; 0 = no word has it */
  private readonly asciiClass = new Uint8Array(128);
  /** classes of the few code units ≥ 128 that words contain */
  private readonly wideClass = new Map<number, number>();
  private readonly classes: number;
  /** next state = delta[state * classes + class] */
  private readonly delta: Uint16Array | Int32Array;
  private readonly outA: Int32Array;
  private readonly outB: Int32Array;
  private readonly spaceClass: number;
  /** reused so a scan allocates nothing */
  private readonly result: ScanResult = { a: 0, b: 0, unfolded: false };

  constructor(words: ReadonlyMap<string, readonly [number, number]>) {
    let nextClass = 1;
    const classOf = (c: number): number => {
      const known = c < 128 ? this.asciiClass[c] : this.wideClass.get(c) ?? 0;
      if (known !== 0) return known;
      if (c < 128) this.asciiClass[c] = nextClass;
      else this.wideClass.set(c, nextClass);
      return nextClass++;
    };
    this.spaceClass = classOf(32);
    // the trie: children by class, masks of the words ending at each node
    const children: Map<number, number>[] = [new Map()];
    const ownA: number[] = [0];
    const ownB: number[] = [0];
    for (const [w, [ma, mb]] of words) {
      if (w.length === 0) throw new Error('empty scan word');
      let s = 0;
      for (let i = 0; i < w.length; i++) {
        const c = w.charCodeAt(i);
        // a word with white space other than one space could never be seen in a folded reading
        if (isSpaceCode(c) && (c !== 32 || (i > 0 && w.charCodeAt(i - 1) === 32))) throw new Error(`scan word "${w}" has unfolded space`);
        const k = classOf(c);
        let next = children[s].get(k);
        if (next === undefined) {
          next = children.length;
          children.push(new Map());
          ownA.push(0);
          ownB.push(0);
          children[s].set(k, next);
        }
        s = next;
      }
      ownA[s] |= ma;
      ownB[s] |= mb;
    }
    this.classes = nextClass;
    const n = children.length;
    this.delta = n <= 0xffff ? new Uint16Array(n * nextClass) : new Int32Array(n * nextClass);
    this.outA = new Int32Array(n);
    this.outB = new Int32Array(n);
    this.build(children, ownA, ownB);
  }

  /** Failure links in breadth-first order, folded into a full transition table and output masks. */
  private build(children: Map<number, number>[], ownA: number[], ownB: number[]): void {
    const { delta, outA, outB, classes } = this;
    const fail = new Int32Array(children.length);
    const queue: number[] = [];
    for (let k = 0; k < classes; k++) {
      const child = children[0].get(k);
      delta[k] = child ?? 0;
      if (child !== undefined) queue.push(child);
    }
    for (let q = 0; q < queue.length; q++) {
      const s = queue[q];
      outA[s] = ownA[s] | outA[fail[s]];
      outB[s] = ownB[s] | outB[fail[s]];
      for (let k = 0; k < classes; k++) {
        const child = children[s].get(k);
        const viaFail = delta[fail[s] * classes + k];
        if (child === undefined) {
          delta[s * classes + k] = viaFail;
        } else {
          fail[child] = viaFail;
          delta[s * classes + k] = child;
          queue.push(child);
        }
      }
    }
  }

  /** The masks of every word in `text` (read with white space runs as one space). */
  scan(text: string): ScanResult {
    const { delta, outA, outB, classes, asciiClass, spaceClass } = this;
    let a = 0;
    let b = 0;
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
      s = delta[s * classes + k];
      a |= outA[s];
      b |= outB[s];
    }
    const r = this.result;
    r.a = a;
    r.b = b;
    r.unfolded = unfolded;
    return r;
  }
}
