// The window's Content-Security-Policy (a meta tag in the bundled page, which is loaded from
// file:// where no response header can carry one) must stay strict: only our own files, no
// inline or eval'd script, no network, no plugins, no <base> or form tricks.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const html = readFileSync(join(__dirname, '../../../src/renderer/index.html'), 'utf8');

function policy(): Map<string, string[]> {
  const metas = [...html.matchAll(/<meta\s[^>]*http-equiv=["']Content-Security-Policy["'][^>]*>/gi)];
  expect(metas).toHaveLength(1);
  const m = /content="([^"]+)"|content='([^']+)'/i.exec(metas[0][0])!;
  const content = m[1] ?? m[2];
  return new Map(
    content.split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
      const [name, ...values] = d.split(/\s+/);
      return [name.toLowerCase(), values] as [string, string[]];
    }),
  );
}

describe('the renderer CSP', () => {
  const csp = policy();

  it('allows scripts and everything else only from our own files', () => {
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('script-src') ?? csp.get('default-src')).toEqual(["'self'"]);
  });

  it('has no unsafe keywords, wildcards or remote origins anywhere', () => {
    for (const [name, values] of csp) {
      for (const v of values) {
        expect(v, name).not.toMatch(/unsafe-(inline|eval|hashes)|wasm-unsafe-eval|^\*$|^https?:|^wss?:|^blob:|^filesystem:/);
      }
    }
  });

  it('shuts the doors a page does not need', () => {
    expect(csp.get('connect-src')).toEqual(["'none'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(csp.get('form-action')).toEqual(["'none'"]);
  });

  it('loads no script from anywhere but a relative path of the bundle', () => {
    for (const m of html.matchAll(/<script\b[^>]*>/gi)) {
      const src = /src=["']([^"']+)["']/i.exec(m[0])?.[1];
      expect(src, m[0]).toBeDefined();
      expect(src).not.toMatch(/^[a-z]+:|^\/\//i);
    }
  });
});
