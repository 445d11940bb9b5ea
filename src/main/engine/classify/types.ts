import type { Category } from '../../../shared/categories';
import type { SmtpStage } from '../../../shared/classification';

/**
 * One rule of a provider table. A rule matches when every condition given matches:
 * `text` (tested against the lower-cased reply text), `enhanced` (exact code or a prefix ending
 * in "."), `code`, and `stages`. Rules are tried in table order; the first match wins.
 */
export interface ProviderRule {
  /** stable id, e.g. "gmail/daily-limit" */
  id: string;
  text?: RegExp;
  enhanced?: string | readonly string[];
  code?: number | readonly number[];
  stages?: readonly (SmtpStage | 'own' | 'remote')[];
  category: Category;
}

export interface ProviderTable {
  /** provider ids (account presets or remote sides) this table applies to */
  ids: readonly string[];
  /** recognises the provider from the reply text alone (e.g. "gsmtp" for Google) */
  signature?: RegExp;
  rules: readonly ProviderRule[];
}

/** A stage inside the app's own SMTP session (about the sender's account) vs. a relayed reply. */
export function isOwnSession(stage: SmtpStage | null | undefined): boolean {
  return stage === 'connect' || stage === 'tls' || stage === 'auth' || stage === 'mail' || stage === 'rcpt' || stage === 'data';
}
