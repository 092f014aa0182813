/** Labels on content (pages, blog posts, attachments as `att<id>`) and on spaces. */
import type { SandboxStore } from './store.ts';
import type { LabelRow } from './rows.ts';
import { StoreError } from './errors.ts';
import { recordAudit } from './audit.ts';

/** Label prefixes Confluence accepts. */
const PREFIXES = ['global', 'my', 'team', 'system'];

/** The label (prefix, name), created on first use. Names are lower-cased, as Confluence does. */
export function ensureLabel(store: SandboxStore, prefix: string, name: string): LabelRow {
  const clean = name.trim().toLowerCase();
  if (!clean || /[\s:;,.!&()[\]{}<>^*?"'\\/]/.test(clean)) {
    throw new StoreError('invalid', `Label '${name}' is invalid: labels cannot be empty or contain spaces or punctuation`);
  }
  if (!PREFIXES.includes(prefix)) throw new StoreError('invalid', `Label prefix '${prefix}' is invalid; allowed: ${PREFIXES.join(', ')}`);
  const found = store.get<LabelRow>('SELECT * FROM labels WHERE prefix = ? AND name = ?', prefix, clean);
  if (found) return found;
  const id = store.nextId();
  store.run('INSERT INTO labels (id, prefix, name) VALUES (?, ?, ?)', id, prefix, clean);
  return { id, prefix, name: clean };
}

/** Adds labels to a content object (existing ones are kept); answers the object's labels. */
export function addContentLabels(store: SandboxStore, objectId: string, labels: Array<{ prefix?: string; name: string }>, authorId: string): LabelRow[] {
  for (const label of labels) {
    const row = ensureLabel(store, label.prefix ?? 'global', label.name);
    store.run('INSERT OR IGNORE INTO content_labels (object_id, label_id, created_at) VALUES (?, ?, ?)', objectId, row.id, store.now());
  }
  recordAudit(store, {
    authorId,
    summary: 'Labels added',
    category: 'Labels',
    objectName: objectId,
    objectType: 'Content',
    description: labels.map((l) => l.name).join(', '),
  });
  return contentLabels(store, objectId);
}

/** Removes one label (by name) from a content object; not_found when it was not there. */
export function removeContentLabel(store: SandboxStore, objectId: string, name: string, authorId: string): void {
  const removed = store.run(
    'DELETE FROM content_labels WHERE object_id = ? AND label_id IN (SELECT id FROM labels WHERE name = ?)',
    objectId,
    name.toLowerCase(),
  );
  if (!removed) throw new StoreError('not_found', `Label ${name} not found on content ${objectId}`);
  recordAudit(store, { authorId, summary: 'Label removed', category: 'Labels', objectName: objectId, objectType: 'Content', description: name });
}

/** A content object's labels, by name (optionally one prefix). */
export function contentLabels(store: SandboxStore, objectId: string, prefix?: string): LabelRow[] {
  return store.all<LabelRow>(
    `SELECT l.* FROM labels l JOIN content_labels cl ON cl.label_id = l.id WHERE cl.object_id = ? ${prefix ? 'AND l.prefix = ?' : ''} ORDER BY l.name`,
    ...(prefix ? [objectId, prefix] : [objectId]),
  );
}

/** Adds labels to a space. */
export function addSpaceLabels(store: SandboxStore, spaceId: number, names: string[]): void {
  for (const name of names) {
    const row = ensureLabel(store, 'global', name);
    store.run('INSERT OR IGNORE INTO space_labels (space_id, label_id) VALUES (?, ?)', spaceId, row.id);
  }
}

/** A space's own labels. */
export function spaceLabels(store: SandboxStore, spaceId: number, prefix?: string): LabelRow[] {
  return store.all<LabelRow>(
    `SELECT l.* FROM labels l JOIN space_labels sl ON sl.label_id = l.id WHERE sl.space_id = ? ${prefix ? 'AND l.prefix = ?' : ''} ORDER BY l.name`,
    ...(prefix ? [spaceId, prefix] : [spaceId]),
  );
}

/** Labels used on the (current) content of a space. */
export function spaceContentLabels(store: SandboxStore, spaceId: number, prefix?: string): LabelRow[] {
  return store.all<LabelRow>(
    `SELECT DISTINCT l.* FROM labels l JOIN content_labels cl ON cl.label_id = l.id
     JOIN content c ON CAST(c.id AS TEXT) = cl.object_id
     WHERE c.space_id = ? AND c.status IN ('current', 'archived') ${prefix ? 'AND l.prefix = ?' : ''} ORDER BY l.name`,
    ...(prefix ? [spaceId, prefix] : [spaceId]),
  );
}

/** Every label, optionally filtered by ids, names or prefixes, by id. */
export function listLabels(store: SandboxStore, filter: { ids?: number[]; names?: string[]; prefixes?: string[] } = {}): LabelRow[] {
  const where: string[] = [];
  const params: Array<string | number> = [];
  for (const [col, values] of [
    ['id', filter.ids],
    ['name', filter.names?.map((n) => n.toLowerCase())],
    ['prefix', filter.prefixes],
  ] as const) {
    if (values?.length) {
      where.push(`${col} IN (${values.map(() => '?').join(',')})`);
      params.push(...values);
    }
  }
  return store.all<LabelRow>(`SELECT * FROM labels ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`, ...params);
}

/** One label by id. */
export function getLabel(store: SandboxStore, id: number): LabelRow | undefined {
  return store.get<LabelRow>('SELECT * FROM labels WHERE id = ?', id);
}

/** Ids of content objects carrying a label. */
export function objectsWithLabel(store: SandboxStore, labelId: number): string[] {
  return store.all<{ object_id: string }>('SELECT object_id FROM content_labels WHERE label_id = ?', labelId).map((r) => r.object_id);
}

/** Label names per content id, for every labelled object (used by CQL). */
export function labelIndex(store: SandboxStore): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const r of store.all<{ object_id: string; name: string }>('SELECT cl.object_id, l.name FROM content_labels cl JOIN labels l ON l.id = cl.label_id')) {
    const list = map.get(r.object_id) ?? [];
    list.push(r.name);
    map.set(r.object_id, list);
  }
  return map;
}
