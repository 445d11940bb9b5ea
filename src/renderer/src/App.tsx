import { useCallback, useEffect, useState } from 'react';
import type { AccountView } from '../../shared/model';
import { useCommand } from './hooks/useCommand';
import { useEvent } from './hooks/useEvent';
import { call, errorText } from './outbox';
import { FailuresView } from './features/failures/FailuresView';
import { AccountsView } from './features/accounts/AccountsView';
import { ChartsView } from './features/charts/ChartsView';
import { SuppressionsView } from './features/accounts/SuppressionsView';
import { ReconnectDialog } from './features/reconnect/ReconnectDialog';
import { Toasts, useToasts } from './Toasts';

export type ViewName = 'failures' | 'accounts' | 'charts' | 'suppressed';
const VIEWS: { id: ViewName; label: string }[] = [
  { id: 'failures', label: 'Failures' },
  { id: 'accounts', label: 'Accounts' },
  { id: 'charts', label: 'Charts' },
  { id: 'suppressed', label: 'Suppressed' },
];

export interface AppActions {
  openAccounts(editId?: number | 'new'): void;
  reconnect(accountId: number, reason?: string | null): void;
  toast(text: string, tone?: 'ok' | 'error'): void;
}

function needsReconnect(a: AccountView): boolean {
  return a.status === 'auth_failed' || a.status === 'account_suspended';
}

export function App() {
  const [view, setView] = useState<ViewName>('failures');
  const [openFailure, setOpenFailure] = useState<number | null>(null);
  const [accountEdit, setAccountEdit] = useState<number | 'new' | null>(null);
  const [reconnect, setReconnect] = useState<{ accountId: number; reason: string | null } | null>(null);
  const toasts = useToasts();
  const status = useCommand('status/summary', [], ['status/changed', 'failures/changed', 'queue/changed']);
  const accounts = useCommand('accounts/list', [], ['accounts/changed']);

  useEvent('navigate/failure', ({ failureId }) => {
    setView('failures');
    setOpenFailure(failureId);
  });

  const actions: AppActions = {
    openAccounts: (editId) => {
      setView('accounts');
      setAccountEdit(editId ?? null);
    },
    reconnect: (accountId, reason = null) => setReconnect({ accountId, reason }),
    toast: toasts.push,
  };

  const togglePause = useCallback(async () => {
    try {
      const paused = status.data?.paused ?? false;
      await call(paused ? 'sending/resume' : 'sending/pause', {});
      status.refetch();
    } catch (e) {
      toasts.push(errorText(e), 'error');
    }
  }, [status, toasts]);

  // "/" searches from anywhere (except while typing); the failures view owns the search box.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable)) return;
      e.preventDefault();
      setView('failures');
      requestAnimationFrame(() => document.getElementById('failure-search')?.focus());
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const s = status.data;
  const broken = (accounts.data ?? []).filter(needsReconnect);
  const hasAccounts = (accounts.data?.length ?? 0) > 0;

  return (
    <div className="app">
      <header className="topbar">
        <div className="brand">
          <span className={`tray-dot tray-${s?.tray ?? 'clear'}`} aria-hidden="true" />
          <h1>Outbox Monitor</h1>
        </div>
        <nav className="tabs" aria-label="Views">
          {VIEWS.map((v) => (
            <button
              key={v.id}
              type="button"
              className={view === v.id ? 'tab active' : 'tab'}
              aria-current={view === v.id ? 'page' : undefined}
              onClick={() => setView(v.id)}
            >
              {v.label}
              {v.id === 'failures' && s && s.needsYou > 0 && <span className="count needs">{s.needsYou}</span>}
            </button>
          ))}
        </nav>
        <div className="topbar-right">
          {s && (
            <span className="summary" data-testid="status-summary">
              {s.tray === 'clear' ? 'All clear' : `${s.needsYou} need you · ${s.retrying} retrying`}
            </span>
          )}
          {hasAccounts && (
            <button type="button" className={s?.paused ? 'primary' : ''} onClick={togglePause}>
              {s?.paused ? 'Resume sending' : 'Pause sending'}
            </button>
          )}
        </div>
      </header>

      {broken.map((a) => (
        <div className="banner banner-fix" role="alert" key={a.id}>
          <div>
            <strong>{a.name}</strong> {a.status === 'auth_failed' ? 'needs to sign in again' : 'is suspended by its provider'}.
            {' '}Its messages are held until you reconnect.
            {a.statusDetail && <span className="banner-words"> The provider answered: “{a.statusDetail.slice(0, 300)}”</span>}
          </div>
          <button type="button" className="primary" onClick={() => setReconnect({ accountId: a.id, reason: a.statusDetail })}>
            Reconnect…
          </button>
        </div>
      ))}
      {s?.paused && (
        <div className="banner banner-info" role="status">
          Sending is paused. Messages wait in the queue until you resume.
        </div>
      )}

      <main className="main">
        {view === 'failures' && (
          <FailuresView
            accounts={accounts.data ?? []}
            accountsLoaded={accounts.data !== undefined}
            openId={openFailure}
            onOpen={setOpenFailure}
            actions={actions}
          />
        )}
        {view === 'accounts' && <AccountsView edit={accountEdit} onEdit={setAccountEdit} actions={actions} />}
        {view === 'charts' && <ChartsView accounts={accounts.data ?? []} />}
        {view === 'suppressed' && <SuppressionsView actions={actions} />}
      </main>

      {reconnect && (
        <ReconnectDialog
          accountId={reconnect.accountId}
          reason={reconnect.reason}
          onClose={() => setReconnect(null)}
        />
      )}
      <Toasts items={toasts.items} onDismiss={toasts.dismiss} />
    </div>
  );
}
