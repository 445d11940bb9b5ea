import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, copyFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../../support/cli';

const fixtures = join(__dirname, '../../fixtures/bounces');
let work = '';

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'classify-cli-'));
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('outbox-monitor classify (the real command line)', () => {
  it('prints one JSON line per file, keeps the path as given, and exits 0', async () => {
    const files = ['0002.eml', '0065.eml', '0094.eml', '0006.eml', '0282.eml'].map((f) => join(fixtures, f));
    const r = await runCli(['classify', ...files]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(files.length);
    const byFile = new Map(lines.map((l) => [l.file as string, l]));
    for (const f of files) expect(byFile.has(f)).toBe(true);
    for (const l of lines) {
      expect(Object.keys(l)).toEqual(expect.arrayContaining(['file', 'bounce', 'type', 'recipients', 'originalMessageId']));
      for (const rec of l.recipients as Record<string, unknown>[]) {
        expect(Object.keys(rec)).toEqual(expect.arrayContaining(['address', 'status', 'action', 'remoteMta', 'diagnostic', 'category', 'kind']));
      }
    }
    const bounce = byFile.get(files[0])!;
    expect(bounce).toMatchObject({ bounce: true, type: 'bounce', originalMessageId: '<5bef54197003099438d2f5509afc38b7@example.net>' });
    expect(byFile.get(files[1])).toMatchObject({ bounce: false, type: 'auto_reply' });
    expect(byFile.get(files[2])).toMatchObject({ bounce: false, type: 'not_bounce', recipients: [] });
    expect(byFile.get(files[3])).toMatchObject({ bounce: false, type: 'complaint' });
    expect(byFile.get(files[4])).toMatchObject({ bounce: false, type: 'delivered' });
  });

  it('still prints the readable files and exits non-zero with a message for an unreadable one', async () => {
    const missing = join(work, 'does-not-exist.eml');
    const r = await runCli(['classify', join(fixtures, '0002.eml'), missing]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(missing);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('--replies reads JSON lines and prints id, category, kind, rule', async () => {
    const file = join(work, 'replies.jsonl');
    writeFileSync(
      file,
      [
        { id: 'a', provider: 'gmail', stage: 'data', code: 550, enhanced: '5.4.5', text: '550 5.4.5 Daily user sending limit exceeded', errorCode: null },
        { id: 'b', provider: null, stage: null, code: null, enhanced: null, text: null, errorCode: 'ECONNREFUSED' },
        { id: 'c', provider: null, stage: null, code: null, enhanced: null, text: null, errorCode: null },
      ]
        .map((o) => JSON.stringify(o))
        .join('\n') + '\n',
    );
    const r = await runCli(['classify', '--replies', file]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { id: 'a', category: 'sending_limit', kind: 'temporary', rule: 'gmail/daily-limit' },
      { id: 'b', category: 'provider_outage', kind: 'temporary', rule: 'network/ECONNREFUSED' },
      { id: 'c', category: 'unknown', kind: 'fix', rule: 'unknown' },
    ]);
  });

  it('--reply classifies one reply, reading the codes from the text', async () => {
    const r = await runCli(['classify', '--reply', '550 5.4.5 Daily user sending limit exceeded', '--provider', 'gmail', '--stage', 'data']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ category: 'sending_limit', kind: 'temporary' });
    const generic = await runCli(['classify', '--reply', '550 5.1.1 <x@example.org>: Recipient address rejected: User unknown']);
    expect(JSON.parse(generic.stdout.trim())).toMatchObject({ category: 'recipient_unknown', kind: 'permanent', rule: 'wording/user-unknown' });
  });

  it('handles a few thousand files in one call', async () => {
    const dir = join(work, 'many');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir);
    const src = readdirSync(fixtures).filter((f) => f.endsWith('.eml'));
    const files: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const dst = join(dir, `${i}.eml`);
      copyFileSync(join(fixtures, src[i % src.length]), dst);
      files.push(dst);
    }
    const r = await runCli(['classify', ...files], { timeoutMs: 120_000 });
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(files.length);
  });
  it('ends quietly with status 0 when the reader closes the pipe early (classify *.eml | head -1)', async () => {
    const names = readdirSync(fixtures).filter((f) => f.endsWith('.eml'));
    const files = Array.from({ length: 3000 }, (_, i) => join(fixtures, names[i % names.length]));
    const child = spawn(process.execPath, [CLI, 'classify', ...files], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const first = await new Promise<string>((resolve) => {
      let buf = '';
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        const nl = buf.indexOf('\n');
        if (nl !== -1) {
          child.stdout.destroy(); // what `head -1` does after its line
          resolve(buf.slice(0, nl));
        }
      });
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(JSON.parse(first)).toHaveProperty('file');
    expect(stderr).not.toMatch(/EPIPE|Unhandled|Error/);
    expect(code).toBe(0);
  });
});

describe('the output line', () => {
  it('has the same bytes as JSON.stringify of the report, for every fixture and for hostile strings', async () => {
    const { reportLine } = await import('../../../src/main/cli/classify');
    const { parseReport } = await import('../../../src/main/engine/bounces/parse/index');
    const viaObject = (file: string, r: ReturnType<typeof parseReport>) =>
      JSON.stringify({
        file,
        bounce: r.bounce,
        type: r.type,
        recipients: r.recipients.map((x) => ({ address: x.address, status: x.status, action: x.action, remoteMta: x.remoteMta, diagnostic: x.diagnostic, category: x.category, kind: x.kind, rule: x.rule })),
        originalMessageId: r.originalMessageId,
      });
    const { readFileSync } = await import('node:fs');
    let recipients = 0;
    for (const f of readdirSync(fixtures).filter((n) => n.endsWith('.eml'))) {
      const r = parseReport(readFileSync(join(fixtures, f)));
      recipients += r.recipients.length;
      expect(reportLine(join(fixtures, f), r)).toBe(viaObject(join(fixtures, f), r));
    }
    expect(recipients).toBeGreaterThan(100);
    const hostile = parseReport('From: x\n\nhi');
    hostile.recipients.push({ address: 'a"\\\u2028\u0000@b', status: null, action: '\ud800', remoteMta: '</script>', diagnostic: '\n\t', replyCode: null, category: 'unknown', kind: 'fix', rule: 'r', words: '' });
    hostile.recipients.push({ address: 'plain@example.com', status: '5.1.1', action: 'x\u007f\u001fy', remoteMta: 'caf\u00e9 \ud83d\udce7', diagnostic: 'ends with \\', replyCode: null, category: 'unknown', kind: 'fix', rule: '\udc00', words: '' });
    hostile.originalMessageId = '<"x">';
    expect(reportLine('dir/"odd"\\name.eml', hostile)).toBe(viaObject('dir/"odd"\\name.eml', hostile));
  });
});
