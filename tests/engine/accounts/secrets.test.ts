import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHeadlessSecretStore, EncryptedFileSecretStore } from '../../../src/main/engine/accounts/secrets';
import { tempDir } from '../outbox/support/context';

describe('headless secret stores', () => {
  it('keeps secrets encrypted in a 0600 file, with a 0600 key file beside the database', async () => {
    const dir = tempDir('secrets-');
    const db = join(dir, 'outbox.db');
    const store = createHeadlessSecretStore(db);
    await store.set('account/a', 'hunter2-very-secret');
    expect(await store.get('account/a')).toBe('hunter2-very-secret');
    const file = readFileSync(`${db}.secrets`);
    expect(file.includes(Buffer.from('hunter2'))).toBe(false);
    expect(statSync(`${db}.secrets`).mode & 0o777).toBe(0o600);
    expect(statSync(`${db}.key`).mode & 0o777).toBe(0o600);
    // a second store on the same files (the next run) reads it back
    expect(await createHeadlessSecretStore(db).get('account/a')).toBe('hunter2-very-secret');
    await store.delete('account/a');
    expect(await store.get('account/a')).toBeNull();
  });

  it('binds each entry to its reference: swapped entries do not decrypt', async () => {
    const dir = tempDir('secrets-');
    const store = new EncryptedFileSecretStore(join(dir, 's'), join(dir, 'k'));
    await store.set('one', 'first');
    await store.set('two', 'second');
    const parsed = JSON.parse(readFileSync(join(dir, 's'), 'utf8'));
    [parsed.entries.one, parsed.entries.two] = [parsed.entries.two, parsed.entries.one];
    writeFileSync(join(dir, 's'), JSON.stringify(parsed));
    await expect(store.get('one')).rejects.toThrow(/cannot be decrypted/);
  });

  it('uses OUTBOX_MONITOR_KEY instead of a key file when given, and a wrong key fails loudly', async () => {
    const dir = tempDir('secrets-');
    const a = new EncryptedFileSecretStore(join(dir, 's'), join(dir, 'k'), 'a long passphrase');
    await a.set('x', 'value');
    expect(existsSync(join(dir, 'k'))).toBe(false);
    expect(await new EncryptedFileSecretStore(join(dir, 's'), join(dir, 'k'), 'a long passphrase').get('x')).toBe('value');
    await expect(new EncryptedFileSecretStore(join(dir, 's'), join(dir, 'k'), 'another').get('x')).rejects.toThrow(/cannot be decrypted/);
  });

  it('reads env: references from the environment and never writes them', async () => {
    const dir = tempDir('secrets-');
    const store = createHeadlessSecretStore(join(dir, 'outbox.db'));
    process.env.OUTBOX_TEST_SECRET_VAR = 'from-env';
    try {
      expect(await store.get('env:OUTBOX_TEST_SECRET_VAR')).toBe('from-env');
      await expect(store.set('env:OUTBOX_TEST_SECRET_VAR', 'x')).rejects.toThrow(/environment variable/);
      expect(existsSync(join(dir, 'outbox.db.secrets'))).toBe(false);
    } finally {
      delete process.env.OUTBOX_TEST_SECRET_VAR;
    }
    expect(await store.get('env:OUTBOX_TEST_SECRET_VAR')).toBeNull();
  });
});
