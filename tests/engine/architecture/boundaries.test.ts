import { cpSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '../../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|mts|cts|js|mjs|cjs)$/.test(name) ? [path] : [];
  });
}

/** Module names a source file pulls in: static and type imports, re-exports, require() and import(). */
export function importedModules(text: string): string[] {
  // Comments could hide or fake an import; drop them first (a string containing "//" only loses
  // its tail, which cannot remove a real import statement on another line).
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"`]([^'"`]+)['"`]\s*\)/g,
    /\brequire\s*\(\s*['"`]([^'"`]+)['"`]\s*\)/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) found.push(m[1]);
  return found;
}

const isElectron = (spec: string) => spec === 'electron' || spec.startsWith('electron/');

/** Files under `dir` that import Electron, as paths relative to `base`. */
export function electronImporters(dir: string, base: string): string[] {
  return sourceFiles(dir)
    .filter((file) => importedModules(readFileSync(file, 'utf8')).some(isElectron))
    .map((file) => relative(base, file));
}

describe('runtime boundaries', () => {
  it('the engine never imports electron', () => {
    expect(electronImporters(join(root, 'src/main/engine'), root)).toEqual([]);
  });

  it('shared code never imports electron', () => {
    expect(electronImporters(join(root, 'src/shared'), root)).toEqual([]);
  });

  it('the renderer imports neither electron nor Node built-ins', () => {
    const offenders = sourceFiles(join(root, 'src/renderer')).filter((file) =>
      importedModules(readFileSync(file, 'utf8')).some((spec) => isElectron(spec) || spec.startsWith('node:')),
    );
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });

  it('catches a planted violation in a copy of the engine, in every import form', () => {
    const forms = [
      "import { app } from 'electron';",
      'import type { WebContents } from "electron";',
      "import 'electron';",
      "export { shell } from 'electron';",
      "const { safeStorage } = require('electron');",
      "const e = await import('electron');",
      "import { ipcMain } from 'electron/main';",
      "import {\n  app,\n  dialog,\n} from 'electron';",
    ];
    for (const form of forms) {
      const copy = mkdtempSync(join(process.env.OUTBOX_TEST_TMP ?? tmpdir(), 'boundary-'));
      cpSync(join(root, 'src/main/engine'), join(copy, 'engine'), { recursive: true });
      expect(electronImporters(join(copy, 'engine'), copy), 'clean copy').toEqual([]);
      writeFileSync(join(copy, 'engine', 'store', 'planted.ts'), `// a helper\n${form}\nexport const x = 1;\n`);
      expect(electronImporters(join(copy, 'engine'), copy), form).toEqual([join('engine', 'store', 'planted.ts')]);
    }
  });

  it('is not fooled by the word electron in comments, strings or other module names', () => {
    const text = [
      "// import { app } from 'electron';",
      "/* require('electron') */",
      "const note = 'runs without electron';",
      "import { x } from './electron-free';",
      "import y from 'electron-vite';",
    ].join('\n');
    expect(importedModules(text).filter(isElectron)).toEqual([]);
  });
});
