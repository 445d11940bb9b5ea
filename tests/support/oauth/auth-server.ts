// A real OAuth 2.0 authorization server on 127.0.0.1 (oauth2-mock-server) made stricter for our
// tests: codes are single-use and bound to their redirect URI and client, refresh tokens are
// remembered (so revoking them gives invalid_grant), rotation can be switched on (Microsoft) or
// off (Google), tokens expire by the test's clock, and a small consent page with "Allow" and
// "Deny" buttons stands in front of the mock's /authorize, which on its own redirects at once.
import { randomUUID } from 'node:crypto';
import { OAuth2Server } from 'oauth2-mock-server';
import type { OAuthProviderConfig } from '../../../src/main/engine/accounts/oauth/providers';

// The few express request/response members used here (express's types are not installed).
interface Request {
  query: Record<string, unknown>;
  body: Record<string, string>;
}
interface Response {
  type(kind: string): Response;
  send(body: string): void;
}

export const MAIL_SCOPE = 'https://mail.google.com/';

export interface AuthServerOptions {
  /** the clock tokens are stamped with (iat/exp); the engine's ManualClock in tests */
  now?: () => number;
  /** access token lifetime, seconds */
  accessTtl?: number;
  /** issue a new refresh token on every refresh and retire the old one (Microsoft does) */
  rotate?: boolean;
  /** the signed-in user's address (ID token `email`, access token `email`) */
  email?: string;
  clientId?: string;
}

interface Grant {
  scope: string;
  clientId: string;
}

export interface TokenRequestLog {
  grant_type: string;
  client_id?: string;
  client_secret?: string;
  code_verifier?: string;
  redirect_uri?: string;
  refresh_token?: string;
  outcome: 'ok' | string;
}

export class TestAuthServer {
  readonly mock = new OAuth2Server();
  readonly options: Required<AuthServerOptions>;
  /** what the token endpoint was asked, in order */
  readonly tokenRequests: TokenRequestLog[] = [];
  /** authorize requests (their query), in order */
  readonly authorizeRequests: Record<string, string>[] = [];
  private codes = new Map<string, Grant & { redirectUri: string }>();
  private refreshTokens = new Map<string, Grant>();
  /** changes the next authorization redirect (wrong state, wrong port, an iss …) */
  nextRedirect: ((url: URL) => void) | null = null;
  /** what `iss` to add to authorization responses (RFC 9207); null = none */
  issParam: 'correct' | string | null = 'correct';
  /** the next token-endpoint answer is replaced by this error (status, error, description) */
  nextTokenError: { status: number; error: string; description?: string } | null = null;

  constructor(options: AuthServerOptions = {}) {
    this.options = {
      now: options.now ?? Date.now,
      accessTtl: options.accessTtl ?? 3600,
      rotate: options.rotate ?? false,
      email: options.email ?? 'ada@example.test',
      clientId: options.clientId ?? 'outbox-test-client',
    };
  }

  get url(): string {
    return this.mock.issuer.url!;
  }

  async start(): Promise<this> {
    await this.mock.issuer.keys.generate('RS256');
    await this.mock.start(0, '127.0.0.1');
    const service = this.mock.service;

    // The consent page. "Allow" continues to the mock's /authorize; "Deny" too, flagged, and the
    // redirect hook below turns it into error=access_denied as a real server would.
    const app = service.requestHandler as unknown as {
      get(path: string, handler: (req: Request, res: Response) => void): void;
    };
    app.get('/consent', (req, res) => {
      const query = new URLSearchParams(req.query as Record<string, string>);
      this.authorizeRequests.push(Object.fromEntries(query));
      const allow = `/authorize?${query}`;
      query.set('deny', '1');
      const deny = `/authorize?${query}`;
      res
        .type('html')
        .send(
          `<!doctype html><title>Consent</title><p>Outbox Monitor wants to read and send your mail (${escape(
            String(req.query.scope ?? ''),
          )}).</p><a id="allow" href="${escape(allow)}">Allow</a> <a id="deny" href="${escape(deny)}">Deny</a>`,
        );
    });

    service.on('beforeAuthorizeRedirect', (redirect: { url: URL }, req: Request) => {
      const q = req.query as Record<string, string>;
      const code = redirect.url.searchParams.get('code');
      if (q.deny === '1') {
        redirect.url.searchParams.delete('code');
        redirect.url.searchParams.set('error', 'access_denied');
        redirect.url.searchParams.set('error_description', 'The user denied the request.');
      } else if (code) {
        this.codes.set(code, { scope: q.scope ?? '', clientId: q.client_id ?? '', redirectUri: q.redirect_uri ?? '' });
      }
      if (this.issParam) redirect.url.searchParams.set('iss', this.issParam === 'correct' ? this.url : this.issParam);
      const change = this.nextRedirect;
      this.nextRedirect = null;
      change?.(redirect.url);
    });

    service.on('beforeTokenSigning', (token: { payload: Record<string, unknown> }, req: Request) => {
      const now = Math.floor(this.options.now() / 1000);
      const body = req.body as Record<string, string>;
      const grant = body.code ? this.codes.get(body.code) : body.refresh_token ? this.refreshTokens.get(body.refresh_token) : undefined;
      Object.assign(token.payload, {
        iat: now,
        nbf: now,
        exp: now + this.options.accessTtl,
        jti: randomUUID(),
        email: this.options.email,
        ...(grant && token.payload.aud !== body.client_id ? { scope: grant.scope } : {}),
      });
    });

    service.on('beforeResponse', (response: { body: Record<string, unknown>; statusCode: number }, req: Request) => {
      const body = req.body as Record<string, string>;
      const log: TokenRequestLog = {
        grant_type: body.grant_type,
        client_id: body.client_id,
        client_secret: body.client_secret,
        code_verifier: body.code_verifier,
        redirect_uri: body.redirect_uri,
        refresh_token: body.refresh_token,
        outcome: 'ok',
      };
      this.tokenRequests.push(log);
      const fail = (status: number, error: string, description?: string) => {
        response.statusCode = status;
        response.body = description ? { error, error_description: description } : { error };
        log.outcome = error;
      };
      if (this.nextTokenError) {
        const e = this.nextTokenError;
        this.nextTokenError = null;
        return fail(e.status, e.error, e.description);
      }
      if (body.client_id !== this.options.clientId) return fail(401, 'invalid_client', 'The OAuth client was not found.');
      if (body.grant_type === 'authorization_code') {
        const code = this.codes.get(body.code);
        this.codes.delete(body.code); // single use (RFC 6749 §4.1.2)
        if (!code || code.redirectUri !== body.redirect_uri || code.clientId !== body.client_id) {
          return fail(400, 'invalid_grant', 'Malformed auth code.');
        }
        if (!body.code_verifier) return fail(400, 'invalid_request', 'Missing code verifier.');
        const refresh = String(response.body.refresh_token);
        this.refreshTokens.set(refresh, { scope: code.scope, clientId: code.clientId });
        response.body.scope = code.scope;
        response.body.expires_in = this.options.accessTtl;
        return;
      }
      if (body.grant_type === 'refresh_token') {
        const grant = this.refreshTokens.get(body.refresh_token);
        if (!grant) return fail(400, 'invalid_grant', 'Token has been expired or revoked.');
        response.body.scope = grant.scope;
        response.body.expires_in = this.options.accessTtl;
        delete response.body.id_token;
        if (this.options.rotate) {
          this.refreshTokens.delete(body.refresh_token);
          this.refreshTokens.set(String(response.body.refresh_token), grant);
        } else {
          delete response.body.refresh_token;
        }
        return;
      }
      return fail(400, 'unsupported_grant_type');
    });
    return this;
  }

  /**
   * A token introspection endpoint for Dovecot's oauth2 passdb in `introspection_mode = auth`
   * (GET with the token as a Bearer header): answers {active, email} after `check` (null = good).
   */
  addIntrospection(path: string, check: (token: string) => Promise<string | null>): void {
    const app = this.mock.service.requestHandler as unknown as {
      get(path: string, handler: (req: Request & { headers: Record<string, string | undefined> }, res: Response & { json(v: unknown): void }) => void): void;
    };
    app.get(path, (req, res) => {
      const token = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
      check(token).then(
        (why) => res.json(why === null ? { active: true, email: this.options.email } : { active: false, error: why }),
        () => res.json({ active: false }),
      );
    });
  }

  /** Every refresh token dies, as when the user revokes access or changes the password. */
  revokeAll(): void {
    this.refreshTokens.clear();
  }

  get liveRefreshTokens(): number {
    return this.refreshTokens.size;
  }

  /** A provider preset aimed at this server, shaped like Google's. */
  provider(overrides: Partial<OAuthProviderConfig> = {}): OAuthProviderConfig {
    return {
      id: 'custom',
      label: 'Test provider',
      authorizationEndpoint: `${this.url}/consent`,
      tokenEndpoint: `${this.url}/token`,
      issuer: this.url,
      issuerRequired: false,
      scopes: [MAIL_SCOPE, 'openid', 'email'],
      authorizationParams: { access_type: 'offline', prompt: 'consent' },
      registerHelp: 'test',
      ...overrides,
    };
  }

  async stop(): Promise<void> {
    if (this.mock.listening) await this.mock.stop();
  }
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
