import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { EngineContext } from '../../index';
import { createSettingsRepo } from '../../store/settings';

const SETTING = 'intake.credentials';
const SECRET_REF = 'intake/password';
export const DEFAULT_INTAKE_USER = 'outbox';

/**
 * The local relay's login. Generated on first use and kept: the user name in the settings
 * table, the password in the SecretStore (never in the database). Mail programs log in with
 * this user name, or with the name of one of the accounts and the same password to pick that
 * account (see server.ts for how a login maps to an account).
 */
export async function intakeCredentials(ctx: EngineContext): Promise<{ user: string; password: string }> {
  const settings = createSettingsRepo(ctx.db);
  const stored = settings.get<{ user: string; secretRef: string } | null>(SETTING, null);
  if (stored) {
    const password = await ctx.secrets.get(stored.secretRef);
    if (password) return { user: stored.user, password };
  }
  const user = stored?.user ?? DEFAULT_INTAKE_USER;
  const password = randomBytes(18).toString('base64url');
  await ctx.secrets.set(SECRET_REF, password);
  settings.set(SETTING, { user, secretRef: SECRET_REF });
  return { user, password };
}

export function samePassword(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
