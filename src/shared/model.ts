import type { Category, Kind } from './categories';
import type { SmtpStage } from './classification';

export type TlsMode = 'tls' | 'starttls' | 'none';
export type AuthType = 'password' | 'oauth2';
export type AccountStatus = 'unknown' | 'ok' | 'auth_failed' | 'account_suspended' | 'config_error' | 'offline';
export type QuotaWindowName = 'minute' | 'hour' | 'day';

/** One sending limit of an account, from its preset or edited by the user. */
export interface QuotaLimit {
  window: QuotaWindowName;
  max: number;
  /** rolling: the last N minutes/hours; fixed: resets at the window boundary in `resetTz` */
  mode: 'rolling' | 'fixed';
  /** IANA time zone for fixed windows, e.g. "UTC" or "America/Los_Angeles" */
  resetTz?: string;
  /** what the provider counts: each message, or each recipient */
  counts: 'messages' | 'recipients';
  /** a lower cap learned from a provider's own limit reply, with when */
  learnedMax?: number | null;
  learnedAt?: number | null;
}

export interface ServerSettings {
  host: string;
  port: number;
  tls: TlsMode;
}

export interface AccountView {
  id: number;
  name: string;
  provider: string;
  email: string;
  displayName: string | null;
  authType: AuthType;
  username: string | null;
  smtp: ServerSettings | null;
  imap: ServerSettings | null;
  insecureTls: boolean;
  maxMessageBytes: number | null;
  maxRecipients: number | null;
  limits: QuotaLimit[];
  watchFolders: string[];
  status: AccountStatus;
  statusDetail: string | null;
  paused: boolean;
  hasSecret: boolean;
}

export interface QuotaUsage {
  window: QuotaWindowName;
  used: number;
  cap: number;
  mode: 'rolling' | 'fixed';
  /** when the oldest counted send leaves the window (rolling) or the window resets (fixed) */
  resetsAt: number | null;
  learned: boolean;
}

export type MessageState = 'queued' | 'sending' | 'sent' | 'held' | 'failed' | 'discarded';
export type DueReason = 'new' | 'quota' | 'backoff' | 'pace' | 'paused' | 'resend' | 'released';
export type FailureGroup = 'needs_you' | 'retrying' | 'wont_retry' | 'resolved';
export type FailureSource = 'smtp' | 'bounce' | 'local';

export interface FailureRow {
  id: number;
  /** database id of the message, null for bounces of mail sent elsewhere */
  messageDbId: number | null;
  messageId: string | null;
  accountId: number | null;
  accountName: string | null;
  recipient: string | null;
  category: Category;
  kind: Kind;
  source: FailureSource;
  status: string | null;
  replyCode: number | null;
  /** the provider's words (may be shortened in lists; the detail has them whole) */
  diagnostic: string | null;
  subject: string | null;
  detectedAt: number;
  resolvedAt: number | null;
  group: FailureGroup;
  nextAttemptAt: number | null;
  dueReason: DueReason | null;
}

export interface AttemptView {
  id: number;
  startedAt: number;
  finishedAt: number | null;
  outcome: 'sent' | 'partial' | 'failed' | 'interrupted' | null;
  stage: SmtpStage | null;
  replyCode: number | null;
  enhanced: string | null;
  replyText: string | null;
  errorCode: string | null;
  accepted: string[];
  rejected: string[];
  sizeBytes: number | null;
  serverSizeLimit: number | null;
  category: Category | null;
  rule: string | null;
}

export interface MessageView {
  id: number;
  messageId: string | null;
  accountId: number;
  accountName: string;
  source: 'app' | 'intake' | 'resend';
  from: string;
  recipients: string[];
  subject: string | null;
  sizeBytes: number;
  hasAttachments: boolean;
  state: MessageState;
  nextAttemptAt: number | null;
  dueReason: DueReason | null;
  holdCategory: Category | null;
  holdDetail: string | null;
  attemptCount: number;
  createdAt: number;
  sentAt: number | null;
}

export interface BounceView {
  id: number;
  folder: string;
  type: string;
  receivedAt: number | null;
  originalMessageId: string | null;
  linkMethod: string | null;
  /** the raw bounce as text (shown as text, never as HTML) */
  raw: string;
}

export interface RelayInfo {
  host: string;
  port: number;
  user: string;
  password: string;
  running: boolean;
}

export interface TestStep {
  /** e.g. "smtp:connect", "smtp:starttls", "smtp:auth", "imap:login", "imap:list" */
  step: string;
  ok: boolean;
  detail: string;
  ms: number;
}

export type AttentionLevel = 'needs_you' | 'info';
export interface AttentionNotice {
  id: string;
  level: AttentionLevel;
  title: string;
  body: string;
  /** the failure to open when the notice is clicked */
  failureId: number | null;
  accountId: number | null;
  count: number;
  at: number;
}

export type TrayState = 'clear' | 'retrying' | 'needs_you';
export interface StatusSummary {
  tray: TrayState;
  needsYou: number;
  retrying: number;
  wontRetry: number;
  resolved: number;
  paused: boolean;
}
