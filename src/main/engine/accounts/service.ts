import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { accountInputSchema, ProviderPreset } from '../../../shared/contract';
import type { AccountView, QuotaUsage, TestStep } from '../../../shared/model';
import { AppFailure } from '../../../shared/result';
import type { EngineContext } from '../index';
import { createAccountsRepo, type AccountPatch } from '../store/accounts';
import { createAttemptsRepo } from '../store/attempts';
import { createMessagesRepo } from '../store/messages';
import { transaction } from '../store/db';
import { loadCredential } from './credentials';
import { PRESETS, presetById } from './presets';
import { testConnection } from './test-connection';
import { sessionsFor } from '../outbox/send/sessions';

export type AccountInput = z.output<typeof accountInputSchema> & {
  /** keep only a reference instead of storing a password, e.g. "env:SMTP_PASSWORD" */
  secretRef?: string;
};

/** Categories whose held messages a successful reconnect releases. */
const RECONNECT_RELEASES = ['auth_failed', 'account_suspended', 'config_error'];

const WINDOW_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

/**
 * Adding, editing, removing and testing accounts. The password goes to the SecretStore under
 * a fresh reference; the database keeps only that reference.
 */
export function createAccountsService(ctx: EngineContext) {
  const repo = createAccountsRepo(ctx.db);
  const now = () => ctx.clock.now();

  async function storeSecret(password: string): Promise<string> {
    const ref = `account/${randomUUID()}`;
    try {
      await ctx.secrets.set(ref, password);
    } catch (e) {
      throw new AppFailure('secret_store_unavailable', `The password could not be stored (${ctx.secrets.description}): ${(e as Error).message}`);
    }
    return ref;
  }

  function mustGet(id: number) {
    const row = repo.get(id);
    if (!row) throw new AppFailure('not_found', `No account with id ${id}.`);
    return row;
  }

  async function test(id: number): Promise<TestStep[]> {
    const row = mustGet(id);
    let steps: TestStep[];
    try {
      steps = await testConnection(row, await loadCredential(ctx.secrets, row));
    } catch (e) {
      steps = [{ step: 'secret', ok: false, detail: (e as Error).message, ms: 0 }];
    }
    const failed = steps.find((s) => !s.ok);
    const status = !failed ? 'ok' : failed.step.endsWith(':auth') || failed.step.endsWith(':login') || failed.step === 'secret' ? 'auth_failed' : failed.step.endsWith(':connect') ? 'offline' : 'config_error';
    repo.setStatus(id, status, failed ? `${failed.step}: ${failed.detail}`.slice(0, 1000) : null, now());
    ctx.events.emit('accounts/changed', { accountId: id });
    return steps;
  }

  return {
    presets(): ProviderPreset[] {
      return [...PRESETS];
    },
    list(): AccountView[] {
      return repo.views();
    },
    get(id: number): AccountView | undefined {
      return repo.view(id);
    },
    byName(name: string): AccountView | undefined {
      const row = repo.getByName(name);
      return row ? repo.view(row.id) : undefined;
    },
    async add(input: AccountInput): Promise<AccountView> {
      const preset = presetById(input.provider);
      if (!preset) throw new AppFailure('invalid_payload', `Unknown provider "${input.provider}". Known: ${PRESETS.map((p) => p.id).join(', ')}.`);
      if (repo.getByName(input.name)) throw new AppFailure('conflict', `An account named "${input.name}" already exists.`);
      const smtp = input.smtp ?? preset.smtp;
      if (!smtp) throw new AppFailure('invalid_payload', `The "${preset.label}" preset has no SMTP server: give one (host, port, TLS mode).`);
      if (!input.password && !input.secretRef) throw new AppFailure('invalid_payload', 'A password (or app password) is needed.');
      const secretRef = input.password ? await storeSecret(input.password) : input.secretRef!;
      const id = repo.insert({
        name: input.name,
        provider: preset.id,
        email: input.email,
        displayName: input.displayName ?? null,
        authType: 'password',
        username: input.username ?? null,
        secretRef,
        smtp,
        imap: input.imap === undefined ? preset.imap : input.imap,
        insecureTls: input.insecureTls ?? false,
        maxMessageBytes: input.maxMessageBytes === undefined ? preset.maxMessageBytes : input.maxMessageBytes,
        maxRecipients: preset.maxRecipients,
        limits: input.limits ?? preset.limits,
        watchFolders: input.watchFolders,
        now: now(),
      });
      ctx.events.emit('accounts/changed', { accountId: id });
      return repo.view(id)!;
    },
    async update(id: number, patch: Partial<AccountInput>): Promise<AccountView> {
      const row = mustGet(id);
      const changes: AccountPatch = {
        name: patch.name,
        provider: patch.provider,
        email: patch.email,
        displayName: patch.displayName,
        username: patch.username,
        smtp: patch.smtp,
        imap: patch.imap,
        insecureTls: patch.insecureTls,
        maxMessageBytes: patch.maxMessageBytes,
        limits: patch.limits,
        watchFolders: patch.watchFolders,
      };
      if (patch.password) {
        changes.secretRef = await storeSecret(patch.password);
      } else if (patch.secretRef) {
        changes.secretRef = patch.secretRef;
      }
      repo.update(id, changes, now());
      if (changes.secretRef && row.secret_ref && row.secret_ref !== changes.secretRef) await ctx.secrets.delete(row.secret_ref).catch(() => {});
      sessionsFor(ctx.db).forget(id);
      ctx.events.emit('accounts/changed', { accountId: id });
      return repo.view(id)!;
    },
    async remove(id: number): Promise<boolean> {
      const row = repo.get(id);
      if (!row) return false;
      const removed = repo.remove(id);
      if (row.secret_ref) await ctx.secrets.delete(row.secret_ref).catch(() => {});
      sessionsFor(ctx.db).forget(id);
      ctx.events.emit('accounts/changed', { accountId: id });
      return removed;
    },
    test,
    /** New password (optional), a connection test, and on success the held messages go back in the queue. */
    async reconnect(id: number, input: { password?: string }): Promise<{ steps: TestStep[]; ok: boolean; released: number }> {
      if (input.password) await this.update(id, { password: input.password });
      const steps = await test(id);
      const ok = steps.every((s) => s.ok);
      let released = 0;
      if (ok) {
        const messages = createMessagesRepo(ctx.db);
        released = transaction(ctx.db, () => messages.releaseHeld(id, RECONNECT_RELEASES, now()));
        if (released) ctx.events.emit('queue/changed', { accountId: id });
      }
      return { steps, ok, released };
    },
    /** Use of each quota window, counted from the stored attempts (rolling windows). */
    quota(id: number): QuotaUsage[] {
      const view = repo.view(id);
      if (!view) throw new AppFailure('not_found', `No account with id ${id}.`);
      const attempts = createAttemptsRepo(ctx.db);
      const t = now();
      return view.limits.map((l) => ({
        window: l.window,
        used: attempts.countAcceptedSince(id, t - WINDOW_MS[l.window], l.counts),
        cap: Math.min(l.max, l.learnedMax ?? Infinity),
        mode: l.mode,
        resetsAt: null,
        learned: l.learnedMax != null,
      }));
    },
  };
}
export type AccountsService = ReturnType<typeof createAccountsService>;
