import type { Migration } from './index';

/**
 * The first schema. Raw MIME lives in the database (table message_bodies), not in files:
 * a message and its bytes are committed in one transaction, so the relay can answer 250 after
 * a single fsync and a crash can never leave a row without its file or a file without its row.
 * The bytes sit in their own table so that scans of `messages` never page through blobs.
 * Times are epoch milliseconds (INTEGER). JSON columns hold small arrays/objects only.
 */
export const migration0001Initial: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE accounts (
        id              INTEGER PRIMARY KEY,
        name            TEXT NOT NULL UNIQUE,
        provider        TEXT NOT NULL,
        email           TEXT NOT NULL,
        display_name    TEXT,
        auth_type       TEXT NOT NULL DEFAULT 'password' CHECK (auth_type IN ('password', 'oauth2')),
        username        TEXT,
        -- a key into the SecretStore; never the secret itself
        secret_ref      TEXT,
        smtp_host       TEXT,
        smtp_port       INTEGER,
        smtp_tls        TEXT CHECK (smtp_tls IN ('tls', 'starttls', 'none')),
        imap_host       TEXT,
        imap_port       INTEGER,
        imap_tls        TEXT CHECK (imap_tls IN ('tls', 'starttls', 'none')),
        insecure_tls    INTEGER NOT NULL DEFAULT 0,
        max_message_bytes INTEGER,
        max_recipients  INTEGER,
        -- [{window:'minute'|'hour'|'day', max, mode:'rolling'|'fixed', resetTz?, counts:'messages'|'recipients', learnedMax?, learnedAt?}]
        limits_json     TEXT NOT NULL DEFAULT '[]',
        -- folders the bounce watcher follows
        watch_folders_json TEXT NOT NULL DEFAULT '["INBOX"]',
        sent_folder     TEXT,
        status          TEXT NOT NULL DEFAULT 'unknown'
                        CHECK (status IN ('unknown', 'ok', 'auth_failed', 'account_suspended', 'config_error', 'offline')),
        status_detail   TEXT,
        status_at       INTEGER,
        paused          INTEGER NOT NULL DEFAULT 0,
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE messages (
        id              INTEGER PRIMARY KEY,
        account_id      INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        -- the RFC 5322 Message-ID header with angle brackets (may be null for malformed mail)
        message_id      TEXT,
        source          TEXT NOT NULL CHECK (source IN ('app', 'intake', 'resend')),
        mail_from       TEXT NOT NULL,
        -- envelope recipients still to be delivered, JSON array of addresses
        rcpt_json       TEXT NOT NULL,
        subject         TEXT,
        size_bytes      INTEGER NOT NULL,
        has_attachments INTEGER NOT NULL DEFAULT 0,
        state           TEXT NOT NULL DEFAULT 'queued'
                        CHECK (state IN ('queued', 'sending', 'sent', 'held', 'failed', 'discarded')),
        -- when the scheduler may next try; null unless state = 'queued'
        next_attempt_at INTEGER,
        -- why it waits: new | quota | backoff | pace | paused | resend | released
        due_reason      TEXT,
        -- the category that holds or failed it (kind fix/permanent), or that it waits on
        hold_category   TEXT,
        hold_detail     TEXT,
        attempt_count   INTEGER NOT NULL DEFAULT 0,
        -- set by "resend now (force)": skip the quota check once
        force_send      INTEGER NOT NULL DEFAULT 0,
        resend_of       INTEGER REFERENCES messages(id) ON DELETE SET NULL,
        created_at      INTEGER NOT NULL,
        first_attempt_at INTEGER,
        last_attempt_at INTEGER,
        sent_at         INTEGER,
        updated_at      INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX messages_due ON messages(state, next_attempt_at);
      -- also the scheduler's head of each account's queue: earliest due, then oldest (rowid breaks ties)
      CREATE INDEX messages_account_state ON messages(account_id, state, next_attempt_at);
      -- "resend now (force)" rows jump the account's queue; they are rare, so the index stays tiny
      CREATE INDEX messages_forced ON messages(account_id, next_attempt_at) WHERE force_send = 1 AND state = 'queued';
      CREATE INDEX messages_message_id ON messages(message_id);
      CREATE INDEX messages_created ON messages(created_at);

      CREATE TABLE message_bodies (
        message_id      INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
        raw             BLOB NOT NULL
      ) STRICT;

      CREATE TABLE message_recipients (
        message_id      INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        address         TEXT NOT NULL,
        -- lower-cased domain, for linking bounces by recipient and for filters
        domain          TEXT NOT NULL,
        state           TEXT NOT NULL DEFAULT 'pending'
                        CHECK (state IN ('pending', 'accepted', 'rejected', 'delivered', 'bounced', 'suppressed')),
        PRIMARY KEY (message_id, address)
      ) STRICT;
      CREATE INDEX message_recipients_address ON message_recipients(address);

      CREATE TABLE attempts (
        id              INTEGER PRIMARY KEY,
        message_id      INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        account_id      INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        started_at      INTEGER NOT NULL,
        finished_at     INTEGER,
        outcome         TEXT CHECK (outcome IN ('sent', 'partial', 'failed', 'interrupted')),
        stage           TEXT,
        reply_code      INTEGER,
        enhanced        TEXT,
        reply_text      TEXT,
        error_code      TEXT,
        accepted_json   TEXT NOT NULL DEFAULT '[]',
        rejected_json   TEXT NOT NULL DEFAULT '[]',
        -- how many recipients the provider accepted: what quota windows count
        accepted_count  INTEGER NOT NULL DEFAULT 0,
        size_bytes      INTEGER,
        server_size_limit INTEGER,
        category        TEXT,
        kind            TEXT,
        rule            TEXT
      ) STRICT;
      CREATE INDEX attempts_message ON attempts(message_id);
      -- an account's latest attempts (pace, account-wide waits after a restart)
      CREATE INDEX attempts_account ON attempts(account_id);
      -- covering for quota windows: sums of accepted recipients never touch the table
      CREATE INDEX attempts_account_time ON attempts(account_id, finished_at, accepted_count) WHERE outcome IN ('sent', 'partial');

      CREATE TABLE bounces (
        id              INTEGER PRIMARY KEY,
        account_id      INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        folder          TEXT NOT NULL,
        uidvalidity     INTEGER NOT NULL,
        uid             INTEGER NOT NULL,
        -- the bounce's own Message-ID: a second guard against processing the same report twice
        report_message_id TEXT,
        received_at     INTEGER,
        type            TEXT NOT NULL,
        raw             BLOB,
        parsed_json     TEXT,
        original_message_id TEXT,
        linked_message_id INTEGER REFERENCES messages(id) ON DELETE SET NULL,
        -- how it was linked: message-id | recipient-time | sent-folder | none (sent elsewhere)
        link_method     TEXT,
        -- sha256 of the raw bytes: the guard for reports that carry no Message-ID of their own
        content_hash    TEXT,
        size_bytes      INTEGER,
        created_at      INTEGER NOT NULL,
        UNIQUE (account_id, folder, uidvalidity, uid)
      ) STRICT;
      CREATE INDEX bounces_report_message_id ON bounces(account_id, report_message_id);
      CREATE INDEX bounces_content_hash ON bounces(account_id, content_hash);
      CREATE INDEX bounces_linked ON bounces(linked_message_id);

      CREATE TABLE failures (
        id              INTEGER PRIMARY KEY,
        message_id      INTEGER REFERENCES messages(id) ON DELETE CASCADE,
        account_id      INTEGER REFERENCES accounts(id) ON DELETE CASCADE,
        attempt_id      INTEGER REFERENCES attempts(id) ON DELETE SET NULL,
        bounce_id       INTEGER REFERENCES bounces(id) ON DELETE CASCADE,
        -- null when the failure is about the whole message (auth, quota, size …)
        recipient       TEXT,
        recipient_domain TEXT,
        category        TEXT NOT NULL,
        kind            TEXT NOT NULL CHECK (kind IN ('temporary', 'fix', 'permanent', 'none')),
        rule            TEXT NOT NULL,
        source          TEXT NOT NULL CHECK (source IN ('smtp', 'bounce', 'local')),
        status          TEXT,
        reply_code      INTEGER,
        -- the provider's words, unchanged
        diagnostic      TEXT,
        remote_mta      TEXT,
        detected_at     INTEGER NOT NULL,
        resolved_at     INTEGER,
        resolution      TEXT
      ) STRICT;
      -- The window's filters: each index narrows to one filter value, then to one group
      -- (resolved_at, kind), then reads newest first; group counts are index-only range counts.
      CREATE INDEX failures_open ON failures(resolved_at, kind, detected_at);
      CREATE INDEX failures_category ON failures(category, resolved_at, kind, detected_at);
      CREATE INDEX failures_account ON failures(account_id, resolved_at, kind, detected_at);
      CREATE INDEX failures_domain ON failures(recipient_domain, resolved_at, kind, detected_at);
      CREATE INDEX failures_message ON failures(message_id);
      -- the window's Resolved list, newest first, without sorting every resolved row
      CREATE INDEX failures_resolved ON failures(detected_at) WHERE resolved_at IS NOT NULL AND kind != 'none';

      -- The window's search: substrings (3+ characters, any case) of the recipient, the provider's
      -- words, the message's subject and the category id, found through trigrams instead of a
      -- LIKE over every row. Contentless: the text stays in failures and messages. New rows are
      -- indexed by the failures repository in the same transaction (an FTS5 write inside a
      -- trigger flushes its buffer on every row: 100,000 inserts took 4x as long); the triggers
      -- keep it in step with every later change.
      CREATE VIRTUAL TABLE failures_search USING fts5(
        recipient, diagnostic, subject, category, tokenize = 'trigram', content = '', contentless_delete = 1
      );
      CREATE TRIGGER failures_search_delete AFTER DELETE ON failures BEGIN
        DELETE FROM failures_search WHERE rowid = old.id;
      END;
      CREATE TRIGGER failures_search_update AFTER UPDATE OF recipient, diagnostic, category, message_id ON failures BEGIN
        DELETE FROM failures_search WHERE rowid = old.id;
        INSERT INTO failures_search (rowid, recipient, diagnostic, subject, category)
        VALUES (new.id, new.recipient, new.diagnostic, (SELECT subject FROM messages WHERE id = new.message_id), new.category);
      END;
      CREATE TRIGGER failures_search_subject AFTER UPDATE OF subject ON messages BEGIN
        DELETE FROM failures_search WHERE rowid IN (SELECT id FROM failures WHERE message_id = new.id);
        INSERT INTO failures_search (rowid, recipient, diagnostic, subject, category)
          SELECT id, recipient, diagnostic, new.subject, category FROM failures WHERE message_id = new.id;
      END;

      CREATE TABLE sync_state (
        account_id      INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        folder          TEXT NOT NULL,
        uidvalidity     INTEGER,
        highest_uid     INTEGER NOT NULL DEFAULT 0,
        highest_modseq  TEXT,
        last_sync_at    INTEGER,
        last_error      TEXT,
        PRIMARY KEY (account_id, folder)
      ) STRICT;

      -- Message-IDs seen in the Sent folder, so bounces for mail sent elsewhere still link.
      CREATE TABLE sent_index (
        account_id      INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        message_id      TEXT NOT NULL,
        recipients_json TEXT NOT NULL DEFAULT '[]',
        subject         TEXT,
        sent_at         INTEGER,
        PRIMARY KEY (account_id, message_id)
      ) STRICT;

      CREATE TABLE suppressions (
        address         TEXT PRIMARY KEY,
        category        TEXT NOT NULL,
        reason          TEXT,
        failure_id      INTEGER REFERENCES failures(id) ON DELETE SET NULL,
        created_at      INTEGER NOT NULL
      ) STRICT;

      -- Pace learned from throttling (additive increase, multiplicative decrease).
      CREATE TABLE account_pace (
        account_id      INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
        interval_ms     INTEGER NOT NULL,
        -- the interval that was last throttled: the pace does not shrink back below it
        floor_ms        INTEGER NOT NULL DEFAULT 0,
        throttled_at    INTEGER,
        updated_at      INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE settings (
        key             TEXT PRIMARY KEY,
        value_json      TEXT NOT NULL
      ) STRICT;
    `);
  },
};
