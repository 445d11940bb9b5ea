/**
 * The intake's commit thread: its own connection to the database (WAL, synchronous=FULL), the
 * same group commit as the in-thread writer, but the fsync no longer stops the SMTP side. While
 * one transaction commits here, the main thread keeps reading the next messages; whatever
 * arrived meanwhile is the next batch (no timer). A result goes back only after COMMIT returned.
 *
 * Protocol (see threaded-writer.ts): in `arrive` (raw transferred) and `close`; out `ready`,
 * `open_failed`, `stored`, `failed`, `closed`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { describeOpenError, openDatabase, type Db } from '../../store/db';
import { intakeRepos, writeArrivals, type Arrival, type IntakeRepos } from './store';

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
  | { type: 'closed' };

/** pages in the WAL before this connection checkpoints (40 MB at 4 KB pages) */
const WRITER_AUTOCHECKPOINT_PAGES = 10_000;

function run(): void {
  const port = parentPort;
  if (!port) return;
  const { dbPath, nativeBinding } = workerData as { dbPath: string; nativeBinding?: string };
  const post = (m: FromWriter) => port.postMessage(m);
  let db: Db;
  let repos: IntakeRepos;
  try {
    // The engine opened (and migrated) the file already; this connection only writes arrivals.
    db = openDatabase(dbPath, { migrate: false, nativeBinding });
    repos = intakeRepos(db);
    // Checkpoints run in whichever connection commits past the threshold; the default 1,000 pages
    // (4 MB, about 200 intake messages) made every few batches wait for a copy plus an fsync of the
    // database file. Fewer, larger checkpoints here measured 1,380 → 1,690 msg/s (bench:relay).
    db.pragma(`wal_autocheckpoint = ${WRITER_AUTOCHECKPOINT_PAGES}`);
  } catch (e) {
    post({ type: 'open_failed', message: describeOpenError(dbPath, e).message });
    return;
  }
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
      } catch (e) {
        post({ type: 'failed', seqs, message: describeOpenError(dbPath, e).message });
      }
    }
    if (closing && queue.length === 0) {
      db.close();
      post({ type: 'closed' });
      port.close();
    }
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

run();
