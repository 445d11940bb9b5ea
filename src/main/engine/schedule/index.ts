// The retry scheduler: quota windows, backoff, pacing and holds, with due times kept as rows.
export { createScheduler, formatWhen, PAUSED_KEY } from './scheduler';
export type { Scheduler, SchedulerOptions, QueueEntry, SlotInfo, DeliverFn } from './scheduler';
export type { DeliveryOutcome, NextState } from './decide';
export { decide } from './decide';
export { nextSlot, describeSlot, effectiveCap } from './quota';
export { DEFAULT_BACKOFF, backoffDelay, planRetry } from './backoff';
export { DEFAULT_PACE } from './pace';
