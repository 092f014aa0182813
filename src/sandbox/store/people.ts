/** Users: account ids like `712020:<uuid>`, derived deterministically from the e-mail address. */
import { createHash } from 'node:crypto';
import type { SandboxStore } from './store.ts';
import type { UserRow } from './rows.ts';

/** The deterministic account id for an e-mail address (`712020:` + a UUID-shaped hash). */
export function accountIdFor(email: string): string {
  const h = createHash('sha256').update(email.toLowerCase()).digest('hex');
  return `712020:${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A user to create or refresh. */
export interface NewUser {
  /** E-mail address. */
  email: string;
  /** Display name; default the part before '@'. */
  displayName?: string;
  /** Account id; default {@link accountIdFor}(email). */
  accountId?: string;
  /** IANA time zone (default UTC). */
  timeZone?: string;
  /** Creation time; default the store clock. */
  createdAt?: string;
}

/** Inserts the user, or refreshes name and zone if the account exists; answers the row. */
export function upsertUser(store: SandboxStore, user: NewUser): UserRow {
  const accountId = user.accountId ?? accountIdFor(user.email);
  const name = user.displayName ?? user.email.split('@')[0] ?? user.email;
  store.run(
    `INSERT INTO users (account_id, email, display_name, public_name, time_zone, created_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT(account_id) DO UPDATE SET display_name = excluded.display_name, public_name = excluded.public_name, time_zone = excluded.time_zone`,
    accountId,
    user.email,
    name,
    name,
    user.timeZone ?? 'UTC',
    user.createdAt ?? store.now(),
  );
  return getUser(store, accountId)!;
}

/** One user by account id. */
export function getUser(store: SandboxStore, accountId: string): UserRow | undefined {
  return store.get<UserRow>('SELECT * FROM users WHERE account_id = ?', accountId);
}

/** Every user, by display name. */
export function listUsers(store: SandboxStore): UserRow[] {
  return store.all<UserRow>('SELECT * FROM users ORDER BY display_name, account_id');
}
