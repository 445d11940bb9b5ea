import { describe, expect, it } from 'vitest';
import type { QuotaLimit } from '../../../src/shared/model';
import { describeSlot, effectiveCap, ListUsage, nextSlot, periodEnd, periodStart } from '../../../src/main/engine/schedule/quota';

const H = 3_600_000;

const T0 = Date.UTC(2026, 10, 28, 9, 0, 0);
const hour75: QuotaLimit = { window: 'hour', max: 75, mode: 'rolling', counts: 'messages' };
const day300: QuotaLimit = { window: 'day', max: 300, mode: 'rolling', counts: 'messages' };

function sends(n: number, at: number, recipients = 1) {
  return Array.from({ length: n }, () => ({ at, recipients }));
}

describe('quota windows', () => {
  it('lets a send through at once while the window has room, and numbers its slot', () => {
    const usage = new ListUsage(sends(11, T0 - 10 * 60_000));
    const slot = nextSlot([hour75], usage, 1, T0);
    expect(slot.at).toBe(T0);
    expect(slot.waiting).toBe(false);
    expect(describeSlot(slot)).toBe('slot 12 of 75 this hour');
  });

  it('opens a full rolling window exactly when the oldest counted send leaves it', () => {
    const usage = new ListUsage([...sends(40, T0 - 50 * 60_000), ...sends(35, T0 - 20 * 60_000)]);
    const slot = nextSlot([hour75], usage, 1, T0);
    expect(slot.at).toBe(T0 - 50 * 60_000 + H);
    expect(slot.slot).toBe(36); // the 40 older ones left; 35 remain
  });

  it('counts recipients where the provider counts recipients, and waits for enough of them to leave', () => {
    const limit: QuotaLimit = { window: 'hour', max: 10, mode: 'rolling', counts: 'recipients' };
    const usage = new ListUsage([{ at: T0 - 40 * 60_000, recipients: 3 }, { at: T0 - 30 * 60_000, recipients: 4 }, { at: T0 - 10 * 60_000, recipients: 2 }]);
    // 9 used; a 4-recipient send needs 3 to leave: the first send (3) is enough
    expect(nextSlot([limit], usage, 4, T0).at).toBe(T0 - 40 * 60_000 + H);
    // a 6-recipient send needs 5 to leave: the first two sends
    expect(nextSlot([limit], usage, 6, T0).at).toBe(T0 - 30 * 60_000 + H);
  });

  it('takes the later of two windows when both are full', () => {
    const usage = new ListUsage([...sends(75, T0 - 23 * H), ...sends(75, T0 - 22 * H), ...sends(75, T0 - 21 * H), ...sends(75, T0 - 30 * 60_000)]);
    const slot = nextSlot([hour75, day300], usage, 1, T0);
    // the hour opens at T0+30min, but the day stays full until the sends from 23 h ago leave
    expect(slot.at).toBe(T0 + H);
    expect(slot.window).toBe('day');
  });

  it('resets a fixed window at the boundary of its time zone', () => {
    const limit: QuotaLimit = { window: 'day', max: 5, mode: 'fixed', resetTz: 'America/Los_Angeles', counts: 'messages' };
    const now = Date.UTC(2026, 10, 28, 20, 0, 0); // 12:00 in Los Angeles (PST, UTC-8)
    const usage = new ListUsage(sends(5, now - H));
    const slot = nextSlot([limit], usage, 1, now);
    expect(slot.at).toBe(Date.UTC(2026, 10, 29, 8, 0, 0)); // midnight PST
    // sends before the boundary do not count after it
    expect(nextSlot([limit], new ListUsage(sends(5, Date.UTC(2026, 10, 28, 7, 59))), 1, now).at).toBe(now);
  });

  it('finds fixed boundaries across a daylight-saving change and in half-hour zones', () => {
    // 2026-03-08: US clocks jump from 02:00 to 03:00; that local day has 23 hours
    const t = Date.UTC(2026, 2, 8, 12, 0, 0);
    expect(periodStart('day', 'America/New_York', t)).toBe(Date.UTC(2026, 2, 8, 5, 0, 0));
    expect(periodEnd('day', 'America/New_York', t)).toBe(Date.UTC(2026, 2, 9, 4, 0, 0));
    expect(periodStart('hour', 'Asia/Kolkata', Date.UTC(2026, 0, 1, 10, 10))).toBe(Date.UTC(2026, 0, 1, 9, 30));
    expect(periodEnd('hour', 'Asia/Kolkata', Date.UTC(2026, 0, 1, 10, 10))).toBe(Date.UTC(2026, 0, 1, 10, 30));
    expect(periodEnd('minute', 'UTC', Date.UTC(2026, 0, 1, 10, 10, 30))).toBe(Date.UTC(2026, 0, 1, 10, 11));
  });

  it('uses a learned cap below the configured one', () => {
    const learned: QuotaLimit = { ...hour75, learnedMax: 60, learnedAt: T0 - H };
    expect(effectiveCap(learned)).toBe(60);
    const usage = new ListUsage(sends(60, T0 - 5 * 60_000));
    expect(nextSlot([learned], usage, 1, T0).at).toBe(T0 - 5 * 60_000 + H);
    expect(nextSlot([hour75], usage, 1, T0).at).toBe(T0);
  });

  it('a send bigger than the whole cap waits for an empty window instead of never', () => {
    const limit: QuotaLimit = { window: 'hour', max: 10, mode: 'rolling', counts: 'recipients' };
    const usage = new ListUsage([{ at: T0 - 10 * 60_000, recipients: 1 }]);
    expect(nextSlot([limit], usage, 25, T0).at).toBe(T0 + 50 * 60_000);
  });
});

describe('the in-memory send log', () => {
  it('answers like a plain list, including out-of-order additions and pruning', async () => {
    const { SendLog } = await import('../../../src/main/engine/schedule/send-log');
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const log = new SendLog();
    const list = new ListUsage();
    for (let i = 0; i < 3000; i++) {
      const at = T0 + Math.floor(i * 1000 + (rnd() < 0.1 ? -rnd() * 5000 : 0));
      const r = 1 + Math.floor(rnd() * 4);
      log.add(at, r);
      list.add(at, r);
      if (i % 500 === 499) {
        log.prune(T0 + (i - 1500) * 1000);
        list.prune(T0 + (i - 1500) * 1000 + 1);
      }
      if (i % 97 === 0) {
        const from = T0 + (i - 800) * 1000;
        for (const counts of ['messages', 'recipients'] as const) {
          expect(log.unitsAfter(counts, from)).toBe(list.unitsAfter(counts, from));
          for (const amount of [1, 5, 50, 400]) expect(log.timeWhenReached(counts, from, amount)).toBe(list.timeWhenReached(counts, from, amount));
        }
      }
    }
    expect(log.size).toBeGreaterThan(0);
  });
});
