/**
 * The contract's runtime name lists without zod, for the preload: a sandboxed preload is one
 * CommonJS bundle that may `require` only 'electron', so it must not pull the schema library in.
 * contract.ts re-exports these and checks at compile time that they match its schema table and
 * its Events interface exactly (a missing or extra name is a type error there).
 */
export const IPC_CHANNEL_PREFIX = 'outbox:';
export const IPC_EVENT_CHANNEL = 'outbox:event';

export const COMMAND_NAME_LIST = [
  'status/summary',
  'failures/list',
  'failures/detail',
  'failures/resend',
  'failures/discard',
  'suppressions/list',
  'suppressions/add',
  'suppressions/remove',
  'accounts/list',
  'accounts/presets',
  'accounts/add',
  'accounts/update',
  'accounts/remove',
  'accounts/test',
  'accounts/reconnect',
  'accounts/quota',
  'sending/pause',
  'sending/resume',
  'relay/info',
  'charts/sends',
  'charts/failures',
] as const;

export const EVENT_NAME_LIST = [
  'failures/changed',
  'accounts/changed',
  'queue/changed',
  'status/changed',
  'attention',
  'navigate/failure',
] as const;

export type CommandNameFromList = (typeof COMMAND_NAME_LIST)[number];
export type EventNameFromList = (typeof EVENT_NAME_LIST)[number];

const commandSet: ReadonlySet<string> = new Set(COMMAND_NAME_LIST);
const eventSet: ReadonlySet<string> = new Set(EVENT_NAME_LIST);

export function isListedCommand(value: unknown): value is CommandNameFromList {
  return typeof value === 'string' && commandSet.has(value);
}
export function isListedEvent(value: unknown): value is EventNameFromList {
  return typeof value === 'string' && eventSet.has(value);
}

/** What travels on IPC_EVENT_CHANNEL: one envelope per engine event. */
export interface EventEnvelope {
  event: EventNameFromList;
  payload: unknown;
}
