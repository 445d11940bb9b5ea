/// <reference types="vite/client" />
import type { OutboxApi } from '../../shared/contract';

declare global {
  interface Window {
    /** The engine's one door, exposed by the preload (or by the browser tests' bridge). */
    readonly outbox: OutboxApi;
  }
}
export {};
