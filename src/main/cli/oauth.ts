// OAuth2 on the command line: `accounts add --auth oauth2 …` and `accounts reconnect NAME`.
// The sign-in prints the address to open and waits for the browser to come back to the
// loopback listener (Ctrl-C cancels). The `accounts` group itself belongs to cli/outbox.ts;
// this module adds its options and the reconnect command to that group.
import { Option, type Command } from 'commander';
import { printJsonLine, UsageError, withDb, withJson } from './common';
import { oneShot } from './one-shot';

type Opts = Record<string, string | boolean | undefined>;

/** Adds the OAuth options to a command (`accounts add`, `accounts reconnect`). */
function withOAuthOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--client-id <id>', 'OAuth client ID (default: OUTBOX_OAUTH_<PROVIDER>_CLIENT_ID or the app settings)'))
    .addOption(new Option('--client-secret-env <VAR>', 'environment variable holding the OAuth client secret (Google desktop clients)'))
    .addOption(new Option('--timeout <seconds>', 'how long to wait for the browser').default('300'))
    .addOption(new Option('--authorization-endpoint <url>', 'another authorization endpoint (other clouds, test servers)').hideHelp())
    .addOption(new Option('--token-endpoint <url>', 'another token endpoint (other clouds, test servers)').hideHelp())
    .addOption(new Option('--issuer <url>', 'the issuer the authorization answer must name (RFC 9207)').hideHelp());
}

/** The CLI's browser: print the address, wait; Ctrl-C cancels. */
function terminalBrowser(opts: Opts): { openBrowser: (url: string) => void; signal: AbortSignal; timeoutMs: number; done(): void } {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const seconds = Number(opts.timeout ?? 300);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--timeout must be a number of seconds (got "${opts.timeout}").`);
  return {
    openBrowser(url) {
      process.stderr.write(`Open this address in your browser to sign in:\n\n  ${url}\n\nWaiting for the browser to come back (Ctrl-C to cancel)…\n`);
    },
    signal: controller.signal,
    timeoutMs: seconds * 1000,
    done: () => process.removeListener('SIGINT', onSigint),
  };
}

function endpointsOf(opts: Opts) {
  if (!opts.authorizationEndpoint && !opts.tokenEndpoint) return undefined;
  return {
    ...(opts.authorizationEndpoint ? { authorizationEndpoint: String(opts.authorizationEndpoint) } : {}),
    ...(opts.tokenEndpoint ? { tokenEndpoint: String(opts.tokenEndpoint) } : {}),
    ...(opts.issuer ? { issuer: String(opts.issuer) } : {}),
  };
}

function clientSecretOf(opts: Opts): string | undefined {
  if (!opts.clientSecretEnv) return undefined;
  const value = process.env[String(opts.clientSecretEnv)];
  if (!value) throw new UsageError(`The environment variable ${opts.clientSecretEnv} is not set (or empty).`);
  return value;
}

/** Sign-in failures are the user's to fix: short message, no stack. */
async function asUsage<T>(run: () => Promise<T>): Promise<T> {
  const { OAuthSignInError, OAuthTokenError, OAuthConfigError } = await import('../engine/accounts/oauth');
  try {
    return await run();
  } catch (e) {
    if (e instanceof OAuthSignInError || e instanceof OAuthConfigError) throw new UsageError(e.message);
    if (e instanceof OAuthTokenError) throw new UsageError(`${e.reason}\n  (${e.classification.rule}: ${e.classification.words})`);
    throw e;
  }
}

type Server = { host: string; port: number; tls: 'tls' | 'starttls' | 'none' };

/**
 * `accounts add --auth oauth2`: called by the `add` action in cli/outbox.ts with its parsed
 * options and the SMTP / IMAP settings it worked out (undefined = the preset's).
 */
export async function addOAuthFromCli(opts: Opts, servers: { smtp?: Server; imap?: Server | null } = {}): Promise<void> {
  const { addOAuthAccount } = await import('../engine/accounts/oauth/connect');
  const browser = terminalBrowser(opts);
  const ctx = await oneShot(opts.db as string | undefined);
  try {
    const view = await asUsage(() =>
      addOAuthAccount(
        ctx,
        {
          name: String(opts.name),
          provider: String(opts.provider),
          email: String(opts.email),
          ...(opts.oauthProvider ? { oauthProvider: opts.oauthProvider as 'google' | 'microsoft' } : {}),
          ...(opts.tenant ? { tenant: String(opts.tenant) } : {}),
          ...(opts.clientId ? { clientId: String(opts.clientId) } : {}),
          ...(opts.clientSecretEnv ? { clientSecret: clientSecretOf(opts) } : {}),
          ...(endpointsOf(opts) ? { endpoints: endpointsOf(opts) } : {}),
          ...(servers.smtp ? { smtp: servers.smtp } : {}),
          ...(servers.imap !== undefined ? { imap: servers.imap } : opts.imap === false ? { imap: null } : {}),
          insecureTls: Boolean(opts.insecureTls),
        },
        browser,
      ),
    );
    if (opts.json) printJsonLine(view);
    else process.stdout.write(`added account "${view.name}" (#${view.id}), signed in with OAuth; the refresh token is kept in ${ctx.secrets.description}\n`);
  } finally {
    browser.done();
    ctx.close();
  }
}

/** Adds `--auth`, the OAuth options and `--no-imap` to `accounts add`; `--password-env` becomes optional. */
export function extendAccountsAdd(add: Command): void {
  if (add.options.some((o) => o.long === '--auth')) return;
  add.options.find((o) => o.long === '--password-env')?.makeOptionMandatory(false);
  add
    .addOption(new Option('--auth <type>', 'how the account signs in').choices(['password', 'oauth2']).default('password'))
    .addOption(new Option('--oauth-provider <id>', 'OAuth provider for presets without one').choices(['google', 'microsoft']))
    .addOption(new Option('--tenant <tenant>', 'Microsoft tenant: common, consumers, organizations or a tenant ID'))
    .addOption(new Option('--no-imap', 'do not watch a mailbox for bounces'));
  withOAuthOptions(add);
}

export function registerOAuth(program: Command): void {
  let accounts = program.commands.find((c) => c.name() === 'accounts');
  if (!accounts) accounts = program.command('accounts').description('sending accounts');
  const add = accounts.commands.find((c) => c.name() === 'add');
  if (add) extendAccountsAdd(add);

  withOAuthOptions(
    withJson(withDb(accounts.command('reconnect').description('sign in again after a password change or a dead OAuth sign-in; held messages are released on success')))
      .argument('<name>', 'account name')
      .option('--password-env <VAR>', 'password accounts: environment variable holding the new password'),
  ).action(async (name: string, opts: Opts) => {
    const { createAccountsRepo } = await import('../engine/store/accounts');
    const ctx = await oneShot(opts.db as string | undefined);
    try {
      const row = createAccountsRepo(ctx.db).getByName(name);
      if (!row) throw new UsageError(`No account named "${name}".`);
      let result: { ok: boolean; released: number; steps: { step: string; ok: boolean; detail: string }[] };
      if (row.auth_type === 'oauth2') {
        const { reconnectOAuthAccount } = await import('../engine/accounts/oauth/connect');
        const browser = terminalBrowser(opts);
        try {
          result = await asUsage(() =>
            reconnectOAuthAccount(ctx, row.id, browser, {
              ...(opts.clientId ? { clientId: String(opts.clientId) } : {}),
              ...(opts.clientSecretEnv ? { clientSecret: clientSecretOf(opts) } : {}),
              ...(endpointsOf(opts) ? { endpoints: endpointsOf(opts) } : {}),
            }),
          );
        } finally {
          browser.done();
        }
      } else {
        const variable = opts.passwordEnv ? String(opts.passwordEnv) : null;
        const password = variable ? process.env[variable] : undefined;
        if (variable && !password) throw new UsageError(`The environment variable ${variable} is not set (or empty).`);
        const { createAccountsService } = await import('../engine/accounts/service');
        result = await createAccountsService(ctx).reconnect(row.id, password ? { password } : {});
      }
      if (opts.json) printJsonLine({ account: name, ...result });
      else {
        for (const s of result.steps) process.stdout.write(`${s.ok ? 'ok  ' : 'FAIL'} ${s.step}: ${s.detail}\n`);
        process.stdout.write(result.ok ? `reconnected "${name}"; ${result.released} held message(s) released\n` : `"${name}" is still not connected\n`);
      }
      if (!result.ok) process.exitCode = 1;
    } finally {
      ctx.close();
    }
  });
}
