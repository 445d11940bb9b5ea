/**
 * Benchmark of `outbox-monitor classify FILE...`: emails per second and peak memory, start-up
 * included, one process per chunk of files (one core each, run one after another).
 *
 *   npm run bench:classify                 (tsx bench/classify.ts)
 *   BENCH_FILES=20000 BENCH_CHUNK=10000 npm run bench:classify
 *   BENCH_ROUNDS=9 npm run bench:classify  (rounds over the same files; default 5, smoke runs too)
 *
 * Replicates tests/fixtures/bounces/*.eml into a temp folder up to BENCH_FILES (default 10,000)
 * files, then runs the CLI as a child process: the built `out/main/cli.js` when it is at least as
 * new as the sources, otherwise an esbuild bundle of the same entry (src/main/cli/index.ts, npm
 * packages external, like the electron-vite build), otherwise `bin/outbox-monitor.cjs`. The child
 * reports its own maxRSS and CPU time on stderr (OUTBOX_BENCH_REPORT=1).
 */
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..');
const fixtures = join(root, 'tests', 'fixtures', 'bounces');
const total = Number(process.env.BENCH_FILES ?? 10_000);
const chunk = Number(process.env.BENCH_CHUNK ?? 10_000);
const keep = process.env.BENCH_KEEP === '1';
/**
 * Rounds over the same files, each a fresh process: this machine's wall-clock figures for one
 * binary swing by a quarter between runs (and a file system that just deleted many files is
 * slower for a minute), so one run says little; every round is printed, and their median.
 */
const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 5));

function newest(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'renderer') n = Math.max(n, newest(p));
    } else if (e.name.endsWith('.ts')) n = Math.max(n, statSync(p).mtimeMs);
  }
  return n;
}

function pickCli(work: string): { cmd: string; args: string[]; label: string } {
  const built = join(root, 'out', 'main', 'cli.js');
  if (existsSync(built) && statSync(built).mtimeMs >= newest(join(root, 'src'))) {
    return { cmd: process.execPath, args: [built, 'classify'], label: 'out/main/cli.js (built)' };
  }
  const esbuild = join(root, 'node_modules', '.bin', 'esbuild');
  const entry = join(root, 'src', 'main', 'cli', 'index.ts');
  if (existsSync(esbuild) && existsSync(entry)) {
    const outfile = join(work, 'cli.cjs');
    try {
      execFileSync(esbuild, [entry, '--bundle', '--platform=node', '--format=cjs', '--target=node20', '--packages=external', `--outfile=${outfile}`, '--log-level=error'], { cwd: root, stdio: 'inherit' });
      return { cmd: process.execPath, args: [outfile, 'classify'], label: 'esbuild bundle of src/main/cli/index.ts (out/main/cli.js missing or older than the sources)' };
    } catch {
      /* fall through */
    }
  }
  return { cmd: process.execPath, args: [join(root, 'bin', 'outbox-monitor.cjs'), 'classify'], label: 'bin/outbox-monitor.cjs' };
}

/**
 * The child's environment: ours, without NODE_EXTRA_CA_CERTS. Node reads and parses that CA
 * bundle at every start, before any of our code runs (80 ms per start on this machine, whose
 * environment points it at the system's 220 KB bundle); classify opens no TLS connection, and a
 * user's shell does not normally set it. The bench prints that it was dropped.
 */
const droppedCa = process.env.NODE_EXTRA_CA_CERTS !== undefined;
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, OUTBOX_BENCH_REPORT: '1', OUTBOX_CLI_MAIN: '1', NODE_PATH: join(root, 'node_modules') };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

interface Run {
  files: number;
  wallMs: number;
  maxRssKb: number;
  cpuMs: number;
  userMs: number;
  systemMs: number;
  lines: number;
}

function runChunk(cli: { cmd: string; args: string[] }, files: string[]): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cli.cmd, [...cli.args, ...files], {
      cwd: root,
      env: childEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let lines = 0;
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      for (let i = d.indexOf(10); i !== -1; i = d.indexOf(10, i + 1)) lines++;
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      const m = /OUTBOX_BENCH (\{.*\})/.exec(stderr);
      if (code !== 0 || !m) {
        reject(new Error(`classify exited ${code}: ${stderr.slice(0, 2000)}`));
        return;
      }
      const rep = JSON.parse(m[1]) as { maxRssKb: number; userMs: number; systemMs: number };
      resolvePromise({ files: files.length, wallMs, maxRssKb: rep.maxRssKb, cpuMs: rep.userMs + rep.systemMs, userMs: rep.userMs, systemMs: rep.systemMs, lines });
    });
  });
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'outbox-bench-classify-'));
  const dataDir = join(work, 'mail');
  mkdirSync(dataDir);
  const sources = readdirSync(fixtures).filter((f) => f.endsWith('.eml')).sort();
  const files: string[] = [];
  for (let i = 0; i < total; i++) {
    const dst = join(dataDir, `${String(i).padStart(6, '0')}.eml`);
    copyFileSync(join(fixtures, sources[i % sources.length]), dst);
    files.push(dst);
  }
  // The copies are still being written back to disk; on a 2-core machine that work competes with
  // the run. A user's mail files were written long before they are classified: flush them first.
  execFileSync('sync');
  const cli = pickCli(work);
  console.log(`classify benchmark: ${files.length} files (${sources.length} fixtures replicated), ${Math.ceil(files.length / chunk)} process(es) of ≤ ${chunk} files a round, ${rounds} rounds over the same files`);
  console.log(`CLI: ${cli.label}${droppedCa ? ' (NODE_EXTRA_CA_CERTS unset for the child: see childEnv)' : ''}`);
  const rates: number[] = [];
  let peak = 0;
  try {
    for (let round = 1; round <= rounds; round++) {
      let wall = 0;
      let done = 0;
      for (let i = 0; i < files.length; i += chunk) {
        const r = await runChunk(cli, files.slice(i, i + chunk));
        if (r.lines !== r.files) throw new Error(`expected ${r.files} output lines, got ${r.lines}`);
        wall += r.wallMs;
        done += r.files;
        peak = Math.max(peak, r.maxRssKb);
        console.log(
          `  round ${round}, process ${i / chunk + 1}: ${r.files} files in ${r.wallMs.toFixed(0)} ms wall (start-up included) = ${Math.round((r.files * 1000) / r.wallMs)} emails/s; CPU ${r.cpuMs.toFixed(0)} ms (${r.systemMs.toFixed(0)} in the kernel); peak RSS ${(r.maxRssKb / 1024).toFixed(1)} MB`,
        );
      }
      rates.push((done * 1000) / wall);
    }
  } finally {
    if (!keep) rmSync(work, { recursive: true, force: true });
  }
  const sorted = [...rates].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  console.log(
    `total: ${files.length} emails a round; median of ${rounds} rounds ${Math.round(median)} emails/s (goal ≥ 11,000), slowest ${Math.round(sorted[0])}, fastest ${Math.round(sorted[sorted.length - 1])}; peak RSS ${(peak / 1024).toFixed(1)} MB`,
  );
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
