import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createToolAccess, type ToolAccessOptions } from '../../../src/toolkit/access.ts';
import { confluenceCatalogue } from '../../../src/toolkit/catalogue.ts';
import { MULTI_EXECUTE } from '../../../src/toolkit/router.ts';
import type { BackendTool } from '../../../src/toolkit/types.ts';

const catalogue = confluenceCatalogue();

/** A backend tool as an MCP server would list it. */
function listed(name: string, annotations?: BackendTool['annotations']): BackendTool {
  return { name, description: `${name} tool`, inputSchema: { type: 'object', properties: {} }, ...(annotations ? { annotations } : {}) };
}

/** The router's meta-tools with the hints the sandbox's tool router sends. */
const META_TOOLS = [
  listed('COMPOSIO_SEARCH_TOOLS', { readOnlyHint: true, destructiveHint: false }),
  listed('COMPOSIO_GET_TOOL_SCHEMAS', { readOnlyHint: true, destructiveHint: false }),
  listed(MULTI_EXECUTE, { readOnlyHint: false, destructiveHint: true }),
  listed('COMPOSIO_MANAGE_CONNECTIONS', { readOnlyHint: false, destructiveHint: true }),
];

const APP_TOOLS = ['CONFLUENCE_GET_SPACES', 'CONFLUENCE_SEARCH_CONTENT', 'CONFLUENCE_CREATE_PAGE', 'CONFLUENCE_DELETE_PAGE'].map((n) => listed(n));

/** Access bound to a backend listing `tools` (default: four app tools, not a router). */
function access(options: Partial<ToolAccessOptions> & { tools?: readonly BackendTool[]; router?: boolean; name?: string } = {}) {
  const { tools = APP_TOOLS, router = false, name = 'test', ...settings } = options;
  return createToolAccess({ catalogue, ...settings }).withBackend({ name, tools, router });
}

describe('effectOf', () => {
  test('takes the catalogue effect of Confluence tools, whatever the backend hints say', () => {
    const a = access({ tools: [listed('CONFLUENCE_DELETE_PAGE', { readOnlyHint: true })] });
    assert.equal(a.effectOf('CONFLUENCE_GET_SPACES'), 'read');
    assert.equal(a.effectOf('CONFLUENCE_CREATE_PAGE'), 'write');
    assert.equal(a.effectOf('CONFLUENCE_DELETE_PAGE'), 'destructive');
  });

  test("treats the router's discovery meta-tools as reads even without hints", () => {
    const a = access({ tools: [] });
    for (const name of ['COMPOSIO_SEARCH_TOOLS', 'COMPOSIO_GET_TOOL_SCHEMAS']) {
      assert.equal(a.effectOf(name), 'read', name);
    }
  });

  test('reads the MCP hints of tools the catalogue does not know', () => {
    const a = access({
      tools: [
        listed('jira_get_issue', { readOnlyHint: true }),
        listed('jira_delete_issue', { destructiveHint: true }),
        listed('jira_create_issue', { readOnlyHint: false, destructiveHint: false }),
        listed('jira_comment', {}),
        listed('jira_mystery'),
      ],
    });
    assert.equal(a.effectOf('jira_get_issue'), 'read');
    assert.equal(a.effectOf('jira_delete_issue'), 'destructive');
    assert.equal(a.effectOf('jira_create_issue'), 'write');
    assert.equal(a.effectOf('jira_comment'), 'destructive', "MCP's default destructiveHint is true for a tool that is not read-only");
    assert.equal(a.effectOf('jira_mystery'), 'unknown', 'listed without any hints');
    assert.equal(a.effectOf('not_offered_at_all'), 'unknown');
  });

  test('before a backend is bound, only the catalogue and the router meta-tools are known', () => {
    const unbound = createToolAccess({ catalogue });
    assert.equal(unbound.effectOf('CONFLUENCE_CREATE_PAGE'), 'write');
    assert.equal(unbound.effectOf('COMPOSIO_SEARCH_TOOLS'), 'read');
    assert.equal(unbound.effectOf('jira_get_issue'), 'unknown', 'no listing, no hints');
    const bound = unbound.withBackend({ name: 'mcp', tools: [listed('jira_get_issue', { readOnlyHint: true })], router: false });
    assert.equal(bound.effectOf('jira_get_issue'), 'read');
    assert.equal(unbound.effectOf('jira_get_issue'), 'unknown', 'binding returns a new object; the unbound access is unchanged');
  });
});

describe('decide without tools.allow', () => {
  const a = access();

  test('allows read tools only, and says why the others are denied', () => {
    assert.deepEqual(a.decide('CONFLUENCE_GET_SPACES'), { allowed: true, effect: 'read' });
    assert.deepEqual(a.decide('CONFLUENCE_CREATE_PAGE'), {
      allowed: false,
      effect: 'write',
      denial: 'reads-only',
      reason: 'CONFLUENCE_CREATE_PAGE is not a read tool and this workflow has no tools.allow list',
    });
    assert.deepEqual(a.decide('CONFLUENCE_DELETE_PAGE'), {
      allowed: false,
      effect: 'destructive',
      denial: 'reads-only',
      reason: 'CONFLUENCE_DELETE_PAGE is not a read tool and this workflow has no tools.allow list',
    });
  });

  test('allows a non-catalogue tool the server hints is read-only, and refuses one it knows nothing about', () => {
    const b = access({ tools: [listed('wiki_lookup', { readOnlyHint: true }), listed('wiki_poke')] });
    assert.deepEqual(b.decide('wiki_lookup'), { allowed: true, effect: 'read' });
    assert.deepEqual(b.decide('wiki_poke'), {
      allowed: false,
      effect: 'unknown',
      denial: 'reads-only',
      reason: 'wiki_poke is not a read tool and this workflow has no tools.allow list',
    });
  });
});

describe('decide with tools.allow', () => {
  test('allows exactly the listed tools', () => {
    const a = access({ allow: ['CONFLUENCE_SEARCH_CONTENT', 'CONFLUENCE_CREATE_PAGE'] });
    assert.deepEqual(a.decide('CONFLUENCE_CREATE_PAGE'), { allowed: true, effect: 'write' });
    assert.deepEqual(a.decide('CONFLUENCE_SEARCH_CONTENT'), { allowed: true, effect: 'read' });
    assert.deepEqual(a.decide('CONFLUENCE_GET_SPACES'), {
      allowed: false,
      effect: 'read',
      denial: 'not-in-allow',
      reason: "CONFLUENCE_GET_SPACES is not in this workflow's tools.allow",
    });
  });

  test('refuses a listed destructive tool unless allow_destructive is set', () => {
    const without = access({ allow: ['CONFLUENCE_DELETE_PAGE'] });
    assert.deepEqual(without.decide('CONFLUENCE_DELETE_PAGE'), {
      allowed: false,
      effect: 'destructive',
      denial: 'destructive',
      reason: 'CONFLUENCE_DELETE_PAGE is destructive and this workflow does not set tools.allow_destructive',
    });
    const off = access({ allow: ['CONFLUENCE_DELETE_PAGE'], allowDestructive: false });
    assert.equal(off.decide('CONFLUENCE_DELETE_PAGE').allowed, false);
    const on = access({ allow: ['CONFLUENCE_DELETE_PAGE'], allowDestructive: true });
    assert.deepEqual(on.decide('CONFLUENCE_DELETE_PAGE'), { allowed: true, effect: 'destructive' });
  });

  test('a listed tool whose MCP hints say destructive needs allow_destructive too', () => {
    const tools = [listed('jira_delete_issue', { destructiveHint: true })];
    const denied = access({ tools, allow: ['jira_delete_issue'] }).decide('jira_delete_issue');
    assert.equal(denied.allowed === false && denied.denial, 'destructive');
    assert.deepEqual(access({ tools, allow: ['jira_delete_issue'], allowDestructive: true }).decide('jira_delete_issue'), {
      allowed: true,
      effect: 'destructive',
    });
  });

  test('allow_destructive does not open up destructive tools that are not listed', () => {
    const a = access({ allow: ['CONFLUENCE_GET_SPACES'], allowDestructive: true });
    const decision = a.decide('CONFLUENCE_DELETE_PAGE');
    assert.equal(decision.allowed, false);
    assert.equal(decision.allowed === false && decision.denial, 'not-in-allow');
  });
});

describe('COMPOSIO_* tools', () => {
  test('in meta-tool mode the discovery tools and multi-execute are allowed whatever tools.allow says', () => {
    const a = access({ router: true, allow: ['CONFLUENCE_GET_SPACES'], tools: META_TOOLS });
    assert.deepEqual(a.decide('COMPOSIO_SEARCH_TOOLS'), { allowed: true, effect: 'read' });
    assert.deepEqual(a.decide('COMPOSIO_GET_TOOL_SCHEMAS'), { allowed: true, effect: 'read' });
    assert.deepEqual(
      a.decide(MULTI_EXECUTE),
      { allowed: true, effect: 'destructive' },
      'its own effect comes from its hints; inner calls are gated one by one',
    );
  });

  test('in meta-tool mode the connection meta-tools are refused: an unattended run cannot finish an auth link', () => {
    const a = access({ router: true, allow: ['CONFLUENCE_GET_SPACES'], tools: META_TOOLS });
    assert.deepEqual(a.decide('COMPOSIO_MANAGE_CONNECTIONS'), {
      allowed: false,
      effect: 'destructive',
      denial: 'router-tool',
      reason: 'COMPOSIO_MANAGE_CONNECTIONS is a Tool Router tool the runner does not allow',
    });
    assert.equal(a.decide('COMPOSIO_WAIT_FOR_CONNECTIONS').allowed, false);
    assert.ok(!a.offered().some((t) => t.name === 'COMPOSIO_MANAGE_CONNECTIONS'), 'nor is it offered to the model');
  });

  test('in meta-tool mode other COMPOSIO_* tools are still refused', () => {
    const a = access({ router: true, tools: [...META_TOOLS, listed('COMPOSIO_REMOTE_WORKBENCH', { readOnlyHint: true })] });
    assert.deepEqual(a.decide('COMPOSIO_REMOTE_WORKBENCH'), {
      allowed: false,
      effect: 'read',
      denial: 'router-tool',
      reason: 'COMPOSIO_REMOTE_WORKBENCH is a Tool Router tool the runner does not allow',
    });
  });

  test('outside meta-tool mode every COMPOSIO_* tool is refused, even one listed in tools.allow', () => {
    const a = access({ router: false, allow: ['COMPOSIO_SEARCH_TOOLS', MULTI_EXECUTE], tools: META_TOOLS });
    for (const name of ['COMPOSIO_SEARCH_TOOLS', MULTI_EXECUTE]) {
      const decision = a.decide(name);
      assert.equal(decision.allowed, false, name);
      assert.equal(decision.allowed === false && decision.denial, 'router-tool', name);
      assert.equal(decision.allowed === false && decision.reason, `${name} is a Tool Router tool the runner does not allow`);
    }
  });

  test('without a backend, the router meta-tools are refused (meta-tool mode is a property of the open backend)', () => {
    const unbound = createToolAccess({ catalogue, allow: [MULTI_EXECUTE] });
    const decision = unbound.decide(MULTI_EXECUTE);
    assert.equal(decision.allowed === false && decision.denial, 'router-tool');
  });
});

describe('allowedTools (no backend: plan output and Composio session scoping)', () => {
  test('without tools.allow: every read tool of the catalogue, the definitions themselves', () => {
    const tools = createToolAccess({ catalogue }).allowedTools();
    assert.deepEqual(
      tools.map((t) => t.slug),
      catalogue.slugsWithEffect('read'),
    );
    assert.ok(tools.length > 0);
    assert.ok(
      tools.every((t) => t === catalogue.get(t.slug)),
      'catalogue definitions, schemas and all',
    );
  });

  test('with tools.allow: the listed catalogue tools in catalogue order; destructive only with allow_destructive', () => {
    const allow = ['CONFLUENCE_DELETE_PAGE', 'CONFLUENCE_SEARCH_CONTENT', 'CONFLUENCE_CREATE_PAGE', 'jira_get_issue', 'COMPOSIO_SEARCH_TOOLS'];
    const slugs = (allowDestructive: boolean) =>
      createToolAccess({ catalogue, allow, allowDestructive })
        .allowedTools()
        .map((t) => t.slug);
    const inCatalogueOrder = (names: string[]) => catalogue.tools.map((t) => t.slug).filter((s) => names.includes(s));
    assert.deepEqual(slugs(false), inCatalogueOrder(['CONFLUENCE_SEARCH_CONTENT', 'CONFLUENCE_CREATE_PAGE']));
    assert.deepEqual(slugs(true), inCatalogueOrder(['CONFLUENCE_SEARCH_CONTENT', 'CONFLUENCE_CREATE_PAGE', 'CONFLUENCE_DELETE_PAGE']));
  });

  test('is empty when tools.allow is empty', () => {
    assert.deepEqual(createToolAccess({ catalogue, allow: [] }).allowedTools(), []);
  });

  test('binding to a backend does not change which catalogue tools are allowed', () => {
    const unbound = createToolAccess({ catalogue, allow: ['CONFLUENCE_GET_SPACES', 'CONFLUENCE_GET_PAGES'] });
    const bound = unbound.withBackend({ name: 'test', tools: APP_TOOLS, router: false });
    assert.deepEqual(
      bound.allowedTools().map((t) => t.slug),
      unbound.allowedTools().map((t) => t.slug),
    );
  });

  test('the backend listing is only there once bound', () => {
    const unbound = createToolAccess({ catalogue });
    const bound = unbound.withBackend({ name: 'sandbox', tools: APP_TOOLS, router: false });
    assert.equal(bound.backend.name, 'sandbox');
    assert.equal(bound.backend.tools, APP_TOOLS);
    assert.throws(() => (unbound as unknown as { backend: unknown }).backend, /not bound to a backend/);
  });
});

describe('offered and allowedNames', () => {
  test('offer the allowed app tools in backend order', () => {
    const a = access({ allow: ['CONFLUENCE_CREATE_PAGE', 'CONFLUENCE_GET_SPACES', 'CONFLUENCE_DELETE_PAGE'] });
    assert.deepEqual(
      a.offered().map((t) => t.name),
      ['CONFLUENCE_GET_SPACES', 'CONFLUENCE_CREATE_PAGE'],
    );
    assert.deepEqual(a.allowedNames(), ['CONFLUENCE_GET_SPACES', 'CONFLUENCE_CREATE_PAGE']);
    assert.ok(
      a.offered().every((t) => APP_TOOLS.includes(t)),
      'the backend tool objects themselves, schemas and all',
    );
  });

  test('leave out allowed tools the backend does not offer', () => {
    const a = access({ allow: ['CONFLUENCE_GET_SPACES', 'CONFLUENCE_GET_PAGES'] });
    assert.deepEqual(a.allowedNames(), ['CONFLUENCE_GET_SPACES']);
    assert.deepEqual(
      a.offered().map((t) => t.name),
      ['CONFLUENCE_GET_SPACES'],
    );
  });

  test('in meta-tool mode the model sees the meta-tools, and the allowlist names the app tools the router runs', () => {
    const a = access({ router: true, allow: ['CONFLUENCE_SEARCH_CONTENT', 'CONFLUENCE_CREATE_PAGE', 'CONFLUENCE_DELETE_PAGE'], tools: META_TOOLS });
    assert.deepEqual(
      a.offered().map((t) => t.name),
      ['COMPOSIO_SEARCH_TOOLS', 'COMPOSIO_GET_TOOL_SCHEMAS', MULTI_EXECUTE],
    );
    assert.deepEqual(a.allowedNames(), ['CONFLUENCE_CREATE_PAGE', 'CONFLUENCE_SEARCH_CONTENT'], 'catalogue order, destructive left out');
    const reads = access({ router: true, tools: META_TOOLS });
    assert.deepEqual(reads.allowedNames(), catalogue.slugsWithEffect('read'));
  });

  test('are empty when nothing is allowed', () => {
    const a = access({ allow: [] });
    assert.deepEqual(a.offered(), []);
    assert.deepEqual(a.allowedNames(), []);
  });
});

describe('schemaOf', () => {
  test("prefers the backend's listed schema, falls back to the catalogue's, and knows nothing of other tools", () => {
    const own = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] };
    const a = access({ tools: [{ ...listed('CONFLUENCE_GET_PAGE_BY_ID'), inputSchema: own }, listed('jira_get_issue', { readOnlyHint: true })] });
    assert.equal(a.schemaOf('CONFLUENCE_GET_PAGE_BY_ID'), own);
    assert.equal(a.schemaOf('CONFLUENCE_CREATE_PAGE'), catalogue.get('CONFLUENCE_CREATE_PAGE')!.input, 'not listed: the catalogue schema');
    assert.deepEqual(a.schemaOf('jira_get_issue'), { type: 'object', properties: {} });
    assert.equal(a.schemaOf('not_anywhere'), undefined);
  });
});

describe('unavailableReason', () => {
  test('a denied tool: the denial reason, then the allowed tools', () => {
    const a = access({ allow: ['CONFLUENCE_GET_SPACES', 'CONFLUENCE_CREATE_PAGE'] });
    assert.equal(
      a.unavailableReason('CONFLUENCE_SEARCH_CONTENT'),
      "CONFLUENCE_SEARCH_CONTENT is not in this workflow's tools.allow; allowed tools: CONFLUENCE_GET_SPACES, CONFLUENCE_CREATE_PAGE",
    );
  });

  test('an allowed tool the backend does not offer names the backend', () => {
    const a = access({ name: 'sandbox', allow: ['CONFLUENCE_GET_SPACES', 'CONFLUENCE_GET_PAGES'] });
    assert.equal(
      a.unavailableReason('CONFLUENCE_GET_PAGES'),
      'CONFLUENCE_GET_PAGES is not offered by the sandbox backend; allowed tools: CONFLUENCE_GET_SPACES',
    );
  });

  test('says none when nothing is allowed', () => {
    const a = access({ allow: [] });
    assert.equal(a.unavailableReason('CONFLUENCE_GET_SPACES'), "CONFLUENCE_GET_SPACES is not in this workflow's tools.allow; allowed tools: none");
  });
});
