import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { SecretStore } from '../../ports';

/**
 * The command line's secret store: AES-256-GCM, one entry per reference, in a JSON file beside
 * the database (`<db>.secrets`, mode 0600). The key comes from OUTBOX_MONITOR_KEY when set
 * (a passphrase, stretched with scrypt), otherwise from a random key file `<db>.key` (0600)
 * created on first use.
 *
 * What it protects against: the database travelling on its own (a backup, a copy sent for
 * support, a synced folder) never carries a readable password, and the secrets file alone is
 * useless without the key. What it does NOT protect against: anyone who can read both files as
 * your user (or root) can decrypt them, exactly like a password saved by any mail client. With
 * OUTBOX_MONITOR_KEY kept out of the disk, the files at rest are safe even together.
 * Each entry is bound to its reference (GCM additional data), so entries cannot be swapped.
 */
export class EncryptedFileSecretStore implements SecretStore {
  readonly description: string;
  private key: Buffer | null = null;

  constructor(
    private readonly file: string,
    private readonly keyFile: string,
    private readonly passphrase: string | undefined = process.env.OUTBOX_MONITOR_KEY,
  ) {
    this.description = passphrase ? `encrypted file ${file} (key from OUTBOX_MONITOR_KEY)` : `encrypted file ${file} (key file ${keyFile})`;
  }

  async get(ref: string): Promise<string | null> {
    if (ref.startsWith('env:')) return process.env[ref.slice(4)] ?? null;
    const entry = this.read()[ref];
    if (!entry) return null;
    const blob = Buffer.from(entry, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.loadKey(false), blob.subarray(0, 12));
    decipher.setAAD(Buffer.from(ref, 'utf8'));
    decipher.setAuthTag(blob.subarray(12, 28));
    try {
      return Buffer.concat([decipher.update(blob.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      throw new Error(`The secret "${ref}" in ${this.file} cannot be decrypted with the current key (was the key file replaced or OUTBOX_MONITOR_KEY changed?).`);
    }
  }

  async set(ref: string, secret: string): Promise<void> {
    if (ref.startsWith('env:')) throw new Error(`"${ref}" refers to an environment variable; it cannot be written.`);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.loadKey(true), iv);
    cipher.setAAD(Buffer.from(ref, 'utf8'));
    const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    const entries = this.read();
    entries[ref] = Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
    this.write(entries);
  }

  async delete(ref: string): Promise<void> {
    if (ref.startsWith('env:')) return;
    const entries = this.read();
    if (!(ref in entries)) return;
    delete entries[ref];
    this.write(entries);
  }

  private loadKey(create: boolean): Buffer {
    if (this.key) return this.key;
    if (this.passphrase) {
      this.key = scryptSync(this.passphrase, 'outbox-monitor/secrets/v1', 32);
    } else if (existsSync(this.keyFile)) {
      this.key = Buffer.from(readFileSync(this.keyFile, 'utf8').trim(), 'base64');
      if (this.key.length !== 32) throw new Error(`The key file ${this.keyFile} is not a 32-byte key.`);
    } else if (create) {
      const key = randomBytes(32);
      // 'wx': never overwrite a key another process just wrote.
      writeFileSync(this.keyFile, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
      this.key = key;
    } else {
      throw new Error(`The key file ${this.keyFile} is missing, so stored passwords cannot be read.`);
    }
    return this.key;
  }

  private read(): Record<string, string> {
    if (!existsSync(this.file)) return {};
    const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as { version: number; entries: Record<string, string> };
    return parsed.entries ?? {};
  }

  private write(entries: Record<string, string>): void {
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ version: 1, entries }, null, 1), { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.file);
  }
}
