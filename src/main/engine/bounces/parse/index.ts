import { CATEGORY_KIND, type Category } from '../../../../shared/categories';
import type { Classification, ParsedReport, ReportRecipient, ReportType } from '../../../../shared/classification';
import { classifyReply, findCode, findEnhanced } from '../../classify/index';
import { allAddresses, firstAddress } from './addresses';
import { MAX_RECIPIENTS, parseDeliveryStatus, type Dsn } from './delivery-status';
import { recipientsFromText } from './text-recipients';
import { normMessageId, normStatus, stripType } from './values';
import { bytesToString, decodeHeavy, decodeWords, header, isHeavyCharset, isPlain, isTrimSpace, parseHeaders, parseMime, partText, REPORT_HEADERS, type Headers, type MimePart } from './mime';

/**
 * Reads a message that arrived in the mailbox and says what it is: a bounce, a delay notice, a
 * success DSN, an auto-reply, an ARF complaint, or ordinary mail. For reports, every recipient
 * with status, action, remote MTA, diagnostic and category, and the original Message-ID.
 *
 * Built from the standards (RFC 3461-3464 DSN, RFC 3463 codes, RFC 3834 auto-replies, RFC 5965
 * ARF, RFC 6533 global DSN) and the general shape of non-standard bounces: a human-readable text
 * naming the failed addresses, each followed by the remote server's words, then a copy of the
 * returned message. Pure and bounded: no I/O, never throws.
 */

const MAX_HUMAN = 64 * 1024;
const MAX_DIAG = 1000;

// ---------------------------------------------------------------------------------------------
// small helpers

function squash(s: string, max = MAX_DIAG): string {
  const c = s.length > max * 2 ? s.slice(0, max * 2) : s;
  const t = needsFolding(c) ? c.replace(/\s+/g, ' ').trim() : c;
  return t.length > max ? t.slice(0, max) : t;
}

/** Whether /\s+/ → ' ' and trim would change s (most diagnostics are one clean line already). */
function needsFolding(s: string): boolean {
  const n = s.length;
  if (n === 0) return false;
  if (s.charCodeAt(0) === 32 || s.charCodeAt(n - 1) === 32) return true;
  let prevSpace = false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 32) {
      if (prevSpace) return true;
      prevSpace = true;
    } else {
      if ((c >= 9 && c <= 13) || (c >= 0xa0 && isTrimSpace(c))) return true;
      prevSpace = false;
    }
  }
  return false;
}

function lowerAddr(a: string): string {
  return a.toLowerCase();
}

// ---------------------------------------------------------------------------------------------
// human-readable text

/**
 * Lines that introduce the returned copy of the original message. Sendmail's own notices begin
 * with "The original message was received at <date> from <host>", which is not such a line.
 */
const ORIGINAL_MARKER =
  /^[ \t>]*(?:[-=_*#~<]+[ \t]*)?(original message|returned message|unsent message|undelivered message|below this line is a copy|this is a copy of (the|your) message|copy of (the |your )?(original )?message|original message (headers|follows)|message headers follow|headers of the original|the original message (was(?! received)|headers)|returned mail follows|start of returned message|original mail as follows|the original message follows|message text follows|your message (follows|reads)|content of the original|included is a copy|rfc822 headers|the headers of your message|orginal message)/im;

function splitAtOriginal(text: string): { human: string; rest: string } {
  const m = ORIGINAL_MARKER.exec(text);
  if (m) return { human: text.slice(0, m.index), rest: text.slice(m.index) };
  // a header block of the returned message starting after a blank line
  const h = /\n[ \t]*\n(Return-Path|Received|Message-I[dD]|MIME-Version|X-Original-To|Delivered-To): /.exec(text);
  if (h) return { human: text.slice(0, h.index), rest: text.slice(h.index) };
  return { human: text, rest: '' };
}

/** Headers of the returned message found after the marker line. */
let restHeadersKey: string | null = null;
let restHeadersVal: Headers | null = null;
function restHeaders(rest: string): Headers {
  if (restHeadersKey === rest && restHeadersVal) return restHeadersVal;
  let start = rest.indexOf('\n');
  start = start === -1 ? rest.length : start + 1;
  while (start < rest.length && (rest.charCodeAt(start) === 10 || rest.charCodeAt(start) === 13)) start++;
  const h = parseHeaders(rest, start, Math.min(rest.length, start + 32 * 1024), REPORT_HEADERS);
  restHeadersKey = rest;
  restHeadersVal = h;
  return h;
}

function messageIdIn(text: string): string | null {
  const m = /^[ \t>]*message-id:[ \t]*(<[^<>\s]{1,900}>|[^<>\s]{1,900}@[^<>\s]{1,900})/im.exec(text);
  return m ? normMessageId(m[1]) : null;
}

// ---------------------------------------------------------------------------------------------
// detection

const BOUNCE_FROM = /mailer[- ]?daemon|ndr administrator|mailerdaemon|mail-daemon|post_?master|mail delivery (sub)?system|mail delivery service|delivery subsystem|mdaemon|bounce[s]?@|nobody@|microsoftexchange|mail administrator|mail system|courier mail server/i;
/** Words of a failure notice: used to confirm a bounce that only its subject suggests. */
const FAILURE_TEXT =
  /(^|[^\d.])[45]\d\d[ -][^\n]{0,200}|[45]\.\d{1,3}\.\d{1,3}|could not be delivered|couldn't be delivered|undeliver|delivery (has )?failed|permanent(ly)? (error|fail)|not (been )?delivered|was rejected|does not exist|unknown user|user unknown|no such user|mailbox (is )?(full|unavailable)|failed recipient|expired|delivery status notification/i;
const BOUNCE_SUBJECT =
  /undeliver|undelivered|delivery (status notification|failure|failed|has failed|problem|report|notification|error|incomplete)|mail delivery status|returned mail|returning message|mail delivery (failed|failure|system|subsystem|error)|failure notice|non[- ]?delivery|could not (be )?deliver|not (been )?delivered|delivery error|bounce|mail system error|returned to sender|permanent (error|failure)|message (was )?rejected|delayed mail|delivery delayed|message delayed|delay(ed)? notification|warning: could not send|message status|\bndr\b|mail could not|onbestelbaar|non recapitabile|não (foi possível|é possível) entregar|nie można dostarczyć|olevererbart|kan ikke leveres|unzustellbar|failed delivery|delivery notification|nicht zustellbar|non remis|no se puede entregar|unzustellbar|errore/i;
const COMPLAINT_SUBJECT = /complaint about message|abuse report|feedback loop report|spam report|scomp/i;
const DELAY_SUBJECT = /delay|delayed|warning: could not send|still (being )?(retried|trying)|not yet (been )?delivered|will retry|transient/i;
const DELAY_TEXT =
  /has not yet been delivered|not been delivered yet|will (continue|keep) (trying|to try|to attempt|retrying)|delivery attempts will continue|will be retried|will retry|still trying|no action is required on your part|this is a warning|temporary problem delivering|delivery incomplete|has been delayed|delivery has been delayed|is delayed/i;
const AUTO_SUBJECT =
  /^\s*(auto(matic|matisch)?[ -]?(reply|response|respond|antwort|réponse|reponse|respuesta|risposta|resposta|svar)|automatische antwort|automatisch antwoord|automatisk svar|automatisches? antwort|réponse automatique|reponse automatique|respuesta automática|risposta automatica|resposta automática|odpowiedź automatyczna|out of (the )?office|ooo\b|vacation (reply|message|notice|response|auto)|on vacation|abwesenheit|abwesend|absence|away from (the |my )?(office|desk)|on leave|autoreply|auto:|i am (out|away)|i'm (out|away)|not in the office|fuera de la oficina|absent|automatyczna odpowied|automaattinen vastaus|automatikus válasz|automatická odpověď|automatické odpověď|автоматический ответ|автоответ|otomatik (yanıt|cevap)|afwezig|autosvar|αυτόματη απάντηση|自動応答|自動返信|自动回复|自動回覆|自动答复|자동 ?(응답|회신)|不在)/i;

function isBounceSender(from: string | null, returnPath: string | null): boolean {
  if (from && BOUNCE_FROM.test(from)) return true;
  if (returnPath && /mailer-daemon|postmaster/i.test(returnPath)) return true;
  return false;
}

/**
 * Cheap pre-filter on envelope / headers: is it worth fetching the body? Errs on the side of yes.
 */
export function looksLikeReportCandidate(headers: {
  from?: string | null;
  subject?: string | null;
  contentType?: string | null;
  autoSubmitted?: string | null;
  xFailedRecipients?: string | null;
  returnPath?: string | null;
}): boolean {
  try {
    const h = headers || {};
    const cap = (s: string | null | undefined) => (typeof s === 'string' ? (s.length > 2000 ? s.slice(0, 2000) : s) : null);
    const from = cap(h.from);
    const subject = cap(h.subject);
    const ct = cap(h.contentType);
    const auto = cap(h.autoSubmitted);
    if (cap(h.xFailedRecipients)) return true;
    if (ct && /multipart\/report|message\/delivery-status|message\/feedback-report|message\/global-delivery-status/i.test(ct)) return true;
    if (isBounceSender(from, cap(h.returnPath))) return true;
    // a null reverse path is what DSNs and (RFC 3834) auto-responses use
    if (h.returnPath != null && /^\s*<\s*>\s*$/.test(h.returnPath)) return true;
    if (auto && /auto-replied|auto-generated|auto-notified/i.test(auto)) return true;
    if (subject && (BOUNCE_SUBJECT.test(subject) || AUTO_SUBJECT.test(subject) || /abuse report|complaint|feedback report|spam report/i.test(subject))) return true;
    if (from && /no-reply@sns\.amazonaws\.com|amazonses|feedback|fbl|abuse/i.test(from)) return true;
    return false;
  } catch {
    return true;
  }
}

// ---------------------------------------------------------------------------------------------
// Amazon SES notifications delivered by e-mail (SNS): JSON bodies
// Source: docs.aws.amazon.com/ses/latest/dg/notification-contents.html

interface SesResult {
  type: ReportType;
  recipients: { address: string; status: string | null; action: string | null; diagnostic: string | null; remoteMta: string | null }[];
  messageId: string | null;
  reportingMta: string | null;
}

const SES_JSON = /"notificationType"\s*:|"eventType"\s*:\s*"(Bounce|Complaint|Delivery)"/;

/** An SES notification's JSON; the pattern runs only on a text holding one of its two quoted names. */
function looksLikeSesJson(text: string): boolean {
  return (text.indexOf('"notificationType"') !== -1 || text.indexOf('"eventType"') !== -1) && SES_JSON.test(text);
}

function parseSesJson(text: string): SesResult | null {
  const start = text.indexOf('{');
  if (start === -1 || text.length > 512 * 1024) return null;
  const end = text.lastIndexOf('}');
  if (end <= start) return null;
  let obj: unknown;
  const json = text.slice(start, end + 1);
  try {
    obj = JSON.parse(json);
  } catch {
    try {
      obj = JSON.parse(json.replace(/\r?\n[ \t]?/g, ''));
    } catch {
      return null;
    }
  }
  let o = obj as Record<string, unknown>;
  if (o && typeof o.Message === 'string') {
    try {
      o = JSON.parse(o.Message) as Record<string, unknown>;
    } catch {
      return null;
    }
  }
  if (!o || typeof o !== 'object') return null;
  const nt = String(o.notificationType ?? o.eventType ?? '');
  const mail = (o.mail ?? {}) as Record<string, unknown>;
  let messageId: string | null = null;
  const common = (mail.commonHeaders ?? {}) as Record<string, unknown>;
  if (typeof common.messageId === 'string') messageId = normMessageId(common.messageId);
  if (!messageId && Array.isArray(mail.headers)) {
    for (const hh of mail.headers as { name?: unknown; value?: unknown }[]) {
      if (hh && typeof hh.name === 'string' && hh.name.toLowerCase() === 'message-id' && typeof hh.value === 'string') messageId = normMessageId(hh.value);
    }
  }
  const recips: SesResult['recipients'] = [];
  if (nt === 'Bounce') {
    const b = (o.bounce ?? {}) as Record<string, unknown>;
    const list = Array.isArray(b.bouncedRecipients) ? (b.bouncedRecipients as Record<string, unknown>[]) : [];
    for (const r of list.slice(0, MAX_RECIPIENTS)) {
      if (!r || typeof r.emailAddress !== 'string') continue;
      recips.push({
        address: firstAddress(r.emailAddress) ?? r.emailAddress,
        status: typeof r.status === 'string' ? normStatus(r.status) : null,
        action: typeof r.action === 'string' ? r.action : 'failed',
        diagnostic: typeof r.diagnosticCode === 'string' ? stripType(r.diagnosticCode) : typeof b.bounceSubType === 'string' ? `${String(b.bounceType ?? '')} ${b.bounceSubType}` : null,
        remoteMta: typeof b.remoteMtaIp === 'string' ? b.remoteMtaIp : null,
      });
    }
    const transient = b.bounceType === 'Transient';
    return { type: transient && recips.every((r) => (r.status ?? '4').startsWith('4')) ? 'delay' : 'bounce', recipients: recips, messageId, reportingMta: typeof b.reportingMTA === 'string' ? stripType(b.reportingMTA) : null };
  }
  if (nt === 'Complaint') {
    const c = (o.complaint ?? {}) as Record<string, unknown>;
    const list = Array.isArray(c.complainedRecipients) ? (c.complainedRecipients as Record<string, unknown>[]) : [];
    for (const r of list.slice(0, MAX_RECIPIENTS)) {
      if (r && typeof r.emailAddress === 'string') recips.push({ address: firstAddress(r.emailAddress) ?? r.emailAddress, status: null, action: null, diagnostic: typeof c.complaintFeedbackType === 'string' ? c.complaintFeedbackType : null, remoteMta: null });
    }
    return { type: 'complaint', recipients: recips, messageId, reportingMta: null };
  }
  if (nt === 'Delivery') {
    const d = (o.delivery ?? {}) as Record<string, unknown>;
    const list = Array.isArray(d.recipients) ? (d.recipients as unknown[]) : [];
    for (const r of list.slice(0, MAX_RECIPIENTS)) {
      if (typeof r === 'string') recips.push({ address: firstAddress(r) ?? r, status: '2.0.0', action: 'delivered', diagnostic: typeof d.smtpResponse === 'string' ? d.smtpResponse : null, remoteMta: typeof d.remoteMtaIp === 'string' ? d.remoteMtaIp : null });
    }
    return { type: 'delivered', recipients: recips, messageId, reportingMta: typeof d.reportingMTA === 'string' ? d.reportingMTA : null };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// classification of one recipient

const STRONG_RULE = /^(?!enhanced\/|code\/|unknown|internal)/;
/** Rules that boilerplate around a remote server's words can trigger: re-read the words alone. */
const GENERIC_RULES = new Set(['wording/policy', 'wording/temporary', 'wording/recipient-rejected', 'wording/greylisted', 'wording/content', 'wording/config', 'wording/expired']);

/** Where a notice quotes the remote server's own reply. */
const SAID_RE = /(?:the error that the other server returned was|the response from the remote server was|the response was|remote (?:host|server) said|the following (?:message|error) was returned|server replied|said)\s*:\s*/i;

function classifyRecipient(
  diagnostic: string | null,
  status: string | null,
  action: string | null,
  windowFn: (() => string | null) | null,
  fallbackText: (() => string) | null,
): Classification {
  const diag = diagnostic ?? '';
  const code = diag ? findCode(diag) : null;
  const enhancedInDiag = diag ? findEnhanced(diag) : null;
  const enhanced = enhancedInDiag && !/\.0\.0$/.test(enhancedInDiag) ? enhancedInDiag : status && !/\.0\.0$/.test(status) ? status : enhancedInDiag ?? status;
  let c = classifyReply({ stage: 'after-data', code, enhanced, text: diag });
  // Gmail and others wrap the remote server's words in their own sentences: read those first
  const said = SAID_RE.exec(diag.length > 4000 ? diag.slice(0, 4000) : diag);
  if (said && (!STRONG_RULE.test(c.rule) || GENERIC_RULES.has(c.rule))) {
    const tail = diag.slice(said.index + said[0].length);
    const t = classifyReply({ stage: 'after-data', code: findCode(tail) ?? code, enhanced: findEnhanced(tail) ?? enhanced, text: tail });
    if (STRONG_RULE.test(t.rule) || !STRONG_RULE.test(c.rule)) c = { ...t, words: diag };
  }
  const window = !STRONG_RULE.test(c.rule) || !diag ? (windowFn ? windowFn() : null) : null;
  if (!STRONG_RULE.test(c.rule) && window) {
    const w = classifyReply({ stage: 'after-data', code, enhanced, text: window });
    // the lines around an address may hold other replies of the transcript: only a specific verdict
    // there outweighs the enhanced code of the recipient's own diagnostic
    if (STRONG_RULE.test(w.rule) && (c.category === 'unknown' || !GENERIC_RULES.has(w.rule))) c = { ...w, words: diag || w.words };
  }
  // a notice that only says "has been blocked" / "was rejected" beside the address, with the server's
  // words further down ("The response was: …", Gmail's layout): read those words
  if (fallbackText && GENERIC_RULES.has(c.rule)) {
    const all = fallbackText();
    const m = SAID_RE.exec(all);
    if (m) {
      const tail = all.slice(m.index + m[0].length, m.index + m[0].length + 1000);
      const t = classifyReply({ stage: 'after-data', code: findCode(tail) ?? code, enhanced: findEnhanced(tail) ?? enhanced, text: tail });
      if (STRONG_RULE.test(t.rule) && t.rule !== 'wording/policy' && t.rule !== 'wording/temporary') c = { ...t, words: diag || t.words };
    }
  }
  if (!STRONG_RULE.test(c.rule) && fallbackText) {
    const w = classifyReply({ stage: 'after-data', code, enhanced, text: fallbackText() });
    if (STRONG_RULE.test(w.rule) && !(c.category !== 'unknown' && w.rule === 'wording/policy')) c = { ...w, words: diag || c.words };
  }
  // A failed delivery after a temporary condition: the relaying server gave up retrying.
  const cls = (enhanced ?? status ?? '')[0] ?? (code ? String(code)[0] : '');
  if (action === 'failed' && (c.category === 'remote_temporary' || c.category === 'provider_outage') && cls === '4' && /expired|too long|retry time|timed? ?out|giving up(?! on [0-9a-f:.]{3,45}\b)|gave up|connect to/i.test(diag + ' ' + (window ?? ''))) {
    c = { category: 'delivery_expired', kind: CATEGORY_KIND.delivery_expired, rule: 'report/failed-after-retries', words: c.words };
  }
  if (action === 'delayed' && c.category === 'delivery_expired') {
    c = { category: 'remote_temporary', kind: CATEGORY_KIND.remote_temporary, rule: 'report/delayed', words: c.words };
  }
  if (!diag && c.words === '') c = { ...c, words: window ? squash(window) : '' };
  return c;
}

/** Charset of the human-readable text kept as bytes during this parse (see partText). */
let heavyCharset: string | null = null;

function rec(address: string, status: string | null, action: string | null, remoteMta: string | null, diagnostic: string | null, c: Classification): ReportRecipient {
  let diag = diagnostic == null ? null : squash(diagnostic);
  if (diag && heavyCharset && /[\x1b\x80-\xff]/.test(diag)) diag = squash(decodeHeavy(diag, heavyCharset));
  return {
    address,
    status,
    action,
    remoteMta,
    diagnostic: diag,
    replyCode: diag ? findCode(diag) : null,
    category: c.category,
    kind: c.kind,
    rule: c.rule,
    words: diag ?? c.words,
  };
}

function fixed(address: string, category: Category, rule: string, words = ''): ReportRecipient {
  return { address, status: null, action: null, remoteMta: null, diagnostic: null, replyCode: null, category, kind: CATEGORY_KIND[category], rule, words };
}

// ---------------------------------------------------------------------------------------------

function emptyReport(): ParsedReport {
  return { type: 'not_bounce', bounce: false, recipients: [], originalMessageId: null, messageId: null, subject: null, from: null, date: null, reportingMta: null };
}

export function parseReport(raw: Buffer | string, options?: { provider?: string }): ParsedReport {
  try {
    return parseInner(raw, options);
  } catch {
    const r = emptyReport();
    return r;
  }
}

const KEEP = { keepHeavyCharset: true };

function parseInner(raw: Buffer | string, _options?: { provider?: string }): ParsedReport {
  heavyCharset = null;
  const mime = parseMime(raw);
  const top = mime.headers;
  const subject = decodeWords(header(top, 'subject'));
  const from = decodeWords(header(top, 'from'));
  const report: ParsedReport = {
    type: 'not_bounce',
    bounce: false,
    recipients: [],
    originalMessageId: null,
    messageId: normMessageId(header(top, 'message-id')),
    subject,
    from,
    date: header(top, 'date'),
    reportingMta: null,
  };
  const returnPath = header(top, 'return-path');
  const topCt = (header(top, 'content-type') || '').toLowerCase();

  // classify the parts (text is decoded only when it is needed)
  const dsParts: MimePart[] = [];
  const fbParts: MimePart[] = [];
  const origHeaderParts: MimePart[] = [];
  const textParts: MimePart[] = [];
  let htmlPart: MimePart | null = null;
  for (const p of mime.parts) {
    const t = p.type;
    if (t === 'message/delivery-status' || t === 'message/global-delivery-status') dsParts.push(p);
    else if (t === 'message/feedback-report') fbParts.push(p);
    else if (t === 'message/rfc822' || t === 'message/global' || t === 'text/rfc822-headers' || t === 'message/rfc822-headers' || t === 'message/global-headers' || t === 'message/partial') origHeaderParts.push(p);
    else if (t === 'text/plain' || t === 'text/enriched' || t === 'message/disposition-notification' || t === 'text') {
      const desc = p.headers.has('content-description') ? (header(p.headers, 'content-description') || '').toLowerCase() : '';
      if (desc && /undelivered message|original message|returned message|message headers/.test(desc) && /^(return-path|received|message-id|from|to|date|subject|mime-version|x-[\w-]+):/im.test(p.body.slice(0, 2000))) {
        origHeaderParts.push(p);
        continue;
      }
      textParts.push(p);
    } else if (t === 'text/html') {
      if (htmlPart === null) htmlPart = p;
    }
  }
  // DSN or ARF fields sent as text/plain
  if (!dsParts.length || (!fbParts.length && /feedback-report/.test(topCt))) {
    for (let i = 0; i < textParts.length; i++) {
      const p = textParts[i];
      const probe = p.body.length > 64 * 1024 ? p.body.slice(0, 64 * 1024) : p.body;
      if (!dsParts.length && /^(final-recipient|original-recipient)\s*:/im.test(probe) && /^(action|status)\s*:/im.test(probe)) {
        dsParts.push({ ...p, type: 'message/delivery-status', body: partText(p), encoding: '7bit', ascii: isPlain(p) });
        textParts.splice(i--, 1);
      } else if (!fbParts.length && /feedback-report/.test(topCt) && /^feedback-type\s*:/im.test(probe)) {
        fbParts.push({ ...p, body: partText(p), encoding: '7bit', ascii: isPlain(p) });
        textParts.splice(i--, 1);
      }
    }
  }
  let fullCache: string | null = null;
  const fullText = (): string => {
    if (fullCache !== null) return fullCache;
    for (const p of textParts) if (!heavyCharset && isHeavyCharset(p.params.charset)) heavyCharset = p.params.charset ?? null;
    let t = '';
    for (let i = 0; i < textParts.length; i++) t = i === 0 ? partText(textParts[0], KEEP) : t + '\n' + partText(textParts[i], KEEP);
    if (!t.trim() && htmlPart) t = partText(htmlPart);
    if (t.length > MAX_HUMAN) t = t.slice(0, MAX_HUMAN);
    return (fullCache = t);
  };
  let splitCache: { human: string; rest: string } | null = null;
  const split = () => (splitCache ??= splitAtOriginal(fullText()));

  // the original message's headers
  let origHeaders: Headers | null = null;
  for (const p of origHeaderParts) {
    const body = p.type === 'text/rfc822-headers' || p.type === 'message/rfc822-headers' || p.type === 'message/global-headers' || p.type === 'text/plain' ? partText(p) : p.body;
    const h = parseHeaders(body, 0, Math.min(body.length, 64 * 1024), REPORT_HEADERS);
    if (!origHeaders || (!header(origHeaders, 'message-id') && header(h, 'message-id'))) origHeaders = h;
    if (header(h, 'message-id')) break;
  }
  let originalMessageId = origHeaders ? normMessageId(header(origHeaders, 'message-id')) : null;
  if (!originalMessageId && split().rest) originalMessageId = messageIdIn(split().rest);
  if (!originalMessageId) {
    // some MTAs append the returned headers inside the delivery-status part or the text without a marker
    for (const p of dsParts) {
      const m = messageIdIn(p.body.length > 64 * 1024 ? p.body.slice(0, 64 * 1024) : p.body);
      if (m) {
        originalMessageId = m;
        break;
      }
    }
    if (!originalMessageId) originalMessageId = messageIdIn(fullText());
  }

  // the original recipients (To / Cc of the returned message)
  let origToCache: string[] | null = null;
  const origTo = (): string[] => {
    if (origToCache) return origToCache;
    if (origHeaders) origToCache = [...allAddresses(header(origHeaders, 'to'), 20), ...allAddresses(header(origHeaders, 'cc'), 20)];
    else {
      const rest = split().rest;
      origToCache = rest ? allAddresses(header(restHeaders(rest), 'to'), 20) : [];
    }
    return origToCache;
  };
  // exclusions for address scraping: the report's own parties and the original sender
  const excludeSet = (): Set<string> => {
    const exclude = new Set<string>();
    for (const v of [header(top, 'from'), header(top, 'to'), header(top, 'cc'), returnPath, header(top, 'reply-to'), header(top, 'sender'), header(top, 'delivered-to'), header(top, 'x-original-to')]) {
      for (const a of allAddresses(v, 10)) exclude.add(lowerAddr(a));
    }
    if (origHeaders) {
      for (const v of [header(origHeaders, 'from'), header(origHeaders, 'return-path'), header(origHeaders, 'sender'), header(origHeaders, 'reply-to')]) {
        for (const a of allAddresses(v, 10)) exclude.add(lowerAddr(a));
      }
    } else if (split().rest) {
      const rest = split().rest;
      const rh = restHeaders(rest);
      for (const a of allAddresses(header(rh, 'from'), 10)) exclude.add(lowerAddr(a));
    }
    for (const a of origTo()) exclude.delete(lowerAddr(a));
    return exclude;
  };

  // ---- Microsoft JMRP / non-ARF feedback loops: a returned message marked with the complainer
  const jmrp = origHeaders ? header(origHeaders, 'x-hmxmroriginalrecipient') : null;
  if (!fbParts.length && (jmrp || (origHeaderParts.length && subject && COMPLAINT_SUBJECT.test(subject) && !isBounceSender(from, returnPath)))) {
    report.type = 'complaint';
    const addrs = jmrp ? allAddresses(jmrp, 5) : origTo().slice(0, 5);
    report.recipients = addrs.map((a) => fixed(a, 'complaint', jmrp ? 'fbl/jmrp' : 'fbl/subject', 'abuse'));
    report.originalMessageId = originalMessageId;
    return report;
  }

  // ---- ARF complaint (RFC 5965)
  if (fbParts.length || /report-type="?feedback-report/.test(topCt)) {
    const fb = fbParts.length ? parseHeaders(partText(fbParts[0]), 0, fbParts[0].body.length) : new Map();
    report.type = 'complaint';
    const addrs = new Set<string>();
    for (const name of ['original-rcpt-to', 'removal-recipient']) {
      for (const v of fb.get(name) ?? []) {
        const a = firstAddress(v);
        if (a) addrs.add(a);
      }
    }
    if (!addrs.size) for (const a of origTo().slice(0, 5)) addrs.add(a);
    const ftype = header(fb, 'feedback-type');
    report.recipients = [...addrs].slice(0, MAX_RECIPIENTS).map((a) => fixed(a, 'complaint', 'arf/feedback-report', ftype ?? 'abuse'));
    report.originalMessageId = originalMessageId;
    report.reportingMta = stripType(header(fb, 'reporting-mta'));
    return report;
  }

  // ---- Amazon SES JSON notifications
  if (!dsParts.length && textParts.length && looksLikeSesJson(fullText().slice(0, 64 * 1024))) {
    const ses = parseSesJson(fullText());
    if (ses) {
      report.type = ses.type;
      report.bounce = ses.type === 'bounce' || ses.type === 'delay';
      report.reportingMta = ses.reportingMta;
      report.originalMessageId = ses.messageId ?? originalMessageId;
      report.recipients = ses.recipients.map((r) => {
        if (ses.type === 'complaint') return fixed(r.address, 'complaint', 'ses/complaint', r.diagnostic ?? '');
        if (ses.type === 'delivered') return { ...rec(r.address, r.status, r.action, r.remoteMta, r.diagnostic, { category: 'delivered', kind: 'none', rule: 'ses/delivery', words: r.diagnostic ?? '' }) };
        const c = classifyRecipient(r.diagnostic, r.status, r.action, null, null);
        return rec(r.address, r.status, r.action, r.remoteMta, r.diagnostic, c);
      });
      return report;
    }
  }

  // ---- RFC 3464 delivery status
  const dsn: Dsn = { reportingMta: null, recipients: [], originalMessageId: null };
  for (const p of dsParts) {
    const text = p.type === 'message/delivery-status' && p.encoding === '7bit' && !p.params.charset ? p.body : partText(p);
    const d = parseDeliveryStatus(isPlain(p) ? text : bytesToString(text, 'utf-8'));
    if (!dsn.reportingMta) dsn.reportingMta = d.reportingMta;
    if (!dsn.originalMessageId) dsn.originalMessageId = d.originalMessageId;
    for (const r of d.recipients) if (dsn.recipients.length < MAX_RECIPIENTS) dsn.recipients.push(r);
  }
  if (!originalMessageId) originalMessageId = dsn.originalMessageId;
  report.reportingMta = dsn.reportingMta;

  const xFailed = top.get('x-failed-recipients') ?? [];
  const bounceSender = isBounceSender(from, returnPath);
  const bounceSubject = subject ? BOUNCE_SUBJECT.test(subject) : false;
  const isReportCt = /multipart\/report/.test(topCt) && /delivery-status/.test(topCt);
  const textRecips = () => {
    const only = xFailed.length ? new Set(xFailed.flatMap((v) => allAddresses(v, 50)).map(lowerAddr)) : null;
    return recipientsFromText(split().human, excludeSet(), only);
  };
  let fallbackCache: string | null = null;
  // not squashed: the classifier folds white space itself
  const fallbackText = () => (fallbackCache ??= `${subject ?? ''}\n${split().human}`.slice(0, 2048));

  if (dsn.recipients.length) {
    let windowsCache: Map<string, string> | null = null;
    const windows = (): Map<string, string> => {
      if (windowsCache) return windowsCache;
      windowsCache = new Map();
      const human = split().human;
      if (human && human.indexOf('@') !== -1) for (const t of recipientsFromText(human, new Set(), new Set(dsn.recipients.map((r) => lowerAddr(r.address))))) windowsCache.set(t.address, t.window);
      return windowsCache;
    };
    let failed = 0;
    let delayed = 0;
    let delivered = 0;
    for (const r of dsn.recipients) {
      let action = r.action;
      if (!action && r.status) action = r.status[0] === '5' ? 'failed' : r.status[0] === '4' ? 'delayed' : 'delivered';
      if (action === 'failed' || action === 'failure' || action === 'fail') {
        action = 'failed';
        failed++;
      } else if (action === 'delayed' || action === 'delay') {
        action = 'delayed';
        delayed++;
      } else if (action === 'delivered' || action === 'relayed' || action === 'expanded' || action === 'deliver') delivered++;
      else failed++;
      const status = r.status ?? normStatus(r.diagnostic);
      const addrKey = lowerAddr(r.address);
      const getWindow = () => windows().get(addrKey) ?? null;
      let c: Classification;
      if (action === 'delivered' || action === 'relayed' || action === 'expanded' || (status && status[0] === '2')) {
        c = { category: 'delivered', kind: 'none', rule: `dsn/${action ?? 'delivered'}`, words: r.diagnostic ?? '' };
      } else {
        c = classifyRecipient(r.diagnostic, status, action, getWindow, fallbackText);
      }
      const w = r.diagnostic == null && c.category !== 'delivered' ? getWindow() : null;
      const diagnostic = r.diagnostic ?? (w ? squash(w) : null);
      report.recipients.push(rec(r.address, status, action, r.remoteMta, diagnostic, c));
    }
    report.type = failed ? 'bounce' : delayed ? 'delay' : delivered ? 'delivered' : 'bounce';
  } else if (bounceSender || bounceSubject || xFailed.length || isReportCt) {
    // ---- non-standard bounce: scrape the human text
    const human = split().human;
    const head = human.length > 8000 ? human.slice(0, 8000) : human;
    const subjectDelay = !!subject && DELAY_SUBJECT.test(subject);
    const subjectFailure = !!subject && /undeliver|returned mail|returning message|failure|failed|non-?delivery|not delivered|unzustellbar|non remis/i.test(subject);
    const finalWords = /permanent(ly)? (error|fail)|failed permanently|delivery has failed|this is a permanent|i've given up|have given up|gave up|giving up(?! on [0-9a-f:.]{3,45}\b)|will not be retried|no further attempts/i.test(head);
    const isDelay = (subjectDelay || (DELAY_TEXT.test(head) && !subjectFailure)) && !finalWords;
    const action = isDelay ? 'delayed' : 'failed';
    let tr = textRecips();
    if (!tr.length && xFailed.length) tr = xFailed.flatMap((v) => allAddresses(v, 50)).map((a) => ({ address: a, window: '' }));
    if (!tr.length && origTo().length && origTo().length <= 5) tr = origTo().map((a) => ({ address: a, window: '' }));
    const strongSignal =
      bounceSender ||
      xFailed.length > 0 ||
      isReportCt ||
      (bounceSubject && /^\s*<\s*>\s*$/.test(returnPath ?? 'x')) ||
      (bounceSubject && (tr.length > 0 || !!originalMessageId) && FAILURE_TEXT.test(human.length > 8000 ? human.slice(0, 8000) : human));
    if (strongSignal) {
      report.type = isDelay ? 'delay' : 'bounce';
      for (const t of tr.slice(0, MAX_RECIPIENTS)) {
        const diag = diagnosticFromWindow(t.window, t.address);
        const c = classifyRecipient(diag, null, action, () => t.window || null, fallbackText);
        const status = findEnhanced(diag ?? '') ?? null;
        report.recipients.push(rec(t.address, status, action, remoteMtaFrom(t.window), diag, c));
      }
    }
  }

  // ---- auto-replies (RFC 3834 and common vacation forms)
  if (report.type === 'not_bounce') {
    const auto = (header(top, 'auto-submitted') || '').toLowerCase();
    const prec = (header(top, 'precedence') || '').toLowerCase();
    const autoHeader =
      auto.startsWith('auto-replied') ||
      top.has('x-autoreply') ||
      top.has('x-autorespond') ||
      top.has('x-auto-reply') ||
      top.has('x-autoresponder') ||
      top.has('x-vacation') ||
      prec === 'auto_reply' ||
      /^(yes|true|1)$/i.test(header(top, 'x-autogenerated') ?? '') ||
      /autoreply|autorespon|vacation/i.test(header(top, 'x-mailer') ?? '') ||
      (header(top, 'x-ms-exchange-inbox-rules-loop') != null && AUTO_SUBJECT.test(subject ?? ''));
    const autoSubject = subject ? AUTO_SUBJECT.test(subject) : false;
    if (autoHeader || autoSubject || (auto.startsWith('auto-generated') && /vacation|out of office|away/i.test(fullText().slice(0, 4000)))) {
      report.type = 'auto_reply';
      const who = firstAddress(header(top, 'from')) ?? firstAddress(header(top, 'sender')) ?? firstAddress(returnPath);
      if (who) report.recipients = [fixed(who, 'auto_reply', autoHeader ? 'rfc3834/auto-submitted' : 'auto-reply/subject', squash(subject ?? ''))];
      originalMessageId = originalMessageId ?? normMessageId(header(top, 'in-reply-to'));
    }
  }

  if (report.type === 'bounce' || report.type === 'delay') {
    if (!originalMessageId) originalMessageId = normMessageId(header(top, 'in-reply-to'));
    if (!originalMessageId) {
      const refs = header(top, 'references');
      if (refs) originalMessageId = normMessageId(refs.trim().split(/\s+/).pop() ?? null);
    }
  }
  report.originalMessageId = report.type === 'not_bounce' ? null : originalMessageId;
  report.bounce = report.type === 'bounce' || report.type === 'delay';
  if (report.type === 'not_bounce') report.recipients = [];
  return report;
}

/** The diagnostic for a recipient found in text: its window without decoration, capped. */
function diagnosticFromWindow(window: string, address: string): string | null {
  if (!window) return null;
  const s = squash(window.replace(/^[ \t]*[-=_*]{3,}[ \t]*\r?$/gm, ' '));
  return s && /[A-Za-z0-9]/.test(s.split(address).join('')) ? s : null;
}

function remoteMtaFrom(window: string): string | null {
  if (!window) return null;
  const m = /\b(?:host|server|mx)\s+([A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.){1,8}[A-Za-z]{2,24})(?:\s*\[[0-9a-fA-F.:]{3,45}\])?/i.exec(window.slice(0, 4000));
  return m ? m[1] : null;
}
