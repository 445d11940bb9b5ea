// A self-signed certificate for 127.0.0.1 made with openssl, for tests that need TLS.
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCert {
  certPath: string;
  keyPath: string;
  /** PEM text of the certificate, to pass as a trusted CA where a test verifies TLS */
  cert: string;
}

/** Writes cert.pem and key.pem into `dir` (an EC key: fast to make, accepted by both servers). */
export function makeSelfSignedCert(dir: string, commonName = '127.0.0.1'): TestCert {
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req', '-x509', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
      '-keyout', keyPath, '-out', certPath, '-days', '7', '-subj', `/CN=${commonName}`,
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'pipe' },
  );
  // Both servers read the key as root before dropping privileges; keep it private anyway.
  chmodSync(keyPath, 0o600);
  return { certPath, keyPath, cert: readFileSync(certPath, 'utf8') };
}
