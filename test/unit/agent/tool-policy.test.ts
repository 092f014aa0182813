import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createToolPolicy, type ToolPolicyOptions } from '../../../src/agent/tool-policy.ts';
import type { BackendTool } from '../../../src/backends/types.ts';
import { confluenceCatalogue } from '../../../src/toolkit/catalogue.ts';
import { MULTI_EXECUTE } from '../../../src/toolkit/router.ts';

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

function policy(options: Partial<ToolPolicyOptions>) {
  return createToolPolicy({ catalogue, backendTools: APP_TOOLS, router: false, ...options });
}

describe('effectOf', () => {
  test('takes the catalogue effect of Confluence tools, whatever the backend hints say', () => {
    const p = policy({ backendTools: [listed('CONFLUENCE_DELETE_PAGE', { readOnlyHint: true })] });
    assert.equal(p.effectOf('CONFLUENCE_GET_SPACES'), 'read');
    assert.equal(p.effectOf('CONFLUENCE_CREATE_PAGE'), 'write');
    assert.equal(p.effectOf('CONFLUENCE_DELETE_PAGE'), 'destructive');
  });

  test("treats the router's discovery meta-tools as reads even without hints", () => {
    const p = policy({ backendTools: [] });
    for (const name of ['COMPOSIO_SEARCH_TOOLS', 'COMPOSIO_GET_TOOL_SCHEMAS', 'COMPOSIO_MANAGE_CONNECTIONS', 'COMPOSIO_WAIT_FOR_CONNECTIONS']) {
      assert.equal(p.effectOf(name), 'read', name);
    }
  });

  test('reads the MCP hints of tools the catalogue does not know', () => {
    const p = policy({
      backendTools: [
        listed('jira_get_issue', { readOnlyHint: true }),
        listed('jira_delete_issue', { destructiveHint: true }),
        listed('jira_create_issue', { readOnlyHint: false, destructiveHint: false }),
        listed('jira_comment', {}),
        listed('jira_mystery'),
      ],
    });
    assert.equal(p.effectOf('jira_get_issue'), 'read');
    assert.equal(p.effectOf('jira_delete_issue'), 'destructive');
    assert.equal(p.effectOf('jira_create_issue'), 'write');
    assert.equal(p.effectOf('jira_comment'), 'destructive', "MCP's default destructiveHint is true for a tool that is not read-only");
    assert.equal(p.effectOf('jira_mystery'), 'unknown', 'listed without any hints');
    assert.equal(p.effectOf('not_offered_at_all'), 'unknown');
  });
});

describe('decide without tools.allow', () => {
  const p = policy({});

  test('allows read tools only', () => {
    assert.deepEqual(p.decide('CONFLUENCE_GET_SPACES'), { allowed: true, effect: 'read' });
    assert.deepEqual(p.decide('CONFLUENCE_CREATE_PAGE'), {
      allowed: false,
      effect: 'write',
      reason: 'CONFLUENCE_CREATE_PAGE is not a read tool and this workflow has no tools.allow list',
    });
    assert.deepEqual(p.decide('CONFLUENCE_DELETE_PAGE'), {
      allowed: false,
      effect: 'destructive',
      reason: 'CONFLUENCE_DELETE_PAGE is not a read tool and this workflow has no tools.allow list',
    });
  });

  test('allows a non-catalogue tool the server hints is read-only, and refuses one it knows nothing about', () => {
    const q = policy({ backendTools: [listed('wiki_lookup', { readOnlyHint: true }), listed('wiki_poke')] });
    assert.deepEqual(q.decide('wiki_lookup'), { allowed: true, effect: 'read' });
    assert.equal(q.decide('wiki_poke').allowed, false);
    assert.equal(q.decide('wiki_poke').effect, 'unknown');
  });
});

describe('decide with tools.allow', () => {
  test('allows exactly the listed tools', () => {
    const p = policy({ allow: ['CONFLUENCE_SEARCH_CONTENT', 'CONFLUENCE_CREATE_PAGE'] });
    assert.deepEqual(p.decide('CONFLUENCE_CREATE_PAGE'), { allowed: true, effect: 'write' });
    assert.deepEqual(p.decide('CONFLUENCE_SEARCH_CONTENT'), { allowed: true, effect: 'read' });
    assert.deepEqual(p.decide('CONFLUENCE_GET_SPACES'), {
      allowed: false,
      effect: 'read',
      reason: "CONFLUENCE_GET_SPACES is not in this workflow's tools.allow",
    });
  });

  test('refuses a listed destructive tool unless allow_destructive is set', () => {
    const without = policy({ allow: ['CONFLUENCE_DELETE_PAGE'] });
    assert.deepEqual(without.decide('CONFLUENCE_DELETE_PAGE'), {
      allowed: false,
      effect: 'destructive',
      reason: 'CONFLUENCE_DELETE_PAGE is destructive and this workflow does not set tools.allow_destructive',
    });
    const off = policy({ allow: ['CONFLUENCE_DELETE_PAGE'], allowDestructive: false });
    assert.equal(off.decide('CONFLUENCE_DELETE_PAGE').allowed, false);
    const on = policy({ allow: ['CONFLUENCE_DELETE_PAGE'], allowDestructive: true });
    assert.deepEqual(on.decide('CONFLUENCE_DELETE_PAGE'), { allowed: true, effect: 'destructive' });
  });

  test('allow_destructive does not open up destructive tools that are not listed', () => {
    const p = policy({ allow: ['CONFLUENCE_GET_SPACES'], allowDestructive: true });
    assert.equal(p.decide('CONFLUENCE_DELETE_PAGE').allowed, false);
  });
});

describe('COMPOSIO_* tools', () => {
  test('in meta-tool mode the discovery tools and multi-execute are allowed whatever tools.allow says', () => {
    const p = policy({ router: true, allow: ['CONFLUENCE_GET_SPACES'], backendTools: META_TOOLS });
    assert.deepEqual(p.decide('COMPOSIO_SEARCH_TOOLS'), { allowed: true, effect: 'read' });
    assert.deepEqual(p.decide('COMPOSIO_GET_TOOL_SCHEMAS'), { allowed: true, effect: 'read' });
    assert.deepEqual(p.decide('COMPOSIO_MANAGE_CONNECTIONS'), { allowed: true, effect: 'read' });
    assert.deepEqual(
      p.decide(MULTI_EXECUTE),
      { allowed: true, effect: 'destructive' },
      'its own effect comes from its hints; inner calls are gated one by one',
    );
  });

  test('in meta-tool mode other COMPOSIO_* tools are still refused', () => {
    const p = policy({ router: true, backendTools: [...META_TOOLS, listed('COMPOSIO_REMOTE_WORKBENCH', { readOnlyHint: true })] });
    assert.deepEqual(p.decide('COMPOSIO_REMOTE_WORKBENCH'), {
      allowed: false,
      effect: 'read',
      reason: 'COMPOSIO_REMOTE_WORKBENCH is a Tool Router tool the runner does not allow',
    });
  });

  test('outside meta-tool mode every COMPOSIO_* tool is refused, even one listed in tools.allow', () => {
    const p = policy({ router: false, allow: ['COMPOSIO_SEARCH_TOOLS', MULTI_EXECUTE], backendTools: META_TOOLS });
    for (const name of ['COMPOSIO_SEARCH_TOOLS', MULTI_EXECUTE]) {
      const decision = p.decide(name);
      assert.equal(decision.allowed, false, name);
      assert.equal(decision.allowed === false && decision.reason, `${name} is a Tool Router tool the runner does not allow`);
    }
  });
});

describe('modelTools and allowed', () => {
  test('offer the allowed app tools in backend order', () => {
    const p = policy({ allow: ['CONFLUENCE_CREATE_PAGE', 'CONFLUENCE_GET_SPACES', 'CONFLUENCE_DELETE_PAGE'] });
    assert.deepEqual(
      p.modelTools().map((t) => t.name),
      ['CONFLUENCE_GET_SPACES', 'CONFLUENCE_CREATE_PAGE'],
    );
    assert.deepEqual(p.allowed(), ['CONFLUENCE_GET_SPACES', 'CONFLUENCE_CREATE_PAGE']);
    assert.ok(
      p.modelTools().every((t) => APP_TOOLS.includes(t)),
      'the backend tool objects themselves, schemas and all',
    );
  });

  test('leave out allowed tools the backend does not offer', () => {
    const p = policy({ allow: ['CONFLUENCE_GET_SPACES', 'CONFLUENCE_GET_PAGES'] });
    assert.deepEqual(p.allowed(), ['CONFLUENCE_GET_SPACES']);
  });

  test('in meta-tool mode the model sees the meta-tools, and the allowlist names the app tools the router runs', () => {
    const p = policy({ router: true, allow: ['CONFLUENCE_SEARCH_CONTENT', 'CONFLUENCE_CREATE_PAGE', 'CONFLUENCE_DELETE_PAGE'], backendTools: META_TOOLS });
    assert.deepEqual(
      p.modelTools().map((t) => t.name),
      ['COMPOSIO_SEARCH_TOOLS', 'COMPOSIO_GET_TOOL_SCHEMAS', MULTI_EXECUTE, 'COMPOSIO_MANAGE_CONNECTIONS'],
    );
    assert.deepEqual(p.allowed(), ['CONFLUENCE_CREATE_PAGE', 'CONFLUENCE_SEARCH_CONTENT'], 'catalogue order, destructive left out');
    const reads = policy({ router: true, backendTools: META_TOOLS });
    assert.deepEqual(reads.allowed(), catalogue.slugsWithEffect('read'));
  });

  test('are empty when nothing is allowed', () => {
    const p = policy({ allow: [] });
    assert.deepEqual(p.modelTools(), []);
    assert.deepEqual(p.allowed(), []);
  });
});
