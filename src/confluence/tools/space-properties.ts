/**
 * Space property tools (v2 `/spaces/{id}/properties`). Space keys are resolved to ids; key-addressed updates and
 * deletes find the property id first; updates send the current version plus one.
 */
import { apiPath } from '../client.ts';
import { collectOffset, normalizeOffset, offsetResult } from '../paging.ts';
import { propertyByKey, spaceIdOf } from '../resolve.ts';
import { userRef, type V2Property } from '../shapes.ts';
import { createProperty, deleteProperty, putProperty } from './content-properties.ts';
import type { ToolFn } from './types.ts';

const V2 = '/wiki/api/v2';

/** A space property in the schemas' shape (`_links`, `createdBy` as a user object, explicit version). */
function spaceProperty(collection: string, p: V2Property) {
  return {
    ...p,
    _links: { self: `${V2}${collection}/${p.id}` },
    createdAt: p.createdAt ?? p.version?.createdAt ?? '',
    createdBy: userRef(p.createdBy ?? p.version?.authorId),
    version: { ...p.version, number: p.version?.number ?? 1, message: p.version?.message || null },
  };
}

/** CONFLUENCE_CREATE_SPACE_PROPERTY: POST v2 /spaces/{id}/properties (new properties start at version 1, so `version` is not sent). */
export const createSpaceProperty: ToolFn = async (client, args: { key: string; spaceId: string; value: unknown }, signal) => {
  const spaceId = await spaceIdOf(client, args.spaceId, signal);
  const collection = apiPath`/spaces/${spaceId}/properties`;
  return spaceProperty(collection, await createProperty(client, collection, args.key, args.value, signal));
};

/** CONFLUENCE_GET_SPACE_PROPERTIES: GET v2 /spaces/{id}/properties, offsets emulated; several `key`s are filtered client-side. */
export const getSpaceProperties: ToolFn = async (client, args: { id: string; key?: string[] | null; limit?: number; start?: number }, signal) => {
  const spaceId = await spaceIdOf(client, args.id, signal);
  const collection = apiPath`/spaces/${spaceId}/properties`;
  const { start, limit } = normalizeOffset(args.start, args.limit);
  const keys = args.key ?? [];
  const page = await collectOffset<V2Property>(client, collection, start, limit, {
    query: { key: keys.length === 1 ? keys[0] : undefined },
    filter: keys.length > 1 ? (p) => keys.includes(p.key) : undefined,
    signal,
  });
  return offsetResult(V2 + collection, page, (p) => spaceProperty(collection, p));
};

/** CONFLUENCE_UPDATE_SPACE_PROPERTY: resolves the space key and property key, then PUT with version + 1. */
export const updateSpaceProperty: ToolFn = async (client, args: { propertyKey: string; spaceKey: string; value: unknown }, signal) => {
  const spaceId = await spaceIdOf(client, args.spaceKey, signal);
  const collection = apiPath`/spaces/${spaceId}/properties`;
  const current = await propertyByKey(client, collection, args.propertyKey, `space ${args.spaceKey}`, signal);
  return { ...spaceProperty(collection, await putProperty(client, collection, current, args.value, signal)), _expandable: {} };
};

/** CONFLUENCE_DELETE_SPACE_PROPERTY: resolves the space (id or key) and property key, then DELETE by property id. */
export const deleteSpaceProperty: ToolFn = async (client, args: { propertyKey: string; spaceIdOrKey: string }, signal) => {
  const spaceId = await spaceIdOf(client, args.spaceIdOrKey, signal);
  const collection = apiPath`/spaces/${spaceId}/properties`;
  const current = await propertyByKey(client, collection, args.propertyKey, `space ${args.spaceIdOrKey}`, signal);
  return deleteProperty(client, collection, current.id, signal);
};
