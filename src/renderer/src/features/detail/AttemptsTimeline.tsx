import type { AttemptView } from '../../../../shared/model';
import { CATEGORY_LABEL } from '../../../../shared/categories';
import { formatBytes, formatDateTime } from '../../format';
import { revealInvisible } from '../../text';

/** Every SMTP attempt for the message, oldest first, with the server's answer to each. */
export function AttemptsTimeline({ attempts }: { attempts: AttemptView[] }) {
  if (attempts.length === 0) return <p className="muted">No attempt yet: this failure was found before sending or in a bounce.</p>;
  return (
    <ol className="timeline">
      {attempts.map((a) => (
        <li key={a.id} className={`attempt outcome-${a.outcome ?? 'pending'}`}>
          <div className="attempt-head">
            <span className="attempt-time">{formatDateTime(a.startedAt)}</span>
            <span className={`chip outcome-${a.outcome ?? 'pending'}`}>{a.outcome ?? 'in progress'}</span>
            {a.stage && <span className="muted">at {a.stage}</span>}
            {a.category && <span className="muted">· {CATEGORY_LABEL[a.category]}</span>}
          </div>
          {(a.replyCode !== null || a.replyText || a.errorCode) && (
            <div className="attempt-reply">
              {[a.replyCode, a.enhanced].filter(Boolean).join(' ')} {a.replyText ? revealInvisible(a.replyText.slice(0, 2000)) : ''}
              {a.errorCode && <span className="muted"> ({a.errorCode})</span>}
            </div>
          )}
          {(a.accepted.length > 0 || a.rejected.length > 0) && (
            <div className="muted">
              {a.accepted.length} accepted{a.rejected.length > 0 ? `, rejected: ${a.rejected.join(', ')}` : ''}
              {a.sizeBytes !== null && ` · ${formatBytes(a.sizeBytes)}`}
            </div>
          )}
        </li>
      ))}
    </ol>
  );
}
