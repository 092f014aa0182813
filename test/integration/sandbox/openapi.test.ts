/**
 * Fidelity: real sandbox responses validated against Atlassian's published OpenAPI documents (v2 and v1), read from
 * ../shared/reference beside the repository. Skips with a message when that folder is absent.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { TestSandbox } from './helpers.ts';
import { NO_CHECK, startTestSandbox } from './helpers.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const referenceDir = resolve(repoRoot, '..', 'shared', 'reference');
const haveReference = existsSync(join(referenceDir, 'confluence-openapi-v2.json'));
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function pointer(...parts: string[]): string {
  return parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

function makeValidator(file: string, id: string) {
  const spec = JSON.parse(readFileSync(join(referenceDir, file), 'utf8')) as {
    paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>>;
  };
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  for (const f of ['int32', 'int64', 'double', 'float']) ajv.addFormat(f, true);
  ajv.addSchema({ ...spec, $id: id });
  return (method: string, specPath: string, status: number, body: unknown): string[] => {
    const op = spec.paths[specPath]?.[method.toLowerCase()];
    assert.ok(op, `operation ${method} ${specPath} is in the ${file}`);
    assert.ok(op.responses[String(status)], `${method} ${specPath} documents status ${status}`);
    if (!op.responses[String(status)]!.content?.['application/json']) return [];
    const validate = ajv.compile({
      $ref: `${id}#/${pointer('paths', specPath, method.toLowerCase(), 'responses', String(status), 'content', 'application/json', 'schema')}`,
    });
    return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
  };
}

describe('sandbox responses match the published OpenAPI documents', { skip: haveReference ? false : `reference folder ${referenceDir} is absent` }, () => {
  let sb: TestSandbox;
  const ids: Record<string, string> = {};
  before(async () => {
    sb = await startTestSandbox({ seed: true });
    const prod = await sb.call('GET', '/wiki/api/v2/spaces?keys=PROD');
    ids.space = prod.json.results[0].id;
    const q3 = await sb.call('GET', `/wiki/api/v2/pages?space-id=${ids.space}&title=${encodeURIComponent('Q3 Planning')}`);
    ids.page = q3.json.results[0].id;
    const mkt = await sb.call('GET', '/wiki/api/v2/spaces?keys=MKT');
    ids.mkt = mkt.json.results[0].id;
    const posts = await sb.call('GET', `/wiki/api/v2/blogposts?space-id=${ids.mkt}&sort=-created-date`);
    ids.blog = posts.json.results[0].id;
    const labels = await sb.call('GET', '/wiki/api/v2/labels?label-name=planning');
    ids.label = labels.json.results[0].id;
    const atts = await sb.call('GET', `/wiki/api/v2/pages/${ids.page}/attachments`);
    ids.attachment = atts.json.results[0].id;
    const props = await sb.call('GET', `/wiki/api/v2/pages/${ids.page}/properties`);
    ids.pageProperty = props.json.results[0].id;
    const sprops = await sb.call('GET', `/wiki/api/v2/spaces/${ids.space}/properties`);
    ids.spaceProperty = sprops.json.results[0].id;
  });
  after(async () => {
    await sb?.cleanup();
  });

  it('v2 operations', async () => {
    const check = makeValidator('confluence-openapi-v2.json', 'v2spec');
    const problems: string[] = [];
    const run = async (method: string, specPath: string, path: string, body?: unknown) => {
      const res = await sb.call(method, `/wiki/api/v2${path}`, body);
      assert.ok(res.status < 300, `${method} ${path} answered ${res.status}: ${JSON.stringify(res.json)}`);
      for (const p of check(method, specPath, res.status, res.json)) problems.push(`${method} ${specPath}: ${p}`);
      return res.json;
    };
    const wb = await run('POST', '/whiteboards', '/whiteboards', { spaceId: ids.space, title: 'Sketch' });
    const page = await run('POST', '/pages', '/pages', { spaceId: ids.space, title: 'Fidelity page', body: { representation: 'storage', value: '<p>a</p>' } });
    const post = await run('POST', '/blogposts', '/blogposts', {
      spaceId: ids.space,
      title: 'Fidelity post',
      body: { representation: 'storage', value: '<p>b</p>' },
    });
    await run('PUT', '/pages/{id}', `/pages/${page.id}`, {
      id: page.id,
      status: 'current',
      title: 'Fidelity page',
      body: { representation: 'storage', value: '<p>c</p>' },
      version: { number: 2 },
    });
    await run('PUT', '/blogposts/{id}', `/blogposts/${post.id}`, {
      id: post.id,
      status: 'current',
      title: 'Fidelity post',
      body: { representation: 'storage', value: '<p>d</p>' },
      version: { number: 2 },
    });
    const pp = await run('POST', '/pages/{page-id}/properties', `/pages/${page.id}/properties`, { key: 'k', value: { a: 1 } });
    await run('PUT', '/pages/{page-id}/properties/{property-id}', `/pages/${page.id}/properties/${pp.id}`, {
      key: 'k',
      value: { a: 2 },
      version: { number: 2 },
    });
    const bp = await run('POST', '/blogposts/{blogpost-id}/properties', `/blogposts/${post.id}/properties`, { key: 'k', value: 1 });
    await run('PUT', '/blogposts/{blogpost-id}/properties/{property-id}', `/blogposts/${post.id}/properties/${bp.id}`, {
      key: 'k',
      value: 2,
      version: { number: 2 },
    });
    const wp = await run('POST', '/whiteboards/{id}/properties', `/whiteboards/${wb.id}/properties`, { key: 'k', value: 'v' });
    await run('PUT', '/whiteboards/{whiteboard-id}/properties/{property-id}', `/whiteboards/${wb.id}/properties/${wp.id}`, {
      key: 'k',
      value: 'w',
      version: { number: 2 },
    });
    const sp = await run('POST', '/spaces/{space-id}/properties', `/spaces/${ids.space}/properties`, { key: 'fresh', value: true });
    await run('PUT', '/spaces/{space-id}/properties/{property-id}', `/spaces/${ids.space}/properties/${sp.id}`, {
      key: 'fresh',
      value: false,
      version: { number: 2 },
    });
    await run('POST', '/spaces', '/spaces', { key: 'NEWSP', name: 'New space' });

    const gets: Array<[string, string]> = [
      ['/pages', '/pages?body-format=storage'],
      ['/pages/{id}', `/pages/${ids.page}?body-format=storage`],
      ['/pages/{id}', `/pages/${ids.page}?version=1`],
      ['/pages/{id}/children', `/pages/${ids.page}/children`],
      ['/pages/{id}/ancestors', `/pages/${page.id}/ancestors`],
      ['/pages/{id}/versions', `/pages/${ids.page}/versions`],
      ['/pages/{page-id}/versions/{version-number}', `/pages/${ids.page}/versions/2`],
      ['/pages/{id}/labels', `/pages/${ids.page}/labels`],
      ['/pages/{id}/attachments', `/pages/${ids.page}/attachments`],
      ['/pages/{id}/likes/count', `/pages/${ids.page}/likes/count`],
      ['/pages/{id}/operations', `/pages/${ids.page}/operations`],
      ['/pages/{id}/inline-comments', `/pages/${ids.page}/inline-comments?body-format=storage`],
      ['/pages/{page-id}/properties', `/pages/${ids.page}/properties`],
      ['/pages/{page-id}/properties/{property-id}', `/pages/${ids.page}/properties/${ids.pageProperty}`],
      ['/blogposts', '/blogposts?body-format=storage'],
      ['/blogposts/{id}', `/blogposts/${ids.blog}?body-format=storage`],
      ['/blogposts/{id}/labels', `/blogposts/${ids.blog}/labels`],
      ['/blogposts/{id}/versions', `/blogposts/${ids.blog}/versions`],
      ['/blogposts/{blogpost-id}/versions/{version-number}', `/blogposts/${ids.blog}/versions/1`],
      ['/blogposts/{id}/likes/count', `/blogposts/${ids.blog}/likes/count`],
      ['/blogposts/{id}/operations', `/blogposts/${ids.blog}/operations`],
      ['/blogposts/{id}/inline-comments', `/blogposts/${ids.blog}/inline-comments?body-format=storage`],
      ['/blogposts/{blogpost-id}/properties', `/blogposts/${post.id}/properties`],
      ['/blogposts/{id}/attachments', `/blogposts/${ids.blog}/attachments`],
      ['/spaces', '/spaces?description-format=plain'],
      ['/spaces/{id}', `/spaces/${ids.space}`],
      ['/spaces/{id}/labels', `/spaces/${ids.space}/labels`],
      ['/spaces/{id}/content/labels', `/spaces/${ids.space}/content/labels`],
      ['/spaces/{id}/pages', `/spaces/${ids.space}/pages`],
      ['/spaces/{id}/blogposts', `/spaces/${ids.mkt}/blogposts`],
      ['/spaces/{space-id}/properties', `/spaces/${ids.space}/properties`],
      ['/spaces/{space-id}/properties/{property-id}', `/spaces/${ids.space}/properties/${ids.spaceProperty}`],
      ['/labels', '/labels'],
      ['/labels/{id}/pages', `/labels/${ids.label}/pages`],
      ['/labels/{id}/blogposts', `/labels/${ids.label}/blogposts`],
      ['/attachments/{id}', `/attachments/${ids.attachment}`],
      ['/attachments/{id}/labels', `/attachments/${ids.attachment}/labels`],
      ['/whiteboards/{id}', `/whiteboards/${wb.id}`],
      ['/whiteboards/{id}/properties', `/whiteboards/${wb.id}/properties`],
      ['/whiteboards/{id}/ancestors', `/whiteboards/${wb.id}/ancestors`],
    ];
    for (const [specPath, path] of gets) await run('GET', specPath, path);
    assert.deepEqual(problems, []);
    assert.notDeepEqual(check('GET', '/pages/{id}', 200, { id: 5, version: { number: 'x' } }), [], 'the validator rejects a wrong shape');
  });

  it('v1 operations', async () => {
    const check = makeValidator('confluence-swagger-v1.json', 'v1spec');
    const problems: string[] = [];
    const run = async (method: string, specPath: string, path: string, body?: unknown) => {
      const res = await sb.call(method, `/wiki/rest/api${path}`, body, method === 'GET' ? {} : NO_CHECK);
      assert.ok(res.status < 300, `${method} ${path} answered ${res.status}: ${JSON.stringify(res.json)}`);
      for (const p of check(method, `/wiki/rest/api${specPath}`, res.status, res.json)) problems.push(`${method} ${specPath}: ${p}`);
      return res.json;
    };
    await run(
      'GET',
      '/search',
      `/search?cql=${encodeURIComponent('type = page AND label = "meeting-notes"')}&limit=5&expand=content.version,content.space,content.history`,
    );
    await run('GET', '/search/user', `/search/user?cql=${encodeURIComponent('type = user')}`);
    await run('GET', '/user/current', '/user/current');
    await run('GET', '/user/anonymous', '/user/anonymous');
    await run('GET', '/audit', '/audit?limit=5');
    await run('POST', '/content/{id}/label', `/content/${ids.page}/label`, [{ prefix: 'global', name: 'fidelity' }]);
    await run('GET', '/content/{id}/label', `/content/${ids.page}/label`);
    await run('GET', '/content/{id}/restriction', `/content/${ids.page}/restriction`);
    await run('GET', '/space/{spaceKey}', '/space/PROD');
    await run('POST', '/space/_private', '/space/_private', {
      key: 'PRIV',
      name: 'Private',
      description: { plain: { value: 'mine', representation: 'plain' } },
    });
    await run('GET', '/space/{spaceKey}/content', '/space/PROD/content?expand=body.storage,version');
    await run('GET', '/space/{spaceKey}/content/{type}', '/space/PROD/content/page?limit=3');
    await run('DELETE', '/space/{spaceKey}', '/space/PRIV');
    assert.deepEqual(problems, []);
  });
});
