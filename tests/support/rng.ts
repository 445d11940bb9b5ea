/**
 * A small seeded random generator (xorshift32) for tests that draw many cases: the same seed gives
 * the same cases on every machine, so a failure can be replayed.
 */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}
