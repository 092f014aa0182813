/**
 * Look-ups tools need before their main request: a space key to its id, a label name to its id, a property key
 * to the property, account ids to display names. Failures read as "not found: ..." so a model can correct itself.
 */
import { apiPath, type ConfluenceClient } from './client.ts';
import { ConfluenceToolError } from './errors.ts';
import { MAX_V2_LIMIT, cursorOf, type V2List } from './paging.ts';
import type { V2Property } from './shapes.ts';

/** A v2 space (the fields used here). */
export interface V2Space {
  id: string;
  key: string;
  name?: string;
  [key: string]: unknown;
}

const DIGITS = /^\d+$/;

/** The space with this key (GET v2 /spaces?keys=KEY), or a "not found" tool error. */
export async function spaceByKey(client: ConfluenceClient, key: string, signal?: AbortSignal): Promise<V2Space> {
  const list = await client.get<V2List<V2Space>>('v2', '/spaces', { keys: [key], limit: 1 }, signal);
  const space = list?.results?.[0];
  if (!space) throw new ConfluenceToolError(`not found: space with key '${key}' does not exist or you lack permission`);
  return space;
}

/** A numeric space id as is; anything else is taken as a space key and resolved to its id. */
export async function spaceIdOf(client: ConfluenceClient, idOrKey: string, signal?: AbortSignal): Promise<string> {
  if (DIGITS.test(idOrKey)) return idOrKey;
  return (await spaceByKey(client, idOrKey, signal)).id;
}

/** A space's key from its id or key (keys are returned unchanged). */
export async function spaceKeyOf(client: ConfluenceClient, idOrKey: string, signal?: AbortSignal): Promise<string> {
  if (!DIGITS.test(idOrKey)) return idOrKey;
  const space = await client.get<V2Space>('v2', apiPath`/spaces/${idOrKey}`, undefined, signal);
  return space.key;
}

/** Spaces by id (one GET v2 /spaces?ids=...); ids that fail to resolve are simply absent. */
export async function spacesById(client: ConfluenceClient, ids: readonly string[], signal?: AbortSignal): Promise<Map<string, V2Space>> {
  const unique = [...new Set(ids)].filter((id) => DIGITS.test(id));
  const out = new Map<string, V2Space>();
  if (unique.length === 0) return out;
  const list = await client.get<V2List<V2Space>>('v2', '/spaces', { ids: unique, limit: MAX_V2_LIMIT }, signal);
  for (const s of list?.results ?? []) out.set(String(s.id), s);
  return out;
}

/** A numeric label id as is; a name is found by walking GET v2 /labels. */
export async function labelIdOf(client: ConfluenceClient, idOrName: string, signal?: AbortSignal): Promise<string> {
  if (DIGITS.test(idOrName)) return idOrName;
  const wanted = idOrName.replace(/^(global|team|my):/, '').toLowerCase();
  let cursor: string | null = null;
  for (let hop = 0; hop < 40; hop++) {
    const page: V2List<{ id: string; name: string }> = await client.get('v2', '/labels', { limit: MAX_V2_LIMIT, cursor }, signal);
    const hit = page?.results?.find((l) => l.name.toLowerCase() === wanted);
    if (hit) return String(hit.id);
    cursor = cursorOf(page?._links?.next);
    if (!cursor) break;
  }
  throw new ConfluenceToolError(`not found: no label named '${idOrName}' exists on the site`);
}

/** The property with `key` under a properties collection (e.g. `/pages/1/properties`), or a "not found" tool error. */
export async function propertyByKey(client: ConfluenceClient, collection: string, key: string, owner: string, signal?: AbortSignal): Promise<V2Property> {
  const list = await client.get<V2List<V2Property>>('v2', collection, { key }, signal);
  const prop = list?.results?.find((p) => p.key === key);
  if (!prop) throw new ConfluenceToolError(`not found: ${owner} has no property with key '${key}'`);
  return prop;
}

/** How many single-user look-ups the v1 fallback makes at most per call. */
const MAX_SINGLE_LOOKUPS = 10;

/**
 * Display names for account ids: POST v2 /users-bulk, or when that endpoint is unavailable, GET v1 /user?accountId=
 * for up to ten ids. Best effort: ids that cannot be looked up are absent and callers fall back to the account id,
 * because a missing name must not fail a read.
 */
export async function displayNames(client: ConfluenceClient, accountIds: readonly (string | undefined)[], signal?: AbortSignal): Promise<Map<string, string>> {
  const ids = [...new Set(accountIds.filter((x): x is string => typeof x === 'string' && x !== ''))];
  const out = new Map<string, string>();
  if (ids.length === 0) return out;
  type User = { accountId: string; displayName?: string; publicName?: string };
  const remember = (u: User | undefined) => {
    const name = u?.displayName ?? u?.publicName;
    if (u?.accountId && name) out.set(u.accountId, name);
  };
  try {
    const list = await client.request<V2List<User>>({ api: 'v2', method: 'POST', path: '/users-bulk', body: { accountIds: ids }, signal });
    for (const u of list?.results ?? []) remember(u);
    return out;
  } catch {
    signal?.throwIfAborted();
  }
  await Promise.all(
    ids.slice(0, MAX_SINGLE_LOOKUPS).map(async (accountId) => {
      try {
        remember(await client.get<User>('v1', '/user', { accountId }, signal));
      } catch {
        signal?.throwIfAborted();
      }
    }),
  );
  return out;
}
