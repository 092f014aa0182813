/** Row shapes of the store's tables, as the entity functions hand them out. */

/** A space. */
export interface SpaceRow {
  id: number;
  key: string;
  name: string;
  type: string;
  status: string;
  description: string;
  author_id: string;
  created_at: string;
  homepage_id: number | null;
}

/** A page, blog post or whiteboard at its current version. */
export interface ContentRow {
  id: number;
  type: ContentType;
  space_id: number;
  parent_id: number | null;
  title: string;
  status: string;
  author_id: string;
  owner_id: string;
  created_at: string;
  updated_at: string;
  version: number;
  body: string;
  position: number | null;
}

/** The kinds of content the sandbox stores. */
export type ContentType = 'page' | 'blogpost' | 'whiteboard';

/** One historical version of a piece of content. */
export interface VersionRow {
  content_id: number;
  number: number;
  title: string;
  body: string;
  status: string;
  author_id: string;
  created_at: string;
  message: string;
  minor_edit: number;
}

/** A label. */
export interface LabelRow {
  id: number;
  prefix: string;
  name: string;
}

/** A content property (pages, blog posts, whiteboards). */
export interface ContentPropertyRow {
  id: number;
  content_id: number;
  key: string;
  value: string;
  version: number;
  author_id: string;
  created_at: string;
  updated_at: string;
  message: string;
}

/** A space property. */
export interface SpacePropertyRow {
  id: number;
  space_id: number;
  key: string;
  value: string;
  version: number;
  created_by: string;
  created_at: string;
  updated_by: string;
  updated_at: string;
  message: string;
}

/** A user. */
export interface UserRow {
  account_id: string;
  email: string | null;
  display_name: string;
  public_name: string;
  time_zone: string;
  account_type: string;
  created_at: string;
}

/** An attachment's metadata (no file bytes are stored). */
export interface AttachmentRow {
  id: number;
  content_id: number;
  title: string;
  media_type: string;
  file_size: number;
  comment: string;
  file_id: string;
  status: string;
  author_id: string;
  created_at: string;
  version: number;
}

/** An inline comment. */
export interface InlineCommentRow {
  id: number;
  content_id: number;
  body: string;
  author_id: string;
  created_at: string;
  status: string;
  resolution_status: string;
  marker_ref: string;
  original_selection: string;
}

/** An audit record. */
export interface AuditRow {
  id: number;
  created_at: string;
  author_id: string;
  summary: string;
  description: string;
  category: string;
  object_name: string;
  object_type: string;
  changed: string;
  remote_address: string;
}
