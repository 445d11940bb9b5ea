import { memo, useCallback, useEffect, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { CATEGORY_LABEL } from '../../../../shared/categories';
import type { FailureRow } from '../../../../shared/model';
import { useNow } from '../../hooks/useNow';
import { DUE_REASON_TEXT, formatAgo, formatCountdown } from '../../format';

const ROW_HEIGHT = 68;

interface Props {
  total: number;
  /** bumps whenever a page arrives, so rows re-read `rowAt` */
  version: number;
  rowAt(index: number): FailureRow | undefined;
  ensureRange(start: number, end: number): void;
  openId: number | null;
  selected: ReadonlyMap<number, unknown>;
  onOpen(id: number): void;
  onToggle(row: FailureRow): void;
  onResend(id: number): void;
}

/**
 * The virtualized failure list: only the rows in view (plus a few) exist in the DOM, and only
 * their pages are fetched. Keyboard: arrows or j/k move, Enter opens, R resends, x selects.
 */
export function FailureList({ total, version, rowAt, ensureRange, openId, selected, onOpen, onToggle, onResend }: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(0);
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;

  useEffect(() => {
    if (total > 0) ensureRange(first, last);
  }, [first, last, total, ensureRange]);

  useEffect(() => {
    if (active >= total && total > 0) setActive(total - 1);
  }, [active, total]);

  const move = (to: number) => {
    const next = Math.max(0, Math.min(total - 1, to));
    setActive(next);
    virtualizer.scrollToIndex(next, { align: 'auto' });
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const row = rowAt(active);
    switch (e.key) {
      case 'ArrowDown':
      case 'j':
        move(active + 1);
        break;
      case 'ArrowUp':
      case 'k':
        move(active - 1);
        break;
      case 'PageDown':
        move(active + 10);
        break;
      case 'PageUp':
        move(active - 10);
        break;
      case 'Home':
        move(0);
        break;
      case 'End':
        move(total - 1);
        break;
      case 'Enter':
        if (row) onOpen(row.id);
        break;
      case 'r':
      case 'R':
        if (row) onResend(row.id);
        break;
      case 'x':
      case ' ':
        if (row) onToggle(row);
        break;
      default:
        return;
    }
    e.preventDefault();
  };

  // One callback for every row (rows are memoized: a scrolled frame re-renders only new rows).
  const onOpenRef = useRef(onOpen);
  onOpenRef.current = onOpen;
  const onToggleRef = useRef(onToggle);
  onToggleRef.current = onToggle;
  const openAt = useCallback((index: number, id: number) => {
    setActive(index);
    onOpenRef.current(id);
  }, []);
  const toggle = useCallback((row: FailureRow) => onToggleRef.current(row), []);

  const activeRow = rowAt(active);
  return (
    <div
      id="failure-list"
      ref={scrollRef}
      className="list"
      role="listbox"
      tabIndex={0}
      aria-label="Failures"
      aria-activedescendant={activeRow ? `failure-${activeRow.id}` : undefined}
      onKeyDown={onKeyDown}
      data-version={version}
    >
      <div className="list-inner" style={{ height: virtualizer.getTotalSize() }}>
        {items.map((item) => {
          const row = rowAt(item.index);
          return (
            <div
              key={item.key}
              className="list-slot"
              style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
            >
              {row ? (
                <Row
                  row={row}
                  index={item.index}
                  active={item.index === active}
                  open={row.id === openId}
                  checked={selected.has(row.id)}
                  onOpen={openAt}
                  onToggle={toggle}
                />
              ) : (
                <div className="row placeholder" aria-hidden="true" />
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}

interface RowProps {
  row: FailureRow;
  index: number;
  active: boolean;
  open: boolean;
  checked: boolean;
  onOpen(index: number, id: number): void;
  onToggle(row: FailureRow): void;
}

const Row = memo(function Row({ row, index, active, open, checked, onOpen, onToggle }: RowProps) {
  const cls = `row kind-${row.kind}${active ? ' active' : ''}${open ? ' open' : ''}${checked ? ' checked' : ''}`;
  return (
    <div id={`failure-${row.id}`} className={cls} role="option" aria-selected={open} onClick={() => onOpen(index, row.id)} data-failure-id={row.id}>
      <input
        type="checkbox"
        checked={checked}
        aria-label={`Select failure to ${row.recipient ?? 'all recipients'}`}
        onClick={(e) => e.stopPropagation()}
        onChange={() => onToggle(row)}
        tabIndex={-1}
      />
      <div className="row-body">
        <div className="row-line1">
          <span className={`chip kind-${row.kind}`}>{CATEGORY_LABEL[row.category]}</span>
          <span className="recipient">{row.recipient ?? 'all recipients'}</span>
          <span className="subject">{row.subject ?? '(no subject)'}</span>
        </div>
        <div className="row-line2">
          <When row={row} />
          <span className="words">{row.diagnostic ? oneLine(row.diagnostic) : ''}</span>
        </div>
      </div>
    </div>
  );
});

function oneLine(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200).replace(/\s+/g, ' ')}…` : text.replace(/\s+/g, ' ');
}

/** The live part of a row: a countdown for waiting messages, otherwise how long ago it failed. */
function When({ row }: { row: FailureRow }) {
  if (row.nextAttemptAt !== null && row.group === 'retrying') return <Countdown at={row.nextAttemptAt} reason={row.dueReason} />;
  return <RelativeTime at={row.detectedAt} account={row.accountName} />;
}

function Countdown({ at, reason }: { at: number; reason: FailureRow['dueReason'] }) {
  const now = useNow();
  return (
    <span className="when countdown" data-testid="countdown">
      {at > now ? `Retrying in ${formatCountdown(at, now)}` : 'Sending now'}
      {reason && <span className="reason"> · {DUE_REASON_TEXT[reason]}</span>}
    </span>
  );
}

function RelativeTime({ at, account }: { at: number; account: string | null }) {
  const now = useNow();
  return (
    <span className="when">
      {formatAgo(at, now)}
      {account && <span className="reason"> · {account}</span>}
    </span>
  );
}
