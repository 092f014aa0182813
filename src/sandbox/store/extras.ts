/** Smaller content companions: attachment metadata, inline comments, likes, restrictions, long tasks. */
import type { SandboxStore } from './store.ts';
import type { AttachmentRow, InlineCommentRow } from './rows.ts';
import { recordAudit } from './audit.ts';

/** Attachment metadata to record (no bytes are kept). */
export interface NewAttachment {
  /** Page or blog post id. */
  contentId: number;
  /** File name. */
  title: string;
  /** MIME type. */
  mediaType: string;
  /** Size in bytes. */
  fileSize: number;
  /** Comment (default ''). */
  comment?: string;
  /** Uploader. */
  authorId: string;
  /** Upload time; default the store clock. */
  createdAt?: string;
}

/** Records an attachment's metadata; its API id is `att<id>`. */
export function createAttachment(store: SandboxStore, a: NewAttachment): AttachmentRow {
  const id = store.nextId();
  const fileId = `${id.toString(16).padStart(8, '0')}-0000-4000-8000-${String(id).padStart(12, '0')}`;
  store.run(
    `INSERT INTO attachments (id, content_id, title, media_type, file_size, comment, file_id, status, author_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'current', ?, ?)`,
    id,
    a.contentId,
    a.title,
    a.mediaType,
    a.fileSize,
    a.comment ?? '',
    fileId,
    a.authorId,
    a.createdAt ?? store.now(),
  );
  recordAudit(store, {
    authorId: a.authorId,
    at: a.createdAt,
    summary: 'Attachment added',
    category: 'Content',
    objectName: a.title,
    objectType: 'Attachment',
  });
  return getAttachment(store, id)!;
}

/** One attachment by numeric id. */
export function getAttachment(store: SandboxStore, id: number): AttachmentRow | undefined {
  return store.get<AttachmentRow>('SELECT * FROM attachments WHERE id = ?', id);
}

/** A content object's attachments, by id. */
export function attachmentsOf(store: SandboxStore, contentId: number): AttachmentRow[] {
  return store.all<AttachmentRow>(`SELECT * FROM attachments WHERE content_id = ? AND status = 'current' ORDER BY id`, contentId);
}

/** An inline comment to record. */
export interface NewInlineComment {
  /** Commented page or blog post. */
  contentId: number;
  /** Storage body of the comment. */
  body: string;
  /** The highlighted text. */
  selection: string;
  /** Commenter. */
  authorId: string;
  /** open or resolved (default open). */
  resolution?: string;
  /** Time; default the store clock. */
  createdAt?: string;
}

/** Records an inline comment. */
export function createInlineComment(store: SandboxStore, c: NewInlineComment): InlineCommentRow {
  const id = store.nextId();
  const marker = `${id.toString(16)}-marker`;
  store.run(
    'INSERT INTO inline_comments (id, content_id, body, author_id, created_at, resolution_status, marker_ref, original_selection) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    id,
    c.contentId,
    c.body,
    c.authorId,
    c.createdAt ?? store.now(),
    c.resolution ?? 'open',
    marker,
    c.selection,
  );
  return store.get<InlineCommentRow>('SELECT * FROM inline_comments WHERE id = ?', id)!;
}

/** A content object's inline comments, by id. */
export function inlineCommentsOf(store: SandboxStore, contentId: number): InlineCommentRow[] {
  return store.all<InlineCommentRow>('SELECT * FROM inline_comments WHERE content_id = ? ORDER BY id', contentId);
}

/** Records a like (idempotent). */
export function addLike(store: SandboxStore, contentId: number, accountId: string, at?: string): void {
  store.run('INSERT OR IGNORE INTO likes (content_id, account_id, created_at) VALUES (?, ?, ?)', contentId, accountId, at ?? store.now());
}

/** How many people like a content object. */
export function likeCount(store: SandboxStore, contentId: number): number {
  return Number(store.get<{ n: number }>('SELECT COUNT(*) AS n FROM likes WHERE content_id = ?', contentId)?.n ?? 0);
}

/** One restriction entry. */
export interface RestrictionRow {
  content_id: number;
  operation: string;
  subject_type: string;
  subject_id: string;
}

/** Adds a read or update restriction for a user (`subject_type` 'user') or group. */
export function addRestriction(store: SandboxStore, r: RestrictionRow): void {
  store.run(
    'INSERT OR IGNORE INTO restrictions (content_id, operation, subject_type, subject_id) VALUES (?, ?, ?, ?)',
    r.content_id,
    r.operation,
    r.subject_type,
    r.subject_id,
  );
}

/** A content object's restrictions. */
export function restrictionsOf(store: SandboxStore, contentId: number): RestrictionRow[] {
  return store.all<RestrictionRow>('SELECT * FROM restrictions WHERE content_id = ? ORDER BY operation, subject_type, subject_id', contentId);
}

/** Records a finished long-running task (space deletion); answers its id. */
export function createLongTask(store: SandboxStore, name: string): number {
  const id = store.nextId();
  store.run('INSERT INTO long_tasks (id, name, created_at) VALUES (?, ?, ?)', id, name, store.now());
  return id;
}

/** One long task. */
export function getLongTask(store: SandboxStore, id: number): { id: number; name: string; created_at: string } | undefined {
  return store.get('SELECT id, name, created_at FROM long_tasks WHERE id = ?', id);
}
