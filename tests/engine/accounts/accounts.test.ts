import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountInputSchema } from '../../../src/shared/contract';
import { PRESETS, presetById } from '../../../src/main/engine/accounts/presets';
import { createAccountsService } from '../../../src/main/engine/accounts/service';
import { deliverMessage } from '../../../src/main/engine/outbox/send/deliver';
import { makeContext, storeMessage } from '../outbox/support/context';
import { startProvider, type ScriptedProvider } from '../outbox/support/provider';

describe('provider presets', () => {
  it('cover the providers the product names, each with a source', () => {
    const ids = PRESETS.map((p) => p.id);
    for (const id of ['gmail', 'google-workspace', 'outlook', 'm365', 'yahoo', 'icloud', 'zoho', 'fastmail', 'generic']) expect(ids).toContain(id);
    for (const p of PRESETS) expect(p.source.length).toBeGreaterThan(10);
  });

  it('hold limits the contract accepts', () => {
    const limitsSchema = accountInputSchema.shape.limits;
    for (const p of PRESETS) expect(limitsSchema.safeParse(p.limits).success, p.id).toBe(true);
    expect(presetById('m365')?.limits).toContainEqual(expect.objectContaining({ window: 'minute', max: 30, mode: 'rolling' }));
    expect(presetById('gmail')?.smtp).toEqual({ host: 'smtp.gmail.com', port: 465, tls: 'tls' });
  });
});

describe('accounts service', () => {
  let provider: ScriptedProvider;
  const ctx = makeContext();
  beforeAll(async () => {
    provider = await startProvider({ password: 'first-password' });
  });
  afterAll(async () => {
    await provider.stop();
    ctx.close();
  });

  it('fills hosts and limits from the preset and keeps only a secret reference in the row', async () => {
    const service = createAccountsService(ctx);
    const view = await service.add({ name: 'g', provider: 'gmail', email: 'me@gmail.test', password: 'app-password-1234' });
    expect(view).toMatchObject({ smtp: { host: 'smtp.gmail.com', port: 465, tls: 'tls' }, imap: { host: 'imap.gmail.com' }, maxMessageBytes: 35_882_577, hasSecret: true });
    expect(view.limits).toEqual(presetById('gmail')!.limits);
    const row = ctx.db.prepare('SELECT * FROM accounts WHERE id = ?').get(view.id) as Record<string, unknown>;
    expect(JSON.stringify(row)).not.toContain('app-password-1234');
    expect(await ctx.secrets.get(row.secret_ref as string)).toBe('app-password-1234');
    await expect(service.add({ name: 'g', provider: 'gmail', email: 'x@gmail.test', password: 'p' })).rejects.toThrow(/already exists/);
    await expect(service.add({ name: 'h', provider: 'nope', email: 'x@gmail.test', password: 'p' })).rejects.toThrow(/Unknown provider/);
    expect(await service.remove(view.id)).toBe(true);
    expect(await ctx.secrets.get(row.secret_ref as string)).toBeNull();
  });

  it('a changed password is used at once (no cached session with the old one)', async () => {
    const service = createAccountsService(ctx);
    const view = await service.add({
      name: 'local', provider: 'generic', email: 'sender@example.test', username: 'sender@example.test', password: 'first-password',
      smtp: { host: '127.0.0.1', port: provider.port, tls: 'none' }, imap: null,
    });
    expect((await deliverMessage(ctx, storeMessage(ctx, view.id))).outcome).toBe('sent');
    await service.update(view.id, { password: 'changed-password' });
    const second = await deliverMessage(ctx, storeMessage(ctx, view.id));
    expect(second.failure?.category).toBe('auth_failed');
    provider.script.password = 'changed-password';
    const reconnect = await service.reconnect(view.id, {});
    expect(reconnect.ok).toBe(true);
    expect(reconnect.steps.map((s) => s.step)).toEqual(['smtp:connect', 'smtp:auth']);
    expect((await deliverMessage(ctx, storeMessage(ctx, view.id))).outcome).toBe('sent');
  });

  it('reports a refused connection at the connect step', async () => {
    const service = createAccountsService(ctx);
    const view = await service.add({
      name: 'closed', provider: 'generic', email: 'c@example.test', password: 'p',
      smtp: { host: '127.0.0.1', port: 1, tls: 'none' }, imap: null,
    });
    const steps = await service.test(view.id);
    expect(steps).toHaveLength(1);
    expect(steps[0]).toMatchObject({ step: 'smtp:connect', ok: false });
    expect(steps[0].detail).toMatch(/ECONNREFUSED|connect/i);
    expect(service.get(view.id)?.status).toBe('offline');
  });
});
