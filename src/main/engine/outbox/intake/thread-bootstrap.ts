import { Worker } from 'node:worker_threads';

// Sources run through tsx's CommonJS hook; a built entry is plain JavaScript.
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
if (workerData.entry.endsWith('.ts')) require('tsx/cjs/api').register();
require(workerData.entry);
`;

/**
 * Starts the intake's thread entry (writer-thread.ts, or the built `intake-writer.js`) with
 * `data` as its workerData. One entry serves both intake threads, told apart by `data.role`, so
 * a build needs only the one file.
 */
export function startIntakeThread(entry: string, data: Record<string, unknown>): Worker {
  return new Worker(BOOTSTRAP, { eval: true, workerData: { ...data, entry } });
}
