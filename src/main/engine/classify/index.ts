import { CATEGORY_KIND, type Category } from '../../../shared/categories';
import type { Classification, ReplyEvidence, SmtpStage } from '../../../shared/classification';
import { SMTP_STAGES } from '../../../shared/classification';
import { PROVIDER_TABLES } from './providers/index';
import type { ProviderRule, ProviderTable } from './types';
import { isOwnSession } from './types';
import { WORDING_RULES } from './wording';
import { categoryForEnhanced } from './enhanced';
import { categoryForCode } from './codes';
import { classifyNetwork, fallbackForErrorCode, NETWORK_WORDS_RE } from './network';
import { NETWORK_WORDS, RULE_WORDS, SIGNATURE_WORDS } from './rule-words';
import { WordScanner } from './scan';

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


/**
 * One scan of the text for every cheap pre-check, by literal words (see scan.ts):
 * - mask a: the wording gates. Bit GATE_BIT[i] is set when a gate word of rule i occurs; equivalent
 *   to testing each rule's gate separately.
 * - mask b: bit i (i < 30) when a word of provider table i's signature occurs, words derived from the
 *   signature's source (literals.ts: every signature match contains one of them); bit 30 when a
 *   network error name occurs.
 * - mask c: bit i (i < 32) when a word that every match of wording rule i's full pattern contains
 *   occurs (derived from the pattern's source like the signature words, ahead of time:
 *   rule-words.ts). Far more selective than the hand-written gates ("user" opens the mailbox-full
 *   gate), so fewer full patterns run; a rule runs only when both its gate and these words say it
 *   can match.
 * A table whose signature gives no words is tested on every text (ALWAYS_TABLES); a rule whose
 * pattern gives none has WORDS_BIT 0 and is held back by its gate only.
 */
const GATE_BIT: number[] = [];
const WORDS_BIT: number[] = [];
const NETWORK_BIT = 1 << 30;
const TABLE_BIT: number[] = [];
let ALWAYS_TABLES = 0;
let SIGNED_TABLES = 0;
const SCANNER: WordScanner = (() => {
  const words = new Map<string, [number, number, number]>();
  const add = (w: string, a: number, b: number, c: number): void => {
    const m = words.get(w) ?? [0, 0, 0];
    words.set(w, [m[0] | a, m[1] | b, m[2] | c]);
  };
  let nextBit = 1;
  WORDING_RULES.forEach((r, i) => {
    if (!r.gate || nextBit > 0x40000000) {
      GATE_BIT[i] = 0;
      return;
    }
    GATE_BIT[i] = nextBit;
    // the gate's words as they read in a text: an escape in the source stands for the character
    // itself (the source "control\/" is looked for as "control/", qmail's control/locals file)
    for (const w of r.gate.source.split('|')) add(w.replace(/\\(.)/g, '$1'), nextBit, 0, 0);
    nextBit *= 2;
  });
  PROVIDER_TABLES.forEach((t, i) => {
    TABLE_BIT[i] = 0;
    if (!t.signature) return;
    TABLE_BIT[i] = i < 30 ? 1 << i : NETWORK_BIT; // past 30 tables: a shared bit, set on every text below
    SIGNED_TABLES |= TABLE_BIT[i];
    // derived ahead of time like the rule words (a signature missing from the file is tested on every text)
    const sigWords = i < 30 ? (SIGNATURE_WORDS[t.signature.source] ?? null) : null;
    if (sigWords) for (const w of sigWords) add(w, 0, TABLE_BIT[i], 0);
    else ALWAYS_TABLES |= TABLE_BIT[i];
  });
  for (const w of NETWORK_WORDS) add(w, 0, NETWORK_BIT, 0);
  WORDING_RULES.forEach((r, i) => {
    // derived ahead of time (rule-words.ts, kept current by a test): the analysis costs more at
    // start-up than it saves on a run of thousands of texts
    const ruleWords = i < 32 ? RULE_WORDS[r.id] : null;
    WORDS_BIT[i] = ruleWords ? 1 << i : 0;
    if (ruleWords) for (const w of ruleWords) add(w, 0, 0, WORDS_BIT[i]);
  });
  return new WordScanner(words);
})();

const NO_TABLES: ProviderTable[] = [];

/** The account's provider tables, then those whose signature the text shows (`seen`: scan mask b). */
function tablesFor(provider: string, lower: string, seen: number): ProviderTable[] {
  let out: ProviderTable[] = NO_TABLES;
  if (provider) {
    for (const t of PROVIDER_TABLES) if (t.ids.includes(provider)) (out === NO_TABLES ? (out = []) : out).push(t);
  }
  const candidates = (seen | ALWAYS_TABLES) & SIGNED_TABLES;
  if (candidates === 0) return out;
  for (let i = 0; i < PROVIDER_TABLES.length; i++) {
    const t = PROVIDER_TABLES[i];
    if ((candidates & TABLE_BIT[i]) !== 0 && !out.includes(t) && t.signature!.test(lower)) (out === NO_TABLES ? (out = []) : out).push(t);
  }
  return out;
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

function classifyInner(e: ReplyEvidence, words: string): Classification {
  const text = words.length > MAX_TEXT ? words.slice(0, MAX_TEXT) : words;
  const raw = text.toLowerCase();
  // the word scan reads white space runs as single spaces, so it can run before the fold
  const seen = SCANNER.scan(raw);
  const gates = seen.a;
  const signs = seen.b;
  const ruleWords = seen.c;
  // most replies are one line with single spaces: skip the copy when there is nothing to fold
  const lower = seen.unfolded ? raw.replace(/\s+/g, ' ') : raw;
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
  } else if (!code && !enhanced && (signs & NETWORK_BIT) !== 0) {
    const m = NETWORK_WORDS_RE.exec(lower);
    const v = m ? classifyNetwork(m[1].toUpperCase(), text, false) : null;
    if (v) return make(v.category, v.rule, words);
  }
  if (!errorCode && !code && !enhanced && /^(invalid_grant|aadsts\d+)/.test(lower)) {
    return make('auth_failed', 'oauth/token', words);
  }

  // 2. provider rules (the account's provider, or one recognised from the text)
  for (const t of tablesFor(provider, lower, signs)) {
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
  for (let i = 0; i < WORDING_RULES.length; i++) {
    const r = WORDING_RULES[i];
    const bit = GATE_BIT[i];
    if (bit !== 0 && (gates & bit) === 0) continue;
    const must = WORDS_BIT[i];
    if (must !== 0 && (ruleWords & must) === 0) continue;
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
  const open = SCANNER.scan(lower).a;
  return WORDING_RULES.map((_, i) => GATE_BIT[i] === 0 || (open & GATE_BIT[i]) !== 0);
}
