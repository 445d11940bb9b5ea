import { useState } from 'react';
import { CATEGORIES, CATEGORY_LABEL, kindOf, type Category } from '../../../../shared/categories';
import type { AccountView } from '../../../../shared/model';
import { useCommand } from '../../hooks/useCommand';
import { formatDay, formatTime } from '../../format';

const W = 720;
const H = 220;
const PAD = { left: 44, right: 12, top: 14, bottom: 28 };

export function ChartsView({ accounts }: { accounts: AccountView[] }) {
  const [accountId, setAccountId] = useState<number | undefined>(accounts.length === 1 ? accounts[0].id : undefined);
  return (
    <div className="charts">
      <section className="card">
        <div className="section-head">
          <h2>Sends in the last 24 hours</h2>
          <select aria-label="Account" value={accountId ?? ''} onChange={(e) => setAccountId(e.target.value ? Number(e.target.value) : undefined)}>
            <option value="">All accounts</option>
            {accounts.map((a) => <option key={a.id} value={a.id}>{a.name}</option>)}
          </select>
        </div>
        <SendsChart accountId={accountId} />
      </section>
      <section className="card">
        <h2>Failures per category, last 30 days</h2>
        <FailuresChart />
      </section>
    </div>
  );
}

function niceMax(n: number): number {
  if (n <= 5) return 5;
  const p = 10 ** Math.floor(Math.log10(n));
  return Math.ceil(n / p) * p;
}

function SendsChart({ accountId }: { accountId: number | undefined }) {
  const data = useCommand('charts/sends', [{ accountId }], ['queue/changed']);
  if (!data.data) return <p className="muted">Loading…</p>;
  const { buckets, caps } = data.data;
  const hourCap = caps.find((c) => c.window === 'hour')?.cap ?? null;
  const dayCap = caps.find((c) => c.window === 'day')?.cap ?? null;
  const total = buckets.reduce((s, b) => s + b.sent, 0);
  const max = niceMax(Math.max(1, ...buckets.map((b) => b.sent), hourCap ?? 0));
  const iw = W - PAD.left - PAD.right;
  const ih = H - PAD.top - PAD.bottom;
  const bw = iw / buckets.length;
  const y = (v: number) => PAD.top + ih - (v / max) * ih;
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Messages sent per hour over the last 24 hours: ${total} in total`}>
        <Axis max={max} y={y} />
        {buckets.map((b, i) => (
          <rect key={b.start} className="bar bar-sent" x={PAD.left + i * bw + 2} y={y(b.sent)} width={Math.max(1, bw - 4)} height={Math.max(0, PAD.top + ih - y(b.sent))}>
            <title>{`${formatTime(b.start)}: ${b.sent} sent`}</title>
          </rect>
        ))}
        {hourCap !== null && hourCap <= max && (
          <g className="cap">
            <line x1={PAD.left} x2={W - PAD.right} y1={y(hourCap)} y2={y(hourCap)} />
            <text x={W - PAD.right} y={y(hourCap) - 4} textAnchor="end">hourly cap {hourCap}</text>
          </g>
        )}
        {buckets.map((b, i) => (i % 4 === 0 ? <text key={`l${b.start}`} className="axis-label" x={PAD.left + i * bw + bw / 2} y={H - 8} textAnchor="middle">{formatTime(b.start)}</text> : null))}
      </svg>
      <figcaption>
        {total.toLocaleString()} sent in 24 hours{dayCap !== null ? ` of a daily cap of ${dayCap.toLocaleString()}` : ''}.
        {dayCap !== null && <meter className="meter" min={0} max={dayCap} value={total} aria-label="Used of the daily cap" />}
      </figcaption>
    </figure>
  );
}

function Axis({ max, y }: { max: number; y(v: number): number }) {
  const ticks = [0, max / 2, max];
  return (
    <g className="axis">
      {ticks.map((t) => (
        <g key={t}>
          <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} className="grid" />
          <text x={PAD.left - 6} y={y(t) + 4} textAnchor="end" className="axis-label">{Math.round(t)}</text>
        </g>
      ))}
    </g>
  );
}

// A fixed colour per category (by index), from the stylesheet's palette classes.
const FAILURE_CATEGORIES = CATEGORIES.filter((c) => kindOf(c) !== 'none');
const colourClass = (c: Category) => `series-${FAILURE_CATEGORIES.indexOf(c) % 12}`;

function FailuresChart() {
  const data = useCommand('charts/failures', [{ days: 30 }], ['failures/changed']);
  if (!data.data) return <p className="muted">Loading…</p>;
  const days = data.data.days;
  const used = FAILURE_CATEGORIES.filter((c) => days.some((d) => (d.counts[c] ?? 0) > 0));
  if (used.length === 0) return <p className="empty">No failures in the last 30 days.</p>;
  const totals = days.map((d) => used.reduce((s, c) => s + (d.counts[c] ?? 0), 0));
  const max = niceMax(Math.max(1, ...totals));
  const iw = W - PAD.left - PAD.right;
  const ih = H - PAD.top - PAD.bottom;
  const bw = iw / days.length;
  const y = (v: number) => PAD.top + ih - (v / max) * ih;
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label="Failures per category per day over the last 30 days">
        <Axis max={max} y={y} />
        {days.map((d, i) => {
          let acc = 0;
          return (
            <g key={d.start}>
              {used.map((c) => {
                const n = d.counts[c] ?? 0;
                if (n === 0) return null;
                const top = y(acc + n);
                const h = y(acc) - top;
                acc += n;
                return (
                  <rect key={c} className={`bar ${colourClass(c)}`} x={PAD.left + i * bw + 1} y={top} width={Math.max(1, bw - 2)} height={h}>
                    <title>{`${formatDay(d.start)} · ${CATEGORY_LABEL[c]}: ${n}`}</title>
                  </rect>
                );
              })}
              {i % 5 === 0 && <text className="axis-label" x={PAD.left + i * bw + bw / 2} y={H - 8} textAnchor="middle">{formatDay(d.start)}</text>}
            </g>
          );
        })}
      </svg>
      <figcaption>
        <ul className="legend">
          {used.map((c) => (
            <li key={c}>
              <svg width="12" height="12" aria-hidden="true"><rect className={colourClass(c)} width="12" height="12" rx="2" /></svg> {CATEGORY_LABEL[c]}{' '}
              <span className="muted">{days.reduce((s, d) => s + (d.counts[c] ?? 0), 0)}</span>
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
