// The account's pace: the least time between two sends. Throttling replies multiply it up;
// successes shrink it by a fixed step (additive increase of the rate, multiplicative decrease).
// Plain AIMD oscillates around the provider's threshold forever; remembering the interval that
// was last throttled and not shrinking below it makes the pace settle where throttling stops.
// That memory fades after `floorTtlMs` so a provider that relaxes gets faster sends again.

export interface PaceState {
  intervalMs: number;
  /** the interval at which the provider last throttled us: shrinking stops just above it */
  floorMs: number;
  throttledAt: number | null;
}

export interface PacePolicy {
  /** the interval after the first throttle when there was none */
  firstMs: number;
  factor: number;
  stepMs: number;
  maxMs: number;
  floorTtlMs: number;
}

export const DEFAULT_PACE: PacePolicy = {
  firstMs: 2_000,
  factor: 2,
  stepMs: 500,
  maxMs: 10 * 60_000,
  floorTtlMs: 6 * 3_600_000,
};

export const NO_PACE: PaceState = { intervalMs: 0, floorMs: 0, throttledAt: null };

export function onThrottled(state: PaceState, now: number, policy: PacePolicy = DEFAULT_PACE): PaceState {
  const interval = Math.min(policy.maxMs, Math.max(policy.firstMs, Math.round(state.intervalMs * policy.factor)));
  return { intervalMs: interval, floorMs: Math.max(liveFloor(state, now, policy), state.intervalMs), throttledAt: now };
}

export function onSuccess(state: PaceState, now: number, policy: PacePolicy = DEFAULT_PACE): PaceState {
  if (state.intervalMs <= 0) return state;
  const floor = liveFloor(state, now, policy);
  // Never back down to the interval that was throttled: one step above it is the known-good pace.
  const lowest = floor > 0 ? floor + policy.stepMs : 0;
  const interval = Math.max(lowest, state.intervalMs - policy.stepMs);
  const forgotten = floor === 0 && state.floorMs > 0;
  return {
    intervalMs: interval,
    floorMs: forgotten ? 0 : state.floorMs,
    throttledAt: forgotten ? null : state.throttledAt,
  };
}

function liveFloor(state: PaceState, now: number, policy: PacePolicy): number {
  if (state.throttledAt === null || now - state.throttledAt > policy.floorTtlMs) return 0;
  return state.floorMs;
}

/** When the next send may start, given when the last one started. */
export function paceOpensAt(state: PaceState, lastSendAt: number | null, now: number): number {
  if (state.intervalMs <= 0 || lastSendAt === null) return now;
  return Math.max(now, lastSendAt + state.intervalMs);
}
