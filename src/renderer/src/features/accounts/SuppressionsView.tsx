import { useState } from 'react';
import { CATEGORY_LABEL } from '../../../../shared/categories';
import type { AppActions } from '../../App';
import { useCommand } from '../../hooks/useCommand';
import { call, errorText } from '../../outbox';
import { formatDateTime } from '../../format';

/** Addresses the app will not mail again until you remove them. */
export function SuppressionsView({ actions }: { actions: AppActions }) {
  const list = useCommand('suppressions/list', [], ['failures/changed']);
  const [address, setAddress] = useState('');
  const change = async (name: 'suppressions/add' | 'suppressions/remove', addresses: string[]) => {
    try {
      await call(name, { addresses });
      list.refetch();
    } catch (e) {
      actions.toast(errorText(e), 'error');
    }
  };
  const rows = list.data ?? [];
  return (
    <div className="suppressed">
      <h2>Suppressed addresses</h2>
      <p className="muted">Addresses that do not exist, whose domain takes no mail, or that reported you as spam. Messages to them are held instead of sent.</p>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (address.trim()) void change('suppressions/add', [address.trim()]).then(() => setAddress(''));
        }}
      >
        <input type="email" aria-label="Address to suppress" placeholder="name@example.com" value={address} onChange={(e) => setAddress(e.target.value)} />
        <button type="submit">Suppress</button>
      </form>
      {list.data && rows.length === 0 && <p className="empty">No suppressed addresses.</p>}
      <table className="table">
        <tbody>
          {rows.slice(0, 2000).map((s) => (
            <tr key={s.address}>
              <td>{s.address}</td>
              <td>{CATEGORY_LABEL[s.category]}</td>
              <td className="muted">{formatDateTime(s.createdAt)}</td>
              <td><button type="button" className="link" onClick={() => change('suppressions/remove', [s.address])}>Remove</button></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
