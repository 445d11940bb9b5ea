// Private folders for the servers: under /tmp (not a private home) and world-searchable, because
// Dovecot and Postfix drop privileges to their own users and must reach their sockets and queues.
import { chmodSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';

export function makeServerDir(prefix: string): string {
  const dir = mkdtempSync(join('/tmp', `outbox-mail-${prefix}-`));
  chmodSync(dir, 0o755);
  return dir;
}
