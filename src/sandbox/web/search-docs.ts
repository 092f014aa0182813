/** The documents CQL searches run over: pages and blog posts, with what the CQL engine asks of each. */
import type { SandboxStore } from '../store/store.ts';
import type { ContentRow } from '../store/rows.ts';
import type { SearchDoc } from '../cql/content.ts';
import { listSpaces } from '../store/spaces.ts';
import { labelIndex } from '../store/labels.ts';
import { plainText } from '../http/xhtml.ts';

/**
 * Pages and blog posts of these statuses (default: current ones, what `/wiki/rest/api/search` searches unless asked
 * for archived ones too) as CQL search documents; both the REST search and the search view read them.
 */
export function searchDocuments(store: SandboxStore, statuses: readonly string[] = ['current']): SearchDoc[] {
  const keys = new Map(listSpaces(store).map((s) => [s.id, s.key]));
  const labels = labelIndex(store);
  const rows = store.all<ContentRow>(
    `SELECT * FROM content WHERE type IN ('page', 'blogpost') AND status IN (${statuses.map(() => '?').join(',')})`,
    ...statuses,
  );
  const parents = new Map(store.all<{ id: number; parent_id: number | null }>('SELECT id, parent_id FROM content').map((r) => [r.id, r.parent_id]));
  const contributors = new Map<number, string[]>();
  for (const v of store.all<{ content_id: number; author_id: string }>('SELECT DISTINCT content_id, author_id FROM versions')) {
    contributors.set(v.content_id, [...(contributors.get(v.content_id) ?? []), v.author_id]);
  }
  return rows.map((row) => {
    const ancestors: number[] = [];
    for (let p = row.parent_id; p !== null && ancestors.length < 50; p = parents.get(p) ?? null) ancestors.push(p);
    return {
      row,
      spaceKey: keys.get(row.space_id) ?? '',
      labels: labels.get(String(row.id)) ?? [],
      ancestors,
      contributors: contributors.get(row.id) ?? [row.author_id],
      text: `${row.title} ${plainText(row.body)}`,
    };
  });
}

/** The first 200 characters of a document's body text. */
export function excerptOf(doc: SearchDoc): string {
  const text = plainText(doc.row.body);
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
