import { CATEGORY_KIND, type Category } from '../../../shared/categories';
import type { Classification, ReplyEvidence, SmtpStage } from '../../../shared/classification';
import { SMTP_STAGES } from '../../../shared/classification';
import { PROVIDER_TABLES } from './providers/index';
import type { ProviderRule, ProviderTable } from './types';
import { isOwnSession } from './types';
import { WORDING_RULES } from './wording';
import { categoryForEnhanced } from './enhanced';
import { categoryForCode } from './codes';
import { classifyNetwork, fallbackForErrorCode } from './network';

export { PROVIDER_TABLES } from './providers/index';

/** Longest text looked at (replies are one line; bounce diagnostics a few lines). */
const MAX_TEXT = 2048;

const ENHANCED_RE = /(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d]|\.\d)/;
const CODE_START_RE = /^\s*([2-5]\d\d)(?:[\s\-:]|$)/;
const CODE_ANY_RE = /(?:^|[\s:;(\[#"'])([45][0-5]\d)(?=[\s-](?:[245]\.\d{1,3}\.\d{1,3}\b|[A-Za-z<]))/;

/** First enhanced status code in a text, e.g. "5.1.1". */
export function findEnhanced(text: string): string | null {
  const m = ENHANCED_RE.exec(text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text);
  return m ? `${m[1]}.${Number(m[2])}.${Number(m[3])}` : null;
}

/** Basic reply code in a text: at the start, or before an enhanced code / a word. */
export function findCode(text: string): number | null {
  const t = text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text;
  let m = CODE_START_RE.exec(t);
  if (m) return Number(m[1]);
  m = CODE_ANY_RE.exec(t);
  return m ? Number(m[1]) : null;
}

/**
 * A provider rule as the matcher reads it. The tables are written for people (optional fields,
 * a code or a list of codes); read as written, the rule objects have a dozen different shapes
 * and every property read in the match loop goes through V8's slow megamorphic path, the largest
 * single cost of a batch classification. Compiled once into one shape, with lists made ahead.
 */
interface CompiledRule {
  id: string;
  category: Category;
  text: RegExp | null;
  enhanced: readonly string[] | null;
  code: readonly number[] | null;
  stages: readonly (SmtpStage | 'own' | 'remote')[] | null;
}

function compileRule(rule: ProviderRule): CompiledRule {
  return {
    id: rule.id,
    category: rule.category,
    text: rule.text ?? null,
    enhanced: rule.enhanced === undefined ? null : typeof rule.enhanced === 'string' ? [rule.enhanced] : rule.enhanced,
    code: rule.code === undefined ? null : typeof rule.code === 'number' ? [rule.code] : rule.code,
    stages: rule.stages ?? null,
  };
}

const COMPILED_RULES = new Map<ProviderTable, readonly CompiledRule[]>(PROVIDER_TABLES.map((t) => [t, t.rules.map(compileRule)]));

function stageMatches(stages: readonly (SmtpStage | 'own' | 'remote')[], stage: SmtpStage | null): boolean {
  for (const s of stages) {
    if (s === stage) return true;
    if (s === 'own' && isOwnSession(stage)) return true;
    if (s === 'remote' && (stage === 'after-data' || stage === null)) return true;
  }
  return false;
}

function ruleMatches(rule: CompiledRule, lower: string, code: number | null, enhanced: string | null, stage: SmtpStage | null): boolean {
  if (rule.enhanced !== null && (!enhanced || !rule.enhanced.includes(enhanced))) return false;
  if (rule.code !== null && (code == null || !rule.code.includes(code))) return false;
  if (rule.stages !== null && !stageMatches(rule.stages, stage)) return false;
  if (rule.text !== null && !rule.text.test(lower)) return false;
  return true;
}

function normProvider(p: string | null | undefined): string {
  return (p || '').trim().toLowerCase();
}

/** One pass over the text for every provider signature; the per-table checks run only on a hit. */
const ANY_SIGNATURE = new RegExp(PROVIDER_TABLES.filter((t) => t.signature).map((t) => `(?:${t.signature!.source})`).join('|'));
const NO_TABLES: ProviderTable[] = [];

function tablesFor(provider: string, lower: string): ProviderTable[] {
  let out: ProviderTable[] = NO_TABLES;
  if (provider) {
    for (const t of PROVIDER_TABLES) if (t.ids.includes(provider)) (out === NO_TABLES ? (out = []) : out).push(t);
  }
  if (!ANY_SIGNATURE.test(lower)) return out;
  for (const t of PROVIDER_TABLES) if (!out.includes(t) && t.signature && t.signature.test(lower)) (out === NO_TABLES ? (out = []) : out).push(t);
  return out;
}

/**
 * All wording gates in one pass: one regular expression of every gate word (longest first), run
 * with overlapping matches; each match opens the rules whose gate words are prefixes of it.
 * Equivalent to testing each rule's gate separately, at the cost of a single scan.
 */
const GATE_BIT: number[] = [];
const WORD_MASK = new Map<string, number>();
const GATE_SCAN: RegExp = (() => {
  const words = new Map<string, number>();
  let nextBit = 1;
  WORDING_RULES.forEach((r, i) => {
    if (!r.gate || nextBit > 0x40000000) {
      GATE_BIT[i] = 0;
      return;
    }
    GATE_BIT[i] = nextBit;
    for (const w of r.gate.source.split('|')) words.set(w, (words.get(w) ?? 0) | nextBit);
    nextBit *= 2;
  });
  const list = [...words.keys()].sort((a, b) => b.length - a.length);
  for (const w of list) {
    // every gate word that is a prefix of w (looked up by prefix: linear, not quadratic, at start-up)
    let mask = 0;
    for (let k = 1; k <= w.length; k++) mask |= words.get(w.slice(0, k)) ?? 0;
    WORD_MASK.set(w, mask);
  }
  return new RegExp(list.map((w) => w.replace(/[.*+?^${}()[\]\\/]/g, '\\$&')).join('|'), 'g');
})();

function gatesOpen(lower: string): number {
  let open = 0;
  GATE_SCAN.lastIndex = 0;
  let m: RegExpExecArray | null;
  let guard = 0;
  while ((m = GATE_SCAN.exec(lower)) !== null && guard++ < 5000) {
    open |= WORD_MASK.get(m[0]) ?? 0;
    GATE_SCAN.lastIndex = m.index + 1;
  }
  return open;
}

/**
 * Wording that names no cause ("rejected", "denied", "unavailable") says less than an enhanced code
 * whose subject is about the address, the mailbox or the content (RFC 3463 sections 3.2, 3.3, 3.7):
 * "550 5.2.2 rejected" is a full mailbox, "554 5.6.0 not accepted" is the content.
 */
const WEAK_WORDING = new Set(['wording/policy', 'wording/temporary', 'wording/service-unavailable-permanent']);

function specificEnhanced(enhanced: string, stage: SmtpStage | null, rule: string): Category | null {
  const dot = enhanced.indexOf('.', 2);
  const subject = enhanced.slice(2, dot);
  const detail = enhanced.slice(dot + 1);
  if (detail === '0' || !(subject === '1' || subject === '2' || subject === '6')) return null;
  // a temporary wording keeps a 4xx temporary; only a permanent class overrides it
  if (rule === 'wording/temporary' && enhanced[0] !== '5') return null;
  if (!/^\d{1,2}$/.test(detail) || Number(detail) > 10) return null; // vendor sub-codes (5.1.351 …) say less
  return categoryForEnhanced(enhanced, stage);
}

function make(category: Category, rule: string, words: string): Classification {
  return { category, kind: CATEGORY_KIND[category], rule, words };
}

function normStage(s: unknown): SmtpStage | null {
  return typeof s === 'string' && (SMTP_STAGES as readonly string[]).includes(s) ? (s as SmtpStage) : null;
}

function normEnhanced(e: unknown): string | null {
  if (typeof e !== 'string') return null;
  const m = /^\s*([245])\.(\d{1,3})\.(\d{1,3})\s*$/.exec(e.length > 20 ? '' : e);
  return m ? `${m[1]}.${Number(m[2])}.${Number(m[3])}` : null;
}

/**
 * Classify one reply or transport error. Pure, never throws, bounded time (all patterns are
 * linear and the text is capped). Order: client/network/OAuth errors → provider rules → stage
 * rules → wording → enhanced code → reply code → client error fallback → unknown.
 */
export function classifyReply(e: ReplyEvidence): Classification {
  let words = '';
  try {
    words = typeof e?.text === 'string' ? e.text : e?.text == null ? '' : String(e.text);
    return classifyInner(e, words);
  } catch {
    return make('unknown', 'internal/error', words);
  }
}

/** White space that /\s+/ → ' ' would change: anything but a lone space. */
const UNFOLDED_SPACE = /[^\S ]| {2}/;

function classifyInner(e: ReplyEvidence, words: string): Classification {
  const text = words.length > MAX_TEXT ? words.slice(0, MAX_TEXT) : words;
  let lower = text.toLowerCase();
  // most replies are one line with single spaces: skip the copy when there is nothing to fold
  if (UNFOLDED_SPACE.test(lower)) lower = lower.replace(/\s+/g, ' ');
  const stage = normStage(e.stage);
  const code = typeof e.code === 'number' && Number.isFinite(e.code) ? Math.trunc(e.code) : findCode(text);
  const given = normEnhanced(e.enhanced);
  const enhanced = given ?? findEnhanced(text);
  const errorCode = typeof e.errorCode === 'string' ? e.errorCode : '';
  const provider = normProvider(e.provider);

  // 1. client, network and OAuth errors
  // nodemailer's "Invalid greeting. response=421 …": the embedded server reply decides
  if (/^eprotocol$/i.test(errorCode) && code == null) {
    const m = /response=\s*([2-5]\d\d[\s-][^]{0,2000})/i.exec(text);
    if (m) {
      const inner = classifyInner({ ...e, errorCode: null, text: m[1], stage: stage ?? 'connect' }, m[1]);
      return { ...inner, words };
    }
  }
  if (errorCode) {
    const v = classifyNetwork(errorCode, text, code != null || enhanced != null);
    if (v) return make(v.category, v.rule, words);
  } else if (!code && !enhanced && /\b(econnrefused|econnreset|etimedout|eai_again|enotfound|ehostunreach|enetunreach)\b/.test(lower)) {
    const m = /\b(econnrefused|econnreset|etimedout|eai_again|enotfound|ehostunreach|enetunreach)\b/.exec(lower)!;
    const v = classifyNetwork(m[1].toUpperCase(), text, false);
    if (v) return make(v.category, v.rule, words);
  }
  if (!errorCode && !code && !enhanced && /^(invalid_grant|aadsts\d+)/.test(lower)) {
    return make('auth_failed', 'oauth/token', words);
  }

  // 2. provider rules (the account's provider, or one recognised from the text)
  for (const t of tablesFor(provider, lower)) {
    for (const r of COMPILED_RULES.get(t)!) {
      if (ruleMatches(r, lower, code, enhanced, stage)) return make(r.category, r.id, words);
    }
  }

  // 3. the session stage: a 5xx / 4xx at AUTH is about the login, unless the words say otherwise
  const authStageLimit = stage === 'auth' && /limit|quota|credits|too many|rate|try again|temporar/.test(lower);
  // RFC 4954 / RFC 3463: 538 and X.7.10 / X.7.11 at AUTH ask for encryption first: a TLS setting, not the password
  const authNeedsTls = stage === 'auth' && (code === 538 || (enhanced != null && /^[45]\.7\.1[01]$/.test(enhanced)));
  if (authNeedsTls) return make('config_error', 'stage/auth-needs-tls', words);
  if (stage === 'auth' && !authStageLimit && (code == null || code >= 500 || code === 454) && (code != null || enhanced != null || errorCode)) {
    if (!/(suspend|disabled|blocked|locked|activat)/.test(lower)) return make('auth_failed', 'stage/auth', words);
  }

  // 521 / 556: the host does not accept mail at all (RFC 7504)
  if (code === 521 || code === 556) return make('recipient_domain', `code/${code}`, words);

  // 4. wording
  const open = gatesOpen(lower);
  for (let i = 0; i < WORDING_RULES.length; i++) {
    const r = WORDING_RULES[i];
    const bit = GATE_BIT[i];
    if (bit !== 0 && (open & bit) === 0) continue;
    if (r.re.test(lower)) {
      const c = typeof r.category === 'function' ? r.category(stage) : r.category;
      const specific = WEAK_WORDING.has(r.id) && enhanced ? specificEnhanced(enhanced, stage, r.id) : null;
      if (specific) return make(specific, `enhanced/${enhanced}`, words);
      return make(c, r.id, words);
    }
  }

  // 5. enhanced status code (X.0.0 says nothing beyond its class)
  if (enhanced) {
    const c = categoryForEnhanced(enhanced, stage);
    if (c) return make(c, `enhanced/${enhanced}`, words);
  }

  // 6. basic reply code
  if (code != null) {
    const c = categoryForCode(code, stage);
    if (c) return make(c, `code/${code}`, words);
  }
  if (enhanced) {
    const cls = enhanced[0];
    if (cls === '4') return make(isOwnSession(stage) ? 'provider_outage' : 'remote_temporary', `enhanced/${cls}.x.x`, words);
  }

  // 7. a bare client error code
  if (errorCode) {
    const v = fallbackForErrorCode(errorCode);
    if (v) return make(v.category, v.rule, words);
  }
  return make('unknown', 'unknown', words);
}

/** For tests: which wording rules the one-pass gate scan lets through for a lower-cased text. */
export function gatesOpenFor(lower: string): boolean[] {
  const open = gatesOpen(lower);
  return WORDING_RULES.map((_, i) => GATE_BIT[i] === 0 || (open & GATE_BIT[i]) !== 0);
}
