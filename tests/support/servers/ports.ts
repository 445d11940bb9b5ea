// Free ports and readiness by listening sockets, for the real mail servers the tests start.
// Readiness is read from /proc/net/tcp rather than by connecting: a probe connection would count
// against Postfix's rate limits and show up in Dovecot's logs as a client.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** A port on 127.0.0.1 that nothing listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Several distinct free ports. */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/** The set of TCP ports in LISTEN state on IPv4 (any address) according to the kernel. */
export function listeningPorts(): Set<number> {
  const out = new Set<number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // cols[1] = local "HEXADDR:HEXPORT", cols[3] = state; 0A = LISTEN
      if (cols.length < 4 || cols[3] !== '0A') continue;
      const port = parseInt(cols[1].split(':')[1], 16);
      if (Number.isFinite(port)) out.add(port);
    }
  }
  return out;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until every port listens (or none does, with `listening = false`). */
export async function waitForPorts(
  ports: number[],
  { listening = true, timeoutMs = 15_000, describe = 'server' }: { listening?: boolean; timeoutMs?: number; describe?: string } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = listeningPorts();
    if (ports.every((p) => open.has(p) === listening)) return;
    if (Date.now() > deadline) {
      throw new Error(`${describe}: ports ${ports.join(', ')} did not ${listening ? 'open' : 'close'} within ${timeoutMs} ms`);
    }
    await sleep(50);
  }
}
