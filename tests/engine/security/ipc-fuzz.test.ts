// Hostile payloads through the real door from the window into the engine: the dispatcher
// (name check + the contract's zod schemas) in front of the real command handlers on a real
// database. Every call must come back as a Result value; a payload the contract does not allow
// must be refused as invalid_payload / unknown_command before any handler runs; and nothing may
// be written — checked per call (the connection's change counter) and over the whole run (a
// checksum of every table, read through a second connection, and SQLite's data_version).
//
// Deterministic by default; FUZZ_SEED / FUZZ_CASES vary the run (`FUZZ_CASES=200000` is the long
// run documented in docs/reliability.md).
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandSchemas, COMMAND_NAMES, type CommandHandlers, type CommandName } from '../../../src/shared/contract';
import { ERROR_CODES, type Result } from '../../../src/shared/result';
import { MemorySecretStore } from '../../../src/main/engine/accounts/secrets/memory';
import { createCommandHandlers } from '../../../src/main/engine/commands';
import { createDispatcher } from '../../../src/main/engine/dispatch';
import { createEngine, type Engine } from '../../../src/main/engine/index';
import { ManualClock } from '../../../src/main/engine/ports';
import { createFailuresRepo } from '../../../src/main/engine/store/failures';
import { addTestAccount, storeMessage, tempDir } from '../outbox/support/context';

const SEED = Number(process.env.FUZZ_SEED ?? 20261128);
const CASES = Number(process.env.FUZZ_CASES ?? 6000);

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = ReturnType<typeof prng>;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

// Commands that only read. Random (possibly valid) arguments may reach their handlers; the
// database must still not change. Everything else only ever gets payloads the contract forbids.
const READ_ONLY = new Set<CommandName>([
  'status/summary', 'failures/list', 'failures/detail', 'suppressions/list', 'accounts/list', 'accounts/presets',
  'accounts/quota', 'relay/info', 'charts/sends', 'charts/failures',
]);

const HUGE = 'A'.repeat(2 * 1024 * 1024);
const BIDI = '\u202Eevil\u202C\u0000\uFFFF\uD800';

function deep(depth: number, asArray: boolean): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = asArray ? [v] : { a: v };
  return v;
}

/** Objects with keys that try to reach the prototype chain, built the way JSON.parse builds them (own keys). */
function pollution(r: Rand): Record<string, unknown> {
  return pick(r, [
    () => JSON.parse('{"__proto__": {"polluted": "yes"}}'),
    () => JSON.parse('{"constructor": {"prototype": {"polluted": "yes"}}}'),
    () => JSON.parse('{"prototype": {"polluted": "yes"}}'),
    () => ({ toString: 'not a function', valueOf: 7, hasOwnProperty: null }),
    () => JSON.parse('{"__proto__": null, "polluted": "yes"}'),
  ])();
}

/** Any value structured clone could carry, weighted toward the nasty ones. */
function anyValue(r: Rand, depth = 0): unknown {
  const kinds = [
    () => null, () => undefined, () => true, () => false,
    () => NaN, () => Infinity, () => -Infinity, () => -0, () => -1, () => 0, () => 1.5,
    () => 2 ** 53, () => 2 ** 63, () => Number.MAX_VALUE, () => -(2 ** 31), () => Math.floor(r() * 1000),
    () => '', () => HUGE, () => BIDI, () => '1', () => '__proto__', () => "'; DROP TABLE messages; --",
    () => 12345678901234567890n, () => new Date(NaN), () => new Uint8Array(8), () => new Map([[1, 2]]), () => new Set([1]),
    () => deep(5_000, true), () => deep(5_000, false), () => pollution(r), () => Object.create(null),
    () => (depth < 3 ? Array.from({ length: Math.floor(r() * 4) }, () => anyValue(r, depth + 1)) : []),
    () => (depth < 3 ? Object.fromEntries(Array.from({ length: Math.floor(r() * 4) }, (_, i) => [pick(r, ['a', 'ids', 'failureIds', 'accountId', 'x' + i]), anyValue(r, depth + 1)])) : {}),
  ];
  return pick(r, kinds)();
}

/** A value that can never be a valid command id (positive safe integer). */
function badId(r: Rand): unknown {
  // never undefined: an omitted optional field is allowed, so it would not be a corruption
  return pick(r, [NaN, Infinity, -Infinity, -1, 0, -0, 1.5, 2 ** 53 + 2, 1e308, '1', '', null, true, {}, [], [1], HUGE, 5n]);
}

/** A valid-looking argument list for each command, to corrupt one piece at a time. */
function validArgs(name: CommandName): unknown[] {
  const account = {
    name: 'n', provider: 'generic', email: 'a@example.test', password: 'p',
    smtp: { host: '127.0.0.1', port: 2, tls: 'none' },
  };
  const table: Record<CommandName, unknown[]> = {
    'status/summary': [],
    'failures/list': [{ limit: 10 }],
    'failures/detail': [1],
    'failures/resend': [{ failureIds: [1] }],
    'failures/discard': [{ failureIds: [1] }],
    'suppressions/list': [],
    'suppressions/add': [{ addresses: ['x@example.test'] }],
    'suppressions/remove': [{ addresses: ['x@example.test'] }],
    'accounts/list': [],
    'accounts/presets': [],
    'accounts/add': [account],
    'accounts/update': [1, { name: 'renamed' }],
    'accounts/remove': [1],
    'accounts/test': [1],
    'accounts/reconnect': [1, { password: 'p' }],
    'accounts/quota': [1],
    'sending/pause': [{}],
    'sending/resume': [{}],
    'relay/info': [],
    'charts/sends': [{}],
    'charts/failures': [{ days: 7 }],
  };
  return structuredClone(table[name]);
}

/**
 * Turns a valid argument list into one the contract forbids, in one of the ways a confused or
 * hostile renderer could: wrong arity, an extra key on a strict object, a wrong type or an
 * out-of-range value where an id or a bounded string goes, or prototype keys.
 */
function corrupt(r: Rand, name: CommandName, args: unknown[]): unknown[] {
  const strategies: ((a: unknown[]) => unknown[] | null)[] = [
    (a) => [...a, anyValue(r)], // one argument too many
    (a) => (a.length ? a.slice(0, -1) : null), // one too few
    (a) => {
      const i = a.findIndex((x) => typeof x === 'object' && x !== null && !Array.isArray(x));
      if (i < 0) return null;
      const extra = pick(r, ['__proto__', 'constructor', 'prototype', 'polluted', 'isAdmin', '']);
      const obj = JSON.parse(JSON.stringify(a[i])) as Record<string, unknown>;
      Object.defineProperty(obj, extra, { value: anyValue(r), enumerable: true, configurable: true, writable: true });
      const out = [...a];
      out[i] = obj;
      return out; // strict objects refuse unknown keys
    },
    (a) => {
      const i = a.findIndex((x) => typeof x === 'number');
      if (i < 0) return null;
      const out = [...a];
      out[i] = badId(r);
      return out;
    },
    (a) => {
      // replace the object argument as a whole with something that is not a plain object
      const i = a.findIndex((x) => typeof x === 'object' && x !== null);
      if (i < 0) return null;
      const out = [...a];
      out[i] = pick(r, [null, 'x', 42, NaN, [a[i]], deep(3_000, true), HUGE, true]);
      return out;
    },
    (a) => {
      // a field that must be a bounded string or list gets a hostile value of the wrong shape
      const i = a.findIndex((x) => typeof x === 'object' && x !== null && !Array.isArray(x));
      if (i < 0) return null;
      const obj = structuredClone(a[i]) as Record<string, unknown>;
      const key = Object.keys(obj)[0];
      if (!key) return null;
      const v = obj[key];
      if (typeof v === 'string') obj[key] = pick(r, [HUGE, 42, null, ['x'], { toString: 'x' }]);
      else if (Array.isArray(v)) obj[key] = pick(r, [HUGE, 'x', { length: 1, 0: 1 }, [badId(r)], deep(4_000, true), v.length ? null : []]);
      else if (typeof v === 'number') obj[key] = badId(r);
      else obj[key] = pick(r, [HUGE, 7, 'x', null]);
      const out = [...a];
      out[i] = obj;
      return out;
    },
  ];
  for (let tries = 0; tries < 20; tries++) {
    const out = pick(r, strategies)(args);
    if (out) return out;
  }
  return [...args, 'extra'];
}

/** A short picture of a payload for failure messages (payloads can be 5,000 levels deep). */
function show(v: unknown, depth = 0): string {
  if (depth > 4) return '…';
  if (Array.isArray(v)) return `[${v.slice(0, 4).map((x) => show(x, depth + 1)).join(', ')}${v.length > 4 ? ', …' : ''}]`;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + `…(${v.length})` : v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'object' && v !== null) {
    if (Object.getPrototypeOf(v) === null) return '{null prototype}';
    return `{${Object.keys(v).slice(0, 6).map((k) => `${k}: ${show((v as Record<string, unknown>)[k], depth + 1)}`).join(', ')}}`;
  }
  return typeof v === 'symbol' ? 'Symbol' : String(v);
}

type Call = { name: unknown; args: unknown; expect: 'unknown_command' | 'invalid_payload' | 'any' };

function makeCase(r: Rand): Call {
  const roll = r();
  if (roll < 0.1) {
    // unknown command names, including ones that exist on every object's prototype
    const name = pick(r, [
      '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'status/summary ', 'STATUS/SUMMARY', 'accounts/',
      '', HUGE, BIDI, 'failures/list\u0000', 42, null, undefined, NaN, {}, [], ['status/summary'], Object.create(null),
      { toString: () => 'status/summary' }, Symbol('x'), 7n,
    ]);
    return { name, args: [], expect: 'unknown_command' };
  }
  const name = pick(r, COMMAND_NAMES);
  if (roll < 0.25) {
    // the argument list is not a list at all
    return { name, args: pick(r, [null, undefined, 'x', 1, {}, { 0: 1, length: 1 }, HUGE, NaN, pollution(r), new Map()]), expect: 'invalid_payload' };
  }
  if (roll < 0.4 && READ_ONLY.has(name)) {
    // anything at all for a read-only command: whatever it answers, nothing is written
    return { name, args: Array.from({ length: Math.floor(r() * 3) }, () => anyValue(r)), expect: 'any' };
  }
  return { name, args: corrupt(r, name, validArgs(name)), expect: 'invalid_payload' };
}

/** A checksum over every row of every table, read through its own connection. */
function snapshot(path: string): { sum: string; counts: Record<string, number>; dataVersion: number } {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
    const hash = createHash('sha256');
    const counts: Record<string, number> = {};
    for (const t of tables) {
      // sorted in JS: some tables are WITHOUT ROWID, and row order is not what this is about
      const rows = (db.prepare(`SELECT * FROM "${t}"`).raw().all() as unknown[])
        .map((row) => JSON.stringify(row, (_k, v) => (Buffer.isBuffer(v) ? v.toString('base64') : typeof v === 'bigint' ? String(v) : v)))
        .sort();
      counts[t] = rows.length;
      hash.update(t);
      for (const row of rows) hash.update(row);
    }
    return { sum: hash.digest('hex'), counts, dataVersion: Number(db.pragma('data_version', { simple: true })) };
  } finally {
    db.close();
  }
}

describe('IPC payload fuzz through the real dispatcher and handlers', () => {
  let engine: Engine;
  let dbPath: string;
  const called: string[] = [];
  let dispatch: ReturnType<typeof createDispatcher>;
  let changes: () => number;

  beforeAll(async () => {
    dbPath = join(tempDir('ipc-fuzz-'), 'outbox.db');
    engine = createEngine({
      dbPath, secrets: new MemorySecretStore(), clock: new ManualClock(Date.UTC(2026, 10, 28, 9)),
      intake: false, watch: false, scheduleOptions: { recheckMs: 0 },
    });
    await engine.start();
    // Something to aim at: an account, messages and open failures with small ids.
    const account = await addTestAccount(engine, 9, { name: 'fuzz' });
    const failures = createFailuresRepo(engine.db);
    for (let i = 0; i < 5; i++) {
      const id = storeMessage(engine, account.id, { to: [`r${i}@example.test`] });
      failures.insert({
        messageId: id, accountId: account.id, recipient: `r${i}@example.test`, category: 'recipient_unknown', kind: 'permanent',
        rule: 'test', source: 'smtp', diagnostic: '550 5.1.1 no such user', detectedAt: engine.clock.now(),
      });
    }
    const real = createCommandHandlers(engine);
    // Records which handlers ran; the dispatcher sees the real ones behind it.
    const recorded = Object.fromEntries(
      COMMAND_NAMES.map((n) => [n, (...a: unknown[]) => {
        called.push(n);
        return (real[n] as (...x: unknown[]) => Promise<unknown>)(...a);
      }]),
    ) as unknown as CommandHandlers;
    dispatch = createDispatcher(recorded);
    await engine.relayInfo(); // the relay login is created on first use; do it before the snapshot
    const total = engine.db.prepare('SELECT total_changes()').pluck();
    changes = () => Number(total.get());
  });

  afterAll(async () => {
    await engine?.stop();
  });

  it(`${CASES} hostile payloads (seed ${SEED}): always a Result, refused before any handler, nothing written`, async () => {
    const before = snapshot(dbPath);
    const r = prng(SEED);
    const tally: Record<string, number> = {};
    for (let i = 0; i < CASES; i++) {
      const c = makeCase(r);
      const label = `case ${i} (seed ${SEED}): ${show(c.name)} ${show(c.args)}`;
      const changesBefore = changes();
      called.length = 0;
      let result: Result<unknown>;
      try {
        result = await dispatch(c.name, c.args);
      } catch (e) {
        throw new Error(`${label}: the dispatcher threw instead of answering: ${String(e)}`);
      }
      expect(typeof result.ok, label).toBe('boolean');
      if (!result.ok) {
        expect(ERROR_CODES, label).toContain(result.error.code);
        expect(typeof result.error.message, label).toBe('string');
        expect(result.error.message.length, label).toBeLessThan(10_000); // a 2 MB input is not echoed back
      }
      if (c.expect !== 'any') {
        expect(result.ok, label).toBe(false);
        if (!result.ok) expect(result.error.code, label).toBe(c.expect);
        expect(called, label).toEqual([]);
      }
      expect(changes() - changesBefore, `${label}: rows changed`).toBe(0);
      const key = result.ok ? 'ok' : result.error.code;
      tally[key] = (tally[key] ?? 0) + 1;
    }
    const after = snapshot(dbPath);
    expect(after.counts).toEqual(before.counts);
    expect(after.sum).toBe(before.sum);
    // data_version moves when another connection commits; the engine's connection did not.
    expect(after.dataVersion).toBe(before.dataVersion);
    // nothing leaked onto the shared prototypes
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
    // the run really exercised both refusals
    expect(tally.invalid_payload ?? 0).toBeGreaterThan(CASES / 2);
    expect(tally.unknown_command ?? 0).toBeGreaterThan(CASES / 50);
  });

  it('the checksum notices a real write (control): a valid suppressions/add changes it', async () => {
    const before = snapshot(dbPath);
    const result = await dispatch('suppressions/add', [{ addresses: ['control@example.test'] }]);
    expect(result).toEqual({ ok: true, value: { added: 1 } });
    const after = snapshot(dbPath);
    expect(after.sum).not.toBe(before.sum);
    expect(after.counts.suppressions).toBe(before.counts.suppressions! + 1);
  });

  it('every schema refuses each of the corruptions on its own (no corruption is accidentally valid)', () => {
    const r = prng(SEED + 1);
    for (const name of COMMAND_NAMES) {
      expect(commandSchemas[name].safeParse(validArgs(name)).success, `${name} baseline must be valid`).toBe(true);
      for (let i = 0; i < 200; i++) {
        const bad = corrupt(r, name, validArgs(name));
        const accepted = commandSchemas[name].safeParse(bad).success;
        if (accepted) expect.fail(`${name}: a corruption passed the schema: ${show(bad)}`);
      }
    }
  });
});
