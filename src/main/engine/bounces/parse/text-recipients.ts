import { addrEnd, addrStart, nextAddress } from './addresses';
import { MAX_RECIPIENTS } from './delivery-status';
import { isTrimSpace } from './mime';

/**
 * Recipients named in the human-readable text of a non-standard bounce ("<a@b>: host x said: 550
 * …"): each address found on a line, with that line and the lines after it as its window (the
 * diagnostic), until another address or enough words.
 */

const NOT_RECIPIENT_LOCAL = /^(mailer-daemon|mailerdaemon|mail-daemon|postmaster|hostmaster|abuse|noreply|no-reply|do-not-reply|donotreply|root|daemon|bounce[s]?|mdaemon|mailer|nobody)$/i;

export interface TextRecipient {
  address: string;
  window: string;
}

const NONE: string[] = [];

/**
 * A header line that names messages, not people (Message-ID: <…@host> and its kin): the text of
 * a returned message often carries one, and its id has an address's shape. Seen reported as a
 * failed recipient in two of the public fixtures (Zoho notices that quote the returned headers).
 */
const MESSAGE_ID_LINE = /^[ \t>]*(?:(?:resent-|x-(?:[a-z0-9]+-)*)?message-id|in-reply-to|references|content-id)[ \t]*:/i;

/** ASCII characters that the words measure folds away: < > ( ) [ ] " ' : , . - = * and white space. */
const FOLDED = new Uint8Array(128);
for (const c of '<>()[]"\':,.-=* \t\n\v\f\r') FOLDED[c.charCodeAt(0)] = 1;

/**
 * How much a line says besides an address: its length once each occurrence of the address and
 * each run of punctuation and white space is one space, trimmed; 0 when no four letters stand
 * together. The same figure as line.split(a).join(' ').replace(/[<>()[\]"':,.\-=*\s]+/g, ' ')
 * .trim().length (behind a /[A-Za-z]{4}/ test), counted in one pass without building the strings.
 */
export function wordsBeside(line: string, a: string): number {
  let next = a ? line.indexOf(a) : -1;
  let count = 0;
  let letters = 0;
  let four = false;
  let inRun = false;
  let seen = false;
  let i = 0;
  while (i < line.length) {
    let fold: boolean;
    if (i === next) {
      fold = true;
      letters = 0;
      i += a.length;
      next = line.indexOf(a, i);
    } else {
      const c = line.charCodeAt(i++);
      if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) {
        if (++letters >= 4) four = true;
        fold = false;
      } else {
        letters = 0;
        fold = c < 128 ? FOLDED[c] === 1 : isTrimSpace(c);
      }
    }
    if (fold) inRun = true;
    else {
      if (inRun && seen) count++;
      count++;
      inRun = false;
      seen = true;
    }
  }
  return four ? count : 0;
}

/** Addresses the text reports on, each with the lines that follow it (its diagnostic). */
export function recipientsFromText(human: string, exclude: Set<string>, only: Set<string> | null): TextRecipient[] {
  // Works on offsets: only lines that contain an '@' (and the few lines after them) are looked at.
  const text = human;
  const found = new Map<string, string[]>();
  const order: string[] = [];
  const covered = new Map<string, number>();
  const cache = new Map<number, string[]>();
  const addrsOfLine = (ls: number, le: number): string[] => {
    const hit = cache.get(ls);
    if (hit) return hit;
    const at = text.indexOf('@', ls);
    if (at === -1 || at >= le) {
      cache.set(ls, NONE);
      return NONE;
    }
    const line = text.slice(ls, Math.min(le, ls + 2000));
    const out: string[] = [];
    let from = 0;
    while (out.length < 20 && nextAddress(line, from)) {
      from = addrEnd;
      const prev = addrStart > 0 ? line.charCodeAt(addrStart - 1) : -1; // (a read before 0 costs V8 a deopt)
      if (prev === 61 /* = */ || prev === 47 /* / */) continue; // inside a URL
      const a = line.slice(addrStart, addrEnd).toLowerCase();
      if (exclude.has(a)) continue;
      if (only && !only.has(a)) continue;
      if (!only && NOT_RECIPIENT_LOCAL.test(a.slice(0, a.indexOf('@')))) continue;
      out.push(a);
    }
    cache.set(ls, out.length ? out : NONE);
    return out.length ? out : NONE;
  };
  const lineEnd = (from: number) => {
    const e = text.indexOf('\n', from);
    return e === -1 ? text.length : e;
  };
  let at = text.indexOf('@');
  let lines = 0;
  while (at !== -1 && lines++ < 3000) {
    const ls = text.lastIndexOf('\n', at) + 1;
    const le = lineEnd(at);
    // an id on a Message-ID line is no recipient (it still ends the window of an address above it)
    const named = MESSAGE_ID_LINE.test(text.slice(ls, Math.min(le, ls + 200))) ? NONE : addrsOfLine(ls, le);
    for (const a of named) {
      if ((covered.get(a) ?? -1) >= ls) continue;
      // the line itself, then following lines until enough words were seen
      const first = text.slice(ls, le);
      const parts: string[] = [first];
      let meaningful = wordsBeside(first.toLowerCase(), a);
      let pos = le + 1;
      let taken = 0;
      let lastEnd = le;
      while (pos < text.length && taken < 8) {
        const e = lineEnd(pos);
        const l = text.slice(pos, e);
        if (!l.trim()) {
          if (meaningful >= 25) break;
          pos = e + 1;
          continue;
        }
        if (l.indexOf('@') !== -1 && addrsOfLine(pos, e).some((x) => x !== a)) break;
        parts.push(l);
        meaningful += l.trim().length;
        taken++;
        lastEnd = e;
        pos = e + 1;
      }
      covered.set(a, lastEnd);
      let list = found.get(a);
      if (!list) {
        if (order.length >= MAX_RECIPIENTS) continue;
        list = [];
        found.set(a, list);
        order.push(a);
      }
      if (list.length < 6) list.push(parts.join('\n'));
    }
    at = text.indexOf('@', le + 1);
  }
  return order.map((a) => ({ address: a, window: found.get(a)!.join('\n') }));
}
