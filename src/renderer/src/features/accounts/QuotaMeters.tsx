import { useCommand } from '../../hooks/useCommand';
import { useNow } from '../../hooks/useNow';
import { formatCountdown } from '../../format';

const WINDOW_TEXT = { minute: 'per minute', hour: 'per hour', day: 'per day' } as const;

/** One meter per quota window: how much of the cap is used and when room opens again. */
export function QuotaMeters({ accountId }: { accountId: number }) {
  const quota = useCommand('accounts/quota', [accountId], ['queue/changed', 'accounts/changed']);
  const now = useNow();
  if (!quota.data || quota.data.length === 0) return <p className="muted small">No sending limits set.</p>;
  return (
    <ul className="meters">
      {quota.data.map((q) => {
        const pct = q.cap > 0 ? Math.min(100, (q.used / q.cap) * 100) : 0;
        const level = pct >= 100 ? 'full' : pct >= 80 ? 'high' : 'ok';
        return (
          <li key={q.window} className="meter-row">
            <span className="meter-label">{WINDOW_TEXT[q.window]}{q.learned ? ' (learned)' : ''}</span>
            <meter className={`meter meter-${level}`} min={0} max={q.cap} value={q.used} low={q.cap * 0.8} high={q.cap * 0.99} optimum={0} aria-label={`${q.used} of ${q.cap} ${WINDOW_TEXT[q.window]}`} />
            <span className="meter-figures">
              {q.used.toLocaleString()} / {q.cap.toLocaleString()}
              {q.resetsAt !== null && q.resetsAt > now && <span className="muted"> · {q.mode === 'fixed' ? 'resets' : 'room'} in {formatCountdown(q.resetsAt, now)}</span>}
            </span>
          </li>
        );
      })}
    </ul>
  );
}
