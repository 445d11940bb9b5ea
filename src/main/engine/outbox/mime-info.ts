/**
 * The few facts the outbox lists about a stored message, read from its header block without
 * parsing the body: Message-ID, Subject, From address, and whether it carries attachments.
 * Never throws and never rewrites anything: malformed mail is stored and sent as it came.
 */
export interface MimeInfo {
  messageId: string | null;
  subject: string | null;
  from: string | null;
  hasAttachments: boolean;
}

const MAX_HEADER_BYTES = 256 * 1024;

export function headerBlock(raw: Buffer): { text: string; end: number } {
  const limit = Math.min(raw.length, MAX_HEADER_BYTES);
  let end = raw.indexOf('\r\n\r\n');
  let sep = 4;
  const lf = raw.indexOf('\n\n');
  if (end < 0 || (lf >= 0 && lf < end)) {
    end = lf;
    sep = 2;
  }
  if (end < 0 || end > limit) return { text: raw.subarray(0, limit).toString('utf8'), end: raw.length };
  return { text: raw.subarray(0, end).toString('utf8'), end: end + sep };
}

/** The unfolded value of the first header named `name`, or null. */
export function headerValue(headers: string, name: string): string | null {
  const unfolded = headers.replace(/\r?\n[ \t]+/g, ' ');
  const re = new RegExp(`^${name.replace(/[-]/g, '\\-')}[ \\t]*:[ \\t]*(.*)$`, 'im');
  const m = re.exec(unfolded);
  return m ? m[1].trim() : null;
}

/** Decodes RFC 2047 encoded words (=?charset?B|Q?...?=); unknown charsets are left as they are. */
export function decodeWords(value: string): string {
  return value
    .replace(/(=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g, (whole, charset: string, enc: string, text: string) => {
      const cs = charset.toLowerCase().split('*')[0];
      if (!['utf-8', 'utf8', 'us-ascii', 'iso-8859-1', 'latin1'].includes(cs)) return whole;
      const bytes =
        enc.toUpperCase() === 'B'
          ? Buffer.from(text, 'base64')
          : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
      return bytes.toString(cs.startsWith('utf') ? 'utf8' : 'latin1');
    });
}

export function mimeInfo(raw: Buffer): MimeInfo {
  try {
    const { text } = headerBlock(raw);
    const id = headerValue(text, 'message-id');
    const subject = headerValue(text, 'subject');
    const from = headerValue(text, 'from');
    const fromAddress = from ? (/<([^<>\s]+@[^<>\s]+)>/.exec(from)?.[1] ?? /[^\s<>"]+@[^\s<>",;]+/.exec(from)?.[0] ?? null) : null;
    // A cheap scan of the whole message; it only feeds a flag and the "without attachments" offer.
    const body = raw.length > 64 * 1024 * 1024 ? raw.subarray(0, 64 * 1024 * 1024) : raw;
    const hasAttachments = /content-disposition:[ \t]*attachment/i.test(body.toString('latin1'));
    return {
      messageId: id ? (/<[^<>]*>/.exec(id)?.[0] ?? id).slice(0, 998) : null,
      subject: subject === null ? null : decodeWords(subject).slice(0, 2000),
      from: fromAddress,
      hasAttachments,
    };
  } catch {
    return { messageId: null, subject: null, from: null, hasAttachments: false };
  }
}
