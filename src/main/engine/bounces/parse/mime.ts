import { isAscii } from 'node:buffer';

/**
 * A lean, bounded MIME reader: just what the bounce classifier needs.
 *
 * Why hand-written rather than mailparser: mailparser is a streaming, full-fidelity parser (it
 * decodes every part, builds attachments, converts HTML, resolves charsets through iconv) and runs
 * at a few hundred to a couple of thousand messages per second. The classifier needs headers,
 * multipart boundaries, message/delivery-status fields, text parts and the headers of the returned
 * message, and it must answer in bounded time and memory on hostile input (1,000-deep nesting,
 * 50 MB attachments, 1 MB header lines). This reader works on a latin1 view of the bytes (one
 * JS char per byte, so offsets stay byte offsets), never decodes attachment bodies, caps depth,
 * part count, header sizes and scanned bytes, and uses only indexOf scans and simple anchored
 * regular expressions (no backtracking on attacker-controlled text).
 *
 * Pure: no I/O, never throws on any input (callers still wrap it).
 */

/** How much of a message is looked at at all. Bounces put what matters first. */
export const MAX_SCAN_BYTES = 2 * 1024 * 1024;
/** Deepest multipart / message nesting followed. */
export const MAX_DEPTH = 12;
/** Most MIME parts collected from one message. */
export const MAX_PARTS = 64;
/** Header block limits. */
const MAX_HEADER_BLOCK = 64 * 1024;
const MAX_HEADER_VALUE = 8 * 1024;
const MAX_HEADERS = 400;
/** Most decoded text kept per text part. */
export const MAX_TEXT = 128 * 1024;

export type Headers = Map<string, string[]>;

export interface MimePart {
  headers: Headers;
  /** lower-cased media type, e.g. "text/plain"; "text/plain" when missing */
  type: string;
  params: MimeParams;
  /** content-transfer-encoding, lower-cased */
  encoding: string;
  /** raw body (latin1 view), not decoded */
  body: string;
  depth: number;
  /**
   * The body holds no byte of 0x80 or above and no ESC, so no charset can change it and
   * bytesToString would return it as it is: true for the parts of a message that is plain ASCII
   * throughout (most bounces), false when unknown.
   */
  ascii: boolean;
}

/**
 * The Content-Type parameters the report reader uses (the first of each name wins). One fixed
 * shape: a record keyed by every parameter name met made each key a new property to intern and
 * a new object shape per combination, for values nobody read.
 */
export interface MimeParams {
  charset: string | undefined;
  boundary: string | undefined;
}

export interface ParsedMime {
  headers: Headers;
  /** leaf parts in document order (multipart containers are not listed) */
  parts: MimePart[];
  /** true when the message was cut at MAX_SCAN_BYTES */
  truncated: boolean;
}

export function header(h: Headers, name: string): string | null {
  const v = h.get(name);
  return v && v.length ? v[0] : null;
}

/** Find the end of the header block: index of the blank line, and where the body starts. */
function splitHeaderBody(src: string, start: number, end: number): { hEnd: number; bStart: number } {
  // reading past the end would return NaN and make V8 drop this function's optimised code
  if (start >= end) return { hEnd: end, bStart: end };
  // A body that starts with a blank line has no headers.
  if (src.charCodeAt(start) === 10) return { hEnd: start, bStart: start + 1 };
  if (src.charCodeAt(start) === 13 && src.charCodeAt(start + 1) === 10) return { hEnd: start, bStart: start + 2 };
  const limit = Math.min(end, start + MAX_HEADER_BLOCK);
  let i = src.indexOf('\n', start);
  while (i !== -1 && i < limit) {
    const n = src.charCodeAt(i + 1);
    if (n === 10) return { hEnd: i + 1, bStart: i + 2 };
    if (n === 13 && src.charCodeAt(i + 2) === 10) return { hEnd: i + 1, bStart: i + 3 };
    i = src.indexOf('\n', i + 1);
  }
  if (i === -1 || i >= end) return { hEnd: end, bStart: end };
  // header block too large: stop reading headers at the limit, body from the next line.
  return { hEnd: limit, bStart: limit };
}

/** Headers nobody reads here; skipped without unfolding to save time on long trace blocks. */
const SKIP_HEADERS = new Set([
  'received',
  'x-received',
  'dkim-signature',
  'x-google-dkim-signature',
  'domainkey-signature',
  'arc-seal',
  'arc-message-signature',
  'arc-authentication-results',
  'authentication-results',
  'received-spf',
  'x-gm-message-state',
  'x-google-smtp-source',
  'x-ms-exchange-antispam-messagedata-0',
  'x-ms-exchange-antispam-messagedata-chunkcount',
  'x-microsoft-antispam-message-info',
  'x-microsoft-antispam',
  'x-forefront-antispam-report',
  'x-ms-exchange-crosstenant-id',
]);

function endsWithSemicolon(v: string): boolean {
  for (let i = v.length - 1; i >= 0; i--) {
    const c = v.charCodeAt(i);
    if (c === 59) return true;
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return false;
}

/** The headers the report parser reads from a message and its MIME parts; others are skipped. */
export const REPORT_HEADERS: ReadonlySet<string> = new Set([
  'auto-submitted', 'cc', 'content-description', 'content-disposition', 'content-transfer-encoding', 'content-type', 'date',
  'delivered-to', 'from', 'in-reply-to', 'message-id', 'precedence', 'references', 'reply-to', 'return-path', 'sender',
  'subject', 'to', 'x-auto-reply', 'x-autogenerated', 'x-autoreply', 'x-autorespond', 'x-autoresponder', 'x-failed-recipients',
  'x-hmxmroriginalrecipient', 'x-mailer', 'x-ms-exchange-inbox-rules-loop', 'x-original-to', 'x-vacation',
]);

/** The skipped headers as they are usually spelled, to skip them without lower-casing. */
const SKIP_RAW = new Set(['Received', 'X-Received', 'DKIM-Signature', 'ARC-Seal', 'ARC-Message-Signature', 'ARC-Authentication-Results', 'Authentication-Results', 'Received-SPF', 'X-Google-DKIM-Signature', 'X-Gm-Message-State', 'X-Google-Smtp-Source']);

/** Lower-case names of common headers as they are usually spelled (saves a trim and a lower-case). */
const RAW_NAMES = new Map<string, string>();
for (const n of ['From', 'To', 'Cc', 'Subject', 'Date', 'Message-ID', 'Message-Id', 'Content-Type', 'Content-Transfer-Encoding', 'Content-Description', 'Content-Disposition', 'MIME-Version', 'Mime-Version', 'Return-Path', 'Reply-To', 'Sender', 'In-Reply-To', 'References', 'Delivered-To', 'X-Original-To', 'X-Failed-Recipients', 'Auto-Submitted', 'Precedence', 'X-Mailer', 'List-Unsubscribe', 'List-Id', 'X-Priority', 'Content-Language', 'Thread-Topic', 'Thread-Index', 'Accept-Language', 'X-MS-Has-Attach', 'X-MS-TNEF-Correlator', 'X-Originating-IP', 'User-Agent', 'Importance', 'X-Spam-Status', 'X-Spam-Score', 'X-Virus-Scanned', 'Envelope-to', 'Delivery-date', 'Content-ID', 'X-SES-Outgoing', 'Feedback-ID', 'X-Google-Original-From']) {
  RAW_NAMES.set(n, n.toLowerCase());
}

/** White space as String.prototype.trim and /\s/ see it. */
export function isTrimSpace(c: number): boolean {
  return (c >= 9 && c <= 13) || c === 32 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

function lowerAscii(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** Bounds of the last name given to namesAt, trimmed as String.prototype.trim would. */
let keyFrom = 0;
let keyTo = 0;

/** Longest name a table of wanted names holds; a longer wanted name turns the table off. */
const MAX_NAME = 48;

/**
 * Wanted names (minus the never-read ones) by length and lower-cased first letter: a header line
 * whose name has another length or first letter is skipped unread. null when a wanted name is not
 * plain lower-case ASCII, is longer than MAX_NAME, or starts with k (KELVIN SIGN lower-cases to
 * k, and a non-ASCII first letter is never looked up).
 */
type NameTable = (string[] | undefined)[];
const nameTables = new WeakMap<ReadonlySet<string>, NameTable | null>();
function nameTableOf(wanted: ReadonlySet<string>): NameTable | null {
  let table = nameTables.get(wanted);
  if (table !== undefined) return table;
  table = Array.from<string[] | undefined>({ length: (MAX_NAME + 1) * 128 });
  for (const n of wanted) {
    if (!/^[\x21-\x39\x3b-\x40\x5b-\x7e]+$/.test(n) || n.length > MAX_NAME || n.startsWith('k')) {
      table = null;
      break;
    }
    if (SKIP_HEADERS.has(n)) continue;
    const slot = n.length * 128 + n.charCodeAt(0);
    (table[slot] ??= []).push(n);
  }
  nameTables.set(wanted, table);
  return table;
}

/** The wanted names a header name (from..to, trimmed as trim() would) may lower-case to. */
function namesAt(table: NameTable, s: string, from: number, to: number): string[] | undefined {
  while (from < to && isTrimSpace(s.charCodeAt(from))) from++;
  while (to > from && isTrimSpace(s.charCodeAt(to - 1))) to--;
  keyFrom = from;
  keyTo = to;
  const len = to - from;
  if (len === 0 || len > MAX_NAME) return undefined;
  const first = s.charCodeAt(from);
  return first < 128 ? table[len * 128 + lowerAscii(first)] : undefined;
}

/**
 * Which of `names` the trimmed name at keyFrom..keyTo lower-cases to, compared in place (no slice,
 * no hash of a new string); '' when none. Outside ASCII only KELVIN SIGN lower-cases to an ASCII
 * letter (k); every other character, or its lower case, stays outside ASCII and so cannot be
 * part of a wanted (ASCII) name.
 */
function matchName(src: string, names: string[]): string {
  const from = keyFrom;
  const len = keyTo - from;
  for (const n of names) {
    if (n.length !== len) continue;
    let i = 0;
    for (; i < len; i++) {
      const c = src.charCodeAt(from + i);
      const want = n.charCodeAt(i);
      if (c !== want && !(c >= 65 && c <= 90 && c + 32 === want) && !(c === 0x212a && want === 107)) break;
    }
    if (i === len) return n;
  }
  return '';
}

/** Parse a header block. Names lower-cased, values unfolded (CR/LF removed), capped. */
export function parseHeaders(src: string, start: number, end: number, wanted?: ReadonlySet<string>): Headers {
  const keys = wanted === undefined ? null : nameTableOf(wanted);
  const h: Headers = new Map();
  let count = 0;
  let name = '';
  let value = '';
  let skipping = false;
  const flush = () => {
    if (!name) return;
    const v = value.length > MAX_HEADER_VALUE ? value.slice(0, MAX_HEADER_VALUE) : value;
    const list = h.get(name);
    if (list) list.push(v.trim());
    else h.set(name, [v.trim()]);
    count++;
    name = '';
    value = '';
  };
  let pos = start;
  while (pos < end && count < MAX_HEADERS) {
    let nl = src.indexOf('\n', pos);
    if (nl === -1 || nl > end) nl = end;
    let lineEnd = nl;
    if (lineEnd > pos && src.charCodeAt(lineEnd - 1) === 13) lineEnd--;
    const c = src.charCodeAt(pos);
    if (c === 32 || c === 9) {
      if (!skipping && name && value.length < MAX_HEADER_VALUE) value += ' ' + src.slice(pos, Math.min(lineEnd, pos + MAX_HEADER_VALUE)).trim();
    } else {
      const colon = src.indexOf(':', pos);
      const contParam = name !== '' && !skipping && endsWithSemicolon(value);
      const eq = contParam ? src.indexOf('=', pos) : -1;
      if (contParam && eq !== -1 && eq < lineEnd && (colon === -1 || colon > eq)) {
        // a parameter continued on a line without the leading white space (seen in the wild)
        value += ' ' + src.slice(pos, Math.min(lineEnd, pos + MAX_HEADER_VALUE)).trim();
      } else if (colon !== -1 && colon < lineEnd && colon - pos < 100) {
        flush();
        if (keys !== null) {
          // a wanted name is found by its length and first letter and compared in place; others are skipped unread
          const names = namesAt(keys, src, pos, colon);
          const known = names === undefined ? '' : matchName(src, names);
          if (known === '') {
            skipping = true;
          } else {
            name = known;
            skipping = false;
            value = src.slice(colon + 1, Math.min(lineEnd, colon + 1 + MAX_HEADER_VALUE));
          }
          pos = nl + 1;
          continue;
        }
        const raw = src.slice(pos, colon);
        name = SKIP_RAW.has(raw) ? 'received' : (RAW_NAMES.get(raw) ?? raw.trim().toLowerCase());
        if (SKIP_HEADERS.has(name) || (wanted !== undefined && !wanted.has(name))) {
          // trace and signature headers are never read: skip them and their continuation lines
          name = '';
          skipping = true;
        } else {
          skipping = false;
          value = src.slice(colon + 1, Math.min(lineEnd, colon + 1 + MAX_HEADER_VALUE));
        }
      } else if (pos === start && src.startsWith('From ', pos)) {
        // mbox "From " separator line: skip
      } else {
        // not a header line: ignore (tolerant)
      }
    }
    pos = nl + 1;
  }
  flush();
  return h;
}

function noParams(): MimeParams {
  return { charset: undefined, boundary: undefined };
}

/** Parse "type/subtype; a=b; c="d"" into parts. Bounded and tolerant. */
export function parseContentType(v: string | null): { type: string; params: MimeParams } {
  const params = noParams();
  if (!v) return { type: 'text/plain', params };
  const s = v.length > 2048 ? v.slice(0, 2048) : v;
  const semi = s.indexOf(';');
  const type = (semi === -1 ? s : s.slice(0, semi)).trim().toLowerCase() || 'text/plain';
  // parameters: hand-parsed (quoted values may contain ';'), at most 32
  let i = semi;
  let guard = 0;
  while (i !== -1 && i < s.length && guard++ < 32) {
    const eq = s.indexOf('=', i + 1);
    if (eq === -1) break;
    const key = s.slice(i + 1, eq).trim().toLowerCase();
    let j = eq + 1;
    while (j < s.length && (s.charCodeAt(j) === 32 || s.charCodeAt(j) === 9)) j++;
    let val: string;
    if (s.charCodeAt(j) === 34) {
      let k = j + 1;
      const close = s.indexOf('"', k);
      const slash = s.indexOf('\\', k);
      if (close !== -1 && (slash === -1 || slash > close)) {
        // the usual quoted value, with no escapes: one slice
        val = s.slice(k, close);
        k = close;
      } else {
        let out = '';
        while (k < s.length && s.charCodeAt(k) !== 34) {
          if (s.charCodeAt(k) === 92 && k + 1 < s.length) k++;
          out += s[k];
          k++;
        }
        val = out;
      }
      i = s.indexOf(';', k);
    } else {
      const next = s.indexOf(';', j);
      val = (next === -1 ? s.slice(j) : s.slice(j, next)).trim();
      i = next;
    }
    if (key === 'charset') params.charset ??= val;
    else if (key === 'boundary') params.boundary ??= val;
  }
  return { type: type.includes('/') ? type : 'text/plain', params };
}

interface Ctx {
  src: string;
  parts: MimePart[];
  budget: number; // remaining entity visits
  ascii: boolean; // the whole source is plain ASCII (see MimePart.ascii)
}

function walk(ctx: Ctx, start: number, end: number, depth: number, defaultType: string, isTop: boolean): Headers {
  const { src } = ctx;
  const { hEnd, bStart } = splitHeaderBody(src, start, end);
  const headers = parseHeaders(src, start, hEnd, REPORT_HEADERS);
  if (ctx.budget-- <= 0 || ctx.parts.length >= MAX_PARTS) return headers;
  const ctRaw = header(headers, 'content-type');
  const ct = ctRaw ? parseContentType(ctRaw) : { type: defaultType, params: noParams() };
  const encoding = (header(headers, 'content-transfer-encoding') || '7bit').trim().toLowerCase();
  const boundary = ct.params.boundary;
  if (ct.type.startsWith('multipart/') && boundary && depth < MAX_DEPTH && boundary.length <= 200) {
    const childDefault = ct.type === 'multipart/digest' ? 'message/rfc822' : 'text/plain';
    const delim = '--' + boundary;
    // collect delimiter positions (at line starts)
    let pos = bStart;
    let partStart = -1;
    let any = false;
    while (pos < end) {
      let idx = src.indexOf(delim, pos);
      if (idx === -1 || idx >= end) break;
      const atLineStart = idx === bStart || src.charCodeAt(idx - 1) === 10;
      if (!atLineStart) {
        pos = idx + delim.length;
        continue;
      }
      any = true;
      const after = idx + delim.length;
      const isClose = src.charCodeAt(after) === 45 && src.charCodeAt(after + 1) === 45;
      if (partStart !== -1) {
        // the CRLF before the delimiter belongs to the delimiter
        let pEnd = idx;
        if (pEnd > partStart && src.charCodeAt(pEnd - 1) === 10) pEnd--;
        if (pEnd > partStart && src.charCodeAt(pEnd - 1) === 13) pEnd--;
        walk(ctx, partStart, Math.max(partStart, pEnd), depth + 1, childDefault, false);
        if (ctx.parts.length >= MAX_PARTS || ctx.budget <= 0) return headers;
      }
      if (isClose) {
        partStart = -1;
        break;
      }
      let nl = src.indexOf('\n', after);
      if (nl === -1 || nl >= end) {
        partStart = -1;
        break;
      }
      partStart = nl + 1;
      pos = partStart;
    }
    if (partStart !== -1 && partStart < end) {
      // truncated multipart: the last part runs to the end
      walk(ctx, partStart, end, depth + 1, childDefault, false);
    }
    if (any) return headers;
    // no delimiter found at all: treat body as text
    ctx.parts.push({ headers, type: 'text/plain', params: ct.params, encoding, body: src.slice(bStart, end), depth, ascii: ctx.ascii });
    return headers;
  }
  if ((ct.type === 'message/rfc822' || ct.type === 'message/global') && depth < MAX_DEPTH && !isTop) {
    // Keep the embedded message's header block only (a leaf with type message/rfc822 whose body
    // is the header text); its body is not needed to link the bounce.
    let s = bStart;
    // tolerate blank lines between the part's headers and the embedded message
    for (let k = 0; k < 8 && s < end; k++) {
      if (src.charCodeAt(s) === 10) s++;
      else if (src.charCodeAt(s) === 13 && src.charCodeAt(s + 1) === 10) s += 2;
      else break;
    }
    if (encoding === 'base64' || encoding === 'quoted-printable') {
      const decoded = decodeTransfer(src.slice(bStart, Math.min(end, bStart + MAX_HEADER_BLOCK * 2)), encoding);
      ctx.parts.push({ headers, type: ct.type, params: ct.params, encoding: '7bit', body: headerBlockOf(decoded), depth, ascii: false });
      return headers;
    }
    const inner = splitHeaderBody(src, s, end);
    ctx.parts.push({ headers, type: ct.type, params: ct.params, encoding, body: src.slice(s, inner.hEnd), depth, ascii: ctx.ascii });
    s = inner.bStart;
    return headers;
  }
  const bodyEnd = ct.type.startsWith('text/') || ct.type.startsWith('message/') ? end : Math.min(end, bStart + 4096);
  ctx.parts.push({ headers, type: ct.type, params: ct.params, encoding, body: src.slice(bStart, bodyEnd), depth, ascii: ctx.ascii });
  return headers;
}

function headerBlockOf(s: string): string {
  const r = splitHeaderBody(s, 0, s.length);
  return s.slice(0, r.hEnd);
}

export function parseMime(raw: Buffer | string): ParsedMime {
  let src: string;
  let truncated = false;
  if (typeof raw === 'string') {
    if (raw.length > MAX_SCAN_BYTES) {
      src = raw.slice(0, MAX_SCAN_BYTES);
      truncated = true;
    } else src = raw;
  } else {
    if (raw.length > MAX_SCAN_BYTES) {
      src = raw.toString('latin1', 0, MAX_SCAN_BYTES);
      truncated = true;
    } else src = raw.toString('latin1');
  }
  let start = 0;
  // skip an mbox "From " line and leading blank lines
  if (src.startsWith('From ')) {
    const nl = src.indexOf('\n');
    start = nl === -1 ? src.length : nl + 1;
  }
  // one SIMD pass over the bytes saves a pattern scan of every text that is later decoded
  const ascii = typeof raw !== 'string' && isAscii(raw) && raw.indexOf(0x1b) === -1;
  const ctx: Ctx = { src, parts: [], budget: 400, ascii };
  const headers = walk(ctx, start, src.length, 0, 'text/plain', true);
  return { headers, parts: ctx.parts, truncated };
}

/** Decode a transfer encoding. Input and output are latin1 views of bytes. */
export function decodeTransfer(body: string, encoding: string): string {
  if (encoding === 'base64') {
    const s = body.length > MAX_TEXT * 2 ? body.slice(0, MAX_TEXT * 2) : body;
    return Buffer.from(s, 'base64').toString('latin1');
  }
  if (encoding === 'quoted-printable') {
    const s = body.length > MAX_TEXT * 2 ? body.slice(0, MAX_TEXT * 2) : body;
    if (s.indexOf('=') === -1) return s;
    return decodeHexEscapes(s.replace(/=\r?\n/g, ''));
  }
  return body;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/**
 * "=XX" escapes of quoted-printable (soft line breaks already removed), left to right: the same
 * result as replace(/=([0-9A-Fa-f]{2})/g, …) without a call back into JavaScript per escape.
 */
function decodeHexEscapes(s: string): string {
  let out = '';
  let from = 0;
  let i = s.indexOf('=');
  while (i !== -1) {
    const hi = i + 2 < s.length ? hexValue(s.charCodeAt(i + 1)) : -1; // (no read past the end: V8 would deopt)
    const lo = hi < 0 ? -1 : hexValue(s.charCodeAt(i + 2));
    if (lo < 0) {
      i = s.indexOf('=', i + 1);
      continue;
    }
    out += s.slice(from, i) + String.fromCharCode(hi * 16 + lo);
    from = i + 3;
    i = s.indexOf('=', from);
  }
  return from === 0 ? s : out + s.slice(from);
}

type Decoder = InstanceType<typeof TextDecoder>;
const decoders = new Map<string, Decoder | null>();
function decoderFor(charset: string): Decoder | null {
  let d = decoders.get(charset);
  if (d !== undefined) return d;
  try {
    d = new TextDecoder(charset, { fatal: false });
  } catch {
    d = null;
  }
  if (decoders.size < 64) decoders.set(charset, d);
  return d;
}

/** Turn a latin1 byte view into a JS string using the given charset (tolerant). */
export function bytesToString(s: string, charset: string | undefined): string {
  if (!/[\x80-\xff\x1b]/.test(s)) return s;
  if (/[^\x00-\xff]/.test(s)) return s; // already text (a string given by the caller), not a byte view
  const cs = (charset || '').trim().toLowerCase().replace(/^"|"$/g, '');
  if (cs === 'iso-8859-1' || cs === 'latin1' || cs === 'us-ascii' || cs === 'ascii') {
    if (!/[\x80-\xff]/.test(s)) return s;
    if (cs === 'us-ascii' || cs === 'ascii') return utf8OrLatin1(s);
    return s;
  }
  if (!cs || cs === 'utf-8' || cs === 'utf8') return utf8OrLatin1(s);
  const d = decoderFor(cs);
  if (!d) return utf8OrLatin1(s);
  try {
    return d.decode(Buffer.from(s, 'latin1'));
  } catch {
    return s;
  }
}

function utf8OrLatin1(s: string): string {
  const out = Buffer.from(s, 'latin1').toString('utf8');
  return out.indexOf('\uFFFD') === -1 ? out : s;
}

/** Whether a part's body is its text already: plain ASCII, no transfer encoding to undo. */
export function isPlain(p: MimePart): boolean {
  return p.ascii && p.encoding !== 'base64' && p.encoding !== 'quoted-printable';
}

/** Decoded text of a part (transfer encoding and charset), capped. */
export function partText(p: MimePart, opts?: { keepHeavyCharset?: boolean }): string {
  let body = p.body.length > MAX_TEXT * 2 ? p.body.slice(0, MAX_TEXT * 2) : p.body;
  body = decodeTransfer(body, p.encoding);
  if (body.length > MAX_TEXT) body = body.slice(0, MAX_TEXT);
  // Multi-byte legacy charsets (ISO-2022-JP, Shift_JIS, EUC-KR, GB2312 …) are slow to decode and
  // the classifier only needs their ASCII parts; callers may keep the byte view and decode the few
  // strings they output with decodeHeavy() (line-based pieces decode correctly: ISO-2022-JP returns
  // to ASCII before each line end, RFC 1468).
  let text = isPlain(p) || (opts?.keepHeavyCharset && isHeavyCharset(p.params.charset)) ? body : bytesToString(body, p.params.charset);
  if (p.type === 'text/html') text = htmlToText(text);
  return text;
}

const LIGHT = new Set(['', 'utf-8', 'utf8', 'us-ascii', 'ascii', 'iso-8859-1', 'latin1', 'iso-8859-15', 'windows-1252', 'cp1252']);
export function isHeavyCharset(charset: string | undefined): boolean {
  return !LIGHT.has((charset || '').trim().toLowerCase().replace(/^"|"$/g, ''));
}

/** Decode a byte-view piece of a part kept in a heavy charset (see partText). */
export function decodeHeavy(s: string, charset: string | null): string {
  if (!charset) return s;
  return bytesToString(s, charset);
}

/** Crude, linear HTML to text: enough to find addresses and diagnostics. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[^>]{0,200}>[\s\S]{0,100000}?<\/\1\s*>/gi, ' ')
    .replace(/<br\s*\/?>|<\/(p|div|tr|li|h\d|table)>/gi, '\n')
    .replace(/<[^>]{0,2000}>/g, ' ')
    .replace(/&nbsp;/gi, ' ')
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/&quot;/gi, '"')
    .replace(/&#(\d{1,5});/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/&amp;/gi, '&')
    .replace(/[ \t]+/g, ' ');
}

/** RFC 2047 encoded-word decoding for display headers. */
export function decodeWords(v: string | null): string | null {
  if (v == null) return null;
  let s = v.length > MAX_HEADER_VALUE ? v.slice(0, MAX_HEADER_VALUE) : v;
  if (s.indexOf('=?') !== -1) {
    s = s.replace(/\?=\s+=\?/g, '?==?');
    s = s.replace(/=\?([^?\s]{1,40})\?([bBqQ])\?([^?\s]{0,2000})\?=/g, (_m, cs: string, enc: string, text: string) => {
      let bytes: string;
      if (enc === 'b' || enc === 'B') bytes = Buffer.from(text, 'base64').toString('latin1');
      else bytes = text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16)));
      const star = cs.indexOf('*');
      return bytesToString(bytes, star === -1 ? cs : cs.slice(0, star)) || '';
    });
  }
  return bytesToString(s, 'utf-8');
}
