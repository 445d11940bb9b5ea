import { openSync, readSync, closeSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as tick } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../src/main/engine/store/db';
import { intakeRepos, writeArrivals } from '../../../src/main/engine/outbox/intake/store';
import { FALLBACK_AUTOCHECKPOINT_PAGES, WalKeeper } from '../../../src/main/engine/outbox/intake/wal-keeper';
import { until } from '../../support/until';
import { addTestAccount, makeContext, rawMessage } from './support/context';

const ENTRY = join(__dirname, '../../../src/main/engine/outbox/intake/writer-thread.ts');
const MB = 1024 * 1024;

describe('the intake writer WAL keeper', () => {
  let ctx: ReturnType<typeof makeContext>;
  let writer: Db;
  let accountId: number;
  let keeper: WalKeeper | null = null;
  const logged: string[] = [];
  const walSize = () => statSync(`${ctx.dbPath}-wal`).size;
  const autocheckpoint = () => writer.pragma('wal_autocheckpoint', { simple: true }) as number;

  beforeEach(async () => {
    ctx = makeContext();
    accountId = (await addTestAccount(ctx, 9)).id;
    writer = openDatabase(ctx.dbPath, { migrate: false });
    logged.length = 0;
  });
  afterEach(async () => {
    await keeper?.close();
    keeper = null;
    writer.close();
    ctx.close();
  });

  /** Commits `batches` batches of `perBatch` 20 KB messages the way the writer thread does, letting the keeper's messages in between. */
  async function writeLoad(batches: number, perBatch: number): Promise<{ written: number; largestWal: number }> {
    const repos = intakeRepos(writer);
    const body = 'x'.repeat(76) + '\r\n';
    let written = 0;
    let largestWal = 0;
    for (let b = 0; b < batches; b++) {
      const arrivals = Array.from({ length: perBatch }, () => ({
        accountId,
        mailFrom: 'sender@example.test',
        recipients: ['rcpt@example.test'],
        raw: rawMessage({ body: body.repeat(260) }).raw,
      }));
      writeArrivals(writer, repos, arrivals, Date.now());
      const bytes = arrivals.reduce((n, a) => n + a.raw.length, 0);
      written += bytes;
      keeper?.committed(arrivals.length, bytes);
      largestWal = Math.max(largestWal, walSize());
      await tick();
    }
    return { written, largestWal };
  }

  it('copies the WAL beside the commits and brings it back to its start, so steady writes do not grow it', async () => {
    keeper = new WalKeeper(writer, { entry: ENTRY, dbPath: ctx.dbPath, log: (e) => logged.push(e), limits: { stepBytes: MB / 4, wrapBytes: MB, finishBytes: MB / 8, idleMs: 20 } });
    expect(autocheckpoint()).toBe(FALLBACK_AUTOCHECKPOINT_PAGES);
    keeper.start();
    // Once its checkpoint thread is up, the writer connection no longer checkpoints inside commits.
    await until('the checkpoint thread', () => autocheckpoint() === 0);

    const { written, largestWal } = await writeLoad(150, 4);
    expect(written).toBeGreaterThan(11 * MB);
    // Never copied (no keeper, no automatic checkpoint) the WAL would hold all of it.
    expect(largestWal).toBeLessThan(4 * MB);
    expect(logged).toEqual([]);
    // Every message is there, readable from another connection.
    expect((ctx.db.prepare('SELECT count(*) AS n FROM message_bodies').get() as { n: number }).n).toBe(600);
  });

  it('copies everything once the writer goes quiet, so the next commit starts the WAL over', async () => {
    // Limits far above this load: only the quiet-time checkpoint can bring the WAL back to its start.
    keeper = new WalKeeper(writer, { entry: ENTRY, dbPath: ctx.dbPath, log: (e) => logged.push(e), limits: { stepBytes: 64 * MB, wrapBytes: 256 * MB, idleMs: 20 } });
    keeper.start();
    await until('the checkpoint thread', () => autocheckpoint() === 0);
    /** the WAL header's checkpoint sequence number (bytes 12-15), which SQLite raises each time the WAL starts over */
    const walGeneration = () => {
      const fd = openSync(`${ctx.dbPath}-wal`, 'r');
      try {
        const head = Buffer.alloc(16);
        readSync(fd, head, 0, 16, 0);
        return head.readUInt32BE(12);
      } finally {
        closeSync(fd);
      }
    };
    await writeLoad(20, 4);
    const before = walGeneration();
    await writeLoad(1, 1);
    expect(walGeneration()).toBe(before);
    // Quiet (no commit) long enough for the idle checkpoint, then one commit; again until it shows.
    for (let round = 0; walGeneration() === before; round++) {
      if (round === 50) throw new Error('the WAL never started over');
      keeper.idle();
      await new Promise((r) => setTimeout(r, 200));
      await writeLoad(1, 1);
    }
    expect(logged).toEqual([]);
  });

  it('without the keeper the same load grows the WAL with every commit (what the test above guards against)', async () => {
    writer.pragma('wal_autocheckpoint = 0');
    const { written, largestWal } = await writeLoad(150, 4);
    expect(largestWal).toBeGreaterThan(written);
  });

  it('falls back to SQLite’s automatic checkpoint when its thread cannot start', async () => {
    keeper = new WalKeeper(writer, { entry: join(ctx.dir, 'missing-thread.js'), dbPath: ctx.dbPath, log: (e) => logged.push(e) });
    keeper.start();
    await until('the loss to be noticed', () => logged.includes('intake.checkpointer_lost'));
    expect(autocheckpoint()).toBe(FALLBACK_AUTOCHECKPOINT_PAGES);
    const { largestWal } = await writeLoad(10, 4);
    expect(largestWal).toBeGreaterThan(0);
  });
});
