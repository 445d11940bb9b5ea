#!/usr/bin/env node
'use strict';
// Launcher for the `outbox-monitor` command. Runs the built CLI (out/main/cli.js) when it is
// at least as new as the sources; otherwise runs the TypeScript sources through tsx, so a fresh
// clone works before `npm run build` and a developer never runs stale code.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const built = path.join(root, 'out', 'main', 'cli.js');
const source = path.join(root, 'src', 'main', 'cli', 'index.ts');

function newestMtime(dir) {
  let newest = 0;
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'renderer') newest = Math.max(newest, newestMtime(full));
    } else if (entry.name.endsWith('.ts')) {
      newest = Math.max(newest, fs.statSync(full).mtimeMs);
    }
  }
  return newest;
}

function builtIsFresh() {
  if (process.env.OUTBOX_CLI_FROM_SOURCE === '1') return false;
  let builtTime;
  try {
    builtTime = fs.statSync(built).mtimeMs;
  } catch {
    return false;
  }
  // Without the sources (an installed package), the build is all there is.
  if (!fs.existsSync(source)) return true;
  return builtTime >= newestMtime(path.join(root, 'src'));
}

process.env.OUTBOX_CLI_MAIN = '1';
if (builtIsFresh()) {
  require(built);
} else {
  // tsx as a full loader (CommonJS and ESM: the CLI loads command implementations with
  // dynamic import()), in a child that gets our signals so `serve` still shuts down cleanly.
  const { spawn } = require('node:child_process');
  const child = spawn(process.execPath, ['--import', 'tsx', source, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: process.env,
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}
