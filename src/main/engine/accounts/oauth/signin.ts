// Signing in as RFC 8252 ("OAuth 2.0 for Native Apps") prescribes: the user's own browser
// opens the provider's page, and the answer comes back to a one-shot HTTP listener on the
// loopback interface. PKCE (RFC 7636, S256) binds the code to this process, `state` binds the
// answer to this attempt, and `iss` (RFC 9207) guards against a mix-up between providers.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OAuthSignInError } from './errors';
import type { OAuthProviderConfig } from './providers';
import { exchangeCode, idTokenEmail, type OAuthContext, type TokenEndpointClient, type TokenGrant } from './tokens';

export interface SignInOptions {
  provider: OAuthProviderConfig;
  clientId: string;
  clientSecret?: string;
  /** opens the URL in the user's browser (Electron: shell.openExternal; the CLI prints it) */
  openBrowser: (url: string) => void | Promise<void>;
  signal?: AbortSignal;
  /** how long to wait for the browser to come back (default 5 minutes) */
  timeoutMs?: number;
  /** pre-fills the account on the provider's page */
  loginHint?: string;
  fetch?: typeof fetch;
}

export interface SignInResult {
  refreshToken: string;
  accessToken: string;
  /** epoch ms by the engine clock */
  expiresAt: number;
  /** the address that signed in, when the provider said (ID token `email`) */
  email?: string;
  scope?: string;
}

const CALLBACK_PATH = '/callback';

/** RFC 7636 §4.1: 32 random octets, base64url, gives a 43-character verifier. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

export function authorizationUrl(
  provider: OAuthProviderConfig,
  params: { clientId: string; redirectUri: string; state: string; challenge: string; loginHint?: string },
): string {
  const url = new URL(provider.authorizationEndpoint);
  const query: Record<string, string> = {
    response_type: 'code',
    client_id: params.clientId,
    redirect_uri: params.redirectUri,
    scope: provider.scopes.join(' '),
    state: params.state,
    code_challenge: params.challenge,
    code_challenge_method: 'S256',
    ...provider.authorizationParams,
  };
  if (params.loginHint) query.login_hint = params.loginHint;
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  return url.href;
}

type Callback = { kind: 'code'; code: string } | { kind: 'error'; error: OAuthSignInError };

/**
 * Runs one sign-in. Resolves with the tokens, or rejects with OAuthSignInError (denied, timed
 * out, cancelled, mix-up) or OAuthTokenError (the code exchange was refused).
 */
export async function signIn(ctx: OAuthContext, options: SignInOptions): Promise<SignInResult> {
  const { provider } = options;
  if (options.signal?.aborted) throw new OAuthSignInError('cancelled', 'The sign-in was cancelled.');
  const { verifier, challenge } = pkcePair();
  const state = randomBytes(24).toString('base64url');

  const listener = await listenLoopback();
  const redirectUri = `http://127.0.0.1:${listener.port}${CALLBACK_PATH}`;
  let timer: { cancel(): void } | null = null;
  let onAbort: (() => void) | null = null;

  try {
    const callback = new Promise<Callback>((resolve) => {
      listener.onRequest((req, res) => {
        const outcome = judgeCallback(req, listener.port, state, provider);
        if (outcome.kind === 'ignore') {
          // Not our answer (a favicon, a stray tab, a forged state): refuse, keep listening.
          reply(res, outcome.status, outcome.message);
          return;
        }
        reply(res, 200, outcome.kind === 'code' ? 'Signed in. You can close this window and return to Outbox Monitor.' : `${outcome.error.message} You can close this window.`);
        resolve(outcome);
      });
      timer = ctx.clock.setTimer(ctx.clock.now() + (options.timeoutMs ?? 5 * 60_000), () =>
        resolve({ kind: 'error', error: new OAuthSignInError('timeout', 'The sign-in took too long; the browser never came back. Try again.') }),
      );
      onAbort = () => resolve({ kind: 'error', error: new OAuthSignInError('cancelled', 'The sign-in was cancelled.') });
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });

    const url = authorizationUrl(provider, {
      clientId: options.clientId,
      redirectUri,
      state,
      challenge,
      ...(options.loginHint ? { loginHint: options.loginHint } : {}),
    });
    ctx.logger.info('oauth.signin.started', { provider: provider.id, redirectUri });
    try {
      await options.openBrowser(url);
    } catch (err) {
      throw new OAuthSignInError('browser', `Could not open the browser: ${err instanceof Error ? err.message : String(err)}`);
    }

    const outcome = await callback;
    // The listener serves exactly one answer: stop listening before the code exchange.
    // (close() stops accepting at once; its promise only waits for open sockets to drain.)
    void listener.close();
    if (outcome.kind === 'error') throw outcome.error;

    const client: TokenEndpointClient = {
      tokenEndpoint: provider.tokenEndpoint,
      clientId: options.clientId,
      ...(options.clientSecret ? { clientSecret: options.clientSecret } : {}),
      providerLabel: provider.label.replace(/ \(.*\)$/, ''),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    };
    const grant: TokenGrant = await exchangeCode(client, outcome.code, redirectUri, verifier, () => ctx.clock.now());
    if (!grant.refreshToken) {
      throw new OAuthSignInError(
        'server_error',
        `${client.providerLabel} signed in but issued no refresh token, so Outbox Monitor could not stay signed in. ` +
          'Check that the app registration allows offline access.',
      );
    }
    const email = idTokenEmail(grant.idToken);
    ctx.logger.info('oauth.signin.completed', { provider: provider.id, email: email ?? null });
    return {
      refreshToken: grant.refreshToken,
      accessToken: grant.accessToken,
      expiresAt: grant.expiresAt,
      ...(email ? { email } : {}),
      ...(grant.scope ? { scope: grant.scope } : {}),
    };
  } finally {
    (timer as { cancel(): void } | null)?.cancel();
    if (onAbort) options.signal?.removeEventListener('abort', onAbort);
    void listener.close();
  }
}

type Judgement = Callback | { kind: 'ignore'; status: number; message: string };

function judgeCallback(req: IncomingMessage, port: number, state: string, provider: OAuthProviderConfig): Judgement {
  // A page on some web site could make the browser call us; the Host check stops DNS rebinding.
  if (req.method !== 'GET' || req.headers.host !== `127.0.0.1:${port}`) return { kind: 'ignore', status: 400, message: 'Not a sign-in answer.' };
  const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
  if (url.pathname !== CALLBACK_PATH) return { kind: 'ignore', status: 404, message: 'Not found.' };
  const q = url.searchParams;
  if (q.get('state') !== state) {
    return { kind: 'ignore', status: 400, message: 'This answer does not belong to the sign-in Outbox Monitor is waiting for.' };
  }
  // RFC 9207 §2.4: with the right state, a wrong issuer means a mix-up; the attempt is spoiled.
  const iss = q.get('iss');
  if (provider.issuer && (iss !== null ? iss !== provider.issuer : provider.issuerRequired)) {
    return {
      kind: 'error',
      error: new OAuthSignInError(
        'issuer_mismatch',
        `The answer came from ${iss ?? 'an unnamed issuer'} instead of ${provider.issuer}; the sign-in was stopped for safety.`,
      ),
    };
  }
  const error = q.get('error');
  if (error) {
    const description = q.get('error_description');
    const words = description ? `${error}: ${description}` : error;
    const message =
      error === 'access_denied'
        ? 'Access was not granted: the consent was declined in the browser. Sign in again and allow access to your mail.'
        : `The provider refused the sign-in (${words}).`;
    return { kind: 'error', error: new OAuthSignInError(error, message, words) };
  }
  const code = q.get('code');
  if (!code) return { kind: 'ignore', status: 400, message: 'The answer carries no authorization code.' };
  return { kind: 'code', code };
}

function reply(res: ServerResponse, status: number, message: string): void {
  const body =
    '<!doctype html><html><head><meta charset="utf-8"><title>Outbox Monitor</title></head>' +
    `<body style="font-family:system-ui,sans-serif;margin:3em"><p>${escapeHtml(message)}</p></body></html>`;
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    'referrer-policy': 'no-referrer',
    connection: 'close',
  });
  res.end(body);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

interface Loopback {
  port: number;
  onRequest(handler: (req: IncomingMessage, res: ServerResponse) => void): void;
  close(): Promise<void>;
}

/** RFC 8252 §7.3/§8.3: listen on the IP literal 127.0.0.1 (not "localhost"), any free port. */
function listenLoopback(): Promise<Loopback> {
  return new Promise((resolve, reject) => {
    let handler: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
    let closing: Promise<void> | null = null;
    const server = createServer((req, res) => {
      if (closing || !handler) {
        reply(res, 410, 'This sign-in is over.');
        return;
      }
      handler(req, res);
    });
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        port,
        onRequest: (h) => void (handler = h),
        close() {
          closing ??= new Promise<void>((done) => {
            server.close(() => done());
            // Browsers keep connections alive; let the answer flush, then drop idle sockets.
            server.closeIdleConnections();
            setTimeout(() => server.closeAllConnections(), 1000).unref();
          });
          return closing;
        },
      });
    });
  });
}
