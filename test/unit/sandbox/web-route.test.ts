import assert from 'node:assert/strict';
import { test } from 'node:test';
import { webRouteOf } from '../../../src/sandbox/web/route.ts';
import { tinyLinkId, webContentPath } from '../../../src/sandbox/web/paths.ts';

test('the web views take their own paths only, never the REST API', () => {
  for (const rest of [
    '/wiki/api/v2/pages',
    '/wiki/rest/api/search',
    '/wiki/api/v2/spaces/1',
    '/mcp',
    '/api/v3.1/tool_router/session',
    '/wiki/spacesX',
    '/wiki/searching',
  ]) {
    assert.equal(webRouteOf(rest), undefined, rest);
  }
  assert.deepEqual(webRouteOf('/'), { view: 'root' });
  for (const p of ['/wiki', '/wiki/', '/wiki/spaces', '/wiki/spaces/']) assert.deepEqual(webRouteOf(p), { view: 'spaces' }, p);
  assert.deepEqual(webRouteOf('/wiki/search'), { view: 'search' });
});

test('content addresses as the REST shapes write them', () => {
  assert.deepEqual(webRouteOf('/wiki/spaces/DOCS'), { view: 'space', key: 'DOCS' });
  assert.deepEqual(webRouteOf('/wiki/spaces/DOCS/overview'), { view: 'space', key: 'DOCS' });
  assert.deepEqual(webRouteOf('/wiki/spaces/%7Euser'), { view: 'space', key: '~user' });
  assert.deepEqual(webRouteOf('/wiki/spaces/DOCS/pages/123/My+Page'), { view: 'content', type: 'page', key: 'DOCS', id: 123 });
  assert.deepEqual(webRouteOf('/wiki/spaces/DOCS/pages/123'), { view: 'content', type: 'page', key: 'DOCS', id: 123 });
  assert.deepEqual(webRouteOf('/wiki/spaces/DOCS/blog/2025/03/07/9/Weekly'), { view: 'content', type: 'blogpost', key: 'DOCS', id: 9 });
  assert.deepEqual(webRouteOf('/wiki/spaces/DOCS/blog/2025/03/07/9'), { view: 'content', type: 'blogpost', key: 'DOCS', id: 9 });
  assert.deepEqual(webRouteOf('/wiki/spaces/DOCS/whiteboard/5'), { view: 'content', type: 'whiteboard', key: 'DOCS', id: 5 });
  assert.deepEqual(webRouteOf('/wiki/x/MTIz'), { view: 'tiny', code: 'MTIz' });
  for (const odd of [
    '/wiki/spaces/DOCS/pages/abc',
    '/wiki/spaces/DOCS/pages',
    '/wiki/spaces/DOCS/blog/2025/3/7/9',
    '/wiki/spaces/%E0%A4%A/pages/1',
    '/wiki/x/a.b',
  ]) {
    assert.deepEqual(webRouteOf(odd), { view: 'unknown' }, odd);
  }
});

test('web paths match the REST webui links and tiny links decode', () => {
  const created = '2025-03-07T09:00:00.000Z';
  assert.equal(webContentPath({ id: 1, type: 'page', title: 'Q3 Planning: v2', created_at: created }, 'PROD'), '/wiki/spaces/PROD/pages/1/Q3+Planning%3A+v2');
  assert.equal(webContentPath({ id: 2, type: 'blogpost', title: 'News', created_at: created }, 'PROD'), '/wiki/spaces/PROD/blog/2025/03/07/2/News');
  assert.equal(webContentPath({ id: 3, type: 'whiteboard', title: 'W', created_at: created }, 'PROD'), '/wiki/spaces/PROD/whiteboard/3');
  assert.equal(tinyLinkId(Buffer.from('98382').toString('base64url')), 98382);
  assert.equal(tinyLinkId('bm9wZQ'), undefined);
});
