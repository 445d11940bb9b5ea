import type { EngineContext } from '../index';
import type { RelayInfo } from '../../../shared/model';
import { createAccountsService, type AccountsService } from '../accounts/service';
import { relayInfo, startIntake, type RunningIntake } from './intake/server';
import { closeSessions } from './send/deliver';
import { prepareResend, type ResendOptions } from './resend/prepare';
import { createViews } from '../store/views';

export { deliverMessage, type DeliveryOutcome } from './send/deliver';
export { startIntake, relayInfo } from './intake/server';
export { intakeCredentials } from './intake/credentials';
export { prepareResend } from './resend/prepare';

/** What the outbox offers the rest of the engine and the window's commands. */
export interface OutboxServices {
  accounts: AccountsService;
  relayInfo(): Promise<RelayInfo>;
  resend: {
    resend(failureIds: number[], options: ResendOptions & { onlyFailedRecipients: boolean }): { queued: number; skipped: number };
  };
  /** the running intake's address, or null */
  intakeAddress(): { host: string; port: number } | null;
}

/**
 * The outbox as an engine part: the local intake (when enabled) starts and stops with the
 * engine; the sender's cached SMTP sessions close at stop.
 */
export function createOutboxPart(ctx: EngineContext, opts: { intake: boolean; intakePort?: number }) {
  let running: RunningIntake | null = null;
  const services: OutboxServices = {
    accounts: createAccountsService(ctx),
    relayInfo: () => relayInfo(ctx, running),
    resend: {
      resend(failureIds, options) {
        const views = createViews(ctx.db);
        const messageIds = new Set<number>();
        let skipped = 0;
        for (const id of failureIds) {
          const row = views.failureTarget(id);
          if (row?.message_id) messageIds.add(row.message_id);
          else skipped++;
        }
        let queued = 0;
        for (const id of messageIds) {
          try {
            prepareResend(ctx, id, options);
            queued++;
          } catch {
            skipped++;
          }
        }
        return { queued, skipped };
      },
    },
    intakeAddress: () => (running ? { host: running.host, port: running.port } : null),
  };
  return {
    services,
    part: {
      name: 'outbox',
      async start() {
        if (opts.intake) running = await startIntake(ctx, { port: opts.intakePort });
      },
      async stop() {
        const r = running;
        running = null;
        if (r) await r.stop();
        closeSessions(ctx);
      },
    },
  };
}
