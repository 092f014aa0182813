import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_TEMPLATE_CHARS, createTemplateEngine, isTemplated } from '../../../src/workflow/templates.ts';

const engine = createTemplateEngine('Europe/Berlin');
const scope = {
  inputs: { space: 'TEAM', n: 3 },
  run: { scheduled_at: '2026-11-27T23:30:00Z' },
  steps: { find: { output: { pages: [{ title: 'A' }, { title: 'B' }] } } },
};

test('isTemplated spots output and tag markers only', () => {
  assert.equal(isTemplated('plain text with { braces }'), false);
  assert.equal(isTemplated('{{ inputs.space }}'), true);
  assert.equal(isTemplated('{% if x %}y{% endif %}'), true);
});

describe('render', () => {
  test('renders variables, loops and filters', () => {
    assert.equal(
      engine.render('{{ inputs.space }}: {% for p in steps.find.output.pages %}{{ p.title }}{% unless forloop.last %}, {% endunless %}{% endfor %}', scope),
      'TEAM: A, B',
    );
    assert.equal(engine.render('{{ inputs.n | plus: 1 }}', scope), '4');
  });
  test('date filters use the engine zone by default', () => {
    assert.equal(engine.render('{{ run.scheduled_at | to_date }}', scope), '2026-11-28');
    assert.equal(createTemplateEngine().render('{{ run.scheduled_at | to_date }}', scope), '2026-11-27', 'UTC when no zone is given');
  });
  test('text without template syntax comes back unchanged', () => assert.equal(engine.render('no {braces}', {}), 'no {braces}'));
  test('strict variables: an unknown variable fails instead of rendering empty', () => {
    assert.throws(() => engine.render('Hello {{ inputs.nobody }}', scope), /undefined variable: inputs\.nobody/);
    assert.throws(() => engine.render('{{ missing }}', scope), /undefined variable: missing/);
  });
  test('filter errors surface', () => {
    assert.throws(() => engine.render('{{ inputs.space | to_date }}', scope), /not a date: 'TEAM'/);
  });
  test('templates cannot read files', () => {
    assert.throws(() => engine.render('{% include "/etc/hostname" %}', scope), /templates cannot read files/);
    assert.throws(() => engine.render('{% render "secrets" %}', scope), /templates cannot read files/);
  });
  test('only own properties are visible', () => {
    assert.throws(() => engine.render('{{ inputs.constructor }}', { inputs: {} }), /undefined variable/);
  });
});

describe('check', () => {
  test('lists global references, without loop variables or assigns', () => {
    const { refs, error } = engine.check(
      '{% assign t = inputs.space %}{{ t }} {% for p in steps.find.output.pages %}{{ p.title }}{% endfor %} {{ run.scheduled_at | iso_week }}',
    );
    assert.equal(error, undefined);
    assert.deepEqual(refs.map((r) => r.join('.')).sort(), ['inputs.space', 'run.scheduled_at', 'steps.find.output.pages']);
  });
  test('plain text has no references and no error', () => assert.deepEqual(engine.check('just text'), { refs: [] }));
  test('syntax errors carry the offset of the broken tag', () => {
    const text = 'List {{ inputs.space.';
    const { error } = engine.check(text);
    assert.equal(error?.offset, text.indexOf('{{'));
    assert.match(error!.message, /not closed; close it with }}$/);
  });
  test('an unclosed block says how to close it', () => {
    assert.equal(engine.check('a {% if x %}b').error?.message, 'tag {% if x %} not closed; close it with {% endif %}');
  });
  test('unknown filters and tags are caught at load time, with suggestions', () => {
    assert.equal(engine.check('{{ x | isoweek }}').error?.message, "unknown filter 'isoweek'; did you mean 'iso_week'?");
    assert.equal(engine.check('{% foreach a in b %}{% endforeach %}').error?.message, "unknown tag 'foreach'; did you mean 'for'?");
    assert.match(
      engine.check('{{ x | zzzzzzzzzz }}').error!.message,
      /^unknown filter 'zzzzzzzzzz' \(date filters: iso_week, .*; plus Liquid's standard filters\)$/,
    );
  });
  test('file tags are rejected when checked, at the tag', () => {
    const text = 'Intro\n{% include "notes.txt" %}';
    const { error } = engine.check(text);
    assert.equal(error?.offset, text.indexOf('{%'));
    assert.match(error!.message, /^'include' is not available: templates cannot read files/);
  });
});

describe('bounds: a template cannot take the process', () => {
  test('a huge range fails at once on the memory bound, with a message that says what to change', () => {
    assert.throws(() => engine.render('{% for i in (1..100000000) %}x{% endfor %}', {}), /builds more than 10,000,000 items or characters/);
    assert.throws(() => engine.render('{% assign s = "x" %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s }}', {}), /builds more than/);
  });

  test("a render stops at the run's deadline, and says it was limits.timeout", () => {
    let clock = 1_000_000;
    const bounded = createTemplateEngine('UTC', { deadline: 1_000_050, now: () => clock });
    assert.throws(
      () => bounded.render('{% for i in (1..3000) %}{% for j in (1..3000) %}{% endfor %}{% endfor %}', {}),
      /longer than the time left of limits\.timeout/,
    );
    clock = 1_000_050;
    assert.throws(() => bounded.render('{{ 1 }}', {}), /no time left to render it \(limits\.timeout\)/);
    assert.equal(bounded.render('plain text needs no time', {}), 'plain text needs no time');
  });

  test('an over-long template is refused when checked, at load time', () => {
    const text = `{{ x }}${'y'.repeat(MAX_TEMPLATE_CHARS)}`;
    assert.match(engine.check(text).error?.message ?? '', /^the template is longer than 1,000,000 characters$/);
  });
});
