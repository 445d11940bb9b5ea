/**
 * The only IPC vocabulary between the window and the engine. Main, preload and renderer all
 * import this file: `Commands` (what the renderer may call), `Events` (what it may receive), a
 * zod schema for every command's arguments, and runtime name lists that cannot drift from the
 * types. Results travel as `Result<T>` values, never as thrown errors.
 */
import { z } from 'zod';
import { CATEGORIES, type Category } from './categories';
import type {
  AccountView, AttemptView, AttentionNotice, BounceView, FailureGroup, FailureRow, MessageView,
  QuotaUsage, RelayInfo, StatusSummary, TestStep,
} from './model';
import type { Advice } from './advice';
import type { Result } from './result';

import type { CommandNameFromList, EventNameFromList } from './contract-names';
// Channel names and zod-free name lists live in contract-names.ts (the preload imports only that).
export { IPC_CHANNEL_PREFIX, IPC_EVENT_CHANNEL, COMMAND_NAME_LIST, EVENT_NAME_LIST } from './contract-names';

const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const ids = z.array(id).max(200_000);
const category = z.enum(CATEGORIES as [Category, ...Category[]]);
const tls = z.enum(['tls', 'starttls', 'none']);
const server = z.object({ host: z.string().min(1).max(255), port: z.number().int().min(1).max(65_535), tls }).strict();
const quotaLimit = z
  .object({
    window: z.enum(['minute', 'hour', 'day']),
    max: z.number().int().min(1).max(10_000_000),
    mode: z.enum(['rolling', 'fixed']),
    resetTz: z.string().max(64).optional(),
    counts: z.enum(['messages', 'recipients']),
    learnedMax: z.number().int().min(1).nullable().optional(),
    learnedAt: z.number().int().nullable().optional(),
  })
  .strict();

export const failureQuerySchema = z
  .object({
    group: z.enum(['needs_you', 'retrying', 'wont_retry', 'resolved']).optional(),
    accountId: id.optional(),
    category: category.optional(),
    domain: z.string().max(255).optional(),
    search: z.string().max(500).optional(),
    offset: z.number().int().min(0).max(10_000_000).default(0),
    limit: z.number().int().min(1).max(1_000).default(200),
  })
  .strict();

export const resendOptionsSchema = z
  .object({
    onlyFailedRecipients: z.boolean().default(true),
    withoutAttachments: z.boolean().default(false),
    fromOwnAddress: z.boolean().default(false),
    /** skip the quota check as well as backoff */
    force: z.boolean().default(false),
  })
  .strict();

export const accountInputSchema = z
  .object({
    name: z.string().min(1).max(100),
    provider: z.string().min(1).max(50),
    email: z.string().email().max(320),
    displayName: z.string().max(200).nullable().optional(),
    username: z.string().max(320).nullable().optional(),
    password: z.string().min(1).max(4_096).optional(),
    smtp: server.optional(),
    imap: server.nullable().optional(),
    insecureTls: z.boolean().optional(),
    maxMessageBytes: z.number().int().min(1).max(2_000_000_000).nullable().optional(),
    limits: z.array(quotaLimit).max(10).optional(),
    watchFolders: z.array(z.string().min(1).max(500)).max(20).optional(),
  })
  .strict();

/** Argument schemas, one tuple per command. The main process parses every payload with these. */
export const commandSchemas = {
  'status/summary': z.tuple([]),
  'failures/list': z.tuple([failureQuerySchema]),
  'failures/detail': z.tuple([id]),
  'failures/resend': z.tuple([z.object({ failureIds: ids.optional(), category: category.optional(), options: resendOptionsSchema.optional() }).strict()]),
  'failures/discard': z.tuple([z.object({ failureIds: ids }).strict()]),
  'suppressions/list': z.tuple([]),
  'suppressions/add': z.tuple([z.object({ addresses: z.array(z.string().min(3).max(320)).min(1).max(100_000) }).strict()]),
  'suppressions/remove': z.tuple([z.object({ addresses: z.array(z.string().min(3).max(320)).min(1).max(100_000) }).strict()]),
  'accounts/list': z.tuple([]),
  'accounts/presets': z.tuple([]),
  'accounts/add': z.tuple([accountInputSchema]),
  'accounts/update': z.tuple([id, accountInputSchema.partial()]),
  'accounts/remove': z.tuple([id]),
  'accounts/test': z.tuple([id]),
  'accounts/reconnect': z.tuple([id, z.object({ password: z.string().min(1).max(4_096).optional() }).strict()]),
  'accounts/quota': z.tuple([id]),
  'sending/pause': z.tuple([z.object({ accountId: id.optional() }).strict()]),
  'sending/resume': z.tuple([z.object({ accountId: id.optional() }).strict()]),
  'relay/info': z.tuple([]),
  'charts/sends': z.tuple([z.object({ accountId: id.optional() }).strict()]),
  'charts/failures': z.tuple([z.object({ days: z.number().int().min(1).max(365).default(30) }).strict()]),
} as const;

export interface ProviderPreset {
  id: string;
  label: string;
  smtp: { host: string; port: number; tls: 'tls' | 'starttls' | 'none' } | null;
  imap: { host: string; port: number; tls: 'tls' | 'starttls' | 'none' } | null;
  maxMessageBytes: number | null;
  maxRecipients: number | null;
  limits: z.infer<typeof quotaLimit>[];
  /** how to get an app password, for the reconnect dialog */
  appPasswordHint: string | null;
  supportsOAuth: boolean;
  source: string;
}

export interface FailureDetail {
  failure: FailureRow;
  message: MessageView | null;
  attempts: AttemptView[];
  bounce: BounceView | null;
  rule: string;
  advice: Advice;
  sizeLimitBytes: number | null;
}

export interface SendsChart {
  /** 24 hourly buckets, oldest first */
  buckets: { start: number; sent: number }[];
  caps: { window: string; cap: number }[];
}
export interface FailuresChart {
  days: { start: number; counts: Partial<Record<Category, number>> }[];
}

type Args<K extends keyof typeof commandSchemas> = z.input<(typeof commandSchemas)[K]>;

/** What each command takes and returns. */
export interface Commands {
  'status/summary': (...a: Args<'status/summary'>) => StatusSummary;
  'failures/list': (...a: Args<'failures/list'>) => { rows: FailureRow[]; total: number; groups: Record<FailureGroup, number> };
  'failures/detail': (...a: Args<'failures/detail'>) => FailureDetail;
  'failures/resend': (...a: Args<'failures/resend'>) => { queued: number; skipped: number };
  'failures/discard': (...a: Args<'failures/discard'>) => { discarded: number };
  'suppressions/list': (...a: Args<'suppressions/list'>) => { address: string; category: Category; createdAt: number }[];
  'suppressions/add': (...a: Args<'suppressions/add'>) => { added: number };
  'suppressions/remove': (...a: Args<'suppressions/remove'>) => { removed: number };
  'accounts/list': (...a: Args<'accounts/list'>) => AccountView[];
  'accounts/presets': (...a: Args<'accounts/presets'>) => ProviderPreset[];
  'accounts/add': (...a: Args<'accounts/add'>) => AccountView;
  'accounts/update': (...a: Args<'accounts/update'>) => AccountView;
  'accounts/remove': (...a: Args<'accounts/remove'>) => { removed: boolean };
  'accounts/test': (...a: Args<'accounts/test'>) => TestStep[];
  'accounts/reconnect': (...a: Args<'accounts/reconnect'>) => { steps: TestStep[]; ok: boolean; released: number };
  'accounts/quota': (...a: Args<'accounts/quota'>) => QuotaUsage[];
  'sending/pause': (...a: Args<'sending/pause'>) => StatusSummary;
  'sending/resume': (...a: Args<'sending/resume'>) => StatusSummary;
  'relay/info': (...a: Args<'relay/info'>) => RelayInfo;
  'charts/sends': (...a: Args<'charts/sends'>) => SendsChart;
  'charts/failures': (...a: Args<'charts/failures'>) => FailuresChart;
}

/** What the renderer may receive. */
export interface Events {
  'failures/changed': { ids: number[] };
  'accounts/changed': { accountId: number | null };
  'queue/changed': { accountId: number | null };
  'status/changed': StatusSummary;
  attention: AttentionNotice;
  /** the edge asks the window to open one failure (a notification was clicked) */
  'navigate/failure': { failureId: number };
}

export type CommandName = keyof Commands;
export type EventName = keyof Events;

export const COMMAND_NAMES = Object.keys(commandSchemas) as CommandName[];
// A compile-time check that the schema table and the Commands interface name the same commands.
const _commandsComplete: Record<CommandName, true> = Object.fromEntries(COMMAND_NAMES.map((n) => [n, true])) as Record<keyof typeof commandSchemas, true>;
void _commandsComplete;

export const EVENT_NAMES = {
  'failures/changed': true,
  'accounts/changed': true,
  'queue/changed': true,
  'status/changed': true,
  attention: true,
  'navigate/failure': true,
} as const satisfies Record<EventName, true>;

/** The engine side: each command as an async function of already-validated arguments. */
export type CommandHandlers = {
  [K in CommandName]: (...args: z.output<(typeof commandSchemas)[K]>) => Promise<ReturnType<Commands[K]>>;
};

/** The window side: `window.outbox`, exposed by the preload (and by the browser tests' bridge). */
export interface OutboxApi {
  invoke<K extends CommandName>(name: K, ...args: Parameters<Commands[K]>): Promise<Result<ReturnType<Commands[K]>>>;
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
}

// The zod-free lists in contract-names.ts must name exactly these commands and events.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _commandListMatches: Same<CommandNameFromList, CommandName> = true;
const _eventListMatches: Same<EventNameFromList, EventName> = true;
void _commandListMatches;
void _eventListMatches;

export function isCommandName(value: unknown): value is CommandName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(commandSchemas, value);
}
export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(EVENT_NAMES, value);
}
