import type { Db } from './db';
import type {
  AccountStatus, AccountView, AuthType, QuotaLimit, ServerSettings, TlsMode,
} from '../../../shared/model';

export interface AccountRow {
  id: number;
  name: string;
  provider: string;
  email: string;
  display_name: string | null;
  auth_type: AuthType;
  username: string | null;
  secret_ref: string | null;
  smtp_host: string | null;
  smtp_port: number | null;
  smtp_tls: TlsMode | null;
  imap_host: string | null;
  imap_port: number | null;
  imap_tls: TlsMode | null;
  insecure_tls: number;
  max_message_bytes: number | null;
  max_recipients: number | null;
  limits_json: string;
  watch_folders_json: string;
  sent_folder: string | null;
  status: AccountStatus;
  status_detail: string | null;
  status_at: number | null;
  paused: number;
  created_at: number;
  updated_at: number;
}

/** What the engine needs to store a new account; the secret itself never comes here, only its reference. */
export interface NewAccount {
  name: string;
  provider: string;
  email: string;
  displayName?: string | null;
  authType: AuthType;
  username: string | null;
  secretRef: string | null;
  smtp: ServerSettings | null;
  imap: ServerSettings | null;
  insecureTls: boolean;
  maxMessageBytes: number | null;
  maxRecipients: number | null;
  limits: QuotaLimit[];
  watchFolders?: string[];
  now: number;
}

export type AccountPatch = Partial<Omit<NewAccount, 'now'>>;

function parseJson<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

function server(host: string | null, port: number | null, tls: TlsMode | null): ServerSettings | null {
  return host && port && tls ? { host, port, tls } : null;
}

export function accountView(row: AccountRow): AccountView {
  return {
    id: row.id,
    name: row.name,
    provider: row.provider,
    email: row.email,
    displayName: row.display_name,
    authType: row.auth_type,
    username: row.username,
    smtp: server(row.smtp_host, row.smtp_port, row.smtp_tls),
    imap: server(row.imap_host, row.imap_port, row.imap_tls),
    insecureTls: row.insecure_tls === 1,
    maxMessageBytes: row.max_message_bytes,
    maxRecipients: row.max_recipients,
    limits: parseJson<QuotaLimit[]>(row.limits_json, []),
    watchFolders: parseJson<string[]>(row.watch_folders_json, ['INBOX']),
    status: row.status,
    statusDetail: row.status_detail,
    paused: row.paused === 1,
    hasSecret: row.secret_ref !== null,
  };
}

/** The accounts table. Rows keep a reference into the SecretStore, never a secret. */
export function createAccountsRepo(db: Db) {
  const insert = db.prepare(`
    INSERT INTO accounts (name, provider, email, display_name, auth_type, username, secret_ref,
      smtp_host, smtp_port, smtp_tls, imap_host, imap_port, imap_tls, insecure_tls,
      max_message_bytes, max_recipients, limits_json, watch_folders_json, created_at, updated_at)
    VALUES (@name, @provider, @email, @displayName, @authType, @username, @secretRef,
      @smtpHost, @smtpPort, @smtpTls, @imapHost, @imapPort, @imapTls, @insecureTls,
      @maxMessageBytes, @maxRecipients, @limitsJson, @watchFoldersJson, @now, @now)`);
  const update = db.prepare(`
    UPDATE accounts SET name = @name, provider = @provider, email = @email, display_name = @displayName,
      auth_type = @authType, username = @username, secret_ref = @secretRef,
      smtp_host = @smtpHost, smtp_port = @smtpPort, smtp_tls = @smtpTls,
      imap_host = @imapHost, imap_port = @imapPort, imap_tls = @imapTls, insecure_tls = @insecureTls,
      max_message_bytes = @maxMessageBytes, max_recipients = @maxRecipients, limits_json = @limitsJson,
      watch_folders_json = @watchFoldersJson, updated_at = @now
    WHERE id = @id`);
  const byId = db.prepare<[number], AccountRow>('SELECT * FROM accounts WHERE id = ?');
  const byName = db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE name = ?');
  const byEmail = db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE lower(email) = lower(?) ORDER BY id LIMIT 1');
  const all = db.prepare<[], AccountRow>('SELECT * FROM accounts ORDER BY id');
  const remove = db.prepare<[number]>('DELETE FROM accounts WHERE id = ?');
  const setStatus = db.prepare<[AccountStatus, string | null, number, number, number]>(
    'UPDATE accounts SET status = ?, status_detail = ?, status_at = ?, updated_at = ? WHERE id = ?',
  );
  const setPaused = db.prepare<[number, number, number]>('UPDATE accounts SET paused = ?, updated_at = ? WHERE id = ?');
  const setLimits = db.prepare<[string, number, number]>('UPDATE accounts SET limits_json = ?, updated_at = ? WHERE id = ?');

  function params(a: Omit<NewAccount, 'now'>, now: number) {
    return {
      name: a.name,
      provider: a.provider,
      email: a.email,
      displayName: a.displayName ?? null,
      authType: a.authType,
      username: a.username,
      secretRef: a.secretRef,
      smtpHost: a.smtp?.host ?? null,
      smtpPort: a.smtp?.port ?? null,
      smtpTls: a.smtp?.tls ?? null,
      imapHost: a.imap?.host ?? null,
      imapPort: a.imap?.port ?? null,
      imapTls: a.imap?.tls ?? null,
      insecureTls: a.insecureTls ? 1 : 0,
      maxMessageBytes: a.maxMessageBytes,
      maxRecipients: a.maxRecipients,
      limitsJson: JSON.stringify(a.limits),
      watchFoldersJson: JSON.stringify(a.watchFolders ?? ['INBOX']),
      now,
    };
  }

  function toInput(row: AccountRow): Omit<NewAccount, 'now'> {
    const v = accountView(row);
    return {
      name: v.name,
      provider: v.provider,
      email: v.email,
      displayName: v.displayName,
      authType: v.authType,
      username: v.username,
      secretRef: row.secret_ref,
      smtp: v.smtp,
      imap: v.imap,
      insecureTls: v.insecureTls,
      maxMessageBytes: v.maxMessageBytes,
      maxRecipients: v.maxRecipients,
      limits: v.limits,
      watchFolders: v.watchFolders,
    };
  }

  return {
    insert(a: NewAccount): number {
      return Number(insert.run(params(a, a.now)).lastInsertRowid);
    },
    /** Applies the given fields; absent fields keep their value. */
    update(id: number, patch: AccountPatch, now: number): boolean {
      const row = byId.get(id);
      if (!row) return false;
      const merged = { ...toInput(row), ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) };
      return update.run({ ...params(merged as Omit<NewAccount, 'now'>, now), id }).changes > 0;
    },
    get(id: number): AccountRow | undefined {
      return byId.get(id);
    },
    getByName(name: string): AccountRow | undefined {
      return byName.get(name);
    },
    getByEmail(email: string): AccountRow | undefined {
      return byEmail.get(email);
    },
    list(): AccountRow[] {
      return all.all();
    },
    view(id: number): AccountView | undefined {
      const row = byId.get(id);
      return row ? accountView(row) : undefined;
    },
    views(): AccountView[] {
      return all.all().map(accountView);
    },
    remove(id: number): boolean {
      return remove.run(id).changes > 0;
    },
    setStatus(id: number, status: AccountStatus, detail: string | null, now: number): void {
      setStatus.run(status, detail, now, now, id);
    },
    setPaused(id: number, paused: boolean, now: number): void {
      setPaused.run(paused ? 1 : 0, now, id);
    },
    setLimits(id: number, limits: QuotaLimit[], now: number): void {
      setLimits.run(JSON.stringify(limits), now, id);
    },
  };
}
export type AccountsRepo = ReturnType<typeof createAccountsRepo>;
