/** The change an update request asks for, read the same way by the v1 and v2 update routes. */
import type { RouteContext } from '../http/context.ts';
import { requiredString, statusField, versionField } from '../http/input.ts';
import { storageFromBody } from '../http/xhtml.ts';
import type { ContentUpdate } from '../store/content.ts';

/** Title, storage body, status and version of `body` (a parsed JSON object), by the request's user; `parentId` as each API names it. */
export function contentUpdateOf(ctx: RouteContext, body: Record<string, unknown>, parentId: number | undefined): ContentUpdate {
  const version = versionField(body);
  return {
    versionNumber: version.number,
    message: version.message,
    minorEdit: version.minorEdit,
    title: requiredString(body, 'title'),
    body: storageFromBody(body.body),
    status: statusField(body, ['current', 'archived', 'draft'], undefined),
    parentId,
    authorId: ctx.user.account_id,
  };
}
