import type { SecretStore } from '../../ports';

/** Secrets kept in memory only: tests, and databases opened as ':memory:'. */
export class MemorySecretStore implements SecretStore {
  readonly description = 'memory (lost when the process exits)';
  private map = new Map<string, string>();
  async get(ref: string): Promise<string | null> {
    if (ref.startsWith('env:')) return process.env[ref.slice(4)] ?? null;
    return this.map.get(ref) ?? null;
  }
  async set(ref: string, secret: string): Promise<void> {
    this.map.set(ref, secret);
  }
  async delete(ref: string): Promise<void> {
    this.map.delete(ref);
  }
}
