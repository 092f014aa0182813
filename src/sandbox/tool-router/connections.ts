import { randomBytes } from 'node:crypto';

/**
 * Connected accounts of the tool-router face: which user may run which toolkit. A user id named in `connected`
 * (by default only `default`, COMPOSIO_USER_ID's default) starts with an ACTIVE account for every toolkit; any
 * other user id starts with none, and gets one through an auth link (`POST .../session/{id}/link`) that a person
 * opens and confirms. Kept in memory for as long as the server runs, like sessions.
 */

/** A connected account's state, spelled as Composio spells it. */
export type AccountStatus = 'INITIATED' | 'ACTIVE' | 'FAILED' | 'EXPIRED';

/** One connected account: a user's link to a toolkit. */
export interface ConnectedAccount {
  /** `ca_`-prefixed id. */
  readonly id: string;
  readonly userId: string;
  /** Lower-case toolkit slug. */
  readonly toolkit: string;
  status: AccountStatus;
  /** `ac_`-prefixed auth config id. */
  readonly authConfigId: string;
  /** The secret part of the account's auth link (none for pre-connected accounts). */
  readonly linkToken?: string;
  /** Where the consent page sends the person afterwards. */
  readonly callbackUrl?: string;
  readonly createdAt: string;
  updatedAt: string;
}

/** Options of {@link createConnectionStore}. */
export interface ConnectionStoreOptions {
  /** User ids that start connected to every toolkit (default `['default']`). */
  connected?: readonly string[];
  /** Clock (default: the system clock). */
  now?: () => Date;
}

/** Where connected accounts live. */
export interface ConnectionStore {
  /** The account a user's toolkit runs with: the ACTIVE one, else the newest, else none. */
  current(userId: string, toolkit: string): ConnectedAccount | undefined;
  /** Whether the user has an ACTIVE account for the toolkit. */
  isActive(userId: string, toolkit: string): boolean;
  /** Starts an auth link: a new INITIATED account with a fresh link token. */
  link(userId: string, toolkit: string, callbackUrl?: string): ConnectedAccount;
  /** The account an auth link belongs to. */
  byToken(token: string): ConnectedAccount | undefined;
  /** Marks an INITIATED account ACTIVE (a person confirmed its link); undefined when the token is unknown. */
  confirm(token: string): ConnectedAccount | undefined;
}

/** An in-memory store of connected accounts. */
export function createConnectionStore(options: ConnectionStoreOptions = {}): ConnectionStore {
  const now = options.now ?? (() => new Date());
  const preconnected = new Set(options.connected ?? ['default']);
  const accounts: ConnectedAccount[] = [];
  const newId = (prefix: string) => `${prefix}_${randomBytes(9).toString('base64url')}`;

  const ofUser = (userId: string, toolkit: string): ConnectedAccount[] => {
    if (preconnected.has(userId) && !accounts.some((a) => a.userId === userId && a.toolkit === toolkit)) {
      const at = now().toISOString();
      accounts.push({
        id: `ca_sandbox_${toolkit}`,
        userId,
        toolkit,
        status: 'ACTIVE',
        authConfigId: `ac_sandbox_${toolkit}`,
        createdAt: at,
        updatedAt: at,
      });
    }
    return accounts.filter((a) => a.userId === userId && a.toolkit === toolkit);
  };
  const current = (userId: string, toolkit: string) => {
    const mine = ofUser(userId, toolkit);
    return mine.find((a) => a.status === 'ACTIVE') ?? mine.at(-1);
  };

  return {
    current,
    isActive: (userId, toolkit) => current(userId, toolkit)?.status === 'ACTIVE',
    link(userId, toolkit, callbackUrl) {
      const at = now().toISOString();
      const account: ConnectedAccount = {
        id: newId('ca'),
        userId,
        toolkit,
        status: 'INITIATED',
        authConfigId: `ac_sandbox_${toolkit}`,
        linkToken: randomBytes(18).toString('base64url'),
        ...(callbackUrl ? { callbackUrl } : {}),
        createdAt: at,
        updatedAt: at,
      };
      accounts.push(account);
      return account;
    },
    byToken: (token) => accounts.find((a) => a.linkToken !== undefined && a.linkToken === token),
    confirm(token) {
      const account = accounts.find((a) => a.linkToken !== undefined && a.linkToken === token);
      if (!account) return undefined;
      if (account.status === 'INITIATED') {
        account.status = 'ACTIVE';
        account.updatedAt = now().toISOString();
      }
      return account;
    },
  };
}

/** Composio's message for a run without a connection (error code 1803). */
export function noConnectionMessage(userId: string, toolkit: string): string {
  return `No connected account found for user ${userId} and toolkit ${toolkit}.`;
}
