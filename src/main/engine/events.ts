import { EventEmitter } from 'node:events';
import type { EventName, Events } from '../../shared/contract';

/** A typed emitter for the contract's events; the edge forwards them to the window and the tray. */
export class EngineEvents {
  private emitter = new EventEmitter();
  constructor() {
    this.emitter.setMaxListeners(100);
  }
  emit<E extends EventName>(event: E, payload: Events[E]): void {
    this.emitter.emit(event, payload);
  }
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
    this.emitter.on(event, listener as (p: unknown) => void);
    return () => this.emitter.off(event, listener as (p: unknown) => void);
  }
  /** Every event, for forwarding across the IPC edge. */
  onAny(listener: <E extends EventName>(event: E, payload: Events[E]) => void): () => void {
    const names: EventName[] = ['failures/changed', 'accounts/changed', 'queue/changed', 'status/changed', 'attention', 'navigate/failure'];
    const offs = names.map((name) => this.on(name, (payload) => listener(name, payload)));
    return () => offs.forEach((off) => off());
  }
}
