/** The sandbox's SQLite schema: one statement list, applied idempotently when a store opens. */
export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
  account_id TEXT PRIMARY KEY, email TEXT UNIQUE, display_name TEXT NOT NULL, public_name TEXT NOT NULL,
  time_zone TEXT NOT NULL DEFAULT 'UTC', account_type TEXT NOT NULL DEFAULT 'atlassian', created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS spaces (
  id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, name TEXT NOT NULL, type TEXT NOT NULL, status TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '', author_id TEXT NOT NULL, created_at TEXT NOT NULL, homepage_id INTEGER);
CREATE TABLE IF NOT EXISTS content (
  id INTEGER PRIMARY KEY, type TEXT NOT NULL, space_id INTEGER NOT NULL, parent_id INTEGER, title TEXT NOT NULL,
  status TEXT NOT NULL, author_id TEXT NOT NULL, owner_id TEXT NOT NULL, created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL, version INTEGER NOT NULL, body TEXT NOT NULL DEFAULT '', position INTEGER);
CREATE INDEX IF NOT EXISTS content_space ON content (space_id, type, status);
CREATE INDEX IF NOT EXISTS content_parent ON content (parent_id);
CREATE TABLE IF NOT EXISTS versions (
  content_id INTEGER NOT NULL, number INTEGER NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL, status TEXT NOT NULL,
  author_id TEXT NOT NULL, created_at TEXT NOT NULL, message TEXT NOT NULL DEFAULT '', minor_edit INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (content_id, number));
CREATE TABLE IF NOT EXISTS labels (id INTEGER PRIMARY KEY, prefix TEXT NOT NULL, name TEXT NOT NULL, UNIQUE (prefix, name));
CREATE TABLE IF NOT EXISTS content_labels (
  object_id TEXT NOT NULL, label_id INTEGER NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (object_id, label_id));
CREATE TABLE IF NOT EXISTS space_labels (
  space_id INTEGER NOT NULL, label_id INTEGER NOT NULL, PRIMARY KEY (space_id, label_id));
CREATE TABLE IF NOT EXISTS content_properties (
  id INTEGER PRIMARY KEY, content_id INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, version INTEGER NOT NULL,
  author_id TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, message TEXT NOT NULL DEFAULT '',
  UNIQUE (content_id, key));
CREATE TABLE IF NOT EXISTS space_properties (
  id INTEGER PRIMARY KEY, space_id INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, version INTEGER NOT NULL,
  created_by TEXT NOT NULL, created_at TEXT NOT NULL, updated_by TEXT NOT NULL, updated_at TEXT NOT NULL,
  message TEXT NOT NULL DEFAULT '', UNIQUE (space_id, key));
CREATE TABLE IF NOT EXISTS attachments (
  id INTEGER PRIMARY KEY, content_id INTEGER NOT NULL, title TEXT NOT NULL, media_type TEXT NOT NULL,
  file_size INTEGER NOT NULL, comment TEXT NOT NULL DEFAULT '', file_id TEXT NOT NULL, status TEXT NOT NULL,
  author_id TEXT NOT NULL, created_at TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS inline_comments (
  id INTEGER PRIMARY KEY, content_id INTEGER NOT NULL, body TEXT NOT NULL, author_id TEXT NOT NULL,
  created_at TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'current', resolution_status TEXT NOT NULL DEFAULT 'open',
  marker_ref TEXT NOT NULL, original_selection TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS likes (
  content_id INTEGER NOT NULL, account_id TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (content_id, account_id));
CREATE TABLE IF NOT EXISTS restrictions (
  content_id INTEGER NOT NULL, operation TEXT NOT NULL, subject_type TEXT NOT NULL, subject_id TEXT NOT NULL,
  PRIMARY KEY (content_id, operation, subject_type, subject_id));
CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, author_id TEXT NOT NULL, summary TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '', category TEXT NOT NULL, object_name TEXT NOT NULL, object_type TEXT NOT NULL,
  changed TEXT NOT NULL DEFAULT '[]', remote_address TEXT NOT NULL DEFAULT '127.0.0.1');
CREATE TABLE IF NOT EXISTS long_tasks (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT NULL, finished INTEGER NOT NULL DEFAULT 1);
`;

/** Every table, in an order safe for emptying and dumping. */
export const TABLES = [
  'users',
  'spaces',
  'content',
  'versions',
  'labels',
  'content_labels',
  'space_labels',
  'content_properties',
  'space_properties',
  'attachments',
  'inline_comments',
  'likes',
  'restrictions',
  'audit',
  'long_tasks',
  'meta',
] as const;
