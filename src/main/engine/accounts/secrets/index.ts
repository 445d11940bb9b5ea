import type { SecretStore } from '../../ports';
import { EncryptedFileSecretStore } from './file';
import { MemorySecretStore } from './memory';

export { EncryptedFileSecretStore } from './file';
export { MemorySecretStore } from './memory';

/**
 * The secret store for the engine without a window (command line, `serve`). Two kinds of
 * reference work everywhere:
 * - `env:NAME`: the secret is read from the environment variable NAME each time it is needed
 *   and is never written anywhere by us (nothing on disk to steal; the variable must be set
 *   for every run, and other processes of the same user may read a process's environment).
 * - anything else: an entry of the encrypted file beside the database (see file.ts).
 */
export function createHeadlessSecretStore(dbPath: string): SecretStore {
  if (dbPath === ':memory:') return new MemorySecretStore();
  return new EncryptedFileSecretStore(`${dbPath}.secrets`, `${dbPath}.key`);
}
