#!/usr/bin/env node
// Builds better-sqlite3 for Electron into .native/electron/better_sqlite3.node, which the app
// passes to the engine as `nativeBinding`, and leaves node_modules/better-sqlite3 (the Node build
// that tests and the command line load) untouched.
//
// How: copy the package's sources to .native/better-sqlite3-electron and run npm's own node-gyp
// there against Electron's headers. We chose this over @electron/rebuild because that tool
// rebuilds inside node_modules (its buildPath still writes the shared package folder) and, when
// the headers cannot be fetched, it has already deleted the Node build; and over
// `electron-builder install-app-deps`, which does the same and, with an npmrc `nodedir`, silently
// builds against the wrong headers. Needs the network (Electron's headers) and a C++ toolchain
// (python3, make, g++ on Linux; Xcode tools on macOS; Visual Studio Build Tools on Windows),
// because better-sqlite3 12 publishes no prebuilt binary for Electron 45.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const env = process.env;

const sqliteDir = dirname(require.resolve('better-sqlite3/package.json'));
const sqliteVersion = JSON.parse(readFileSync(join(sqliteDir, 'package.json'), 'utf8')).version;
// Overrides exist so the build steps can be exercised without Electron's headers (see SECURITY.md / README).
const runtime = env.OUTBOX_NATIVE_RUNTIME ?? 'electron';
const target = env.OUTBOX_NATIVE_TARGET ?? JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
const distUrl = env.OUTBOX_NATIVE_DIST_URL ?? (runtime === 'electron' ? 'https://electronjs.org/headers' : undefined);
const arch = env.npm_config_arch ?? process.arch;

const workDir = join(root, '.native', `better-sqlite3-${runtime}`);
const outDir = join(root, '.native', runtime);
const outFile = join(outDir, 'better_sqlite3.node');
const stampFile = join(outDir, 'build.json');
const stamp = { runtime, target, arch, platform: process.platform, betterSqlite3: sqliteVersion };

if (!process.argv.includes('--force') && existsSync(outFile) && existsSync(stampFile)) {
  const previous = readFileSync(stampFile, 'utf8');
  if (previous === JSON.stringify(stamp)) {
    console.log(`native: ${outFile} is current (better-sqlite3 ${sqliteVersion} for ${runtime} ${target}, ${arch})`);
    process.exit(0);
  }
}

console.log(`native: building better-sqlite3 ${sqliteVersion} for ${runtime} ${target} (${arch}) in ${workDir}`);
rmSync(workDir, { recursive: true, force: true });
mkdirSync(workDir, { recursive: true });
cpSync(sqliteDir, workDir, { recursive: true, filter: (src) => !src.startsWith(join(sqliteDir, 'build')) && !src.startsWith(join(sqliteDir, 'node_modules')) });

const nodeGyp = findNodeGyp();
const gypArgs = [nodeGyp, 'rebuild', '--release', `--target=${target}`, `--arch=${arch}`, `--runtime=${runtime}`];
if (distUrl) gypArgs.push(`--dist-url=${distUrl}`);
if (env.OUTBOX_NATIVE_NODEDIR) gypArgs.push(`--nodedir=${env.OUTBOX_NATIVE_NODEDIR}`);
// npm passes the user's npmrc to children as npm_config_* variables; a `nodedir` there would
// make node-gyp build against the Node headers while we asked for Electron's. Drop it.
const childEnv = Object.fromEntries(Object.entries(env).filter(([key]) => !/^npm_config_(nodedir|target|runtime|disturl|dist_url)$/i.test(key)));
const built = spawnSync(process.execPath, gypArgs, { cwd: workDir, stdio: 'inherit', env: childEnv });
if (built.status !== 0) {
  console.error(`native: the build failed (exit ${built.status}). The Node build in node_modules is unchanged.`);
  console.error('native: check the network (Electron headers) and the C++ toolchain, then run `npm run native:electron` again.');
  process.exit(built.status ?? 1);
}

mkdirSync(outDir, { recursive: true });
copyFileSync(join(workDir, 'build', 'Release', 'better_sqlite3.node'), outFile);
writeFileSync(stampFile, JSON.stringify(stamp));
console.log(`native: wrote ${outFile}`);

/** npm ships node-gyp; use that one rather than adding another copy to the project. */
function findNodeGyp() {
  const candidates = [
    env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  const npmRoot = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['root', '-g'], { encoding: 'utf8', shell: process.platform === 'win32' });
  if (npmRoot.status === 0) candidates.push(join(npmRoot.stdout.trim(), 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  const found = candidates.find((c) => c && existsSync(c));
  if (!found) {
    console.error('native: could not find npm\'s node-gyp; install it with `npm install -g node-gyp` and try again.');
    process.exit(1);
  }
  return found;
}
