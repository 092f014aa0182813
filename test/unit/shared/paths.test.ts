import assert from 'node:assert/strict';
import { test } from 'node:test';
import { displayPath } from '../../../src/shared/paths.ts';

test('displayPath shortens paths under the working folder and leaves others as given', () => {
  assert.equal(displayPath('/repo/workflows/a.yaml', '/repo'), 'workflows/a.yaml');
  assert.equal(displayPath('workflows/a.yaml', '/repo'), 'workflows/a.yaml');
  assert.equal(displayPath('/tmp/x/never.yaml', '/repo'), '/tmp/x/never.yaml', 'never ../ climbs');
  assert.equal(displayPath('/tmp/x/never.yaml', '/tmp/fresh'), '/tmp/x/never.yaml', 'a sibling folder is not under the working folder');
  assert.equal(displayPath('/repo', '/repo'), '/repo', 'the folder itself stays as given');
});
