/** v1 CQL search: `/wiki/rest/api/search` and `/wiki/rest/api/content/search` over content, `/wiki/rest/api/search/user` over users. */
import type { Router } from '../http/router.ts';
import type { RouteContext } from '../http/context.ts';
import { listSpaces } from '../store/spaces.ts';
import { listUsers } from '../store/people.ts';
import { HttpError, badParam } from '../http/errors.ts';
import { pageV1 } from '../http/paging.ts';
import { plainText } from '../http/xhtml.ts';
import { CqlError } from '../cql/lexer.ts';
import type { SearchDoc } from '../cql/content.ts';
import { compileContentCql } from '../cql/content.ts';
import { compileUserCql } from '../cql/users.ts';
import { contentV1, expandList, userV1 } from './shapes-v1.ts';
import { searchDocuments } from '../web/search-docs.ts';

function cqlParam(ctx: RouteContext): string {
  const cql = ctx.query.get('cql');
  if (cql === null || !cql.trim()) throw badParam('The cql parameter is required');
  return cql;
}

function cqlFailure(err: unknown, cql: string): never {
  if (err instanceof CqlError) throw new HttpError(400, `Could not parse cql : ${cql} - ${err.message}`, { code: 'INVALID_REQUEST_PARAMETER' });
  throw err;
}

/** Every searchable document (current pages and blog posts; archived too when asked for). */
function documents(ctx: RouteContext, statuses: string[]): SearchDoc[] {
  return searchDocuments(ctx.store, statuses);
}

function excerpt(doc: SearchDoc): string {
  const text = plainText(doc.row.body);
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

/** The content a CQL query (the `cql` parameter) finds, in its order; a bad query is a 400 naming the position. */
function contentHits(ctx: RouteContext): { cql: string; hits: SearchDoc[] } {
  const cql = cqlParam(ctx);
  const env = { now: ctx.store.clock(), currentUser: ctx.user.account_id };
  let compiled: ReturnType<typeof compileContentCql>;
  try {
    compiled = compileContentCql(cql, env);
  } catch (err) {
    cqlFailure(err, cql);
  }
  const statuses = ctx.query.get('includeArchivedSpaces') === 'true' ? ['current', 'archived'] : ['current'];
  return { cql, hits: documents(ctx, statuses).filter(compiled.matches).sort(compiled.sort) };
}

/** Registers the search endpoints: `/search`, `/content/search` (the same query, content objects) and `/search/user`. */
export function v1SearchRoutes(router: Router): void {
  router.on('GET', '/wiki/rest/api/search', (ctx) => {
    const started = Date.now();
    const { cql, hits } = contentHits(ctx);
    const spaceNames = new Map(listSpaces(ctx.store).map((s) => [s.key, s.name]));
    const expand = expandList(ctx).map((e) => e.replace(/^content\./, ''));
    const reply = pageV1(ctx, hits, (doc) => {
      const content = contentV1(ctx, doc.row, expand);
      const webui = (content._links as { webui: string }).webui;
      return {
        content,
        title: doc.row.title,
        excerpt: excerpt(doc),
        url: webui,
        resultGlobalContainer: { title: spaceNames.get(doc.spaceKey) ?? doc.spaceKey, displayUrl: `/spaces/${doc.spaceKey}` },
        breadcrumbs: [],
        entityType: 'content',
        iconCssClass: doc.row.type === 'blogpost' ? 'aui-icon content-type-blogpost' : 'aui-icon content-type-page',
        lastModified: doc.row.updated_at,
        friendlyLastModified: doc.row.updated_at.slice(0, 10),
        score: 0,
      };
    });
    const body = reply.body as Record<string, unknown>;
    const ordered = {
      results: body.results,
      start: body.start,
      limit: body.limit,
      size: body.size,
      totalSize: hits.length,
      cqlQuery: cql,
      searchDuration: Date.now() - started,
      _links: body._links,
    };
    return { status: 200, body: ordered };
  });

  // v1 ContentArray: the hits as content objects, with the v1 paging fields.
  router.on('GET', '/wiki/rest/api/content/search', (ctx) => {
    const { hits } = contentHits(ctx);
    const expand = expandList(ctx);
    return pageV1(ctx, hits, (doc) => contentV1(ctx, doc.row, expand));
  });

  router.on('GET', '/wiki/rest/api/search/user', (ctx) => {
    const started = Date.now();
    const cql = cqlParam(ctx);
    let matches: ReturnType<typeof compileUserCql>;
    try {
      matches = compileUserCql(cql, { now: ctx.store.clock(), currentUser: ctx.user.account_id });
    } catch (err) {
      cqlFailure(err, cql);
    }
    const users = listUsers(ctx.store).filter(matches);
    const reply = pageV1(ctx, users, (u) => ({
      user: userV1(ctx, u),
      title: u.display_name,
      excerpt: '',
      url: `/people/${u.account_id}`,
      breadcrumbs: [],
      entityType: 'user',
      iconCssClass: 'aui-icon content-type-profile',
      lastModified: u.created_at,
      score: 0,
    }));
    const body = reply.body as Record<string, unknown>;
    return {
      status: 200,
      body: {
        results: body.results,
        start: body.start,
        limit: body.limit,
        size: body.size,
        totalSize: users.length,
        cqlQuery: cql,
        searchDuration: Date.now() - started,
        _links: body._links,
      },
    };
  });
}
