// An SMTP submission server on 127.0.0.1 (smtp-server) that accepts only XOAUTH2 bearer tokens
// issued by the test authorization server: it fetches the issuer's JWKS, checks the RS256
// signature, the issuer, the expiry (by the test's clock), the mail scope and that the token
// belongs to the login name. A refused token gets what Gmail answers:
//   style 'direct':    535 5.7.8 Username and Password not accepted
//   style 'challenge': 334 <base64 JSON error>, then 535 after the client's empty line
import { createPublicKey, createVerify, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  user: string;
  from: string;
  to: string[];
  raw: string;
}

export interface XOAuthSmtpOptions {
  issuer: string;
  now?: () => number;
  requiredScope?: string;
  style?: 'direct' | 'challenge';
}

export class XOAuthSmtpServer {
  readonly received: ReceivedMail[] = [];
  /** every AUTH attempt and how it ended */
  readonly authLog: { user: string; ok: boolean; why: string }[] = [];
  /** tokens refused even though valid (as a provider does after it revokes a session) */
  readonly refusedTokens = new Set<string>();
  private keys = new Map<string, KeyObject>();
  private server: SMTPServer;
  port = 0;

  constructor(private readonly options: XOAuthSmtpOptions) {
    this.server = new SMTPServer({
      authMethods: ['XOAUTH2'],
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onAuth: (auth, _session, callback) => {
        if (auth.method !== 'XOAUTH2' || !auth.accessToken) return callback(new Error('5.7.8 Only XOAUTH2 here'));
        this.verify(auth.accessToken, auth.username ?? '').then(
          (why) => {
            this.authLog.push({ user: auth.username ?? '', ok: why === null, why: why ?? 'ok' });
            if (why === null) return callback(null, { user: auth.username });
            if ((this.options.style ?? 'direct') === 'challenge') {
              return callback(null, { data: { status: '400', schemes: 'Bearer', scope: this.options.requiredScope ?? '' } });
            }
            return callback(Object.assign(new Error('5.7.8 Username and Password not accepted'), { responseCode: 535 }));
          },
          (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
        );
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          this.received.push({
            user: String(session.user),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          callback(null, 'Message accepted');
        });
      },
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = ((this.server as unknown as { server: { address(): AddressInfo } }).server.address()).port;
    return this;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** null when the token is good, else why not (also used by the IMAP test's introspection) */
  async verify(token: string, user: string): Promise<string | null> {
    if (this.refusedTokens.has(token)) return 'refused';
    const [h, p, s] = token.split('.');
    if (!h || !p || !s) return 'not a JWT';
    const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { kid?: string; alg?: string };
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    if (header.alg !== 'RS256') return 'alg';
    const key = await this.key(header.kid ?? '');
    if (!key) return 'unknown key';
    const ok = createVerify('RSA-SHA256').update(`${h}.${p}`).verify(key, Buffer.from(s, 'base64url'));
    if (!ok) return 'bad signature';
    if (payload.iss !== this.options.issuer) return 'issuer';
    const now = Math.floor((this.options.now ?? Date.now)() / 1000);
    if (typeof payload.exp !== 'number' || payload.exp <= now) return 'expired';
    if (this.options.requiredScope && !String(payload.scope ?? '').split(' ').includes(this.options.requiredScope)) return 'scope';
    if (payload.email !== user) return 'wrong user';
    return null;
  }

  private async key(kid: string): Promise<KeyObject | null> {
    if (!this.keys.has(kid)) {
      const res = await fetch(`${this.options.issuer}/jwks`);
      const { keys } = (await res.json()) as { keys: (JsonWebKey & { kid: string })[] };
      for (const jwk of keys) this.keys.set(jwk.kid, createPublicKey({ key: jwk, format: 'jwk' }));
    }
    return this.keys.get(kid) ?? null;
  }
}
