import { useState } from 'react';
import { useCommand } from '../../hooks/useCommand';

async function copy(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

function CopyField({ label, value, secret = false }: { label: string; value: string; secret?: boolean }) {
  const [shown, setShown] = useState(!secret);
  const [copied, setCopied] = useState<boolean | null>(null);
  return (
    <div className="copy-field">
      <span className="copy-label">{label}</span>
      <code className="copy-value">{shown ? value : '•'.repeat(Math.min(16, value.length))}</code>
      {secret && <button type="button" className="link" onClick={() => setShown((s) => !s)}>{shown ? 'Hide' : 'Show'}</button>}
      <button type="button" onClick={async () => setCopied(await copy(value))} aria-label={`Copy ${label}`}>
        {copied === null ? 'Copy' : copied ? 'Copied' : 'Copy failed'}
      </button>
    </div>
  );
}

/** The local relay's address and credentials, and how to point a mail-merge tool at it. */
export function RelayCard() {
  const relay = useCommand('relay/info', [], ['accounts/changed']);
  const r = relay.data;
  return (
    <aside className="card relay" aria-labelledby="relay-title" data-testid="relay">
      <h2 id="relay-title">Local relay</h2>
      {relay.error && <p className="muted">{relay.error}</p>}
      {r && (
        <>
          <p className={r.running ? 'ok-text' : 'error'}>{r.running ? 'Listening for mail from programs on this computer (never from the network).' : 'Not running: start the app to accept mail from other programs.'}</p>
          <CopyField label="Server" value={r.host} />
          <CopyField label="Port" value={String(r.port)} />
          <CopyField label="User" value={r.user} />
          <CopyField label="Password" value={r.password} secret />
          <h3>Point your mail-merge tool here</h3>
          <ol className="howto">
            <li>In the tool’s email settings choose “SMTP” or “custom server”.</li>
            <li>Server <code>{r.host}</code>, port <code>{r.port}</code>, no encryption (the connection never leaves this computer).</li>
            <li>Sign in with the user and password above.</li>
            <li>Send as the address of one of your accounts: Outbox Monitor sends through that account, inside its limits, and records every answer.</li>
          </ol>
        </>
      )}
    </aside>
  );
}
