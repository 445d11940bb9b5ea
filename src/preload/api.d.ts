import type { OutboxApi } from '../shared/contract';

declare global {
  interface Window {
    /** The contract's API, exposed by the preload (or by the browser tests' bridge). */
    readonly outbox: OutboxApi;
  }
}

export {};
