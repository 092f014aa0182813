/** Content properties and space properties: JSON values with their own version numbers. */
import type { SandboxStore } from './store.ts';
import type { ContentPropertyRow, SpacePropertyRow } from './rows.ts';
import { StoreError, must } from './errors.ts';
import { recordAudit } from './audit.ts';

/** Which table a property belongs to. */
export type PropertyOwner = { kind: 'content'; id: number } | { kind: 'space'; id: number };

type AnyProperty = ContentPropertyRow | SpacePropertyRow;

function table(owner: PropertyOwner): { name: string; col: string } {
  return owner.kind === 'content' ? { name: 'content_properties', col: 'content_id' } : { name: 'space_properties', col: 'space_id' };
}

function checkKey(key: unknown): string {
  if (typeof key !== 'string' || !key.trim() || key.length > 255)
    throw new StoreError('invalid', 'Property key must be a non-empty string of at most 255 characters');
  return key;
}

/** An owner's properties, optionally one key, by id. */
export function listProperties(store: SandboxStore, owner: PropertyOwner, key?: string): AnyProperty[] {
  const t = table(owner);
  return store.all<AnyProperty>(
    `SELECT * FROM ${t.name} WHERE ${t.col} = ? ${key !== undefined ? 'AND key = ?' : ''} ORDER BY id`,
    ...(key !== undefined ? [owner.id, key] : [owner.id]),
  );
}

/** One property of an owner by id. */
export function getProperty(store: SandboxStore, owner: PropertyOwner, id: number): AnyProperty | undefined {
  const t = table(owner);
  return store.get<AnyProperty>(`SELECT * FROM ${t.name} WHERE ${t.col} = ? AND id = ?`, owner.id, id);
}

/** Creates a property at version 1; a duplicate key is refused. */
export function createProperty(store: SandboxStore, owner: PropertyOwner, key: unknown, value: unknown, authorId: string): AnyProperty {
  const k = checkKey(key);
  const t = table(owner);
  if (listProperties(store, owner, k).length) throw new StoreError('duplicate', `A property with key '${k}' already exists`);
  const id = store.nextId();
  const at = store.now();
  if (owner.kind === 'content') {
    store.run(
      'INSERT INTO content_properties (id, content_id, key, value, version, author_id, created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?, ?)',
      id,
      owner.id,
      k,
      JSON.stringify(value ?? null),
      authorId,
      at,
      at,
    );
  } else {
    store.run(
      'INSERT INTO space_properties (id, space_id, key, value, version, created_by, created_at, updated_by, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?)',
      id,
      owner.id,
      k,
      JSON.stringify(value ?? null),
      authorId,
      at,
      authorId,
      at,
    );
  }
  recordAudit(store, { authorId, at, summary: 'Property created', category: 'Properties', objectName: k, objectType: t.name });
  return must(getProperty(store, owner, id), 'Property');
}

/** Updates a property; `versionNumber` must be current + 1. */
export function updateProperty(
  store: SandboxStore,
  owner: PropertyOwner,
  id: number,
  change: { key?: unknown; value: unknown; versionNumber: number; message?: string },
  authorId: string,
): AnyProperty {
  const current = must(getProperty(store, owner, id), `Property ${id}`);
  if (change.versionNumber !== current.version + 1) {
    throw new StoreError('conflict', `Version must be incremented on update. Current version is: ${current.version}`);
  }
  if (change.key !== undefined && change.key !== current.key) throw new StoreError('invalid', 'The key of a property cannot be changed');
  const t = table(owner);
  const at = store.now();
  const by = owner.kind === 'content' ? 'author_id' : 'updated_by';
  store.run(
    `UPDATE ${t.name} SET value = ?, version = ?, ${by} = ?, updated_at = ?, message = ? WHERE id = ?`,
    JSON.stringify(change.value ?? null),
    change.versionNumber,
    authorId,
    at,
    change.message ?? '',
    id,
  );
  recordAudit(store, { authorId, at, summary: 'Property updated', category: 'Properties', objectName: current.key, objectType: t.name });
  return must(getProperty(store, owner, id), 'Property');
}

/** Deletes a property. */
export function deleteProperty(store: SandboxStore, owner: PropertyOwner, id: number, authorId: string): void {
  const current = must(getProperty(store, owner, id), `Property ${id}`);
  const t = table(owner);
  store.run(`DELETE FROM ${t.name} WHERE id = ?`, id);
  recordAudit(store, { authorId, summary: 'Property deleted', category: 'Properties', objectName: current.key, objectType: t.name });
}
