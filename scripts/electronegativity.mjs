#!/usr/bin/env node
// `npm run lint:security`: scans src/ with @doyensec/electronegativity (offline, pinned to our
// Electron version), writes test-results/electronegativity.csv, and fails on any finding that
// security/electronegativity-allowlist.json does not explain.
//
// We call the package's runner directly instead of its CLI: the CLI needs commander <= 6 but
// does not declare it, so it picks up the project's commander 14 and dies at start.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const runner = require.resolve('@doyensec/electronegativity/dist/runner.js');
const electronVersion = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
const allowlistFile = join(root, 'security', 'electronegativity-allowlist.json');
const csvFile = join(root, 'test-results', 'electronegativity.csv');
mkdirSync(dirname(csvFile), { recursive: true });

// The scan runs in a child so the CSV (written with un-awaited fs callbacks) is complete when
// the child exits. The child also prints how many issues the runner returned: the CSV must hold
// exactly that many rows (its header and rows are two racing writes), or we fail closed.
const options = {
  input: join(root, 'src'),
  output: csvFile,
  isSarif: false,
  isRelative: true,
  isVerbose: false,
  electronVersionOverride: electronVersion,
  customScan: [],
  excludeFromScan: [],
  parserPlugins: [],
};
const child = `require(${JSON.stringify(runner)})(${JSON.stringify(options)}, false)
  .then((r) => process.stdout.write(' ISSUES ' + r.issues.length + ' '))
  .catch((e) => { console.error(e); process.exit(1); });`;

let rows = null;
for (let attempt = 1; attempt <= 3 && rows === null; attempt++) {
  rmSync(csvFile, { force: true });
  const scan = spawnSync(process.execPath, ['-e', child], { cwd: root, encoding: 'utf8' });
  const count = /ISSUES (\d+)/.exec(scan.stdout ?? '');
  if (scan.status !== 0 || !count) {
    console.error(`electronegativity: the scan failed (exit ${scan.status})\n${scan.stdout}\n${scan.stderr}`);
    process.exit(1);
  }
  const parsed = parseCsv(readFileSync(csvFile, 'utf8'));
  if (parsed.length === Number(count[1])) rows = parsed;
  else console.warn(`electronegativity: the CSV has ${parsed.length} rows for ${count[1]} issues; scanning again`);
}
if (rows === null) {
  console.error('electronegativity: could not get a complete CSV report');
  process.exit(1);
}

const findings = rows.map((row) => ({
  id: row.issue,
  severity: row.severity,
  confidence: row.confidence,
  file: row.filename.replace(/\\/g, '/'),
  location: row.location,
  sample: row.sample,
}));
const allowlist = JSON.parse(readFileSync(allowlistFile, 'utf8')).findings;
for (const entry of allowlist) {
  if (!entry.reason || entry.reason.length < 20) throw new Error(`allow-list entry ${entry.id} ${entry.file} needs a reason`);
}
const explained = (f) => allowlist.find((a) => a.id === f.id && a.file === f.file);
const unexplained = findings.filter((f) => !explained(f));
const stale = allowlist.filter((a) => !findings.some((f) => f.id === a.id && f.file === a.file));

console.log(`electronegativity (Electron ${electronVersion}): ${findings.length} finding(s), ${findings.length - unexplained.length} explained in security/electronegativity-allowlist.json`);
for (const f of findings) console.log(`  ${explained(f) ? 'explained ' : 'UNEXPLAINED'} ${f.id} ${f.severity}/${f.confidence} src/${f.file}:${f.location}`);
for (const a of stale) console.log(`  note: allow-list entry ${a.id} for ${a.file} matched nothing; remove it if the code changed`);
if (unexplained.length > 0) {
  console.error(`electronegativity: ${unexplained.length} finding(s) need a fix or a reviewed entry in the allow-list`);
  process.exit(1);
}

/** A small RFC 4180 reader: quoted fields, doubled quotes, commas and newlines inside quotes. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  const endField = () => {
    row.push(field);
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') endField();
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endField();
      rows.push(row);
      row = [];
    } else field += c;
  }
  if (field || row.length) {
    endField();
    rows.push(row);
  }
  const [head, ...body] = rows.filter((r) => r.length > 1);
  if (!head) return [];
  const keys = head.map((h) => h.trim());
  return body.map((r) => Object.fromEntries(keys.map((k, i) => [k, (r[i] ?? '').trim()])));
}
