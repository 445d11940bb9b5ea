// Reading the few header fields fetched for the candidate check out of a raw header block.

/** Unfolds a raw header block and returns the first value of each (lower-cased) field name. */
export function readHeaderFields(raw: Buffer | undefined | null): Map<string, string> {
  const out = new Map<string, string>();
  if (!raw) return out;
  const text = raw.toString('latin1').replace(/\r?\n[ \t]+/g, ' ');
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!out.has(name)) out.set(name, line.slice(colon + 1).trim());
  }
  return out;
}

/** Compresses sorted UIDs into an IMAP sequence set ("1:5,9,12:14"). */
export function toSequenceSet(uids: number[]): string {
  const sorted = [...uids].sort((a, b) => a - b);
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}:${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
