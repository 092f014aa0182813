/** JSON shapes of v1 responses (users, labels, spaces, content), following the v1 OpenAPI document. */
import type { RouteContext } from '../http/context.ts';
import type { ContentRow, LabelRow, SpaceRow, UserRow } from '../store/rows.ts';
import { getSpace } from '../store/spaces.ts';
import { getUser } from '../store/people.ts';

/** A user as v1 shows one. */
export function userV1(ctx: RouteContext, user: UserRow): Record<string, unknown> {
  return {
    type: 'known',
    accountId: user.account_id,
    accountType: user.account_type,
    email: user.email ?? '',
    publicName: user.public_name,
    profilePicture: { path: `/wiki/aa-avatar/${user.account_id}`, width: 48, height: 48, isDefault: true },
    displayName: user.display_name,
    timeZone: user.time_zone,
    isExternalCollaborator: false,
    externalCollaborator: false,
    _expandable: { operations: '', personalSpace: '' },
    _links: { self: `${ctx.base}/rest/api/user?accountId=${encodeURIComponent(user.account_id)}`, base: ctx.base, context: '/wiki' },
  };
}

/** A user by account id as v1 shows one (an unknown user when the id is not stored). */
export function userByIdV1(ctx: RouteContext, accountId: string): Record<string, unknown> {
  const user = getUser(ctx.store, accountId);
  if (user) return userV1(ctx, user);
  return { type: 'unknown', accountId, displayName: 'Unknown user', publicName: 'Unknown user', _links: { base: ctx.base, context: '/wiki' } };
}

/** A label as v1 shows one. */
export function labelV1(row: LabelRow): Record<string, unknown> {
  return { prefix: row.prefix, name: row.name, id: String(row.id), label: row.name };
}

/** A space as v1 shows one. */
export function spaceV1(ctx: RouteContext, row: SpaceRow): Record<string, unknown> {
  return {
    id: row.id,
    key: row.key,
    name: row.name,
    type: row.type,
    status: row.status,
    description: { plain: { value: row.description, representation: 'plain', embeddedContent: [] }, _expandable: { view: '' } },
    history: { createdDate: row.created_at },
    _expandable: {
      settings: '',
      metadata: '',
      operations: '',
      lookAndFeel: '',
      identifiers: '',
      permissions: '',
      icon: '',
      theme: '',
      homepage: row.homepage_id ? `/rest/api/content/${row.homepage_id}` : '',
    },
    _links: { webui: `/spaces/${row.key}`, self: `${ctx.base}/rest/api/space/${row.key}`, base: ctx.base, context: '/wiki' },
  };
}

/** Content as v1 shows it; `expand` may ask for body.storage, version, space, history. */
export function contentV1(ctx: RouteContext, row: ContentRow, expand: string[] = []): Record<string, unknown> {
  const space = getSpace(ctx.store, row.space_id);
  const key = space?.key ?? '';
  const out: Record<string, unknown> = { id: String(row.id), type: row.type, status: row.status, title: row.title };
  if (expand.includes('space') && space) out.space = spaceV1(ctx, space);
  if (expand.includes('history')) {
    out.history = { latest: true, createdBy: userByIdV1(ctx, row.author_id), createdDate: row.created_at };
  }
  if (expand.includes('version')) {
    out.version = { by: userByIdV1(ctx, row.author_id), when: row.updated_at, message: '', number: row.version, minorEdit: false };
  }
  if (expand.includes('body.storage')) {
    out.body = {
      storage: { value: row.body, representation: 'storage', _expandable: { content: `/rest/api/content/${row.id}` } },
      _expandable: { view: '', export_view: '', styled_view: '', editor: '', atlas_doc_format: '' },
    };
  }
  out._expandable = {
    childTypes: '',
    container: `/rest/api/space/${key}`,
    metadata: '',
    operations: '',
    children: `/rest/api/content/${row.id}/child`,
    restrictions: `/rest/api/content/${row.id}/restriction/byOperation`,
    ancestors: '',
    descendants: `/rest/api/content/${row.id}/descendant`,
    ...(expand.includes('body.storage') ? {} : { body: '' }),
    ...(expand.includes('version') ? {} : { version: '' }),
    ...(expand.includes('space') ? {} : { space: `/rest/api/space/${key}` }),
    ...(expand.includes('history') ? {} : { history: `/rest/api/content/${row.id}/history` }),
  };
  const webui =
    row.type === 'blogpost'
      ? `/spaces/${key}/blog/${row.created_at.slice(0, 10).replace(/-/g, '/')}/${row.id}`
      : `/spaces/${key}/pages/${row.id}/${encodeURIComponent(row.title).replace(/%20/g, '+')}`;
  out._links = { webui, tinyui: `/x/${Buffer.from(String(row.id)).toString('base64url')}`, self: `${ctx.base}/rest/api/content/${row.id}` };
  return out;
}

/** The `expand` query parameter as a list. */
export function expandList(ctx: RouteContext): string[] {
  // Clients send `expand=a,b` or repeat the key (`expand=a&expand=b`, as confluence.js does): both mean the same.
  return ctx.query
    .getAll('expand')
    .flatMap((e) => e.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
}
