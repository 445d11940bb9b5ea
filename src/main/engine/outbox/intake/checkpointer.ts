/**
 * The intake's checkpoint thread: its own connection, and on request one PASSIVE checkpoint —
 * WAL frames copied into the database file, which is then fsynced. It runs beside the writer
 * thread's commits instead of inside one of them (a commit that ran SQLite's automatic
 * checkpoint held its 250s for the copy of up to 40 MB). PASSIVE never waits for, nor blocks,
 * the writer or any reader. Started and driven by wal-keeper.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { describeOpenError, openDatabase } from '../../store/db';

export type ToCheckpointer = { type: 'checkpoint' } | { type: 'close' };
export type FromCheckpointer =
  | { type: 'ready' }
  | { type: 'open_failed'; message: string }
  /** SQLite's answer: another checkpoint was running (busy), frames in the WAL (log), frames now in the database file (done) */
  | { type: 'checkpointed'; busy: boolean; log: number; done: number }
  | { type: 'checkpoint_failed'; message: string };

export function runCheckpointer(): void {
  const port = parentPort;
  if (!port) return;
  const { dbPath, nativeBinding } = workerData as { dbPath: string; nativeBinding?: string };
  const post = (m: FromCheckpointer) => port.postMessage(m);
  let db: ReturnType<typeof openDatabase>;
  try {
    // synchronous=FULL (set by openDatabase) makes the checkpoint fsync the database file
    // before the WAL may be reused.
    db = openDatabase(dbPath, { migrate: false, nativeBinding });
    db.pragma('wal_autocheckpoint = 0');
  } catch (e) {
    post({ type: 'open_failed', message: describeOpenError(dbPath, e).message });
    return;
  }
  port.on('message', (m: ToCheckpointer) => {
    if (m.type === 'close') {
      db.close();
      port.close();
      return;
    }
    try {
      const [row] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
      post({ type: 'checkpointed', busy: row.busy !== 0, log: row.log, done: row.checkpointed });
    } catch (e) {
      post({ type: 'checkpoint_failed', message: e instanceof Error ? e.message : String(e) });
    }
  });
  post({ type: 'ready' });
}
