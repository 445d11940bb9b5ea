#!/usr/bin/env node
// `npm start` (and `npm run dev` = `--dev`) on a user's machine:
//   1. fetch Electron's binary if it is missing (electron >= 42 no longer does it at install);
//   2. build better-sqlite3 for Electron into .native/ (scripts/native-electron.mjs), leaving the
//      Node build in node_modules for tests and the command line;
//   3. build with electron-vite and launch (`preview`), or run the dev server with reload (`dev`).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const dev = process.argv.includes('--dev');

function step(label, args, extraEnv = {}) {
  console.log(`start: ${label}`);
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...extraEnv } });
  if (result.status !== 0) {
    console.error(`start: ${label} failed (exit ${result.status ?? result.signal}).`);
    process.exit(result.status ?? 1);
  }
}

// install.js exits at once when the right binary is already in node_modules/electron/dist.
const electronDir = dirname(require.resolve('electron/package.json'));
step('Electron binary', [join(electronDir, 'install.js')]);

step('better-sqlite3 for Electron', [join(root, 'scripts', 'native-electron.mjs')]);

const electronVite = join(dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
if (dev) {
  step('electron-vite dev', [electronVite, 'dev']);
} else {
  step('build', [electronVite, 'build']);
  step('launch', [electronVite, 'preview', '--skipBuild']);
}
