import { useState } from 'react';
import type { AccountView, TestStep } from '../../../../shared/model';
import type { AppActions } from '../../App';
import { useCommand } from '../../hooks/useCommand';
import { call, errorText } from '../../outbox';
import { AccountForm } from './AccountForm';
import { QuotaMeters } from './QuotaMeters';
import { RelayCard } from './RelayCard';
import { TestSteps } from './TestSteps';

const STATUS_TEXT: Record<AccountView['status'], string> = {
  unknown: 'Not tested yet',
  ok: 'Connected',
  auth_failed: 'Sign-in rejected',
  account_suspended: 'Suspended by the provider',
  config_error: 'Settings look wrong',
  offline: 'Provider unreachable',
};

interface Props {
  edit: number | 'new' | null;
  onEdit(id: number | 'new' | null): void;
  actions: AppActions;
}

export function AccountsView({ edit, onEdit, actions }: Props) {
  const accounts = useCommand('accounts/list', [], ['accounts/changed']);
  const list = accounts.data ?? [];
  const editing = edit === 'new' ? null : list.find((a) => a.id === edit) ?? null;

  return (
    <div className="accounts">
      <div className="accounts-main">
        <div className="section-head">
          <h2>Accounts</h2>
          {edit === null && <button type="button" className="primary" onClick={() => onEdit('new')}>Add account</button>}
        </div>
        {accounts.error && <p className="error" role="alert">{accounts.error}</p>}
        {edit !== null && (edit === 'new' || editing) && (
          <AccountForm
            key={String(edit)}
            account={editing}
            onDone={(saved) => {
              onEdit(null);
              if (saved) actions.toast(`Saved ${saved.name}.`);
            }}
          />
        )}
        {accounts.data && list.length === 0 && edit === null && (
          <div className="empty" data-testid="accounts-empty">
            <p>No account yet. Add the Gmail, Outlook / Microsoft 365 or SMTP account you send from; the presets fill in the servers and sending limits.</p>
            <button type="button" className="primary" onClick={() => onEdit('new')}>Add your first account</button>
          </div>
        )}
        {list.map((a) => (
          <AccountCard key={a.id} account={a} onEdit={() => onEdit(a.id)} actions={actions} />
        ))}
      </div>
      <RelayCard />
    </div>
  );
}

function AccountCard({ account: a, onEdit, actions }: { account: AccountView; onEdit(): void; actions: AppActions }) {
  const [steps, setSteps] = useState<TestStep[] | null>(null);
  const [testing, setTesting] = useState(false);
  const needsReconnect = a.status === 'auth_failed' || a.status === 'account_suspended';

  const test = async () => {
    setTesting(true);
    setSteps(null);
    try {
      setSteps(await call('accounts/test', a.id));
    } catch (e) {
      actions.toast(`Test failed: ${errorText(e)}`, 'error');
    } finally {
      setTesting(false);
    }
  };
  const togglePause = async () => {
    try {
      await call(a.paused ? 'sending/resume' : 'sending/pause', { accountId: a.id });
    } catch (e) {
      actions.toast(errorText(e), 'error');
    }
  };
  const remove = async () => {
    if (!window.confirm(`Remove ${a.name}? Its messages and failures are deleted from this computer.`)) return;
    try {
      await call('accounts/remove', a.id);
      actions.toast(`Removed ${a.name}.`);
    } catch (e) {
      actions.toast(errorText(e), 'error');
    }
  };

  return (
    <article className="card account" aria-label={a.name} data-testid={`account-${a.id}`}>
      <div className="card-head">
        <div>
          <h3>{a.name}</h3>
          <p className="muted">{a.email} · {a.provider}{a.smtp ? ` · ${a.smtp.host}:${a.smtp.port}` : ''}</p>
        </div>
        <span className={`status status-${a.status}`}>{STATUS_TEXT[a.status]}{a.paused ? ' · paused' : ''}</span>
      </div>
      {a.statusDetail && a.status !== 'ok' && <p className="muted small">{a.statusDetail.slice(0, 300)}</p>}
      <QuotaMeters accountId={a.id} />
      <div className="buttons">
        {needsReconnect && <button type="button" className="primary" onClick={() => actions.reconnect(a.id, a.statusDetail)}>Reconnect…</button>}
        <button type="button" onClick={test} disabled={testing}>{testing ? 'Testing…' : 'Test connection'}</button>
        <button type="button" onClick={onEdit}>Edit</button>
        <button type="button" onClick={togglePause}>{a.paused ? 'Resume' : 'Pause'}</button>
        <button type="button" className="danger" onClick={remove}>Remove</button>
      </div>
      {steps && <TestSteps steps={steps} />}
    </article>
  );
}
