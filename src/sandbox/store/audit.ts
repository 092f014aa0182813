/** Audit records: every write leaves one. */
import type { SandboxStore } from './store.ts';
import type { AuditRow } from './rows.ts';

/** One audit entry to record. */
export interface AuditEntry {
  /** Who did it (account id). */
  authorId: string;
  /** When (ISO); default the store clock. */
  at?: string;
  /** Short summary ("Page created"). */
  summary: string;
  /** Category ("Content", "Space", "Labels", "Properties"). */
  category: string;
  /** Affected object's name. */
  objectName: string;
  /** Affected object's type. */
  objectType: string;
  /** Longer description (default ''). */
  description?: string;
  /** Changed values (default none). */
  changed?: Array<{ name: string; oldValue: string; newValue: string }>;
}

/** Appends an audit record. */
export function recordAudit(store: SandboxStore, entry: AuditEntry): void {
  store.run(
    'INSERT INTO audit (created_at, author_id, summary, description, category, object_name, object_type, changed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    entry.at ?? store.now(),
    entry.authorId,
    entry.summary,
    entry.description ?? '',
    entry.category,
    entry.objectName,
    entry.objectType,
    JSON.stringify(entry.changed ?? []),
  );
}

/** Filters for {@link listAudit}. */
export interface AuditFilter {
  /** Earliest creation time, inclusive (ISO). */
  startDate?: string;
  /** Latest creation time, inclusive (ISO). */
  endDate?: string;
  /** Case-insensitive text matched against summary, object name and description. */
  searchString?: string;
}

/** Audit records, newest first. */
export function listAudit(store: SandboxStore, filter: AuditFilter = {}): AuditRow[] {
  const where: string[] = [];
  const params: string[] = [];
  if (filter.startDate) {
    where.push('created_at >= ?');
    params.push(filter.startDate);
  }
  if (filter.endDate) {
    where.push('created_at <= ?');
    params.push(filter.endDate);
  }
  if (filter.searchString) {
    where.push(`(lower(summary) LIKE ? OR lower(object_name) LIKE ? OR lower(description) LIKE ?)`);
    const like = `%${filter.searchString.toLowerCase()}%`;
    params.push(like, like, like);
  }
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  return store.all<AuditRow>(`SELECT * FROM audit ${clause} ORDER BY created_at DESC, id DESC`, ...params);
}
