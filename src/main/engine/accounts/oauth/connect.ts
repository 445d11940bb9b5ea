// Adding an OAuth2 account and reconnecting one whose sign-in died: the browser sign-in, the
// grant into the SecretStore, the account row, and on reconnect a connection test that
// releases the messages held for auth_failed. Used by the command line and the window's edge.
// (Not re-exported from ./index: it depends on the accounts service, which depends on ./index.)
import { randomUUID } from 'node:crypto';
import type { AccountView, ServerSettings, TestStep } from '../../../../shared/model';
import type { EngineContext } from '../../index';
import { createAccountsRepo } from '../../store/accounts';
import { createSettingsRepo } from '../../store/settings';
import { presetById } from '../presets';
import { createAccountsService } from '../service';
import { OAuthSignInError } from './errors';
import { OAuthConfigError, oauthPreset, oauthProviderForAccountPreset, resolveClient, type MicrosoftTenant, type OAuthProviderConfig, type OAuthProviderId } from './providers';
import { parseStoredGrant, type StoredOAuthGrant } from './tokens';
import { saveGrant, startSignIn, type StartSignInResult } from './index';

export interface BrowserPort {
  openBrowser: (url: string) => void | Promise<void>;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** Endpoint overrides for other clouds and for test servers; presets otherwise. */
export interface EndpointOverrides {
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  issuer?: string | null;
}

export interface AddOAuthAccountInput {
  name: string;
  /** account preset id: gmail, google_workspace, outlook, m365 (or generic with oauthProvider) */
  provider: string;
  email: string;
  oauthProvider?: OAuthProviderId;
  tenant?: MicrosoftTenant;
  clientId?: string;
  clientSecret?: string;
  endpoints?: EndpointOverrides;
  smtp?: ServerSettings;
  imap?: ServerSettings | null;
  insecureTls?: boolean;
}

function providerConfig(id: OAuthProviderId, tenant: MicrosoftTenant | undefined, endpoints: EndpointOverrides | undefined): OAuthProviderConfig {
  const preset = oauthPreset(id, tenant);
  if (!endpoints?.authorizationEndpoint && !endpoints?.tokenEndpoint) return preset;
  return {
    ...preset,
    authorizationEndpoint: endpoints.authorizationEndpoint ?? preset.authorizationEndpoint,
    tokenEndpoint: endpoints.tokenEndpoint ?? preset.tokenEndpoint,
    // another server: its issuer is not the preset's; check `iss` only when told which one
    issuer: endpoints.issuer ?? null,
  };
}

function checkSignedInAs(signedIn: StartSignInResult, email: string): void {
  if (signedIn.email && signedIn.email.toLowerCase() !== email.toLowerCase()) {
    throw new OAuthSignInError(
      'wrong_account',
      `You signed in as ${signedIn.email}, but the account is ${email}. Sign in again with ${email} (the browser may remember the other account).`,
    );
  }
}

/** Signs in through the browser and adds the account. Nothing is stored unless the sign-in succeeds. */
export async function addOAuthAccount(ctx: EngineContext, input: AddOAuthAccountInput, browser: BrowserPort): Promise<AccountView> {
  const preset = presetById(input.provider);
  if (!preset) throw new OAuthConfigError(`Unknown provider preset "${input.provider}".`);
  const oauthProvider = input.oauthProvider ?? oauthProviderForAccountPreset(preset.id);
  if (!oauthProvider) {
    throw new OAuthConfigError(`The "${preset.label}" preset has no OAuth sign-in; use a password, or name the OAuth provider (google or microsoft).`);
  }
  const smtp = input.smtp ?? preset.smtp;
  if (!smtp) throw new OAuthConfigError(`The "${preset.label}" preset has no SMTP server: give one.`);
  const repo = createAccountsRepo(ctx.db);
  if (repo.getByName(input.name)) throw new OAuthConfigError(`An account named "${input.name}" already exists.`);
  const client = resolveClient(oauthProvider, {
    explicit: { clientId: input.clientId, clientSecret: input.clientSecret },
    settings: createSettingsRepo(ctx.db),
  });

  const signedIn = await startSignIn(ctx, {
    provider: providerConfig(oauthProvider, input.tenant, input.endpoints),
    ...(input.tenant ? { tenant: input.tenant } : {}),
    clientId: client.clientId,
    ...(client.clientSecret ? { clientSecret: client.clientSecret } : {}),
    loginHint: input.email,
    ...browser,
  });
  checkSignedInAs(signedIn, input.email);

  const ref = `account/${randomUUID()}`;
  await saveGrant(ctx, ref, signedIn);
  const id = repo.insert({
    name: input.name,
    provider: preset.id,
    email: input.email,
    displayName: null,
    authType: 'oauth2',
    username: null,
    secretRef: ref,
    smtp,
    imap: input.imap === undefined ? preset.imap : input.imap,
    insecureTls: input.insecureTls ?? false,
    maxMessageBytes: preset.maxMessageBytes,
    maxRecipients: preset.maxRecipients,
    limits: preset.limits,
    now: ctx.clock.now(),
  });
  repo.setStatus(id, 'ok', null, ctx.clock.now());
  ctx.events.emit('accounts/changed', { accountId: id });
  return repo.view(id)!;
}

/**
 * Reconnects an OAuth2 account: a new browser sign-in with the client the account was added
 * with, the new grant over the old one, a connection test, and on success the held messages
 * go back in the queue.
 */
export async function reconnectOAuthAccount(
  ctx: EngineContext,
  accountId: number,
  browser: BrowserPort,
  overrides: { clientId?: string; clientSecret?: string; endpoints?: EndpointOverrides } = {},
): Promise<{ steps: TestStep[]; ok: boolean; released: number }> {
  const repo = createAccountsRepo(ctx.db);
  const row = repo.get(accountId);
  if (!row) throw new OAuthConfigError(`No account with id ${accountId}.`);
  if (row.auth_type !== 'oauth2') throw new OAuthConfigError(`"${row.name}" signs in with a password, not OAuth.`);
  const previous: StoredOAuthGrant | null = row.secret_ref ? parseStoredGrant(await ctx.secrets.get(row.secret_ref)) : null;
  const oauthProvider = previous?.provider ?? oauthProviderForAccountPreset(row.provider);
  if (!oauthProvider) throw new OAuthConfigError(`Cannot tell which OAuth provider "${row.name}" uses.`);
  const tenant = previous?.tenant;
  const client = overrides.clientId
    ? { clientId: overrides.clientId, clientSecret: overrides.clientSecret }
    : previous
      ? { clientId: previous.clientId, clientSecret: overrides.clientSecret ?? previous.clientSecret }
      : resolveClient(oauthProvider, { settings: createSettingsRepo(ctx.db) });
  const endpoints = overrides.endpoints ?? (previous?.tokenEndpoint ? { tokenEndpoint: previous.tokenEndpoint } : undefined);

  const signedIn = await startSignIn(ctx, {
    provider: providerConfig(oauthProvider, tenant, endpoints),
    ...(tenant ? { tenant } : {}),
    clientId: client.clientId,
    ...(client.clientSecret ? { clientSecret: client.clientSecret } : {}),
    loginHint: row.username ?? row.email,
    ...browser,
  });
  checkSignedInAs(signedIn, row.email);
  const ref = row.secret_ref ?? `account/${randomUUID()}`;
  await saveGrant(ctx, ref, signedIn);
  if (!row.secret_ref) repo.update(accountId, { secretRef: ref }, ctx.clock.now());
  return createAccountsService(ctx).reconnect(accountId, {});
}
