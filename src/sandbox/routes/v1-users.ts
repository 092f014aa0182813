/** v1 user and audit routes. */
import type { Router } from '../http/router.ts';
import { ok } from '../http/context.ts';
import { getUser } from '../store/people.ts';
import { listAudit } from '../store/audit.ts';
import { badParam, notFound } from '../http/errors.ts';
import { pageV1 } from '../http/paging.ts';
import { userV1 } from './shapes-v1.ts';

/** Accepts an ISO date/time or epoch milliseconds; answers ISO. */
function dateParam(raw: string | null, name: string, endOfDay: boolean): string | undefined {
  if (raw === null || raw === '') return undefined;
  const d = /^\d+$/.test(raw)
    ? new Date(Number(raw))
    : new Date(/^\d{4}-\d{2}-\d{2}$/.test(raw) ? `${raw}T${endOfDay ? '23:59:59.999' : '00:00:00.000'}Z` : raw);
  if (Number.isNaN(d.getTime())) throw badParam(`Invalid value for ${name}: ${raw}`);
  return d.toISOString();
}

/** Registers `/wiki/rest/api/user...` and `/wiki/rest/api/audit`. */
export function v1UserRoutes(router: Router): void {
  router.on('GET', '/wiki/rest/api/user/current', (ctx) => ok(userV1(ctx, ctx.user)));

  router.on('GET', '/wiki/rest/api/user/anonymous', (ctx) =>
    ok({
      type: 'anonymous',
      profilePicture: { path: '/wiki/s/default/_/images/icons/profilepics/anonymous.svg', width: 48, height: 48, isDefault: true },
      displayName: 'Anonymous',
      isExternalCollaborator: false,
      _expandable: { operations: '' },
      _links: { self: `${ctx.base}/rest/api/user/anonymous`, base: ctx.base, context: '/wiki' },
    }),
  );

  router.on('GET', '/wiki/rest/api/user', (ctx) => {
    const id = ctx.query.get('accountId');
    if (!id) throw badParam('accountId is required');
    const user = getUser(ctx.store, id);
    if (!user) throw notFound(`User ${id}`);
    return ok(userV1(ctx, user));
  });

  router.on('GET', '/wiki/rest/api/audit', (ctx) => {
    const rows = listAudit(ctx.store, {
      startDate: dateParam(ctx.query.get('startDate'), 'startDate', false),
      endDate: dateParam(ctx.query.get('endDate'), 'endDate', true),
      searchString: ctx.query.get('searchString') ?? undefined,
    });
    return pageV1(
      ctx,
      rows,
      (r) => {
        const author = getUser(ctx.store, r.author_id);
        return {
          author: {
            type: 'user',
            displayName: author?.display_name ?? 'Unknown user',
            operations: {},
            accountId: r.author_id,
            accountType: 'atlassian',
            externalCollaborator: false,
            isExternalCollaborator: false,
            publicName: author?.public_name ?? 'Unknown user',
          },
          remoteAddress: r.remote_address,
          creationDate: Date.parse(r.created_at),
          summary: r.summary,
          description: r.description,
          category: r.category,
          sysAdmin: false,
          superAdmin: false,
          affectedObject: { name: r.object_name, objectType: r.object_type },
          changedValues: JSON.parse(r.changed),
          associatedObjects: [],
        };
      },
      { defaultLimit: 1000 },
    );
  });
}
