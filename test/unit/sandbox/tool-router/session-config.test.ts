import { test } from 'node:test';
import assert from 'node:assert/strict';
import { confluenceCatalogue } from '../../../../src/toolkit/catalogue.ts';
import { type SessionConfigError, allowsTool, echoConfig, parseSessionConfig } from '../../../../src/sandbox/tool-router/session-config.ts';
import { enabledMetaSlugs } from '../../../../src/sandbox/tool-router/session-executor.ts';

const catalogue = confluenceCatalogue();
const known = new Set(catalogue.tools.map((t) => t.slug));
const allowed = (body: unknown): string[] => {
  const config = parseSessionConfig(body, known);
  return catalogue.tools.filter((t) => allowsTool(config, t)).map((t) => t.slug);
};

test('without filters every tool is allowed and all four meta tools are on', () => {
  assert.equal(allowed({ user_id: 'u' }).length, 57);
  assert.deepEqual(enabledMetaSlugs(parseSessionConfig({ user_id: 'u' }, known)), [
    'COMPOSIO_SEARCH_TOOLS',
    'COMPOSIO_GET_TOOL_SCHEMAS',
    'COMPOSIO_MULTI_EXECUTE_TOOL',
    'COMPOSIO_MANAGE_CONNECTIONS',
  ]);
});

test('toolkit and tool filters narrow the allowed tools', () => {
  assert.deepEqual(allowed({ user_id: 'u', toolkits: { disable: ['confluence'] } }), []);
  assert.deepEqual(allowed({ user_id: 'u', toolkits: { enable: ['github'] } }), []);
  assert.deepEqual(allowed({ user_id: 'u', tools: { confluence: { enable: ['confluence_get_pages'] } } }), ['CONFLUENCE_GET_PAGES']);
  assert.equal(allowed({ user_id: 'u', tools: { confluence: { disable: ['CONFLUENCE_DELETE_PAGE'] } } }).length, 56);
  const readOnly = allowed({ user_id: 'u', tools: { confluence: { tags: { enable: ['readOnlyHint'] } } } });
  assert.equal(readOnly.length, catalogue.slugsWithEffect('read').length);
  const safe = allowed({ user_id: 'u', tags: { disable: ['destructiveHint'] } });
  assert.equal(safe.length, 57 - catalogue.slugsWithEffect('destructive').length);
});

test('the direct_tools preset body turns search and multi-execute off and preloads every tool', () => {
  const config = parseSessionConfig(
    {
      user_id: 'u',
      manage_connections: { enable: false },
      search: { enable: false },
      execute: { enable_multi_execute: false },
      preload: { tools: 'all' },
    },
    known,
  );
  assert.deepEqual(enabledMetaSlugs(config), []);
  assert.equal(config.preload, 'all');
});

test('bad requests list every problem, naming the field', () => {
  assert.throws(
    () => parseSessionConfig({ toolkits: { enabled: ['confluence'] }, tools: { confluence: { enable: ['CONFLUENCE_NOPE'], disable: [] } } }, known),
    (error: SessionConfigError) => {
      assert.deepEqual(error.problems, [
        'user_id is required (a non-empty string)',
        'toolkits.enabled is not accepted in requests; use enable',
        'toolkits must use exactly one of enable, disable',
        'tools.confluence must use exactly one of enable, disable, tags',
      ]);
      return true;
    },
  );
  assert.throws(() => parseSessionConfig({ user_id: 'u', tools: { confluence: ['CONFLUENCE_NOPE'] } }, known), /unknown tool\(s\): CONFLUENCE_NOPE/);
});

test('the echoed config uses past tense keys', () => {
  const config = parseSessionConfig({ user_id: 'u', toolkits: ['confluence'], tools: { confluence: { disable: ['CONFLUENCE_DELETE_PAGE'] } } }, known);
  const echo = echoConfig(config);
  assert.deepEqual(echo.toolkits, { enabled: ['confluence'] });
  assert.deepEqual(echo.tools, { confluence: { disabled: ['CONFLUENCE_DELETE_PAGE'] } });
  assert.deepEqual(echo.manage_connections, { enabled: true });
});
