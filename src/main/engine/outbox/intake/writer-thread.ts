/**
 * The intake's commit thread: its own connection to the database (WAL, synchronous=FULL), the
 * same group commit as the in-thread writer, but the fsync no longer stops the SMTP side. While
 * one transaction commits here, the main thread keeps reading the next messages; whatever
 * arrived meanwhile is the next batch (no timer). A result goes back only after COMMIT returned.
 *
 * Its WAL is kept short by wal-keeper.ts, which checkpoints on a thread of its own (the same
 * entry file started with role `checkpoint`, see checkpointer.ts) instead of inside commits.
 *
 * Protocol (see threaded-writer.ts): in `arrive` (raw transferred) and `close`; out `ready`,
 * `open_failed`, `stored`, `failed`, `log`, `closed`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { describeOpenError, openDatabase, type Db } from '../../store/db';
import { runCheckpointer } from './checkpointer';
import { intakeRepos, writeArrivals, type Arrival, type IntakeRepos } from './store';
import { WalKeeper } from './wal-keeper';

export interface ArriveMessage {
  type: 'arrive';
  seq: number;
  accountId: number;
  mailFrom: string;
  recipients: string[];
  raw: Uint8Array;
  /** the engine clock when the message ended (the worker has no clock of its own) */
  now: number;
}
export type ToWriter = ArriveMessage | { type: 'close' };
export type FromWriter =
  | { type: 'ready' }
  | { type: 'open_failed'; message: string }
  | { type: 'stored'; seqs: number[]; results: { id: number; held: boolean }[] }
  | { type: 'failed'; seqs: number[]; message: string }
  | { type: 'log'; event: string; fields: Record<string, unknown> }
  | { type: 'closed' };

function run(): void {
  const port = parentPort;
  if (!port) return;
  const { dbPath, nativeBinding, entry } = workerData as { dbPath: string; nativeBinding?: string; entry: string };
  const post = (m: FromWriter) => port.postMessage(m);
  let db: Db;
  let repos: IntakeRepos;
  let wal: WalKeeper;
  try {
    // The engine opened (and migrated) the file already; this connection only writes arrivals.
    db = openDatabase(dbPath, { migrate: false, nativeBinding });
    repos = intakeRepos(db);
    wal = new WalKeeper(db, { entry, dbPath, nativeBinding, log: (event, fields) => post({ type: 'log', event, fields }) });
  } catch (e) {
    post({ type: 'open_failed', message: describeOpenError(dbPath, e).message });
    return;
  }
  wal.start();
  let queue: ArriveMessage[] = [];
  let scheduled = false;
  let closing = false;

  const flush = () => {
    scheduled = false;
    const batch = queue;
    queue = [];
    if (batch.length) {
      const seqs = batch.map((m) => m.seq);
      const arrivals: Arrival[] = batch.map((m) => ({
        accountId: m.accountId,
        mailFrom: m.mailFrom,
        recipients: m.recipients,
        raw: Buffer.from(m.raw.buffer, m.raw.byteOffset, m.raw.byteLength),
      }));
      try {
        const results = writeArrivals(db, repos, arrivals, Math.max(...batch.map((m) => m.now)));
        post({ type: 'stored', seqs, results });
        wal.committed(arrivals.length, arrivals.reduce((n, a) => n + a.raw.length, 0));
      } catch (e) {
        post({ type: 'failed', seqs, message: describeOpenError(dbPath, e).message });
      }
    }
    if (closing && queue.length === 0) {
      closing = false;
      void wal.close().then(() => {
        db.close();
        post({ type: 'closed' });
        port.close();
      });
    } else if (queue.length === 0) wal.idle();
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    // Port messages that came in during a commit are delivered before this runs: they form the batch.
    setImmediate(flush);
  };

  port.on('message', (m: ToWriter) => {
    if (m.type === 'arrive') queue.push(m);
    else closing = true;
    schedule();
  });
  post({ type: 'ready' });
}

if ((workerData as { role?: string } | null)?.role === 'checkpoint') runCheckpointer();
else run();
