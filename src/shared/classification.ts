import type { Category, Kind } from './categories';

/**
 * Where in an SMTP exchange a reply was met. `after-data` is a reply that came back later,
 * inside a bounce; `network` is a socket, DNS or TLS error with no SMTP reply.
 */
export type SmtpStage = 'connect' | 'tls' | 'auth' | 'mail' | 'rcpt' | 'data' | 'after-data' | 'network';
export const SMTP_STAGES: readonly SmtpStage[] = ['connect', 'tls', 'auth', 'mail', 'rcpt', 'data', 'after-data', 'network'];

/** What the classifier is given about one reply or transport error. Every field may be missing. */
export interface ReplyEvidence {
  /** provider id of the account (preset id such as 'gmail', 'm365') or of the remote side, if known */
  provider?: string | null;
  stage?: SmtpStage | null;
  /** basic reply code, e.g. 550 */
  code?: number | null;
  /** RFC 3463 enhanced status code, e.g. "5.4.5" */
  enhanced?: string | null;
  /** the reply text exactly as received */
  text?: string | null;
  /** nodemailer's err.code (EAUTH, ETIMEDOUT, …), Node's (ECONNRESET, …) or an OAuth error (invalid_grant) */
  errorCode?: string | null;
}

/**
 * The one shape in which a failure travels through the system: from the classifier to the
 * store, the scheduler and the window. Never a bare string.
 */
export interface Classification {
  category: Category;
  kind: Kind;
  /** the rule that decided it, e.g. "gmail/daily-limit" or "enhanced/5.1.1"; stable ids */
  rule: string;
  /** the provider's words, unchanged */
  words: string;
}

export type ReportType = 'bounce' | 'delay' | 'delivered' | 'auto_reply' | 'complaint' | 'not_bounce';

/** One recipient of a delivery report (bounce, delay, success DSN, auto-reply, complaint). */
export interface ReportRecipient extends Classification {
  address: string;
  /** enhanced status code from the report, e.g. "5.1.1", or null */
  status: string | null;
  /** RFC 3464 action: failed | delayed | delivered | relayed | expanded, or null */
  action: string | null;
  remoteMta: string | null;
  /** the diagnostic text as the report gives it */
  diagnostic: string | null;
  /** basic SMTP reply code found in the diagnostic, if any */
  replyCode: number | null;
}

/** What the bounce parser says about one message that arrived in the mailbox. */
export interface ParsedReport {
  type: ReportType;
  bounce: boolean;
  recipients: ReportRecipient[];
  /** Message-ID of the message the report is about, with angle brackets, or null */
  originalMessageId: string | null;
  /** the report's own Message-ID */
  messageId: string | null;
  subject: string | null;
  from: string | null;
  date: string | null;
  reportingMta: string | null;
}
