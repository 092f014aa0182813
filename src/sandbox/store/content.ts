/** Pages, blog posts and whiteboards: create, read, update with optimistic locking, trash, history. */
import type { SandboxStore } from './store.ts';
import type { ContentRow, ContentType, VersionRow } from './rows.ts';
import { StoreError, must } from './errors.ts';
import { recordAudit } from './audit.ts';
import { getSpace } from './spaces.ts';

/** What {@link createContent} needs. */
export interface NewContent {
  /** page, blogpost or whiteboard. */
  type: ContentType;
  /** Owning space id. */
  spaceId: number;
  /** Parent page id; pages and whiteboards without one go under the space homepage. */
  parentId?: number | null;
  /** Put the page at the space root instead of under the homepage (default false). */
  rootLevel?: boolean;
  /** Title (required, non-empty). */
  title: string;
  /** Storage-format body (default ''). */
  body?: string;
  /** current or draft (default current). */
  status?: string;
  /** Author account id. */
  authorId: string;
  /** Creation timestamp; default the store clock. */
  createdAt?: string;
}

/** Statuses that keep a page title taken within its space. */
const TITLE_HOLDING = ['current', 'archived'];

const LABEL: Record<ContentType, string> = { page: 'Page', blogpost: 'Blog post', whiteboard: 'Whiteboard' };

/** One piece of content by id (any status), optionally of one type. */
export function getContent(store: SandboxStore, id: number, type?: ContentType): ContentRow | undefined {
  const row = store.get<ContentRow>('SELECT * FROM content WHERE id = ?', id);
  if (!row || (type && row.type !== type)) return undefined;
  return row;
}

/** Like {@link getContent} but throws not_found. */
export function requireContent(store: SandboxStore, id: number, type?: ContentType): ContentRow {
  return must(getContent(store, id, type), `${type ? LABEL[type] : 'Content'} ${id}`);
}

/** The longest title Confluence takes. */
export const MAX_TITLE_LENGTH = 255;

function assertTitleLength(title: string): void {
  if (title.length > MAX_TITLE_LENGTH) throw new StoreError('invalid', `Title cannot be longer than ${MAX_TITLE_LENGTH} characters.`);
}

function assertTitleFree(store: SandboxStore, spaceId: number, title: string, exceptId: number): void {
  const clash = store.get(
    `SELECT id FROM content WHERE type = 'page' AND space_id = ? AND title = ? AND id != ? AND status IN (${TITLE_HOLDING.map(() => '?').join(',')})`,
    spaceId,
    title,
    exceptId,
    ...TITLE_HOLDING,
  );
  if (clash) throw new StoreError('duplicate', 'A page with this title already exists');
}

function resolveParent(store: SandboxStore, input: NewContent): number | null {
  if (input.type === 'blogpost') return null;
  if (input.parentId !== undefined && input.parentId !== null) {
    const parent = getContent(store, input.parentId);
    if (!parent || parent.status === 'trashed' || (parent.type !== 'page' && parent.type !== 'whiteboard')) {
      throw new StoreError('invalid', `The parent ${input.parentId} does not exist`);
    }
    if (parent.space_id !== input.spaceId) throw new StoreError('invalid', 'The parent must be in the same space');
    return parent.id;
  }
  if (input.rootLevel) return null;
  return getSpace(store, input.spaceId)?.homepage_id ?? null;
}

/** Creates content at version 1 (and its version-history row); records an audit entry. */
export function createContent(store: SandboxStore, input: NewContent): ContentRow {
  const space = must(getSpace(store, input.spaceId), `Space ${input.spaceId}`);
  const title = input.title.trim();
  if (!title) throw new StoreError('invalid', 'Title cannot be empty');
  assertTitleLength(title);
  if (input.type === 'page') assertTitleFree(store, space.id, title, -1);
  const parentId = resolveParent(store, input);
  const id = store.nextId();
  const at = input.createdAt ?? store.now();
  const status = input.status ?? 'current';
  const position = input.type === 'blogpost' ? null : siblingCount(store, parentId, space.id);
  store.run(
    `INSERT INTO content (id, type, space_id, parent_id, title, status, author_id, owner_id, created_at, updated_at, version, body, position)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
    id,
    input.type,
    space.id,
    parentId,
    title,
    status,
    input.authorId,
    input.authorId,
    at,
    at,
    input.body ?? '',
    position,
  );
  insertVersion(store, {
    content_id: id,
    number: 1,
    title,
    body: input.body ?? '',
    status,
    author_id: input.authorId,
    created_at: at,
    message: '',
    minor_edit: 0,
  });
  recordAudit(store, {
    authorId: input.authorId,
    at,
    summary: `${LABEL[input.type]} created`,
    category: 'Content',
    objectName: title,
    objectType: LABEL[input.type],
  });
  return requireContent(store, id);
}

function siblingCount(store: SandboxStore, parentId: number | null, spaceId: number): number {
  const row = store.get<{ n: number }>(
    parentId === null ? 'SELECT COUNT(*) AS n FROM content WHERE parent_id IS NULL AND space_id = ?' : 'SELECT COUNT(*) AS n FROM content WHERE parent_id = ?',
    parentId === null ? spaceId : parentId,
  );
  return Number(row?.n ?? 0);
}

function insertVersion(store: SandboxStore, v: VersionRow): void {
  store.run(
    'INSERT INTO versions (content_id, number, title, body, status, author_id, created_at, message, minor_edit) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    v.content_id,
    v.number,
    v.title,
    v.body,
    v.status,
    v.author_id,
    v.created_at,
    v.message,
    v.minor_edit,
  );
}

/** What {@link updateContent} changes. */
export interface ContentUpdate {
  /** Must be the current version + 1, else a conflict. */
  versionNumber: number;
  /** New title (required by the API). */
  title: string;
  /** New storage body; default: unchanged. */
  body?: string;
  /** New status (current, archived, draft); default: unchanged. */
  status?: string;
  /** New parent page id; default: unchanged. */
  parentId?: number;
  /** Version message (default ''). */
  message?: string;
  /** Minor edit flag (default false). */
  minorEdit?: boolean;
  /** Editor's account id. */
  authorId: string;
  /** Timestamp; default the store clock. */
  at?: string;
}

/** Applies an update if `versionNumber` is exactly current + 1 (409-style conflict otherwise). */
export function updateContent(store: SandboxStore, id: number, type: ContentType, change: ContentUpdate): ContentRow {
  const row = requireContent(store, id, type);
  if (change.versionNumber !== row.version + 1) {
    throw new StoreError('conflict', `Version must be incremented on update. Current version is: ${row.version}`);
  }
  const title = change.title.trim();
  if (!title) throw new StoreError('invalid', 'Title cannot be empty');
  assertTitleLength(title);
  const status = change.status ?? (row.status === 'trashed' ? 'current' : row.status);
  if (type === 'page' && (status === 'current' || status === 'archived')) assertTitleFree(store, row.space_id, title, id);
  let parentId = row.parent_id;
  if (change.parentId !== undefined && change.parentId !== row.parent_id) {
    if (change.parentId === id || ancestorsOf(store, change.parentId).some((a) => a.id === id)) {
      throw new StoreError('invalid', 'A page cannot be moved under itself');
    }
    parentId = resolveParent(store, { type, spaceId: row.space_id, parentId: change.parentId, title, authorId: change.authorId });
  }
  const at = change.at ?? store.now();
  const body = change.body ?? row.body;
  store.run(
    'UPDATE content SET title = ?, body = ?, status = ?, parent_id = ?, version = ?, updated_at = ? WHERE id = ?',
    title,
    body,
    status,
    parentId,
    change.versionNumber,
    at,
    id,
  );
  insertVersion(store, {
    content_id: id,
    number: change.versionNumber,
    title,
    body,
    status,
    author_id: change.authorId,
    created_at: at,
    message: change.message ?? '',
    minor_edit: change.minorEdit ? 1 : 0,
  });
  recordAudit(store, { authorId: change.authorId, at, summary: `${LABEL[type]} updated`, category: 'Content', objectName: title, objectType: LABEL[type] });
  return requireContent(store, id);
}

/** Moves content to the trash, or (`purge`, only for trashed content) deletes it for good. */
export function trashContent(store: SandboxStore, id: number, type: ContentType, authorId: string, purge = false): void {
  const row = requireContent(store, id, type);
  if (purge) {
    if (row.status !== 'trashed') throw new StoreError('invalid', 'Only trashed content can be purged');
    store.run('DELETE FROM content WHERE id = ?', id);
    store.run('DELETE FROM versions WHERE content_id = ?', id);
  } else {
    if (row.status === 'trashed') throw new StoreError('not_found', `${LABEL[type]} ${id} not found`);
    store.run(`UPDATE content SET status = 'trashed', updated_at = ? WHERE id = ?`, store.now(), id);
  }
  recordAudit(store, {
    authorId,
    at: store.now(),
    summary: `${LABEL[type]} ${purge ? 'purged' : 'trashed'}`,
    category: 'Content',
    objectName: row.title,
    objectType: LABEL[type],
  });
}

/** Filters for {@link listContent}. */
export interface ContentFilter {
  /** Content type. */
  type: ContentType;
  /** Restrict to these spaces. */
  spaceIds?: number[];
  /** Restrict to these ids. */
  ids?: number[];
  /** Statuses to include (default current + archived). */
  statuses?: string[];
  /** Exact title. */
  title?: string;
  /** Direct parent. */
  parentId?: number;
  /** Sort key: id, created-date, modified-date, title (prefix '-' for descending). Default id. */
  sort?: string;
}

const SORTS: Record<string, string> = { id: 'id', 'created-date': 'created_at', 'modified-date': 'updated_at', title: 'title', 'child-position': 'position' };

/** Content matching a filter, sorted. */
export function listContent(store: SandboxStore, filter: ContentFilter): ContentRow[] {
  const where = ['type = ?'];
  const params: Array<string | number> = [filter.type];
  const statuses = filter.statuses?.length ? filter.statuses : ['current', 'archived'];
  if (!statuses.includes('any')) {
    where.push(`status IN (${statuses.map(() => '?').join(',')})`);
    params.push(...statuses);
  }
  if (filter.spaceIds?.length) {
    where.push(`space_id IN (${filter.spaceIds.map(() => '?').join(',')})`);
    params.push(...filter.spaceIds);
  }
  if (filter.ids?.length) {
    where.push(`id IN (${filter.ids.map(() => '?').join(',')})`);
    params.push(...filter.ids);
  }
  if (filter.title !== undefined) {
    where.push('title = ?');
    params.push(filter.title);
  }
  if (filter.parentId !== undefined) {
    where.push('parent_id = ?');
    params.push(filter.parentId);
  }
  const raw = filter.sort ?? 'id';
  const desc = raw.startsWith('-');
  const column = SORTS[desc ? raw.slice(1) : raw];
  if (!column) throw new StoreError('invalid', `Unknown sort '${raw}'; allowed: ${Object.keys(SORTS).join(', ')} (prefix - for descending)`);
  return store.all<ContentRow>(`SELECT * FROM content WHERE ${where.join(' AND ')} ORDER BY ${column} ${desc ? 'DESC' : 'ASC'}, id ASC`, ...params);
}

/** Ancestors of a piece of content, root first. */
export function ancestorsOf(store: SandboxStore, id: number): ContentRow[] {
  const out: ContentRow[] = [];
  let row = getContent(store, id);
  const seen = new Set<number>();
  while (row && row.parent_id !== null && !seen.has(row.parent_id)) {
    seen.add(row.parent_id);
    row = getContent(store, row.parent_id);
    if (row) out.unshift(row);
  }
  return out;
}

/** Every version of a piece of content, newest first. */
export function versionsOf(store: SandboxStore, id: number): VersionRow[] {
  return store.all<VersionRow>('SELECT * FROM versions WHERE content_id = ? ORDER BY number DESC', id);
}

/** One version of a piece of content. */
export function versionOf(store: SandboxStore, id: number, number: number): VersionRow | undefined {
  return store.get<VersionRow>('SELECT * FROM versions WHERE content_id = ? AND number = ?', id, number);
}
