import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { UserError } from '../../../src/shared/errors.ts';
import { confluenceCatalogue } from '../../../src/toolkit/catalogue.ts';
import { parseInputFlags, resolveInputs } from '../../../src/workflow/inputs.ts';
import { loadWorkflow } from '../../../src/workflow/load.ts';
import type { Workflow } from '../../../src/workflow/types.ts';

const fixture = (name: string) => new URL(`../../fixtures/workflows/valid/${name}.yaml`, import.meta.url).pathname;
let typed: Workflow;
let required: Workflow;
let none: Workflow;
before(async () => {
  const options = { tools: confluenceCatalogue() };
  typed = await loadWorkflow(fixture('typed-inputs'), options);
  required = await loadWorkflow(fixture('mixed-steps'), options);
  none = await loadWorkflow(fixture('schedule-macro'), options);
});

/** The message of the UserError `fn` throws (fails the test when it throws nothing or something else). */
function userError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof UserError, `expected a UserError, got ${String(error)}`);
    return error.message;
  }
  assert.fail('expected a UserError');
}

test('parseInputFlags splits on the first =', () => {
  assert.deepEqual(parseInputFlags(['space=TEAM', 'query=a=b', 'empty=']), { space: 'TEAM', query: 'a=b', empty: '' });
  assert.deepEqual(parseInputFlags([]), {});
});

test('parseInputFlags rejects a flag without a name or =', () => {
  assert.equal(
    userError(() => parseInputFlags(['space'])),
    "--input 'space' must look like name=value",
  );
  assert.equal(
    userError(() => parseInputFlags(['=x'])),
    "--input '=x' must look like name=value",
  );
});

test('defaults fill what is not given; an optional input without default stays absent', () => {
  assert.deepEqual(resolveInputs(typed, {}), { detail: 'short', max_pages: 25, include_archived: false });
});

test('given strings are converted to each input type', () => {
  assert.deepEqual(resolveInputs(typed, { detail: 'long', max_pages: ' 7.5 ', include_archived: 'yes', topic: 'onboarding' }), {
    detail: 'long',
    max_pages: 7.5,
    include_archived: true,
    topic: 'onboarding',
  });
  for (const [text, value] of [
    ['true', true],
    ['1', true],
    ['NO', false],
    ['false', false],
    ['0', false],
  ] as const) {
    assert.equal(resolveInputs(typed, { include_archived: text }).include_archived, value, text);
  }
});

test('typed values given in-process are kept', () => {
  assert.deepEqual(resolveInputs(typed, { max_pages: 3, include_archived: true }), { detail: 'short', max_pages: 3, include_archived: true });
});

test('ill-typed values are errors that show the value', () => {
  assert.equal(
    userError(() => resolveInputs(typed, { max_pages: 'lots' })),
    "input 'max_pages' must be a number, got 'lots'",
  );
  assert.equal(
    userError(() => resolveInputs(typed, { max_pages: '' })),
    "input 'max_pages' must be a number, got ''",
  );
  assert.equal(
    userError(() => resolveInputs(typed, { include_archived: 'maybe' })),
    "input 'include_archived' must be a boolean, got 'maybe'",
  );
  assert.equal(
    userError(() => resolveInputs(typed, { detail: 'shrt' })),
    "input 'detail' must be one of short, long, got 'shrt'; did you mean 'short'?",
  );
});

test('unknown inputs name the closest declared one, or say there are none', () => {
  assert.equal(
    userError(() => resolveInputs(typed, { detial: 'long' })),
    "unknown input 'detial'; did you mean 'detail'? (inputs: detail, max_pages, include_archived, topic)",
  );
  assert.equal(
    userError(() => resolveInputs(none, { space: 'TEAM' })),
    "unknown input 'space' (this workflow has no inputs)",
  );
});

test('a required input without value is an error with its description', () => {
  assert.equal(
    userError(() => resolveInputs(required, {})),
    "input 'space' is required (Key of the space to work in.); pass --input space=...",
  );
  assert.deepEqual(resolveInputs(required, { space: 'OPS' }), { space: 'OPS' });
});

test('every problem is reported at once, one per line', () => {
  const message = userError(() => resolveInputs(typed, { colour: 'red', max_pages: 'x', include_archived: 'perhaps' }));
  assert.deepEqual(message.split('\n'), [
    "unknown input 'colour' (inputs: detail, max_pages, include_archived, topic)",
    "input 'max_pages' must be a number, got 'x'",
    "input 'include_archived' must be a boolean, got 'perhaps'",
  ]);
});
