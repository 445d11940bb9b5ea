#!/usr/bin/env node
// Makes sure better-sqlite3 in node_modules is built for this Node (what tests and the command
// line use). The Electron build lives apart in .native/ (see native-electron.mjs), so this only
// rebuilds after something replaced the Node build, e.g. an old `electron-rebuild` run.
import { spawnSync } from 'node:child_process';

const probe = spawnSync(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], { stdio: 'pipe' });
if (probe.status === 0) process.exit(0);
process.stderr.write(`better-sqlite3 does not load in Node ${process.version}; rebuilding it…\n${probe.stderr}`);
const rebuild = spawnSync('npm', ['rebuild', 'better-sqlite3'], { stdio: 'inherit' });
process.exit(rebuild.status ?? 1);
