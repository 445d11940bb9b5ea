import { headerBlock, headerValue } from '../mime-info';

/**
 * Removes attachments from a stored message for a "resend without attachments": every
 * multipart is walked, text/plain and text/html parts (and the multiparts holding them) stay
 * byte for byte, everything else goes, and a short text part says what was removed. The bytes
 * are handled as latin1 so nothing is re-encoded. A message that is not multipart has no
 * attachments and comes back unchanged (the same Buffer).
 */
export function stripAttachments(raw: Buffer): Buffer {
  const text = raw.toString('latin1');
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const removed: string[] = [];
  const out = stripPart(text, eol, removed, true);
  if (!removed.length || out === null) return raw;
  return Buffer.from(out, 'latin1');
}

function boundaryOf(contentType: string | null): string | null {
  if (!contentType || !/^\s*multipart\//i.test(contentType)) return null;
  const m = /boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : null;
}

function isKeptLeaf(headers: string): boolean {
  const type = (headerValue(headers, 'content-type') ?? 'text/plain').toLowerCase();
  const disposition = (headerValue(headers, 'content-disposition') ?? '').toLowerCase();
  if (disposition.startsWith('attachment')) return false;
  return type.startsWith('text/plain') || type.startsWith('text/html');
}

function nameOf(headers: string): string {
  const m = /(?:filename|name)\*?\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(headers.replace(/\r?\n[ \t]+/g, ' '));
  return m ? (m[1] ?? m[2]) : (headerValue(headers, 'content-type') ?? 'attachment').split(';')[0];
}

/** Returns the part without attachments, or null when nothing of it should stay. */
function stripPart(part: string, eol: string, removed: string[], top: boolean): string | null {
  const { text: headers, end } = headerBlock(Buffer.from(part, 'latin1'));
  const boundary = boundaryOf(headerValue(headers, 'content-type'));
  if (!boundary) {
    if (top || isKeptLeaf(headers)) return part;
    removed.push(nameOf(headers));
    return null;
  }
  const head = part.slice(0, end);
  const body = part.slice(end);
  const delimiter = `--${boundary}`;
  const lines = body.split(/\r?\n/);
  const segments: string[][] = [];
  const preamble: string[] = [];
  let current: string[] | null = null;
  let epilogue: string[] | null = null;
  for (const line of lines) {
    if (epilogue) {
      epilogue.push(line);
    } else if (line.trimEnd() === `${delimiter}--`) {
      if (current) segments.push(current);
      current = null;
      epilogue = [];
    } else if (line.trimEnd() === delimiter) {
      if (current) segments.push(current);
      current = [];
    } else if (current) {
      current.push(line);
    } else {
      preamble.push(line);
    }
  }
  if (current) segments.push(current); // unterminated multipart: keep what is there
  const kept: string[] = [];
  for (const seg of segments) {
    const child = stripPart(seg.join(eol), eol, removed, false);
    if (child !== null) kept.push(child);
  }
  if (top && removed.length) {
    const note = `${removed.length} attachment(s) were removed so that this message fits the size limit: ${removed.join(', ')}.`;
    kept.push(['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', Buffer.from(note, 'utf8').toString('latin1')].join(eol));
  }
  if (!top && kept.length === 0) return null;
  const rebuilt = [...preamble, ...kept.flatMap((k) => [delimiter, k]), `${delimiter}--`, ...(epilogue ?? [''])];
  return head + rebuilt.join(eol);
}
