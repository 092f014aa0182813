/**
 * User tools (v1): the current user, the anonymous user, and CQL user search.
 */
import type { ToolFn } from './types.ts';

/** CONFLUENCE_GET_CURRENT_USER: GET v1 /user/current, with optional fields made explicit (null when absent). */
export const getCurrentUser: ToolFn = async (client, _args: Record<string, never>, signal) => {
  const u = await client.get<Record<string, unknown>>('v1', '/user/current', { expand: ['personalSpace'] }, signal);
  const ps = u.personalSpace as Record<string, unknown> | undefined | null;
  return {
    ...u,
    accountId: String(u.accountId ?? ''),
    accountType: String(u.accountType ?? 'atlassian'),
    displayName: String(u.displayName ?? u.publicName ?? ''),
    publicName: String(u.publicName ?? u.displayName ?? ''),
    email: String(u.email ?? ''),
    isExternalCollaborator: (u.isExternalCollaborator as boolean | undefined) ?? null,
    locale: (u.locale as string | undefined) ?? null,
    timeZone: (u.timeZone as string | undefined) ?? null,
    profilePicture: (u.profilePicture as object | undefined) ?? null,
    personalSpace: ps?.key ? { ...ps, id: String(ps.id ?? ''), key: String(ps.key), name: String(ps.name ?? '') } : null,
    _links: (u._links as object | undefined) ?? {},
  };
};

/** CONFLUENCE_GET_USER_ANONYMOUS: GET v1 /user/anonymous. */
export const getUserAnonymous: ToolFn = async (client, _args: Record<string, never>, signal) => {
  const u = await client.get<Record<string, unknown>>('v1', '/user/anonymous', undefined, signal);
  const pic = (u.profilePicture ?? {}) as Record<string, unknown>;
  return {
    ...u,
    type: String(u.type ?? 'anonymous'),
    displayName: String(u.displayName ?? 'Anonymous'),
    profilePicture: {
      ...pic,
      path: String(pic.path ?? ''),
      width: Number(pic.width ?? 48),
      height: Number(pic.height ?? 48),
      isDefault: Boolean(pic.isDefault ?? true),
    },
    _expandable: (u._expandable as object | undefined) ?? null,
    _links: (u._links as object | undefined) ?? {},
  };
};

/** Quotes a value for CQL. */
export function cqlString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * CONFLUENCE_SEARCH_USERS: GET v1 /search/user?cql=... (`user.accountid = "..."` or `type = user`). v1 pages by
 * offset, so `cursor` is the offset to start at; the answer's `response_data.nextCursor` is the one to pass next.
 */
export const searchUsers: ToolFn = async (client, args: { accountId?: string | null; cursor?: string | null; limit?: number }, signal) => {
  const cql = args.accountId ? `user.accountid = ${cqlString(args.accountId)}` : 'type = user';
  const start = args.cursor && /^\d+$/.test(args.cursor) ? Number(args.cursor) : 0;
  const limit = Math.max(1, Math.floor(args.limit ?? 25));
  const r = await client.get<Record<string, unknown>>('v1', '/search/user', { cql, start, limit }, signal);
  const size = Array.isArray(r?.results) ? r.results.length : 0;
  const more = Boolean((r?._links as Record<string, unknown> | undefined)?.next) || (typeof r?.totalSize === 'number' && start + size < r.totalSize);
  return { response_data: { ...r, nextCursor: more ? String(start + size) : null } };
};
