/**
 * A TCP proxy on 127.0.0.1 that sits between the app and a real server and breaks connections
 * on purpose, at a chosen point, for a chosen number of connections:
 *
 *   const proxy = await startFaultProxy({ host: '127.0.0.1', port: server.port });
 *   proxy.inject({ at: { match: /^DATA\r\n/m, from: 'client' }, action: 'drop' });         // next connection
 *   proxy.inject({ at: { bytes: 300, from: 'client' }, action: 'truncate', connections: 2 });
 *   proxy.inject({ at: { match: /^220 /m, from: 'server', cut: 'after' }, action: 'stall' });
 *   proxy.inject({ at: { match: /\{\d+\}\r\n/, from: 'server', cut: 'after', plus: 40 }, action: 'drop' }); // mid-literal
 *
 * Points: after N bytes from either side, or at the first match of a pattern in what one side
 * sent (cut before the match, or after it plus some bytes). Actions at the point:
 * - drop: both sockets are closed cleanly (FIN) — the peer sees the connection end;
 * - reset: both sockets are destroyed with RST — the peer sees ECONNRESET;
 * - truncate: the bytes up to the point are delivered, the rest of that direction vanishes, and
 *   the side that sent them is closed (a half-written command or literal), the other side too;
 * - stall: nothing more flows in either direction, the sockets stay open (until `stallMs`, then
 *   dropped; without it, until the app gives up or the proxy stops).
 * A queued fault arms every connection opened after `inject` until it has fired on
 * `connections` of them (default 1): a connection that never reaches the point (nothing to
 * fetch, say) does not use it up. Connections open before `inject` are never armed.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export type Side = 'client' | 'server';

export type FaultPoint =
  | { bytes: number; from: Side }
  | { match: RegExp | string; from: Side; cut?: 'before' | 'after'; plus?: number };

export interface Fault {
  at: FaultPoint;
  action: 'drop' | 'reset' | 'truncate' | 'stall';
  /** on how many connections the fault fires before it is used up (default 1) */
  connections?: number;
  /** stall only: drop after this long (default: stay stalled) */
  stallMs?: number;
}

export interface FaultEvent {
  connection: number;
  fault: Fault['action'];
  /** bytes each side had sent through when the fault fired */
  clientBytes: number;
  serverBytes: number;
}

export interface FaultProxy {
  host: '127.0.0.1';
  port: number;
  /** queue a fault for the next connection(s) */
  inject(fault: Fault): void;
  /** forget faults not yet used */
  clear(): void;
  /** connections opened so far */
  connections(): number;
  /** faults that fired, in order */
  fired: FaultEvent[];
  /** connections currently open through the proxy */
  open(): number;
  /** close every connection now (as if the network went away), leaving the listener up */
  cutAll(): void;
  stop(): Promise<void>;
}

interface Slot {
  fault: Fault;
  left: number;
}

interface Armed {
  slot: Slot;
  /** the point, once a match was found and the cut lies in bytes still to come */
  at: FaultPoint;
  fired: boolean;
  /** the pattern search runs over what this side has sent so far (kept to a bounded tail) */
  seen: string;
  offset: number;
}

const TAIL = 64 * 1024;

export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  const queue: Slot[] = [];
  const live = new Set<{ client: Socket; upstream: Socket }>();
  const fired: FaultEvent[] = [];
  let count = 0;
  const stallTimers = new Set<NodeJS.Timeout>();

  const use = (slot: Slot) => {
    slot.left--;
    if (slot.left <= 0) queue.splice(queue.indexOf(slot), 1);
  };

  const server: Server = createServer((client) => {
    const id = ++count;
    const slot = queue[0];
    const armed: Armed | null = slot ? { slot, at: slot.fault.at, fired: false, seen: '', offset: 0 } : null;
    const upstream = connect({ host: target.host, port: target.port });
    const pair = { client, upstream };
    live.add(pair);
    const sent: Record<Side, number> = { client: 0, server: 0 };
    let stalled = false;
    // Bytes from the client that arrive before the upstream is connected wait here.
    client.pause();
    upstream.once('connect', () => client.resume());

    const closeBoth = (how: 'end' | 'reset') => {
      for (const s of [client, upstream]) {
        if (how === 'reset') s.resetAndDestroy();
        else {
          s.end();
          setTimeout(() => s.destroy(), 200).unref();
        }
      }
    };

    const fire = (action: Fault['action']) => {
      fired.push({ connection: id, fault: action, clientBytes: sent.client, serverBytes: sent.server });
      if (action === 'stall') {
        stalled = true;
        client.pause();
        upstream.pause();
        if (armed!.slot.fault.stallMs !== undefined) {
          const t = setTimeout(() => {
            stallTimers.delete(t);
            closeBoth('end');
          }, armed!.slot.fault.stallMs);
          stallTimers.add(t);
        }
        return;
      }
      closeBoth(action === 'reset' ? 'reset' : 'end');
    };

    /** How many bytes of this chunk pass before the fault point; null = the point is not in it. */
    const cutIn = (from: Side, chunk: Buffer): number | null => {
      if (!armed || armed.fired || armed.slot.left <= 0 || armed.at.from !== from) return null;
      const at = armed.at;
      if ('bytes' in at) {
        const before = sent[from];
        return before + chunk.length >= at.bytes ? Math.max(0, at.bytes - before) : null;
      }
      const prevLen = armed.seen.length;
      const text = armed.seen + chunk.toString('latin1');
      const re = typeof at.match === 'string' ? new RegExp(at.match.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : at.match;
      const m = re.exec(text);
      if (!m) {
        armed.seen = text.length > TAIL ? text.slice(-TAIL) : text;
        return null;
      }
      const end = (at.cut ?? 'before') === 'before' ? m.index : m.index + m[0].length + (at.plus ?? 0);
      // a point beyond this chunk ("after the match plus N") waits for more bytes
      if (end - prevLen > chunk.length) {
        armed.seen = text.length > TAIL ? text.slice(-TAIL) : text;
        // keep the match found: from now on count bytes
        armed.at = { bytes: sent[from] + (end - prevLen), from };
        return null;
      }
      return Math.max(0, end - prevLen);
    };

    const pipe = (from: Side, src: Socket, dst: Socket) => {
      src.on('data', (chunk: Buffer) => {
        if (stalled) return;
        const n = cutIn(from, chunk);
        if (n === null) {
          sent[from] += chunk.length;
          dst.write(chunk);
          return;
        }
        armed!.fired = true;
        use(armed!.slot);
        if (n > 0) dst.write(chunk.subarray(0, n));
        sent[from] += n;
        if (armed!.slot.fault.action === 'truncate') {
          // what was written gets out, then both ends go
          dst.end();
          src.destroy();
          setTimeout(() => dst.destroy(), 200).unref();
          fired.push({ connection: id, fault: 'truncate', clientBytes: sent.client, serverBytes: sent.server });
          return;
        }
        fire(armed!.slot.fault.action);
      });
      src.on('end', () => {
        if (!stalled) dst.end();
      });
      src.on('error', () => dst.destroy());
      src.on('close', () => {
        // one side gone (the app gave up on a stall, or the server closed): the other follows
        dst.destroy();
        live.delete(pair);
      });
    };
    pipe('client', client, upstream);
    pipe('server', upstream, client);
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;

  return {
    host: '127.0.0.1',
    port,
    inject(fault) {
      queue.push({ fault, left: fault.connections ?? 1 });
      // later faults wait for earlier ones to be used up
    },
    clear() {
      queue.length = 0;
    },
    connections: () => count,
    fired,
    open: () => live.size,
    cutAll() {
      for (const { client, upstream } of live) {
        client.destroy();
        upstream.destroy();
      }
    },
    async stop() {
      for (const t of stallTimers) clearTimeout(t);
      for (const { client, upstream } of live) {
        client.destroy();
        upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
