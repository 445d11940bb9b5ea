import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fake-electron'));

import { resetFakeElectron, safeStorage } from './fake-electron';
import { ALLOW_BASIC_TEXT_ENV, createSafeSecretStore } from '../../../src/main/electron/secret-store';
import { AppFailure } from '../../../src/shared/result';

const PASSWORD = 'Tr0ub4dor&3-secret-edge';
let file: string;
beforeEach(() => {
  resetFakeElectron();
  file = join(mkdtempSync(join(process.env.OUTBOX_TEST_TMP ?? tmpdir(), 'edge-secrets-')), 'secrets.json');
});

const store = (opts: { platform?: NodeJS.Platform; allowBasicText?: boolean } = {}) =>
  createSafeSecretStore({ file, safeStorage, platform: opts.platform ?? 'linux', allowBasicText: opts.allowBasicText });

describe('the safeStorage secret store', () => {
  it('keeps secrets encrypted in a 0600 file and records the keyring backend', async () => {
    const s = store();
    await s.set('account:1', PASSWORD);
    expect(await s.get('account:1')).toBe(PASSWORD);
    expect(await s.get('account:2')).toBeNull();
    const raw = readFileSync(file);
    expect(raw.includes(Buffer.from(PASSWORD))).toBe(false);
    expect(JSON.parse(raw.toString('utf8'))).toMatchObject({ version: 1, backend: 'gnome_libsecret' });
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(s.description).toBe('safeStorage (gnome_libsecret)');
    await s.delete('account:1');
    expect(await s.get('account:1')).toBeNull();
  });

  it('refuses basic_text on Linux by default, with words that say why and how to proceed', async () => {
    safeStorage.backend = 'basic_text';
    const s = store();
    const attempt = s.set('account:1', PASSWORD);
    await expect(attempt).rejects.toBeInstanceOf(AppFailure);
    await expect(s.set('account:1', PASSWORD)).rejects.toMatchObject({
      code: 'secret_store_unavailable',
      message: expect.stringContaining(ALLOW_BASIC_TEXT_ENV),
    });
    await expect(s.get('account:1')).rejects.toMatchObject({ code: 'secret_store_unavailable' });
    expect(() => statSync(file)).toThrow();
  });

  it('accepts basic_text only when explicitly allowed, and records it', async () => {
    safeStorage.backend = 'basic_text';
    const s = store({ allowBasicText: true });
    await s.set('account:1', PASSWORD);
    expect(await s.get('account:1')).toBe(PASSWORD);
    expect(JSON.parse(readFileSync(file, 'utf8')).backend).toBe('basic_text');
  });

  it('ignores the Linux backend question on macOS and Windows', async () => {
    safeStorage.backend = 'basic_text';
    await store({ platform: 'darwin' }).set('a', PASSWORD);
    expect(JSON.parse(readFileSync(file, 'utf8')).backend).toBe('keychain');
  });

  it('refuses when the OS offers no encryption at all', async () => {
    safeStorage.available = false;
    await expect(store().set('a', PASSWORD)).rejects.toMatchObject({ code: 'secret_store_unavailable', message: expect.stringMatching(/keyring/) });
  });

  it('names the keyring change when a secret cannot be decrypted, and leaves a damaged file alone', async () => {
    writeFileSync(file, JSON.stringify({ version: 1, backend: 'kwallet5', entries: { a: Buffer.from('garbage').toString('base64') } }));
    await expect(store().get('a')).rejects.toMatchObject({ message: expect.stringContaining('"kwallet5"') });
    writeFileSync(file, '{not json');
    await expect(store().set('a', PASSWORD)).rejects.toMatchObject({ message: expect.stringContaining(file) });
    expect(readFileSync(file, 'utf8')).toBe('{not json');
  });
});
