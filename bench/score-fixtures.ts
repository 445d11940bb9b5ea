/**
 * Accuracy of the classifier and the bounce parser on the public fixtures.
 *   npx tsx bench/score-fixtures.ts [--quiet] [--json]
 * Replies: exact / accepted / wrong. Bounces: recipients matched, category exact / accepted /
 * wrong, bounce flag, original Message-ID found. Every miss is listed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classifyReply } from '../src/main/engine/classify/index';
import { parseReport } from '../src/main/engine/bounces/parse/index';

const root = join(__dirname, '..', 'tests', 'fixtures');
const quiet = process.argv.includes('--quiet');
const asJson = process.argv.includes('--json');

interface ReplyFixture {
  id: string;
  provider: string | null;
  stage: string | null;
  code: number | null;
  enhanced: string | null;
  text: string | null;
  errorCode: string | null;
  category: string;
  accept?: string[];
}

interface BounceLabel {
  file: string;
  bounce: boolean;
  originalMessageId: string | null;
  expected: { recipient: string; category: string; accept?: string[] }[] | null;
}

export interface Score {
  replies: { total: number; exact: number; accepted: number; wrong: number; misses: string[] };
  bounces: {
    emails: number;
    bounceFlagRight: number;
    recipientsExpected: number;
    recipientsMatched: number;
    exact: number;
    accepted: number;
    wrong: number;
    messageIdsExpected: number;
    messageIdsFound: number;
    misses: string[];
  };
}

const stripId = (s: string | null | undefined) => (s ?? '').trim().replace(/^<|>$/g, '').toLowerCase();

export function score(): Score {
  const s: Score = {
    replies: { total: 0, exact: 0, accepted: 0, wrong: 0, misses: [] },
    bounces: { emails: 0, bounceFlagRight: 0, recipientsExpected: 0, recipientsMatched: 0, exact: 0, accepted: 0, wrong: 0, messageIdsExpected: 0, messageIdsFound: 0, misses: [] },
  };
  for (const line of readFileSync(join(root, 'provider-replies.public.jsonl'), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const f = JSON.parse(line) as ReplyFixture;
    const c = classifyReply(f as never);
    s.replies.total++;
    if (c.category === f.category) s.replies.exact++;
    else if ((f.accept ?? []).includes(c.category)) s.replies.accepted++;
    else {
      s.replies.wrong++;
      s.replies.misses.push(`${f.id}: want ${f.category}${f.accept ? ` (or ${f.accept.join('/')})` : ''}, got ${c.category} by ${c.rule} — ${String(f.text).slice(0, 100)}`);
    }
  }
  const dir = join(root, 'bounces');
  for (const line of readFileSync(join(dir, 'labels.jsonl'), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const l = JSON.parse(line) as BounceLabel;
    const r = parseReport(readFileSync(join(dir, l.file)));
    s.bounces.emails++;
    if (r.bounce === l.bounce) s.bounces.bounceFlagRight++;
    else s.bounces.misses.push(`${l.file}: bounce flag want ${l.bounce}, got ${r.bounce} (type ${r.type})`);
    if (l.originalMessageId) {
      s.bounces.messageIdsExpected++;
      if (stripId(r.originalMessageId) === stripId(l.originalMessageId)) s.bounces.messageIdsFound++;
      else s.bounces.misses.push(`${l.file}: message-id want <${l.originalMessageId}>, got ${r.originalMessageId}`);
    }
    for (const e of l.expected ?? []) {
      s.bounces.recipientsExpected++;
      const got = r.recipients.find((x) => x.address.toLowerCase() === e.recipient.toLowerCase());
      if (!got) {
        s.bounces.wrong++;
        s.bounces.misses.push(`${l.file}: recipient ${e.recipient} not found (got ${r.recipients.map((x) => x.address).join(', ') || 'none'}; type ${r.type})`);
        continue;
      }
      s.bounces.recipientsMatched++;
      if (got.category === e.category) s.bounces.exact++;
      else if ((e.accept ?? []).includes(got.category)) s.bounces.accepted++;
      else {
        s.bounces.wrong++;
        s.bounces.misses.push(`${l.file}: ${e.recipient} want ${e.category}${e.accept ? ` (or ${e.accept.join('/')})` : ''}, got ${got.category} by ${got.rule} — ${String(got.diagnostic ?? '').slice(0, 110)}`);
      }
    }
  }
  return s;
}

const pct = (a: number, b: number) => (b ? ((100 * a) / b).toFixed(1) : '100.0') + '%';

if (require.main === module) {
  const s = score();
  if (asJson) {
    console.log(JSON.stringify(s, null, 2));
  } else {
    const r = s.replies;
    const b = s.bounces;
    console.log(`replies: ${r.total} — exact ${r.exact} (${pct(r.exact, r.total)}), accepted ${r.accepted}, right or accepted ${pct(r.exact + r.accepted, r.total)}, wrong ${r.wrong}`);
    console.log(
      `bounces: ${b.emails} emails, bounce flag right ${b.bounceFlagRight} (${pct(b.bounceFlagRight, b.emails)}); recipients ${b.recipientsExpected}: matched ${b.recipientsMatched} (${pct(b.recipientsMatched, b.recipientsExpected)}), category exact ${b.exact} (${pct(b.exact, b.recipientsExpected)}), accepted ${b.accepted}, right or accepted ${pct(b.exact + b.accepted, b.recipientsExpected)}, wrong ${b.wrong}; message-id found ${b.messageIdsFound}/${b.messageIdsExpected} (${pct(b.messageIdsFound, b.messageIdsExpected)})`,
    );
    if (!quiet) {
      if (r.misses.length) console.log('\nreply misses:\n  ' + r.misses.join('\n  '));
      if (b.misses.length) console.log('\nbounce misses:\n  ' + b.misses.join('\n  '));
    }
  }
}
