// Process bookkeeping so that stop() leaves nothing running: both servers fork daemons, so we
// collect the whole process tree under the master before asking it to stop, and kill whatever
// survives the polite stop.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { sleep } from './ports';

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ..." — comm may contain spaces or parentheses, so cut at the last ')'
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[1]);
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** The pid and all its descendants that are alive now. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const ppid = parentOf(pid);
    if (ppid === undefined) continue;
    const list = children.get(ppid) ?? [];
    list.push(pid);
    children.set(ppid, list);
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop() as number;
    if (!isAlive(pid)) continue;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

export function readPidFile(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Waits for the pids to exit; SIGKILLs the ones still alive after `graceMs`. */
export async function reap(pids: number[], graceMs = 5_000): Promise<void> {
  const deadline = Date.now() + graceMs;
  while (pids.some(isAlive) && Date.now() < deadline) await sleep(50);
  for (const pid of pids.filter(isAlive)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  const hard = Date.now() + 2_000;
  while (pids.some(isAlive) && Date.now() < hard) await sleep(20);
}

/**
 * Runs a command that daemonizes itself. Its output goes to a file, not a pipe: the daemon keeps
 * inherited descriptors open, and a pipe would make the caller wait for it forever.
 */
export function runDetaching(command: string, args: string[], outputPath: string, env?: NodeJS.ProcessEnv): void {
  const fd = openSync(outputPath, 'a');
  try {
    const res = spawnSync(command, args, { stdio: ['ignore', fd, fd], env: env ?? process.env, timeout: 30_000 });
    if (res.error) throw res.error;
    if (res.status !== 0) {
      throw new Error(`${command} ${args.join(' ')} exited with ${res.status}:\n${readFileSync(outputPath, 'utf8').slice(-4000)}`);
    }
  } finally {
    closeSync(fd);
  }
}

/** Asks the master named in `pidPath` to stop and waits until its whole process tree is gone. */
export async function terminateMaster(pidPath: string): Promise<void> {
  const master = readPidFile(pidPath);
  if (!master) return;
  const tree = processTree(master);
  try {
    process.kill(master, 'SIGTERM');
  } catch {
    // gone already
  }
  await reap(tree);
}

/**
 * The part of a server handle that is the same for Dovecot and Postfix: its process tree, a
 * restart, and a stop that runs once and removes the instance's folder (unless
 * OUTBOX_KEEP_SERVERS is set, for debugging).
 */
export function serverLifecycle(opts: { pidPath: string; dir: string; halt(): Promise<void>; launch(): Promise<void> }) {
  let stopped = false;
  return {
    processIds(): number[] {
      const master = readPidFile(opts.pidPath);
      return master ? processTree(master) : [];
    },
    async restart(): Promise<void> {
      await opts.halt();
      await opts.launch();
    },
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      await opts.halt();
      if (!process.env.OUTBOX_KEEP_SERVERS) rmSync(opts.dir, { recursive: true, force: true });
    },
  };
}
