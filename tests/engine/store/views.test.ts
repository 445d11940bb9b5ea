import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CATEGORIES, kindOf, type Category } from '../../../src/shared/categories';
import type { FailureGroup } from '../../../src/shared/model';
import { openDatabase, transaction, type Db } from '../../../src/main/engine/store/db';
import { createFailuresRepo } from '../../../src/main/engine/store/failures';
import { createMessagesRepo } from '../../../src/main/engine/store/messages';
import { createViews, type FailureQuery } from '../../../src/main/engine/store/views';

// The failure list's search answers from hits kept per search text (search-hits.ts) instead of
// SQL per page. These tests hold it to the meaning of the plain query: a case-insensitive
// substring of the recipient, the provider's words, the subject or the category (ASCII here,
// where LIKE agrees with the trigram index), the filters, the group, newest first, then by id.

const GROUPS: FailureGroup[] = ['needs_you', 'retrying', 'wont_retry', 'resolved'];
const GROUP_WHERE: Record<FailureGroup, string> = {
  needs_you: "resolved_at IS NULL AND kind = 'fix'",
  retrying: "resolved_at IS NULL AND kind = 'temporary'",
  wont_retry: "resolved_at IS NULL AND kind = 'permanent'",
  resolved: 'resolved_at IS NOT NULL',
};
const DOMAINS = ['example.com', 'Mail.Test', 'shop.example'];

let dir: string;
let db: Db;
let accounts: number[];
let messageIds: number[];

function addAccount(name: string): number {
  return Number(
    db.prepare("INSERT INTO accounts (name, provider, email, created_at, updated_at) VALUES (?, 'generic', ?, 1, 1)").run(name, `${name}@example.test`).lastInsertRowid,
  );
}

function seed(): void {
  accounts = [addAccount('one'), addAccount('two')];
  const messages = createMessagesRepo(db);
  const failures = createFailuresRepo(db);
  const cats = CATEGORIES.filter((c) => kindOf(c) !== 'none');
  messageIds = [];
  transaction(db, () => {
    for (let m = 0; m < 60; m++) {
      const to = [0, 1, 2].map((i) => `Person${m * 3 + i}@${DOMAINS[(m + i) % DOMAINS.length]}`);
      const accountId = accounts[m % 2];
      const subject = `Campaign ${m % 7} follow-up ${m}`;
      const id = messages.insert({
        accountId, messageId: `<m${m}@example.test>`, source: 'intake', mailFrom: 'me@example.test', recipients: to, subject,
        sizeBytes: 100, hasAttachments: false, raw: Buffer.from(`Subject: ${subject}\r\n\r\nhi\r\n`), now: 1000, nextAttemptAt: null, dueReason: null,
      });
      messageIds.push(id);
      for (const address of to) {
        const category = cats[(m * 5 + address.length) % cats.length];
        // Several failures share a time, so the order's second key (id) matters.
        failures.insert({
          messageId: id, accountId, recipient: address, category, kind: kindOf(category), rule: 'test', source: 'smtp',
          diagnostic: `550 5.1.1 <${address}>: Quota EXCEEDED for ${category}`, detectedAt: 1_000_000 + Math.floor(m / 3) * 1000,
        });
      }
      // A failure about the whole message, without an account on some.
      failures.insert({
        messageId: id, accountId: m % 5 === 0 ? null : accountId, recipient: null, category: 'auth_failed', kind: 'fix', rule: 'test', source: 'smtp',
        diagnostic: '535 5.7.8 Username and Password not accepted', detectedAt: 1_000_000 + m * 500,
      });
    }
    db.prepare("UPDATE failures SET resolved_at = detected_at + 1, resolution = 'delivered' WHERE id % 4 = 0").run();
  });
}

/** The list as one plain SQL query answers it. */
function expected(q: FailureQuery): { ids: number[]; total: number; groups: Record<FailureGroup, number> } {
  const where = ["f.kind != 'none'"];
  const p: Record<string, unknown> = {};
  if (q.accountId !== undefined) {
    where.push('f.account_id = @accountId');
    p.accountId = q.accountId;
  }
  if (q.category !== undefined) {
    where.push('f.category = @category');
    p.category = q.category;
  }
  if (q.domain) {
    where.push('f.recipient_domain = @domain');
    p.domain = q.domain.toLowerCase();
  }
  if (q.search) {
    const like = (col: string) => `${col} LIKE @pattern ESCAPE '\\'`;
    where.push(`(${['f.recipient', 'f.diagnostic', 'm.subject', 'f.category'].map(like).join(' OR ')})`);
    p.pattern = `%${q.search.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  }
  const from = 'FROM failures f LEFT JOIN messages m ON m.id = f.message_id';
  const groups = Object.fromEntries(
    GROUPS.map((g) => [g, (db.prepare(`SELECT count(*) AS n ${from} WHERE ${[...where, GROUP_WHERE[g].replace(/(resolved_at|kind)/g, 'f.$1')].join(' AND ')}`).get(p) as { n: number }).n]),
  ) as Record<FailureGroup, number>;
  const all = q.group ? [...where, GROUP_WHERE[q.group].replace(/(resolved_at|kind)/g, 'f.$1')] : where;
  const ids = (db.prepare(`SELECT f.id ${from} WHERE ${all.join(' AND ')} ORDER BY f.detected_at DESC, f.id DESC LIMIT @limit OFFSET @offset`)
    .all({ ...p, limit: q.limit, offset: q.offset }) as { id: number }[]).map((r) => r.id);
  const total = q.group ? groups[q.group] : GROUPS.reduce((s, g) => s + groups[g], 0);
  return { ids, total, groups };
}

beforeEach(() => {
  dir = mkdtempSync(join(process.env.OUTBOX_TEST_TMP ?? tmpdir(), 'views-'));
  db = openDatabase(join(dir, 'outbox.db'));
  seed();
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('failure list search', () => {
  it('answers every search, filter, group and page as the plain query does', () => {
    const views = createViews(db);
    const searches = ['campaign 3', 'CAMPAIGN', 'person17@', 'quota exceeded', 'mail.test', 'auth_failed', 'not accepted', 'no such text', 'up 4'];
    const filters: Partial<FailureQuery>[] = [
      {}, { accountId: accounts[0] }, { accountId: accounts[1], category: 'auth_failed' }, { domain: 'mail.test' }, { domain: 'MAIL.TEST' },
      { category: 'recipient_unknown' as Category },
    ];
    let compared = 0;
    for (const search of searches) {
      for (const f of filters) {
        for (const group of [undefined, ...GROUPS]) {
          for (const [offset, limit] of [[0, 7], [7, 7], [0, 1000], [500, 10]]) {
            const q: FailureQuery = { ...f, group, search, offset, limit };
            const got = views.failureList(q);
            const want = expected(q);
            expect({ ids: got.rows.map((r) => r.id), total: got.total, groups: got.groups }, JSON.stringify(q)).toEqual(want);
            compared += want.ids.length;
          }
        }
      }
    }
    // The cases above are not all empty.
    expect(compared).toBeGreaterThan(1000);
  });

  it('returns whole rows for a search, like the list without one', () => {
    const views = createViews(db);
    const plain = views.failureList({ group: 'needs_you', offset: 0, limit: 500 }).rows;
    const searched = views.failureList({ group: 'needs_you', search: 'campaign', offset: 0, limit: 500 }).rows;
    expect(searched.length).toBeGreaterThan(10);
    const byId = new Map(plain.map((r) => [r.id, r]));
    for (const r of searched) expect(r).toEqual(byId.get(r.id));
  });

  it('sees a write made after the search was answered', () => {
    const views = createViews(db);
    const q: FailureQuery = { group: 'needs_you', search: 'zebra crossing', offset: 0, limit: 10 };
    expect(views.failureList(q).total).toBe(0);

    const id = createFailuresRepo(db).insert({
      messageId: messageIds[0], accountId: accounts[0], recipient: 'zebra@example.com', category: 'unknown', kind: 'fix', rule: 'test',
      source: 'bounce', diagnostic: 'Zebra Crossing closed', detectedAt: 5_000_000,
    });
    const after = views.failureList(q);
    expect(after.rows.map((r) => r.id)).toEqual([id]);
    expect(after.groups).toEqual({ needs_you: 1, retrying: 0, wont_retry: 0, resolved: 0 });

    createFailuresRepo(db).resolve(id, 'discarded', 5_000_001);
    const resolved = views.failureList(q);
    expect(resolved.total).toBe(0);
    expect(resolved.groups.resolved).toBe(1);
  });

  it('sees a commit from another connection', () => {
    const views = createViews(db);
    const q: FailureQuery = { search: 'campaign 2', offset: 0, limit: 1000 };
    const before = views.failureList(q).total;
    const other = openDatabase(join(dir, 'outbox.db'));
    try {
      other.prepare('UPDATE failures SET resolved_at = 1 WHERE resolved_at IS NULL').run();
    } finally {
      other.close();
    }
    const after = views.failureList(q);
    expect(after.total).toBe(before);
    expect(after.groups).toEqual({ needs_you: 0, retrying: 0, wont_retry: 0, resolved: before });
  });
});
