import type { TestStep } from '../../../../shared/model';
import { revealInvisible } from '../../text';

/** Each step of a connection test with its result, in the order it ran. */
export function TestSteps({ steps }: { steps: TestStep[] }) {
  return (
    <ol className="steps-list" data-testid="test-steps">
      {steps.map((s, i) => (
        <li key={`${s.step}-${i}`} className={s.ok ? 'step ok' : 'step failed'}>
          <span className="step-mark" aria-label={s.ok ? 'passed' : 'failed'}>{s.ok ? '✓' : '✗'}</span>{' '}
          <strong>{s.step}</strong> <span className="muted">{s.ms} ms</span>
          {s.detail && <div className="step-detail">{revealInvisible(s.detail.slice(0, 1000))}</div>}
        </li>
      ))}
    </ol>
  );
}
