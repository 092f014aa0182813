/**
 * What the runner knows about each write of the Confluence toolkit when its outcome is uncertain (a timeout, a
 * worker killed mid-call): how to find out whether it landed, and what makes two calls the same write.
 * - `create`: makes content named by a title in a space; found again by (space, type, title, created after the
 *   call was sent). Two creates of the same title in the same space are the same write, whatever their bodies.
 * - `update`: moves content to `version.number`; landed when the content is at that version, absent when it is one
 *   below.
 * - `repeat-safe`: a second identical call cannot make a second copy (labels are a set, properties and spaces
 *   have unique keys, a deleted thing cannot be deleted twice): repeating it is the reconciliation.
 * Writes not listed (tools of other MCP servers) cannot be reconciled: an uncertain one is never repeated.
 */

/** How an uncertain write of one tool is settled. */
export type WriteKind =
  | { kind: 'create'; contentType: 'page' | 'blogpost' | 'whiteboard' }
  | { kind: 'update'; contentType: 'page' | 'blogpost' }
  | { kind: 'repeat-safe' };

const WRITES: Readonly<Record<string, WriteKind>> = {
  CONFLUENCE_CREATE_PAGE: { kind: 'create', contentType: 'page' },
  CONFLUENCE_CREATE_BLOGPOST: { kind: 'create', contentType: 'blogpost' },
  CONFLUENCE_CREATE_WHITEBOARD: { kind: 'create', contentType: 'whiteboard' },
  CONFLUENCE_UPDATE_PAGE: { kind: 'update', contentType: 'page' },
  CONFLUENCE_UPDATE_BLOGPOST: { kind: 'update', contentType: 'blogpost' },
  CONFLUENCE_ADD_CONTENT_LABEL: { kind: 'repeat-safe' },
  CONFLUENCE_CREATE_BLOGPOST_PROPERTY: { kind: 'repeat-safe' },
  CONFLUENCE_CREATE_CONTENT_PROPERTY_FOR_WHITEBOARD: { kind: 'repeat-safe' },
  CONFLUENCE_CREATE_PAGE_PROPERTY: { kind: 'repeat-safe' },
  CONFLUENCE_CREATE_SPACE_PROPERTY: { kind: 'repeat-safe' },
  CONFLUENCE_CREATE_PRIVATE_SPACE: { kind: 'repeat-safe' },
  CONFLUENCE_CREATE_SPACE: { kind: 'repeat-safe' },
  CONFLUENCE_UPDATE_BLOGPOST_PROPERTY: { kind: 'repeat-safe' },
  CONFLUENCE_UPDATE_CONTENT_PROPERTY_FOR_PAGE_BY_ID: { kind: 'repeat-safe' },
  CONFLUENCE_UPDATE_CONTENT_PROPERTY_FOR_WHITEBOARD_BY_ID: { kind: 'repeat-safe' },
  CONFLUENCE_UPDATE_SPACE_PROPERTY: { kind: 'repeat-safe' },
  CONFLUENCE_DELETE_BLOGPOST_PROPERTY: { kind: 'repeat-safe' },
  CONFLUENCE_DELETE_CONTENT_PROPERTY_FOR_PAGE_BY_ID: { kind: 'repeat-safe' },
  CONFLUENCE_DELETE_CONTENT_PROPERTY_FOR_WHITEBOARD_BY_ID: { kind: 'repeat-safe' },
  CONFLUENCE_DELETE_PAGE: { kind: 'repeat-safe' },
  CONFLUENCE_DELETE_SPACE: { kind: 'repeat-safe' },
  CONFLUENCE_DELETE_SPACE_PROPERTY: { kind: 'repeat-safe' },
};

/** How an uncertain call of `tool` can be settled, if the runner knows. */
export function writeKind(tool: string): WriteKind | undefined {
  return WRITES[tool];
}

/** The read tools reconciliation calls: a Composio session that may create content must offer them too. */
export const RECONCILE_READS: readonly string[] = [
  'CONFLUENCE_GET_SPACE_BY_ID',
  'CONFLUENCE_SEARCH_CONTENT',
  'CONFLUENCE_GET_PAGE_BY_ID',
  'CONFLUENCE_GET_BLOGPOST_BY_ID',
];

/**
 * The few arguments reconciliation needs, small enough to keep whole in the journal however large the body:
 * the space and title of a create, the id and version of an update.
 */
export function writeTarget(tool: string, args: Record<string, unknown>): Record<string, unknown> | undefined {
  const kind = writeKind(tool);
  if (kind?.kind === 'create') return { spaceId: args.spaceId, title: args.title };
  if (kind?.kind === 'update') return { id: args.id, version: (args.version as { number?: unknown } | undefined)?.number };
  return undefined;
}

/**
 * The part of a write's arguments that names what it writes: for creates, the space and title (so a retried
 * create with a reworded body is still the same write); for everything else, all of them.
 */
export function writeIdentity(tool: string, args: Record<string, unknown>): unknown {
  const kind = writeKind(tool);
  if (kind?.kind === 'create') return { ...writeTarget(tool, args), type: kind.contentType };
  return args;
}
