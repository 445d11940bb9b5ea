// The bounce watcher: IMAP push and incremental sync of watched folders, reports linked to sends.
export { createWatcher, LOOKBACK_DAYS_KEY, processedActionKey } from './watcher';
export type { Watcher, WatcherOptions, ScanResult } from './watcher';
export type { FolderScan, ProcessedAction } from './sync';
