import { useState } from 'react';
import type { ProviderPreset } from '../../../../shared/contract';
import type { AccountView, QuotaLimit, ServerSettings, TlsMode } from '../../../../shared/model';
import { useCommand } from '../../hooks/useCommand';
import { call, errorText } from '../../outbox';

interface Props {
  account: AccountView | null;
  onDone(saved: AccountView | null): void;
}

const EMPTY_SERVER: ServerSettings = { host: '', port: 587, tls: 'starttls' };

/** Add or edit an account. Choosing a preset fills servers, ports and limits; all stay editable. */
export function AccountForm({ account, onDone }: Props) {
  const presets = useCommand('accounts/presets', []);
  const [provider, setProvider] = useState(account?.provider ?? '');
  const [name, setName] = useState(account?.name ?? '');
  const [email, setEmail] = useState(account?.email ?? '');
  const [username, setUsername] = useState(account?.username ?? '');
  const [password, setPassword] = useState('');
  const [smtp, setSmtp] = useState<ServerSettings>(account?.smtp ?? EMPTY_SERVER);
  const [imapOn, setImapOn] = useState(account ? account.imap !== null : true);
  const [imap, setImap] = useState<ServerSettings>(account?.imap ?? { host: '', port: 993, tls: 'tls' });
  const [limits, setLimits] = useState<QuotaLimit[]>(account?.limits ?? []);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const preset = presets.data?.find((p) => p.id === provider);

  const applyPreset = (p: ProviderPreset | undefined, id: string) => {
    setProvider(id);
    if (!p) return;
    if (p.smtp) setSmtp(p.smtp);
    if (p.imap) {
      setImap(p.imap);
      setImapOn(true);
    }
    setLimits(p.limits.map((l) => ({ ...l })));
    if (!name) setName(p.label);
  };

  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    setSaving(true);
    setError(null);
    const input = {
      name: name.trim(),
      provider: provider || 'generic',
      email: email.trim(),
      username: username.trim() || null,
      ...(password ? { password } : {}),
      smtp: { ...smtp, host: smtp.host.trim() },
      imap: imapOn && imap.host.trim() ? { ...imap, host: imap.host.trim() } : null,
      limits,
    };
    try {
      const saved = account ? await call('accounts/update', account.id, input) : await call('accounts/add', input);
      onDone(saved);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <form className="card account-form" onSubmit={save} aria-label={account ? `Edit ${account.name}` : 'Add account'}>
      <h3>{account ? `Edit ${account.name}` : 'Add an account'}</h3>
      <div className="form-grid">
        <label htmlFor="acc-provider">Provider</label>
        <select id="acc-provider" value={provider} onChange={(e) => applyPreset(presets.data?.find((p) => p.id === e.target.value), e.target.value)}>
          <option value="">Choose…</option>
          {(presets.data ?? []).map((p) => (
            <option key={p.id} value={p.id}>{p.label}</option>
          ))}
        </select>
        <label htmlFor="acc-name">Name</label>
        <input id="acc-name" required value={name} onChange={(e) => setName(e.target.value)} />
        <label htmlFor="acc-email">Email address</label>
        <input id="acc-email" type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <label htmlFor="acc-user">User name</label>
        <input id="acc-user" placeholder="same as the address" value={username} onChange={(e) => setUsername(e.target.value)} />
        <label htmlFor="acc-password">{account ? 'New password' : 'Password'}</label>
        <input id="acc-password" type="password" autoComplete="off" placeholder={account ? 'unchanged' : ''} value={password} onChange={(e) => setPassword(e.target.value)} />
        {preset?.appPasswordHint && <p className="hint span2">{preset.appPasswordHint}</p>}
        <ServerFields legend="Sending (SMTP)" value={smtp} onChange={setSmtp} idPrefix="smtp" />
        <label className="span2 check">
          <input type="checkbox" checked={imapOn} onChange={(e) => setImapOn(e.target.checked)} /> Watch the mailbox for bounces (IMAP)
        </label>
        {imapOn && <ServerFields legend="Bounces (IMAP)" value={imap} onChange={setImap} idPrefix="imap" />}
        <fieldset className="span2">
          <legend>Sending limits</legend>
          {limits.length === 0 && <p className="muted small">None. Choose a preset or add one.</p>}
          {limits.map((l, i) => (
            <div className="limit-row" key={i}>
              <input
                type="number"
                min={1}
                aria-label={`Maximum per ${l.window}`}
                value={l.max}
                onChange={(e) => setLimits(limits.map((x, j) => (j === i ? { ...x, max: Math.max(1, Number(e.target.value) || 1) } : x)))}
              />
              <span>{l.counts} per {l.window} ({l.mode})</span>
              <button type="button" className="link" onClick={() => setLimits(limits.filter((_, j) => j !== i))}>Remove</button>
            </div>
          ))}
          <button type="button" onClick={() => setLimits([...limits, { window: 'day', max: 500, mode: 'rolling', counts: 'recipients' }])}>Add a daily limit</button>
        </fieldset>
      </div>
      {error && <p className="error" role="alert">{error}</p>}
      <div className="buttons">
        <button type="submit" className="primary" disabled={saving}>{saving ? 'Saving…' : 'Save'}</button>
        <button type="button" onClick={() => onDone(null)}>Cancel</button>
      </div>
    </form>
  );
}

function ServerFields({ legend, value, onChange, idPrefix }: { legend: string; value: ServerSettings; onChange(v: ServerSettings): void; idPrefix: string }) {
  return (
    <fieldset className="span2 server">
      <legend>{legend}</legend>
      <label htmlFor={`${idPrefix}-host`}>Server</label>
      <input id={`${idPrefix}-host`} value={value.host} onChange={(e) => onChange({ ...value, host: e.target.value })} />
      <label htmlFor={`${idPrefix}-port`}>Port</label>
      <input id={`${idPrefix}-port`} type="number" min={1} max={65535} value={value.port} onChange={(e) => onChange({ ...value, port: Number(e.target.value) || 0 })} />
      <label htmlFor={`${idPrefix}-tls`}>Security</label>
      <select id={`${idPrefix}-tls`} value={value.tls} onChange={(e) => onChange({ ...value, tls: e.target.value as TlsMode })}>
        <option value="tls">TLS</option>
        <option value="starttls">STARTTLS</option>
        <option value="none">None (local servers only)</option>
      </select>
    </fieldset>
  );
}
