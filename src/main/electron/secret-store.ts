import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger, SecretStore } from '../engine/ports';
import { AppFailure } from '../../shared/result';

/** The parts of Electron's safeStorage we use (passed in so tests can supply their own). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only */
  getSelectedStorageBackend?(): string;
}

export interface SafeSecretStoreOptions {
  /** the JSON file of encrypted blobs, in userData (never the database) */
  file: string;
  safeStorage: SafeStorageLike;
  platform?: NodeJS.Platform;
  /**
   * Accept Linux's `basic_text` backend, where safeStorage "encrypts" with a key hard-coded in
   * Chromium — anyone who can read the file can read the passwords. Off unless the user asked.
   */
  allowBasicText?: boolean;
  logger?: Logger;
}

interface SecretFile {
  version: 1;
  /** the safeStorage backend that wrote the entries, so a change of keyring is named, not guessed */
  backend: string;
  entries: Record<string, string>;
}

/** The environment switch that allows `basic_text` (documented in SECURITY.md). */
export const ALLOW_BASIC_TEXT_ENV = 'OUTBOX_ALLOW_PLAINTEXT_SECRETS';

export function backendOf(safeStorage: SafeStorageLike, platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'keychain';
  if (platform === 'win32') return 'dpapi';
  return safeStorage.getSelectedStorageBackend?.() ?? 'unknown';
}

/**
 * Why secrets cannot be kept right now, or null when they can. Asked on every use because on
 * Linux the keyring may come up after the app starts.
 */
export function secretStoreProblem(safeStorage: SafeStorageLike, platform: NodeJS.Platform, allowBasicText: boolean): string | null {
  if (!safeStorage.isEncryptionAvailable()) {
    return 'The system keyring is not available, so Outbox Monitor cannot keep passwords safely. Unlock or install a keyring (GNOME Keyring or KWallet on Linux) and try again.';
  }
  if (platform === 'linux' && backendOf(safeStorage, platform) === 'basic_text' && !allowBasicText) {
    return `No system keyring was found (Electron would fall back to "basic_text", which stores passwords with a fixed, publicly known key). Outbox Monitor refuses to save passwords this way. Install or unlock GNOME Keyring or KWallet, or, if you accept the risk, start the app with ${ALLOW_BASIC_TEXT_ENV}=1.`;
  }
  return null;
}

/**
 * The app's SecretStore port over safeStorage: each secret is encrypted by the OS keyring and
 * kept as base64 in a 0600 JSON file beside the database. The database holds only the reference.
 */
export function createSafeSecretStore(options: SafeSecretStoreOptions): SecretStore {
  const platform = options.platform ?? process.platform;
  const allowBasicText = options.allowBasicText ?? false;
  const { file, safeStorage, logger } = options;

  const ensureUsable = (): string => {
    const problem = secretStoreProblem(safeStorage, platform, allowBasicText);
    if (problem) throw new AppFailure('secret_store_unavailable', problem);
    return backendOf(safeStorage, platform);
  };

  const read = (): SecretFile | null => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new AppFailure('secret_store_unavailable', `The secrets file ${file} cannot be read: ${(e as Error).message}`);
    }
    try {
      const parsed = JSON.parse(text) as SecretFile;
      if (parsed.version !== 1 || typeof parsed.entries !== 'object' || parsed.entries === null) throw new Error('unknown format');
      return parsed;
    } catch (e) {
      throw new AppFailure('secret_store_unavailable', `The secrets file ${file} is damaged (${(e as Error).message}); it was left untouched.`);
    }
  };

  const write = (data: SecretFile) => {
    mkdirSync(dirname(file), { recursive: true });
    // Write aside, then rename: a crash mid-write never leaves half a file.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(data, null, 2), { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, file);
  };

  const backendAtStart = (() => {
    try {
      return backendOf(safeStorage, platform);
    } catch {
      return 'unknown';
    }
  })();
  const problemAtStart = secretStoreProblem(safeStorage, platform, allowBasicText);
  if (problemAtStart) logger?.warn('secrets.unavailable', { backend: backendAtStart, reason: problemAtStart });
  else if (backendAtStart === 'basic_text') logger?.warn('secrets.basic_text_allowed', { backend: backendAtStart });
  else logger?.info('secrets.backend', { backend: backendAtStart });

  return {
    get description() {
      return `safeStorage (${backendOf(safeStorage, platform)})`;
    },
    async get(ref) {
      const backend = ensureUsable();
      const data = read();
      const blob = data?.entries[ref];
      if (!data || blob === undefined) return null;
      try {
        return safeStorage.decryptString(Buffer.from(blob, 'base64'));
      } catch (e) {
        const changed = data.backend !== backend ? ` It was saved with the "${data.backend}" keyring and the app now uses "${backend}".` : '';
        throw new AppFailure('secret_store_unavailable', `A saved password could not be decrypted.${changed} Enter the password again with Reconnect. (${(e as Error).message})`);
      }
    },
    async set(ref, secret) {
      const backend = ensureUsable();
      const data = read() ?? { version: 1, backend, entries: {} };
      data.entries[ref] = safeStorage.encryptString(secret).toString('base64');
      data.backend = backend;
      write(data);
    },
    async delete(ref) {
      const data = read();
      if (!data || !(ref in data.entries)) return;
      delete data.entries[ref];
      write(data);
    },
  };
}
