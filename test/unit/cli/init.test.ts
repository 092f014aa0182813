import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEPENDENCY_SCHEMA_PATH, missingIgnoreLines, schemaHint } from '../../../src/cli/commands/init.ts';

test('the schema hint is relative to workflows/ and never leaves the project', () => {
  // The runner installed as a dependency of the project, or the project is this repository.
  assert.deepEqual(schemaHint('/home/ada/site', '/home/ada/site/node_modules/confluence-runner/schemas/workflow.schema.json'), {
    path: DEPENDENCY_SCHEMA_PATH,
    inProject: true,
  });
  assert.deepEqual(schemaHint('/src/confluence-runner', '/src/confluence-runner/schemas/workflow.schema.json'), {
    path: '../schemas/workflow.schema.json',
    inProject: true,
  });
  // A global install or npx: not a path into the installer's machine, but where a dependency install puts it.
  assert.deepEqual(schemaHint('/home/ada/site', '/usr/lib/node_modules/confluence-runner/schemas/workflow.schema.json'), {
    path: DEPENDENCY_SCHEMA_PATH,
    inProject: false,
  });
});

test('.gitignore lines: only the missing ones, whatever the spelling of the present ones', () => {
  assert.deepEqual(missingIgnoreLines(''), ['.env', '.runner/']);
  assert.deepEqual(missingIgnoreLines('node_modules\n/.env\n'), ['.runner/']);
  assert.deepEqual(missingIgnoreLines('.env\r\n/.runner\r\n'), []);
  assert.deepEqual(missingIgnoreLines('.env.example\n.runner-old/\n'), ['.env', '.runner/']);
});
