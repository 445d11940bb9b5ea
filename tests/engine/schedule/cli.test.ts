import { describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli';
import { openDatabase } from '../../../src/main/engine/store/db';
import { createAttemptsRepo } from '../../../src/main/engine/store/attempts';
import { createAccountsRepo } from '../../../src/main/engine/store/accounts';
import { createSettingsRepo } from '../../../src/main/engine/store/settings';
import { addAccount, addMessages, H, MIN, tempDbPath } from './helpers';

const path = tempDbPath('cli');
const now = Date.now();
const db = openDatabase(path);
const account = addAccount(db, 'merge', [{ window: 'hour', max: 5, mode: 'rolling', counts: 'messages' }], now - 2 * H);
const [first] = addMessages(db, account, 6, now - 20 * MIN);
// three sends already accepted this hour, 30, 20 and 10 minutes ago
const attempts = createAttemptsRepo(db);
const sentAt = [now - 30 * MIN, now - 20 * MIN, now - 10 * MIN];
for (const at of sentAt) {
  attempts.insert({
    messageId: first!, accountId: account, startedAt: at, finishedAt: at, outcome: 'sent', stage: 'data', replyCode: 250, enhanced: null,
    replyText: '250 ok', errorCode: null, accepted: ['x@example.org'], rejected: [], sizeBytes: 10, serverSizeLimit: null, category: null, kind: null, rule: null,
  });
}
db.close();

const lines = (s: string) => s.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('outbox-monitor queue / pause / resume', () => {
  it('lists waiting messages with reason, exact due time and slot', async () => {
    const r = await runCli(['queue', '--db', path, '--json']);
    expect(r.code).toBe(0);
    const q = lines(r.stdout);
    expect(q).toHaveLength(6);
    expect(q.slice(0, 2).map((e) => [e.reason, e.slot, e.cap, e.window])).toEqual([['new', 4, 5, 'hour'], ['new', 5, 5, 'hour']]);
    // the third waits for the send of 30 minutes ago to leave the rolling hour, and so on
    expect(q.slice(2).map((e) => [e.reason, e.dueAtMs])).toEqual([
      ['quota', sentAt[0]! + H], ['quota', sentAt[1]! + H], ['quota', sentAt[2]! + H], // the sixth: one of the two sent "now" has to leave
      ['quota', (q[0]!.dueAtMs as number) + H],
    ]);
    expect(q[2]!.text).toMatch(/^sends (at|on) .* — slot 5 of 5 this hour$/);
    expect(q[2]!.account).toBe('merge');
  });

  it('pauses and resumes one account or all sending', async () => {
    expect((await runCli(['pause', '--db', path, '--account', 'merge'])).stdout).toContain('Paused account merge');
    let q = lines((await runCli(['queue', '--db', path, '--json'])).stdout);
    expect(q.every((e) => e.reason === 'paused' && e.dueAt === null)).toBe(true);
    await runCli(['resume', '--db', path, '--account', 'merge']);
    await runCli(['pause', '--db', path]);
    const check = openDatabase(path);
    expect(createAccountsRepo(check).get(account)!.paused).toBe(0);
    expect(createSettingsRepo(check).get('sending.paused', false)).toBe(true);
    check.close();
    q = lines((await runCli(['queue', '--db', path, '--json'])).stdout);
    expect(q.every((e) => e.reason === 'paused')).toBe(true);
    await runCli(['resume', '--db', path]);
    q = lines((await runCli(['queue', '--db', path, '--json'])).stdout);
    expect(q[0]!.reason).toBe('new');
    const bad = await runCli(['pause', '--db', path, '--account', 'nobody']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('No account named "nobody"');
  });
});
