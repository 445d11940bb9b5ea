import { useEffect, useRef, useState } from 'react';
import { CATEGORY_LABEL } from '../../../../shared/categories';
import type { FailureDetail } from '../../../../shared/contract';
import type { AdviceActionId } from '../../../../shared/advice';
import type { AppActions } from '../../App';
import { useCommand } from '../../hooks/useCommand';
import { useNow } from '../../hooks/useNow';
import { call, errorText } from '../../outbox';
import { DUE_REASON_TEXT, formatBytes, formatCountdown, formatDateTime } from '../../format';
import { RawText } from '../../text';
import { AttemptsTimeline } from './AttemptsTimeline';

const KIND_TEXT = {
  fix: 'Needs you: held until the cause is fixed',
  temporary: 'Temporary: retried on its own',
  permanent: 'Permanent: never resent on its own',
  none: 'Not a failure',
} as const;

interface Props {
  id: number;
  onClose(): void;
  actions: AppActions;
}

export function FailureDetailPanel({ id, onClose, actions }: Props) {
  const detail = useCommand('failures/detail', [id], ['failures/changed', 'queue/changed']);
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  const d = detail.data;
  const act = async (label: string, fn: () => Promise<string>) => {
    setBusy(true);
    try {
      actions.toast(await fn());
      detail.refetch();
    } catch (e) {
      actions.toast(`${label} failed: ${errorText(e)}`, 'error');
    } finally {
      setBusy(false);
    }
  };
  const resend = (options: { withoutAttachments?: boolean; fromOwnAddress?: boolean; force?: boolean } = {}) =>
    act('Resend', async () => {
      const r = await call('failures/resend', { failureIds: [id], options });
      return r.queued > 0 ? 'Queued to resend.' : 'Nothing to resend: the message is already queued or gone.';
    });

  const runAdvice = (action: AdviceActionId, data: FailureDetail) => {
    switch (action) {
      case 'reconnect':
        if (data.failure.accountId !== null) actions.reconnect(data.failure.accountId, data.failure.diagnostic);
        return;
      case 'resend':
        return resend();
      case 'resend_without_attachments':
        return resend({ withoutAttachments: true });
      case 'resend_from_own_address':
        return resend({ fromOwnAddress: true });
      case 'edit_account':
        return actions.openAccounts(data.failure.accountId ?? undefined);
      case 'unsuppress':
        if (data.failure.recipient) {
          const recipient = data.failure.recipient;
          return act('Unsuppress', async () => `${(await call('suppressions/remove', { addresses: [recipient] })).removed ? 'Removed from' : 'Was not on'} the suppression list.`);
        }
        return;
      case 'none':
        return;
    }
  };

  return (
    <aside className="detail" aria-labelledby="detail-heading" data-testid="detail">
      <div className="detail-head">
        <h2 id="detail-heading" ref={heading} tabIndex={-1}>
          {d ? CATEGORY_LABEL[d.failure.category] : 'Failure'}
        </h2>
        <button type="button" className="link close" aria-label="Close detail" onClick={onClose}>×</button>
      </div>
      {detail.error && <p className="error" role="alert">{detail.error}</p>}
      {!d && !detail.error && <p className="muted">Loading…</p>}
      {d && (
        <div className="detail-body">
          <p className={`kind-line kind-${d.failure.kind}`}>
            {d.failure.resolvedAt !== null ? `Resolved ${formatDateTime(d.failure.resolvedAt)}` : KIND_TEXT[d.failure.kind]}
          </p>
          <WaitLine detail={d} />

          <section>
            <h3>What the provider said</h3>
            <RawText text={d.failure.diagnostic ?? '(no words: the failure was detected locally)'} className="raw words" />
            <dl className="facts">
              {d.failure.replyCode !== null && (<><dt>Reply code</dt><dd>{d.failure.replyCode}</dd></>)}
              {d.failure.status && (<><dt>Status</dt><dd>{d.failure.status}</dd></>)}
              <dt>Category</dt>
              <dd>{CATEGORY_LABEL[d.failure.category]} <code>{d.failure.category}</code></dd>
              <dt>Decided by</dt>
              <dd><code>{d.rule}</code></dd>
              <dt>Found in</dt>
              <dd>{d.failure.source === 'bounce' ? 'a bounce that came back later' : d.failure.source === 'smtp' ? 'the SMTP reply while sending' : 'a check before sending'}</dd>
            </dl>
          </section>

          <section className="advice" aria-label="What to do">
            <h3>What to do</h3>
            <p>{d.advice.summary}</p>
            {d.advice.willRetry && <p className="muted">{d.advice.willRetry}</p>}
            {d.advice.steps.length > 0 && (
              <ol>
                {d.advice.steps.map((s, i) => <li key={i}>{s}</li>)}
              </ol>
            )}
            <div className="buttons">
              {d.advice.action && d.advice.action.id !== 'none' && (
                <button type="button" className="primary" disabled={busy} onClick={() => runAdvice(d.advice.action!.id, d)}>
                  {d.advice.action.label}
                </button>
              )}
              {d.advice.action?.id !== 'resend' && d.failure.messageDbId !== null && d.failure.resolvedAt === null && (
                <button type="button" disabled={busy} onClick={() => resend()}>Resend</button>
              )}
              {d.failure.resolvedAt === null && (
                <button
                  type="button"
                  disabled={busy}
                  onClick={() => act('Discard', async () => `${(await call('failures/discard', { failureIds: [id] })).discarded ? 'Discarded.' : 'Already resolved.'}`)}
                >
                  Discard
                </button>
              )}
              {d.failure.recipient && (
                <button
                  type="button"
                  disabled={busy}
                  onClick={() => act('Suppress', async () => ((await call('suppressions/add', { addresses: [d.failure.recipient!] })).added ? 'Suppressed.' : 'Already suppressed.'))}
                >
                  Suppress {d.failure.recipient}
                </button>
              )}
            </div>
          </section>

          {d.message && (
            <section>
              <h3>The message</h3>
              <dl className="facts">
                <dt>Subject</dt>
                <dd>{d.message.subject ?? '(no subject)'}</dd>
                <dt>From</dt>
                <dd>{d.message.from} <span className="muted">via {d.message.accountName}</span></dd>
                <dt>Recipients</dt>
                <dd className="recipients">{d.message.recipients.join(', ') || '—'}</dd>
                <dt>Size</dt>
                <dd>
                  {formatBytes(d.message.sizeBytes)}
                  {d.sizeLimitBytes !== null && <span className={d.message.sizeBytes > d.sizeLimitBytes ? 'over' : 'muted'}> of {formatBytes(d.sizeLimitBytes)} allowed</span>}
                  {d.message.hasAttachments && <span className="muted"> · has attachments</span>}
                </dd>
                <dt>State</dt>
                <dd>{d.message.state}</dd>
                <dt>Message-ID</dt>
                <dd><code>{d.message.messageId ?? '—'}</code></dd>
                <dt>Created</dt>
                <dd>{formatDateTime(d.message.createdAt)}</dd>
              </dl>
            </section>
          )}

          <section>
            <h3>Attempts</h3>
            <AttemptsTimeline attempts={d.attempts} />
          </section>

          {d.bounce && (
            <section>
              <h3>The bounce</h3>
              <dl className="facts">
                <dt>Type</dt>
                <dd>{d.bounce.type}</dd>
                <dt>Folder</dt>
                <dd>{d.bounce.folder}</dd>
                <dt>Received</dt>
                <dd>{formatDateTime(d.bounce.receivedAt)}</dd>
                <dt>Linked by</dt>
                <dd>{d.bounce.linkMethod ?? '—'}</dd>
              </dl>
              <details>
                <summary>Raw bounce</summary>
                <RawText text={d.bounce.raw} limit={50_000} />
              </details>
            </section>
          )}
        </div>
      )}
    </aside>
  );
}

function WaitLine({ detail }: { detail: FailureDetail }) {
  const now = useNow();
  const m = detail.message;
  if (!m || m.nextAttemptAt === null || detail.failure.resolvedAt !== null) return null;
  return (
    <p className="wait-line" data-testid="detail-countdown">
      {m.nextAttemptAt > now ? `Next try in ${formatCountdown(m.nextAttemptAt, now)}` : 'Sending now'}
      {m.dueReason && <span className="muted"> · {DUE_REASON_TEXT[m.dueReason]}</span>}
    </p>
  );
}
