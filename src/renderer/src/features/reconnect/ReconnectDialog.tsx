import { useEffect, useRef, useState } from 'react';
import type { TestStep } from '../../../../shared/model';
import { useCommand } from '../../hooks/useCommand';
import { call, errorText } from '../../outbox';
import { RawText } from '../../text';
import { TestSteps } from '../accounts/TestSteps';

type Phase = 'ask' | 'testing' | 'failed' | 'done';

const PENDING_STEPS = ['smtp:connect', 'smtp:auth', 'imap:login'];
// An OAuth2 account first waits for the user in the browser, then runs the same test.
const PENDING_OAUTH_STEPS = ['oauth:signin', ...PENDING_STEPS];

/**
 * Sign the account in again: shows what the provider answered, takes the new password (with
 * the provider's hint for app passwords), tests SMTP and IMAP, saves, and then shows the held
 * messages leaving the queue. An OAuth2 account has no password here: it signs in again in the
 * system browser, and the dialog waits for that sign-in and the test.
 */
export function ReconnectDialog({ accountId, reason, onClose }: { accountId: number; reason: string | null; onClose(): void }) {
  const accounts = useCommand('accounts/list', [], ['accounts/changed']);
  const presets = useCommand('accounts/presets', []);
  const held = useCommand('failures/list', [{ accountId, group: 'needs_you', limit: 1 }], ['failures/changed', 'queue/changed']);
  const retrying = useCommand('failures/list', [{ accountId, group: 'retrying', limit: 1 }], ['failures/changed', 'queue/changed']);
  const [password, setPassword] = useState('');
  const [phase, setPhase] = useState<Phase>('ask');
  const [steps, setSteps] = useState<TestStep[]>([]);
  const [released, setReleased] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const dialog = useRef<HTMLDivElement>(null);

  const account = accounts.data?.find((a) => a.id === accountId);
  const preset = presets.data?.find((p) => p.id === account?.provider);
  const words = reason ?? account?.statusDetail ?? null;
  const oauth = account?.authType === 'oauth2';

  useEffect(() => input.current?.focus(), []);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && phase !== 'testing') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose, phase]);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setPhase('testing');
    setError(null);
    setSteps([]);
    try {
      const r = await call('accounts/reconnect', accountId, oauth ? {} : { password: password || undefined });
      setSteps(r.steps);
      setReleased(r.released);
      setPhase(r.ok ? 'done' : 'failed');
      if (r.ok) setPassword('');
    } catch (err) {
      setError(errorText(err));
      setPhase('failed');
    }
  };

  const stillHeld = held.data?.total ?? 0;
  return (
    <div className="modal-backdrop">
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby="reconnect-title" ref={dialog} data-testid="reconnect">
        <h2 id="reconnect-title">Reconnect {account?.name ?? 'account'}</h2>
        {account && <p className="muted">{account.email} · {preset?.label ?? account.provider}</p>}
        {words && (
          <>
            <h3>What the provider answered</h3>
            <RawText text={words} limit={4000} className="raw words" />
          </>
        )}
        {phase !== 'done' && oauth && (
          <form onSubmit={submit} data-testid="reconnect-oauth">
            <p>Sign in again in your browser. The sign-in page opens in your default browser; come back here when it says you can close it.</p>
            <div className="buttons">
              <button type="submit" className="primary" disabled={phase === 'testing'}>
                {phase === 'testing' ? 'Waiting for the browser…' : 'Sign in again in your browser'}
              </button>
              <button type="button" onClick={onClose} disabled={phase === 'testing'}>Cancel</button>
            </div>
          </form>
        )}
        {phase !== 'done' && !oauth && (
          <form onSubmit={submit}>
            <label htmlFor="reconnect-password">New password</label>
            <input
              id="reconnect-password"
              ref={input}
              type="password"
              autoComplete="off"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              disabled={phase === 'testing'}
            />
            {preset?.appPasswordHint && <p className="hint" data-testid="app-password-hint">{preset.appPasswordHint}</p>}
            <div className="buttons">
              <button type="submit" className="primary" disabled={phase === 'testing'}>
                {phase === 'testing' ? 'Testing…' : 'Test and save'}
              </button>
              <button type="button" onClick={onClose} disabled={phase === 'testing'}>Cancel</button>
            </div>
          </form>
        )}
        {phase === 'testing' && (
          <ol className="steps-list" aria-live="polite">
            {(oauth ? PENDING_OAUTH_STEPS : PENDING_STEPS).filter((s) => account?.imap || !s.startsWith('imap')).map((s) => (
              <li key={s} className="step pending"><span className="step-mark" aria-hidden="true">…</span> {s}</li>
            ))}
          </ol>
        )}
        {steps.length > 0 && <TestSteps steps={steps} />}
        {error && <p className="error" role="alert">{error}</p>}
        {phase === 'failed' && !error && (
          <p className="error" role="alert">
            {oauth ? 'The sign-in or the test did not succeed; the held messages stay held. Try again.' : 'The test failed; nothing was saved. Check the password and try again.'}
          </p>
        )}
        {phase === 'done' && (
          <div className="released" role="status" data-testid="released">
            <p><strong>Reconnected and saved.</strong> {released === 1 ? '1 held message was released' : `${released} held messages were released`} and will be sent now.</p>
            <p className="muted">
              Still held: <span data-testid="still-held">{stillHeld}</span> · waiting to send: {retrying.data?.total ?? 0}
            </p>
            <div className="buttons">
              <button type="button" className="primary" onClick={onClose}>Done</button>
            </div>
          </div>
        )}
      </div>
    </div>
  );
}
