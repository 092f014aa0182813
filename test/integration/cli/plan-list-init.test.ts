import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CronExpressionParser } from 'cron-parser';
import { looksClean, runCli } from './cli-process.ts';

const WEEKLY = 'workflows/weekly-summary.yaml';
const temps: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'runner-cli-'));
  temps.push(dir);
  return dir;
}
after(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

interface PlanJson {
  workflow: { name: string; file: string; hash: string };
  mode: string;
  inputs: Record<string, unknown>;
  schedule: { cron: string; timezone: string; next: string[] };
  steps: Array<{
    id: string;
    kind: string;
    title?: { text: string; rendered: boolean };
    prompt?: { text: string; rendered: boolean };
    tool?: string;
    with?: any;
    assertions?: number;
    tools: Array<{ slug: string; effect: string }>;
  }>;
}

async function plan(...args: string[]): Promise<PlanJson> {
  const { code, stdout, stderr } = await runCli(['run', WEEKLY, '--plan', '--json', ...args]);
  assert.equal(code, 0, stderr);
  return JSON.parse(stdout) as PlanJson;
}

/** Weekday and wall-clock time of an instant in a zone, computed with Intl (independently of the runner's luxon). */
function wallClock(iso: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(iso));
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get('weekday')} ${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

describe('run --plan renders dates for --at', () => {
  // The dates below were worked out by hand. 2026-01-01 is a Thursday, so ISO week 2026-W01 starts on Monday
  // 2025-12-29 and 2026 has 53 ISO weeks. Monday 2026-11-23 is 329 days (47 weeks) after that, so it starts 2026-W48,
  // and Friday 2026-11-27 15:00Z is Friday 16:00 in Berlin (CET, UTC+1): one of the workflow's own slots.
  test('Friday 2026-11-27 16:00 Berlin: week 2026-W48, from Monday 2026-11-23 to 2026-11-27', async () => {
    const p = await plan('--at', '2026-11-27T15:00:00Z');
    assert.equal(p.steps[0]!.title!.text, 'Read the meeting notes of 2026-W48');
    assert.ok(p.steps[0]!.prompt!.rendered);
    assert.match(p.steps[0]!.prompt!.text, /in space TEAM created from\n2026-11-23 to 2026-11-27 \(week 2026-W48\)\./);
    assert.equal(p.steps[1]!.title!.text, 'Publish the summary of 2026-W48');
  });

  // 23:30Z on Friday is already Saturday 00:30 in Berlin: the local date moves on, the ISO week does not.
  test('late Friday UTC is Saturday in Berlin', async () => {
    const p = await plan('--at', '2026-11-27T23:30:00Z');
    assert.match(p.steps[0]!.prompt!.text, /created from\n2026-11-23 to 2026-11-28 \(week 2026-W48\)\./);
  });

  // 2027-01-01 is a Friday in the 53rd week of 2026 (Monday 2026-12-28 to Sunday 2027-01-03).
  test('New Year 2027 is still in 2026-W53', async () => {
    const p = await plan('--at', '2027-01-01T15:00:00Z');
    assert.match(p.steps[0]!.prompt!.text, /created from\n2026-12-28 to 2027-01-01 \(week 2026-W53\)\./);
    assert.match(p.steps[1]!.prompt!.text, /Weekly summary \{\{ run\.scheduled_at \| iso_week \}\}/, 'a prompt reading step outputs is left for the run');
  });

  test('the text plan shows the same rendered prompt', async () => {
    const { code, stdout, stderr } = await runCli(['run', WEEKLY, '--plan', '--at', '2026-11-27T15:00:00Z']);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^Plan for weekly-summary \(workflows\/weekly-summary\.yaml, [0-9a-f]{12}\)$/m);
    assert.match(stdout, /1\. gather \(prompt\) — Read the meeting notes of 2026-W48/);
    assert.match(stdout, /^ {6}2026-11-23 to 2026-11-27 \(week 2026-W48\)\.$/m);
    assert.match(stdout, /3\. label \(tool\) — Label the post/);
  });
});

describe('run --plan --json structure', () => {
  test('workflow, settings, schedule and three steps', async () => {
    const p = await plan('--at', '2026-11-27T15:00:00Z', '--input', 'label=done');
    assert.deepEqual(p.workflow.name, 'weekly-summary');
    assert.equal(p.workflow.file, WEEKLY);
    assert.match(p.workflow.hash, /^[0-9a-f]{64}$/);
    assert.equal(p.mode, 'live');
    assert.deepEqual(p.inputs, { space: 'TEAM', label: 'done' });
    assert.deepEqual(
      p.steps.map((s) => [s.id, s.kind]),
      [
        ['gather', 'prompt'],
        ['publish', 'prompt'],
        ['label', 'tool'],
      ],
    );
    assert.equal(p.steps[1]!.prompt!.rendered, false);
    assert.deepEqual(p.steps[0]!.tools.map((t) => t.slug).sort(), [
      'CONFLUENCE_ADD_CONTENT_LABEL',
      'CONFLUENCE_CREATE_BLOGPOST',
      'CONFLUENCE_GET_PAGES',
      'CONFLUENCE_GET_PAGE_BY_ID',
      'CONFLUENCE_GET_SPACES',
      'CONFLUENCE_SEARCH_CONTENT',
    ]);
    const label = p.steps[2]!;
    assert.equal(label.tool, 'CONFLUENCE_ADD_CONTENT_LABEL');
    assert.deepEqual(label.with, { id: '{{ steps.publish.output.id }}', labels: [{ prefix: 'global', name: 'done' }] });
    assert.equal(label.assertions, 2);
    assert.deepEqual(label.tools, [{ slug: 'CONFLUENCE_ADD_CONTENT_LABEL', effect: 'write' }]);
    assert.equal(p.schedule.cron, '0 16 * * FRI');
    assert.equal(p.schedule.timezone, 'Europe/Berlin');
    assert.equal(p.schedule.next.length, 3);
    for (const next of p.schedule.next) assert.match(wallClock(next, 'Europe/Berlin'), /^Fri \d{4}-\d\d-\d\d 16:00$/);
    assert.ok(
      p.schedule.next.every((t, i) => i === 0 || t > p.schedule.next[i - 1]!),
      'strictly increasing',
    );
  });
});

describe('run --plan input mistakes exit 2 with the message', () => {
  test('unknown input', async () => {
    const { code, stdout, stderr } = await runCli(['run', WEEKLY, '--plan', '--input', 'spcae=OPS']);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.equal(stderr, "error: unknown input 'spcae'; did you mean 'space'? (inputs: space, label)\n");
  });
  test('ill-typed inputs, all reported', async () => {
    const { code, stderr } = await runCli([
      'run',
      'test/fixtures/workflows/valid/typed-inputs.yaml',
      '--plan',
      '--input',
      'max_pages=lots',
      '--input',
      'detail=shrt',
    ]);
    assert.equal(code, 2);
    assert.equal(
      stderr,
      "error: input 'detail' must be one of short, long, got 'shrt'; did you mean 'short'?\nerror: input 'max_pages' must be a number, got 'lots'\n",
    );
  });
  test('a flag that is not name=value', async () => {
    const { code, stderr } = await runCli(['run', WEEKLY, '--plan', '--input', 'label']);
    assert.equal(code, 2);
    assert.equal(stderr, "error: --input 'label' must look like name=value\n");
  });
  test('a bad --at', async () => {
    const { code, stderr } = await runCli(['run', WEEKLY, '--plan', '--at', 'next friday']);
    assert.equal(code, 2);
    assert.match(stderr, /--at 'next friday' is not a date; use an ISO time like/);
    assert.ok(looksClean(stderr));
  });
  test('an invalid workflow prints its diagnostics', async () => {
    const { code, stderr } = await runCli(['run', 'test/fixtures/workflows/invalid/cron-hour-out-of-range.yaml', '--plan']);
    assert.equal(code, 2);
    assert.match(stderr, /test\/fixtures\/workflows\/invalid\/cron-hour-out-of-range\.yaml:4:9: invalid cron '0 24 \* \* \*'/);
    assert.ok(looksClean(stderr), stderr);
  });
});

describe('list', () => {
  const STANDUP = 'version: 1\nname: standup-notes\nschedule:\n  cron: "30 9 * * MON-FRI"\n  timezone: Asia/Kolkata\nprompt: Collect the stand-up notes.\n';
  const ON_DEMAND = 'version: 1\nname: ad-hoc\nprompt: List the spaces.\n';
  /** The next three fire times straight from cron-parser, from `from`. */
  const expectedFrom = (from: Date) => {
    const it = CronExpressionParser.parse('30 9 * * 1-5', { currentDate: from, tz: 'Asia/Kolkata' });
    return [1, 2, 3].map(() => it.next().toDate().toISOString());
  };

  test('the next three fire times, in the workflow time zone', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'standup.yaml'), STANDUP);
    writeFileSync(join(dir, 'ad-hoc.yml'), ON_DEMAND);
    const before = new Date();
    const json = await runCli(['list', dir, '--json']);
    const text = await runCli(['list', dir]);
    const afterwards = new Date();
    assert.equal(json.code, 0, json.stderr);
    assert.equal(text.code, 0, text.stderr);
    // The CLI read the clock somewhere between `before` and `afterwards`; a fire time may have passed in between.
    const candidates = [expectedFrom(before), expectedFrom(afterwards)];
    const rows = JSON.parse(json.stdout) as Array<{ name: string; file: string; cron?: string; timezone?: string; next: string[] }>;
    assert.deepEqual(
      rows.map((r) => r.name),
      ['ad-hoc', 'standup-notes'],
    );
    assert.deepEqual(rows[0]!.next, []);
    const standup = rows[1]!;
    assert.ok(standup.file.endsWith('standup.yaml'));
    assert.equal(standup.timezone, 'Asia/Kolkata');
    assert.ok(
      candidates.some((c) => JSON.stringify(c) === JSON.stringify(standup.next)),
      `${standup.next} vs ${JSON.stringify(candidates)}`,
    );
    assert.ok(
      standup.next.every((t, i) => i === 0 || t > standup.next[i - 1]!),
      'strictly increasing',
    );
    for (const t of standup.next) assert.match(wallClock(t, 'Asia/Kolkata'), /^(Mon|Tue|Wed|Thu|Fri) \d{4}-\d\d-\d\d 09:30$/);

    const lines = text.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^NAME\s+SCHEDULE\s+TIMEZONE\s+NEXT RUNS$/);
    assert.match(lines[1]!, /^ad-hoc\s+on demand\s+-\s+-$/);
    const shown = candidates.map((c) => c.map((t) => wallClock(t, 'Asia/Kolkata')).join(', '));
    assert.ok(
      shown.some((s) => lines[2]!.endsWith(`Asia/Kolkata  ${s}`)),
      `${lines[2]} vs ${shown}`,
    );
    assert.match(lines[2]!, /^standup-notes\s+30 9 \* \* MON-FRI\s+Asia\/Kolkata\s+/);
  });

  test('invalid files are left out with their diagnostics on stderr, exit 2', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ad-hoc.yaml'), ON_DEMAND);
    writeFileSync(join(dir, 'broken.yaml'), 'version: 1\nname: broken\n');
    const { code, stdout, stderr } = await runCli(['list', dir]);
    assert.equal(code, 2);
    assert.match(stdout, /^ad-hoc\s+on demand/m);
    assert.match(stderr, /broken\.yaml:1:1: a workflow needs a top-level 'prompt' \(one task\) or a list of 'steps'/);
    assert.match(stderr, /1 invalid workflow file left out/);
  });
});

describe('init', () => {
  test('creates the example and .env.example; the example validates and plans', async () => {
    const dir = tempDir();
    const first = await runCli(['init', dir]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, new RegExp(`created ${dir}/workflows/example\\.yaml`));
    assert.match(first.stdout, new RegExp(`created ${dir}/\\.env\\.example`));
    assert.deepEqual(readdirSync(dir).sort(), ['.env.example', 'workflows']);
    assert.deepEqual(readdirSync(join(dir, 'workflows')), ['example.yaml']);
    assert.match(readFileSync(join(dir, '.env.example'), 'utf8'), /^# RUNNER_[A-Z_]+=/m);

    const validate = await runCli(['validate', join(dir, 'workflows')]);
    assert.equal(validate.code, 0, validate.stdout);
    assert.equal(validate.stdout, '✓ 1 file valid\n');
    const planned = await runCli(['run', join(dir, 'workflows', 'example.yaml'), '--plan', '--json']);
    assert.equal(planned.code, 0, planned.stderr);
    assert.equal((JSON.parse(planned.stdout) as PlanJson).workflow.name, 'example');
  });

  test('a second init refuses and writes nothing', async () => {
    const dir = tempDir();
    assert.equal((await runCli(['init', dir])).code, 0);
    const example = readFileSync(join(dir, 'workflows', 'example.yaml'), 'utf8');
    writeFileSync(join(dir, '.env.example'), 'MINE=1\n');

    const again = await runCli(['init', dir]);
    assert.equal(again.code, 2);
    assert.equal(again.stdout, '');
    assert.match(again.stderr, /refusing to overwrite .*example\.yaml, .*\.env\.example/);
    assert.ok(looksClean(again.stderr));
    assert.equal(readFileSync(join(dir, 'workflows', 'example.yaml'), 'utf8'), example);
    assert.equal(readFileSync(join(dir, '.env.example'), 'utf8'), 'MINE=1\n');

    // With one of the two files missing it still refuses, and does not create the missing one either.
    rmSync(join(dir, '.env.example'));
    const partial = await runCli(['init', dir]);
    assert.equal(partial.code, 2);
    assert.equal(existsSync(join(dir, '.env.example')), false);
  });
});
