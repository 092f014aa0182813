/** Spaces: each is created together with its homepage. */
import type { SandboxStore } from './store.ts';
import type { SpaceRow } from './rows.ts';
import { StoreError } from './errors.ts';
import { recordAudit } from './audit.ts';

/** What {@link createSpace} needs. */
export interface NewSpace {
  /** Space key: letters and digits, unique. */
  key: string;
  /** Display name. */
  name: string;
  /** Plain-text description (default ''). */
  description?: string;
  /** global or personal (default global). */
  type?: string;
  /** Creator's account id. */
  authorId: string;
  /** Creation time; default the store clock. */
  createdAt?: string;
}

/** One space by id. */
export function getSpace(store: SandboxStore, id: number): SpaceRow | undefined {
  return store.get<SpaceRow>('SELECT * FROM spaces WHERE id = ?', id);
}

/** One space by key (case-sensitive, as Confluence keys are upper case). */
export function getSpaceByKey(store: SandboxStore, key: string): SpaceRow | undefined {
  return store.get<SpaceRow>('SELECT * FROM spaces WHERE key = ?', key);
}

/** Creates a space and its homepage ("<name> Home"); records an audit entry. */
export function createSpace(store: SandboxStore, input: NewSpace): SpaceRow {
  if (!/^[A-Za-z0-9~]{1,255}$/.test(input.key)) {
    throw new StoreError('invalid', `Space key '${input.key}' is invalid: use only letters and digits`);
  }
  if (!input.name.trim()) throw new StoreError('invalid', 'Space name cannot be empty');
  if (getSpaceByKey(store, input.key)) throw new StoreError('duplicate', `A space with key ${input.key} already exists`);
  const id = store.nextId();
  const at = input.createdAt ?? store.now();
  store.run(
    'INSERT INTO spaces (id, key, name, type, status, description, author_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    id,
    input.key,
    input.name,
    input.type ?? 'global',
    'current',
    input.description ?? '',
    input.authorId,
    at,
  );
  const homeId = store.nextId();
  const homeTitle = `${input.name} Home`;
  const homeBody = `<p>Welcome to ${escapeXml(input.name)}.</p>`;
  store.run(
    `INSERT INTO content (id, type, space_id, parent_id, title, status, author_id, owner_id, created_at, updated_at, version, body, position)
     VALUES (?, 'page', ?, NULL, ?, 'current', ?, ?, ?, ?, 1, ?, 0)`,
    homeId,
    id,
    homeTitle,
    input.authorId,
    input.authorId,
    at,
    at,
    homeBody,
  );
  store.run(
    `INSERT INTO versions (content_id, number, title, body, status, author_id, created_at) VALUES (?, 1, ?, ?, 'current', ?, ?)`,
    homeId,
    homeTitle,
    homeBody,
    input.authorId,
    at,
  );
  store.run('UPDATE spaces SET homepage_id = ? WHERE id = ?', homeId, id);
  recordAudit(store, { authorId: input.authorId, at, summary: 'Space created', category: 'Space', objectName: input.name, objectType: 'Space' });
  return getSpace(store, id)!;
}

/** Filters for {@link listSpaces}. */
export interface SpaceFilter {
  /** Restrict to these ids. */
  ids?: number[];
  /** Restrict to these keys. */
  keys?: string[];
  /** global or personal. */
  type?: string;
  /** current or archived. */
  status?: string;
  /** Only spaces carrying one of these labels. */
  labels?: string[];
}

/** Spaces matching a filter, by id. */
export function listSpaces(store: SandboxStore, filter: SpaceFilter = {}): SpaceRow[] {
  const where: string[] = [];
  const params: Array<string | number> = [];
  const within = (col: string, values: Array<string | number>) => {
    where.push(`${col} IN (${values.map(() => '?').join(',')})`);
    params.push(...values);
  };
  if (filter.ids?.length) within('id', filter.ids);
  if (filter.keys?.length) within('key', filter.keys);
  if (filter.type) within('type', [filter.type]);
  if (filter.status) within('status', [filter.status]);
  if (filter.labels?.length) {
    where.push(
      `id IN (SELECT sl.space_id FROM space_labels sl JOIN labels l ON l.id = sl.label_id WHERE l.name IN (${filter.labels.map(() => '?').join(',')}))`,
    );
    params.push(...filter.labels);
  }
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  return store.all<SpaceRow>(`SELECT * FROM spaces ${clause} ORDER BY id`, ...params);
}

/** Deletes a space with everything in it; records an audit entry. */
export function deleteSpace(store: SandboxStore, key: string, authorId: string): SpaceRow {
  const space = getSpaceByKey(store, key);
  if (!space) throw new StoreError('not_found', `No space with key : ${key}`);
  const ids = `SELECT id FROM content WHERE space_id = ${Number(space.id)}`;
  for (const table of ['versions', 'content_properties', 'attachments', 'inline_comments', 'likes', 'restrictions']) {
    store.run(`DELETE FROM ${table} WHERE content_id IN (${ids})`);
  }
  store.run(`DELETE FROM content_labels WHERE object_id IN (SELECT CAST(id AS TEXT) FROM content WHERE space_id = ?)`, space.id);
  store.run('DELETE FROM content WHERE space_id = ?', space.id);
  store.run('DELETE FROM space_properties WHERE space_id = ?', space.id);
  store.run('DELETE FROM space_labels WHERE space_id = ?', space.id);
  store.run('DELETE FROM spaces WHERE id = ?', space.id);
  recordAudit(store, { authorId, summary: 'Space deleted', category: 'Space', objectName: space.name, objectType: 'Space' });
  return space;
}

/** Escapes text for inclusion in XML. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
