/**
 * Finding e-mail addresses in text, as the pattern ADDR_RE describes them.
 *
 * The pattern itself is the definition (and what the tests compare with), but run as a search it
 * is tried at every letter of the text: each word is read again from each of its letters before
 * the '@' it lacks is missed. Every match contains an '@', so `nextAddress` starts from each '@'
 * instead, walks back over the local part and runs only the domain part as a sticky pattern: the
 * same matches, at the same offsets, in a fraction of the reads (one address scan was the largest
 * single pattern cost of a batch of bounces).
 */

export const ADDR_RE = /[A-Za-z0-9][A-Za-z0-9._%+\-=!#$&'*/?^`{|}~]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.){1,8}[A-Za-z]{2,24}(?![A-Za-z0-9-])/g;

/** ADDR_RE after its '@', anchored where it is set to start. */
const DOMAIN_AT = /[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.){1,8}[A-Za-z]{2,24}(?![A-Za-z0-9-])/y;

/** Longest local part ADDR_RE takes: one letter or digit, then up to 63 more characters. */
const MAX_LOCAL = 64;

/** ASCII characters of a local part: 1 = allowed, 2 = allowed first (a letter or a digit). */
const LOCAL = new Uint8Array(128);
for (const c of "._%+-=!#$&'*/?^`{|}~") LOCAL[c.charCodeAt(0)] = 1;
for (let c = 48; c <= 57; c++) LOCAL[c] = 2;
for (let c = 65; c <= 90; c++) LOCAL[c] = LOCAL[c + 32] = 2;

/** Where the last match of `nextAddress` starts and ends. */
export let addrStart = 0;
export let addrEnd = 0;

/**
 * The first match of ADDR_RE at or after `from` (ADDR_RE.exec with lastIndex = from): true and
 * its bounds in addrStart / addrEnd, or false. The leftmost start for an '@' is the first letter
 * or digit of the run of local-part characters before it (at most 64 back, not before `from`);
 * the local part cannot hold an '@', so no earlier start reaches a later '@'.
 */
export function nextAddress(s: string, from: number): boolean {
  let at = s.indexOf('@', from);
  while (at !== -1) {
    const lo = Math.max(from, at - MAX_LOCAL);
    let k = at;
    while (k > lo) {
      const c = s.charCodeAt(k - 1);
      if (c >= 128 || LOCAL[c] === 0) break;
      k--;
    }
    while (k < at && LOCAL[s.charCodeAt(k)] !== 2) k++;
    if (k < at) {
      DOMAIN_AT.lastIndex = at + 1;
      if (DOMAIN_AT.test(s)) {
        addrStart = k;
        addrEnd = DOMAIN_AT.lastIndex;
        return true;
      }
    }
    at = s.indexOf('@', at + 1);
  }
  return false;
}

/** The first address in a header value or text (the first 2,000 characters), or null. */
export function firstAddress(v: string | null): string | null {
  if (!v) return null;
  const s = v.length > 2000 ? v.slice(0, 2000) : v;
  return nextAddress(s, 0) ? s.slice(addrStart, addrEnd) : null;
}

/** Up to `max` addresses from the first 8,000 characters, in order. */
export function allAddresses(v: string | null, max = 50): string[] {
  if (!v) return [];
  const out: string[] = [];
  const s = v.length > 8000 ? v.slice(0, 8000) : v;
  let from = 0;
  while (out.length < max && nextAddress(s, from)) {
    out.push(s.slice(addrStart, addrEnd));
    from = addrEnd;
  }
  return out;
}
