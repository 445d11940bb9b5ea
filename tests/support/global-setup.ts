// Global setup for the engine project. Real mail servers (Dovecot, Postfix) are started by the
// suites that need them through tests/support/servers; this hook only makes sure the temporary
// root for test databases exists and is cleaned at the end.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'outbox-tests-'));
  process.env.OUTBOX_TEST_TMP = root;
  return () => rmSync(root, { recursive: true, force: true });
}
