/** Field values of reports, normalised the same way wherever they are read. */

/** Strip an RFC 3464 "type;" prefix: "rfc822; a@b", "dns; mx.example.com", "smtp; 550 …". */
export function stripType(v: string | null): string | null {
  if (v == null) return null;
  const m = /^\s*[A-Za-z0-9-]{1,20}\s*;\s*/.exec(v);
  const s = (m ? v.slice(m[0].length) : v).trim();
  return s || null;
}

/** An enhanced status code in a field, normalised ("5.01.1" → "5.1.1"), or null. */
export function normStatus(v: string | null): string | null {
  if (!v) return null;
  const m = /([245])\.(\d{1,3})\.(\d{1,3})/.exec(v.slice(0, 100));
  return m ? `${m[1]}.${Number(m[2])}.${Number(m[3])}` : null;
}

/** A Message-ID with its angle brackets, from a header value, or null. */
export function normMessageId(v: string | null): string | null {
  if (!v) return null;
  const s = v.trim().slice(0, 1000);
  let m = /<([^<>\s]{1,900})>/.exec(s);
  if (m) return `<${m[1]}>`;
  m = /^([^<>\s]{1,900}@[^<>\s]{1,900})$/.exec(s);
  return m ? `<${m[1]}>` : null;
}
