import { useCallback, useEffect, useMemo, useState } from 'react';
import { CATEGORIES, CATEGORY_LABEL, kindOf, type Category } from '../../../../shared/categories';
import type { AccountView, FailureGroup, FailureRow } from '../../../../shared/model';
import type { AppActions } from '../../App';
import { call, errorText } from '../../outbox';
import { FailureDetailPanel } from '../detail/FailureDetailPanel';
import { FailureList } from './FailureList';
import { usePagedFailures, type FailureFilter } from './usePagedFailures';
import { useSearchText } from './useSearchText';
import { WelcomeCard } from './WelcomeCard';

export const GROUPS: { id: FailureGroup; label: string; empty: string }[] = [
  { id: 'needs_you', label: 'Needs you', empty: 'Nothing needs you. Failures you must fix (a password, a setting, a blocked message) will show up here.' },
  { id: 'retrying', label: 'Retrying', empty: 'Nothing is waiting to retry. Temporary failures (limits, outages) wait here with a countdown and resend on their own.' },
  { id: 'wont_retry', label: "Won't retry", empty: 'No permanent failures. Addresses that do not exist land here and go on the suppression list.' },
  { id: 'resolved', label: 'Resolved', empty: 'Nothing resolved yet. Failures move here once they are resent, delivered or discarded.' },
];

const FAILURE_CATEGORIES = CATEGORIES.filter((c) => kindOf(c) !== 'none');

interface Props {
  accounts: AccountView[];
  accountsLoaded: boolean;
  openId: number | null;
  onOpen(id: number | null): void;
  actions: AppActions;
}

export function FailuresView({ accounts, accountsLoaded, openId, onOpen, actions }: Props) {
  const [group, setGroup] = useState<FailureGroup>('needs_you');
  const [accountId, setAccountId] = useState<number | undefined>(undefined);
  const [category, setCategory] = useState<Category | undefined>(undefined);
  const [domain, setDomain] = useState('');
  const [searchInput, setSearchInput] = useState('');
  // Every keystroke is a new filter (one or two letters after a pause: see useSearchText);
  // usePagedFailures keeps at most one query in flight and asks for the newest text when it
  // returns, so fast typing does not queue queries.
  const search = useSearchText(searchInput);
  // The selected rows themselves, not only their ids: the list forgets pages scrolled far away.
  const [selected, setSelected] = useState<ReadonlyMap<number, FailureRow>>(() => new Map());
  const [busy, setBusy] = useState(false);
  const [pickedGroup, setPickedGroup] = useState(false);

  const filter: FailureFilter = useMemo(
    () => ({ group, accountId, category, domain: domain.trim() || undefined, search: search || undefined }),
    [group, accountId, category, domain, search],
  );
  const paged = usePagedFailures(filter);

  // Start on the first group that has something in it, until the user picks one.
  useEffect(() => {
    if (pickedGroup || !paged.loaded) return;
    if (paged.groups[group] > 0) return;
    const first = GROUPS.find((g) => paged.groups[g.id] > 0);
    if (first && first.id !== group) setGroup(first.id);
  }, [paged.loaded, paged.groups, group, pickedGroup]);

  useEffect(() => setSelected(new Map()), [filter]);

  const run = useCallback(
    async (label: string, fn: () => Promise<string>) => {
      setBusy(true);
      try {
        actions.toast(await fn());
        setSelected(new Map());
        paged.reload();
      } catch (e) {
        actions.toast(`${label} failed: ${errorText(e)}`, 'error');
      } finally {
        setBusy(false);
      }
    },
    [actions, paged],
  );

  const resend = useCallback(
    (ids: number[]) =>
      run('Resend', async () => {
        const r = await call('failures/resend', { failureIds: ids });
        return r.skipped > 0 ? `${r.queued} queued to resend, ${r.skipped} skipped.` : `${r.queued} queued to resend.`;
      }),
    [run],
  );

  const selectedIds = [...selected.keys()];
  const recipientsOfSelected = () => [...new Set([...selected.values()].map((r) => r.recipient).filter((r): r is string => !!r))];

  const noAccounts = accountsLoaded && accounts.length === 0;
  const nothingAtAll = paged.loaded && GROUPS.every((g) => paged.groups[g.id] === 0) && !search && !category && !domain && accountId === undefined;

  if (noAccounts && nothingAtAll) return <WelcomeCard actions={actions} />;

  return (
    <div className={openId !== null ? 'failures split' : 'failures'}>
      <section className="failures-main" aria-label="Failures">
        <div className="filters" role="search">
          <input
            id="failure-search"
            type="search"
            placeholder="Search recipient, subject or reply  ( / )"
            aria-label="Search failures"
            value={searchInput}
            onChange={(e) => setSearchInput(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') (e.target as HTMLInputElement).blur();
              if (e.key === 'ArrowDown' || e.key === 'Enter') document.getElementById('failure-list')?.focus();
            }}
          />
          <select aria-label="Account" value={accountId ?? ''} onChange={(e) => setAccountId(e.target.value ? Number(e.target.value) : undefined)}>
            <option value="">All accounts</option>
            {accounts.map((a) => (
              <option key={a.id} value={a.id}>{a.name}</option>
            ))}
          </select>
          <select aria-label="Category" value={category ?? ''} onChange={(e) => setCategory((e.target.value || undefined) as Category | undefined)}>
            <option value="">All categories</option>
            {FAILURE_CATEGORIES.map((c) => (
              <option key={c} value={c}>{CATEGORY_LABEL[c]}</option>
            ))}
          </select>
          <input
            type="text"
            aria-label="Recipient domain"
            placeholder="Recipient domain"
            value={domain}
            onChange={(e) => setDomain(e.target.value)}
            className="domain"
          />
        </div>

        <div className="groups" role="tablist" aria-label="Failure groups">
          {GROUPS.map((g) => (
            <button
              key={g.id}
              type="button"
              role="tab"
              aria-selected={group === g.id}
              className={`group-tab group-${g.id}${group === g.id ? ' active' : ''}`}
              onClick={() => {
                setPickedGroup(true);
                setGroup(g.id);
              }}
            >
              {g.label} <span className="count" data-testid={`count-${g.id}`}>{paged.groups[g.id].toLocaleString()}</span>
            </button>
          ))}
        </div>

        <div className="bulkbar" aria-label="Bulk actions">
          {selected.size > 0 ? (
            <>
              <span>{selected.size.toLocaleString()} selected</span>
              <button type="button" disabled={busy} onClick={() => resend(selectedIds)}>Resend selected</button>
              <button
                type="button"
                disabled={busy}
                onClick={() => run('Discard', async () => `${(await call('failures/discard', { failureIds: selectedIds })).discarded} discarded.`)}
              >
                Discard
              </button>
              <button
                type="button"
                disabled={busy}
                onClick={() => {
                  const addresses = recipientsOfSelected();
                  if (addresses.length === 0) return actions.toast('The selected failures have no single recipient to suppress.', 'error');
                  void run('Suppress', async () => `${(await call('suppressions/add', { addresses })).added} addresses suppressed.`);
                }}
              >
                Suppress recipients
              </button>
              <button
                type="button"
                disabled={busy}
                onClick={() => {
                  const addresses = recipientsOfSelected();
                  if (addresses.length === 0) return;
                  void run('Unsuppress', async () => `${(await call('suppressions/remove', { addresses })).removed} addresses unsuppressed.`);
                }}
              >
                Unsuppress
              </button>
              <button type="button" className="link" onClick={() => setSelected(new Map())}>Clear</button>
            </>
          ) : (
            <span className="hint">
              {paged.total.toLocaleString()} {paged.total === 1 ? 'failure' : 'failures'} · j/k or arrows to move, Enter opens, R resends, x selects
            </span>
          )}
          {category && group !== 'resolved' && paged.total > 0 && (
            <button
              type="button"
              className="push-right"
              disabled={busy}
              onClick={() =>
                run('Resend all', async () => {
                  const r = await call('failures/resend', { category });
                  return `${r.queued} in “${CATEGORY_LABEL[category]}” queued to resend${r.skipped ? `, ${r.skipped} skipped` : ''}.`;
                })
              }
            >
              Resend all in “{CATEGORY_LABEL[category]}”
            </button>
          )}
        </div>

        {paged.error && <p className="error" role="alert">Could not load failures: {paged.error}</p>}
        {paged.loaded && paged.total === 0 ? (
          <div className="empty" data-testid="empty-group">
            <p>{search || category || domain || accountId !== undefined ? 'No failures match these filters.' : GROUPS.find((g) => g.id === group)!.empty}</p>
          </div>
        ) : (
          <FailureList
            total={paged.total}
            version={paged.version}
            rowAt={paged.rowAt}
            ensureRange={paged.ensureRange}
            openId={openId}
            selected={selected}
            onOpen={onOpen}
            onToggle={(row) =>
              setSelected((s) => {
                const n = new Map(s);
                if (n.has(row.id)) n.delete(row.id);
                else n.set(row.id, row);
                return n;
              })
            }
            onResend={(id) => resend(selected.size > 0 ? selectedIds : [id])}
          />
        )}
      </section>
      {openId !== null && <FailureDetailPanel id={openId} onClose={() => onOpen(null)} actions={actions} />}
    </div>
  );
}
