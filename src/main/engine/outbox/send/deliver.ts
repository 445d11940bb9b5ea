import type { EngineContext } from '../../index';
import type { Classification, ReplyEvidence, SmtpStage } from '../../../../shared/classification';
import { kindOf, SUPPRESSING_CATEGORIES } from '../../../../shared/categories';
import { classifyReply, findCode, findEnhanced } from '../../classify';
import { transaction } from '../../store/db';
import { createAccountsRepo, type AccountRow } from '../../store/accounts';
import { createAttemptsRepo, type AttemptOutcome, type AttemptRecord } from '../../store/attempts';
import { createFailuresRepo } from '../../store/failures';
import { createMessagesRepo, type MessageRow } from '../../store/messages';
import { createSuppressionsRepo } from '../../store/suppressions';
import { loadCredential, MissingSecretError, type Credential } from '../../accounts/credentials';
import { OAuthTokenError } from '../../accounts/oauth';
import { SessionError, sessionsFor, stageOf, type Session } from './sessions';

export interface DeliveryOutcome {
  messageId: number;
  attemptId: number;
  outcome: 'sent' | 'partial' | 'failed';
  acceptedCount: number;
  /** the failure of the whole message (null when it went out, even partly) */
  failure: Classification | null;
  recipientFailures: { address: string; classification: Classification }[];
}

type NodemailerError = NodeJS.ErrnoException & {
  command?: string;
  response?: string;
  responseCode?: number;
  recipient?: string;
  rejectedErrors?: NodemailerError[];
};

/** What one reply or error says, ready for the classifier and the attempts table. */
function evidenceOf(err: NodemailerError, stage: SmtpStage, provider: string): ReplyEvidence & { text: string } {
  const text = (err.response ?? err.message ?? '').replace(/\r?\n/g, ' ').trim();
  return {
    provider,
    stage,
    code: err.responseCode ?? (err.response ? findCode(text) : null),
    enhanced: findEnhanced(text),
    text,
    errorCode: err.code ?? null,
  };
}

/** Repositories per database, prepared once: preparing per message costs more than the writes. */
const repoCache = new WeakMap<object, ReturnType<typeof makeRepos>>();
function makeRepos(db: EngineContext['db']) {
  return {
    messages: createMessagesRepo(db),
    accounts: createAccountsRepo(db),
    attempts: createAttemptsRepo(db),
    failures: createFailuresRepo(db),
    suppressions: createSuppressionsRepo(db),
  };
}
function reposFor(db: EngineContext['db']) {
  let r = repoCache.get(db);
  if (!r) {
    r = makeRepos(db);
    repoCache.set(db, r);
  }
  return r;
}

/** Account-level categories change the account's status (shown as "needs reconnect" and the like). */
const ACCOUNT_STATUS = {
  auth_failed: 'auth_failed',
  account_suspended: 'account_suspended',
  config_error: 'config_error',
} as const;

/**
 * One SMTP attempt for a stored message: the stored bytes go out unchanged to the recipients
 * still pending, and everything the provider said is recorded — the attempt, its
 * classification, per-recipient failures, recipient states and the suppression list — in one
 * transaction. It does not decide what happens next: the scheduler reads the outcome and sets
 * the message's state and due time.
 */
export async function deliverMessage(ctx: EngineContext, messageId: number, opts: { force?: boolean } = {}): Promise<DeliveryOutcome> {
  const { db, clock, secrets } = ctx;
  const { messages, accounts, suppressions } = reposFor(db);
  const message = messages.get(messageId);
  if (!message) throw new Error(`No message with id ${messageId}.`);
  const account = accounts.get(message.account_id);
  if (!account) throw new Error(`The account of message ${messageId} no longer exists.`);
  const raw = messages.raw(messageId);
  if (!raw) throw new Error(`The stored bytes of message ${messageId} are missing.`);
  const pending = parseRecipients(message.rcpt_json);
  const startedAt = clock.now();
  const sessions = sessionsFor(db);

  // Local checks first: nothing leaves the machine that we already know must not.
  const local = (classification: Classification, perRecipient: { address: string; classification: Classification }[] = []) =>
    record(ctx, message, account, {
      startedAt, outcome: 'failed', stage: null, replyCode: null, enhanced: null, replyText: classification.words,
      errorCode: 'ELOCAL', accepted: [], rejected: [], serverSizeLimit: sessions.knownSizeLimit(account.id),
      size: raw.length, failure: classification, recipientFailures: perRecipient, source: 'local', remainingPending: pending,
    });

  if (pending.length === 0) {
    return local({ category: 'unknown', kind: kindOf('unknown'), rule: 'local/no-recipients', words: 'The message has no recipients left to send to.' });
  }
  if (!opts.force) {
    const suppressed = pending
      .map((address) => ({ address, category: suppressions.lookup(address) }))
      .filter((s): s is { address: string; category: NonNullable<typeof s.category> } => s.category !== null);
    if (suppressed.length) {
      const per = suppressed.map((s) => ({
        address: s.address,
        classification: { category: s.category, kind: kindOf(s.category), rule: 'local/suppressed', words: `${s.address} is on the suppression list (${s.category}); resend to override.` },
      }));
      return local({ ...per[0].classification, words: `${suppressed.length} recipient(s) on the suppression list: ${suppressed.map((s) => s.address).join(', ')}` }, per);
    }
  }
  const limits = [account.max_message_bytes, sessions.knownSizeLimit(account.id)].filter((n): n is number => typeof n === 'number' && n > 0);
  const sizeLimit = limits.length ? Math.min(...limits) : null;
  if (sizeLimit !== null && raw.length > sizeLimit) {
    return local({
      category: 'message_too_large',
      kind: kindOf('message_too_large'),
      rule: 'local/size-limit',
      words: `The message is ${raw.length} bytes; the account's limit is ${sizeLimit} bytes. It was not sent.`,
    });
  }

  // OAuth2: a dead sign-in (invalid_grant …) holds the message and marks the account
  // "needs reconnect" with the reason in plain words; a token endpoint outage is temporary.
  const oauthFailed = (e: OAuthTokenError): DeliveryOutcome => {
    const outcome = local(e.classification);
    if (e.classification.category === 'auth_failed') {
      accounts.setStatus(account.id, 'auth_failed', e.reason, clock.now());
      ctx.events.emit('accounts/changed', { accountId: account.id });
    }
    return outcome;
  };

  let credential: Credential;
  try {
    credential = await loadCredential(secrets, account, { clock, logger: ctx.logger });
  } catch (e) {
    if (e instanceof OAuthTokenError) return oauthFailed(e);
    const words = e instanceof MissingSecretError || e instanceof Error ? e.message : String(e);
    return local({ category: 'auth_failed', kind: kindOf('auth_failed'), rule: 'local/no-secret', words });
  }

  const provider = account.provider;
  let session: Session | null = null;
  try {
    session = await sessions.acquire(account, credential).catch(async (e: unknown) => {
      // OAuth2: the first refusal of an access token gets one refresh and one more login.
      if (credential.type !== 'oauth2' || !(e instanceof SessionError) || e.stage !== 'auth') throw e;
      credential = await loadCredential(secrets, account, { clock, logger: ctx.logger, refresh: true });
      return sessions.acquire(account, credential);
    });
    let info;
    try {
      info = await sendOn(session, message, pending, raw);
    } catch (e) {
      const err = e as NodemailerError;
      // A reused session the server closed while idle: nothing was sent, so a fresh one may try.
      if (session.reused && !err.responseCode && (err.code === 'ECONNECTION' || err.code === 'ESOCKET') && session.trace.lastCommand !== 'DATA') {
        sessions.release(account.id, account, credential, session, false);
        session = await sessions.open(account, credential);
        info = await sendOn(session, message, pending, raw);
      } else {
        throw e;
      }
    }
    sessions.release(account.id, account, credential, session, true);
    const rejectedErrors = (info.rejectedErrors ?? []) as NodemailerError[];
    const recipientFailures = rejectedErrors.map((r) => ({
      address: r.recipient ?? '',
      classification: classifyReply(evidenceOf(r, stageOf(r, session!.trace, 'send'), provider)),
      evidence: evidenceOf(r, stageOf(r, session!.trace, 'send'), provider),
    }));
    const text = (info.response ?? '').trim();
    return record(ctx, message, account, {
      startedAt,
      outcome: info.rejected.length ? 'partial' : 'sent',
      stage: 'data',
      replyCode: findCode(text),
      enhanced: findEnhanced(text),
      replyText: text,
      errorCode: null,
      accepted: info.accepted,
      rejected: info.rejected,
      serverSizeLimit: session.sizeLimit,
      size: raw.length,
      failure: null,
      recipientFailures,
      source: 'smtp',
      // only the temporarily refused recipients are still worth a later try
      remainingPending: recipientFailures.filter((f) => f.classification.kind === 'temporary').map((f) => f.address),
    });
  } catch (e) {
    if (session) sessions.release(account.id, account, credential, session, false);
    if (e instanceof OAuthTokenError) return oauthFailed(e);
    const sessionErr = e instanceof SessionError ? e : null;
    const err = (sessionErr ? sessionErr.smtpError : e) as NodemailerError;
    const stage = sessionErr ? sessionErr.stage : stageOf(err, session?.trace ?? { lastCommand: null, inData: false }, 'send');
    const evidence = evidenceOf(err, stage, provider);
    const rejectedErrors = err.rejectedErrors ?? [];
    // Every recipient refused at RCPT: one failure per recipient, the first one stands for the message.
    const recipientFailures = rejectedErrors.map((r) => {
      const ev = evidenceOf(r, 'rcpt', provider);
      return { address: r.recipient ?? '', classification: classifyReply(ev), evidence: ev };
    });
    const failure = recipientFailures.length ? recipientFailures[0].classification : classifyReply(evidence);
    const shown = recipientFailures.length ? recipientFailures[0].evidence : evidence;
    return record(ctx, message, account, {
      startedAt,
      outcome: 'failed',
      stage: recipientFailures.length ? 'rcpt' : stage,
      replyCode: shown.code ?? null,
      enhanced: shown.enhanced ?? null,
      replyText: shown.text,
      errorCode: err.code ?? null,
      accepted: [],
      rejected: recipientFailures.map((f) => f.address),
      serverSizeLimit: sessionErr?.sizeLimit ?? session?.sizeLimit ?? null,
      size: raw.length,
      failure,
      recipientFailures,
      source: 'smtp',
      remainingPending: pending,
    });
  }
}

function sendOn(session: Session, message: MessageRow, to: string[], raw: Buffer) {
  return new Promise<{ accepted: string[]; rejected: string[]; rejectedErrors?: unknown[]; response: string }>((resolve, reject) => {
    session.trace.inData = false;
    session.connection.send({ from: message.mail_from, to, size: raw.length }, raw, (err, info) => {
      if (err) reject(err);
      else resolve(info as never);
    });
  });
}

function parseRecipients(json: string): string[] {
  try {
    const v = JSON.parse(json);
    return Array.isArray(v) ? v.map(String) : [];
  } catch {
    return [];
  }
}

interface Result {
  startedAt: number;
  outcome: AttemptOutcome & ('sent' | 'partial' | 'failed');
  stage: SmtpStage | null;
  replyCode: number | null;
  enhanced: string | null;
  replyText: string | null;
  errorCode: string | null;
  accepted: string[];
  rejected: string[];
  serverSizeLimit: number | null;
  size: number;
  failure: Classification | null;
  recipientFailures: { address: string; classification: Classification; evidence?: ReplyEvidence }[];
  source: 'smtp' | 'local';
  /** recipients still to deliver after this attempt */
  remainingPending: string[];
}

/** Writes the attempt, its failures, recipient states and suppressions in one transaction. */
function record(ctx: EngineContext, message: MessageRow, account: AccountRow, r: Result): DeliveryOutcome {
  const { db, clock, events } = ctx;
  const { messages, attempts, failures, suppressions, accounts } = reposFor(db);
  const now = clock.now();
  const shown = r.failure ?? (r.recipientFailures[0]?.classification ?? null);
  const failureIds: number[] = [];
  let statusChanged = false;

  const attemptId = transaction(db, () => {
    const attempt: AttemptRecord = {
      messageId: message.id,
      accountId: account.id,
      startedAt: r.startedAt,
      finishedAt: now,
      outcome: r.outcome,
      stage: r.stage,
      replyCode: r.replyCode,
      enhanced: r.enhanced,
      replyText: r.replyText,
      errorCode: r.errorCode,
      accepted: r.accepted,
      rejected: r.rejected,
      sizeBytes: r.size,
      serverSizeLimit: r.serverSizeLimit,
      category: shown?.category ?? null,
      kind: shown?.kind ?? null,
      rule: shown?.rule ?? null,
    };
    const id = attempts.insert(attempt);
    // Earlier temporary failures (a dropped connection, a 421) end when a later attempt gets through.
    if (r.accepted.length) failures.resolveDelivered(message.id, r.accepted, now);
    if (r.recipientFailures.length) {
      for (const f of r.recipientFailures) {
        const fid = failures.insert({
          messageId: message.id,
          accountId: account.id,
          attemptId: id,
          recipient: f.address,
          category: f.classification.category,
          kind: f.classification.kind,
          rule: f.classification.rule,
          source: r.source,
          status: f.evidence?.enhanced ?? null,
          replyCode: f.evidence?.code ?? null,
          diagnostic: f.classification.words,
          detectedAt: now,
        });
        failureIds.push(fid);
        messages.setRecipientState(message.id, f.address, r.source === 'local' ? 'suppressed' : 'rejected');
        if (r.source === 'smtp' && SUPPRESSING_CATEGORIES.includes(f.classification.category)) {
          suppressions.add(f.address, f.classification.category, now, f.classification.words.slice(0, 500), fid);
        }
      }
    } else if (r.failure) {
      failureIds.push(
        failures.insert({
          messageId: message.id,
          accountId: account.id,
          attemptId: id,
          recipient: null,
          category: r.failure.category,
          kind: r.failure.kind,
          rule: r.failure.rule,
          source: r.source,
          status: r.enhanced,
          replyCode: r.replyCode,
          diagnostic: r.failure.words,
          detectedAt: now,
        }),
      );
    }
    for (const address of r.accepted) messages.setRecipientState(message.id, address, 'accepted');
    messages.setPendingRecipients(message.id, r.remainingPending, now);
    messages.noteAttempt(message.id, now, r.accepted.length > 0);

    // The account's own status follows what the provider said about it.
    const accountCategory = r.failure?.category;
    if (accountCategory && accountCategory in ACCOUNT_STATUS && r.source === 'smtp') {
      accounts.setStatus(account.id, ACCOUNT_STATUS[accountCategory as keyof typeof ACCOUNT_STATUS], r.failure!.words.slice(0, 1000), now);
      statusChanged = true;
    } else if (r.accepted.length > 0 && account.status !== 'ok') {
      accounts.setStatus(account.id, 'ok', null, now);
      statusChanged = true;
    }
    return id;
  });

  if (failureIds.length) events.emit('failures/changed', { ids: failureIds });
  if (statusChanged) events.emit('accounts/changed', { accountId: account.id });
  return {
    messageId: message.id,
    attemptId,
    outcome: r.outcome,
    acceptedCount: r.accepted.length,
    failure: r.outcome === 'failed' ? shown : null,
    recipientFailures: r.recipientFailures.map((f) => ({ address: f.address, classification: f.classification })),
  };
}

/** Closes the cached SMTP sessions of an engine (at stop). */
export function closeSessions(ctx: EngineContext): void {
  sessionsFor(ctx.db).closeAll();
}
