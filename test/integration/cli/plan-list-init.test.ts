import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { looksClean, ROOT, runCli } from './cli-process.ts';

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
  /**
   * The next three fire times of '30 9 * * MON-FRI' in Asia/Kolkata after `from`, worked out without the runner:
   * India keeps UTC+05:30 all year, so 09:30 there is 04:00Z on the same date, and a weekday there is one in UTC.
   */
  const expectedFrom = (from: Date) => {
    const out: string[] = [];
    for (let day = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()); out.length < 3; day += 86_400_000) {
      const at = new Date(day + 4 * 3_600_000);
      if (at > from && at.getUTCDay() >= 1 && at.getUTCDay() <= 5) out.push(at.toISOString());
    }
    return out;
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

  // Berlin, 28 March 2027 (last Sunday of March): at 01:00Z 02:00 CET becomes 03:00 CEST. 02:30 is skipped and runs at
  // the first instant after the gap, 01:00Z, shown as 03:00; 29 March 02:30 CEST = 00:30Z.
  test('--from and --count: the fire times after a given instant, to check a schedule at a DST change', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'night.yaml'), 'version: 1\nname: night\nschedule:\n  cron: "30 2 * * *"\n  timezone: Europe/Berlin\nprompt: Tidy up.\n');
    const json = await runCli(['list', dir, '--from', '2027-03-27T12:00:00Z', '--count', '2', '--json']);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual((JSON.parse(json.stdout) as Array<{ next: string[] }>)[0]!.next, ['2027-03-28T01:00:00.000Z', '2027-03-29T00:30:00.000Z']);
    const text = await runCli(['list', dir, '--from', '2027-03-27T13:00:00+01:00', '-n', '3']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^night\s+30 2 \* \* \*\s+Europe\/Berlin\s+Sun 2027-03-28 03:00, Mon 2027-03-29 02:30, Tue 2027-03-30 02:30$/m);
  });

  test('a bad --from or --count is a one-line usage error, exit 2', async () => {
    for (const [args, message] of [
      [['--from', 'next friday'], "error: --from 'next friday' is not a date; use an ISO time like 2027-03-28T00:30:00Z or 2027-03-28T01:30:00+01:00\n"],
      [['--count', '0'], "error: --count must be a whole number from 1 to 1000, not '0'\n"],
      [['--count', 'lots'], "error: --count must be a whole number from 1 to 1000, not 'lots'\n"],
    ] as const) {
      const { code, stdout, stderr } = await runCli(['list', 'test/fixtures/workflows/valid', ...args]);
      assert.equal(code, 2, stderr);
      assert.equal(stdout, '');
      assert.equal(stderr, message);
    }
  });
});

describe('schedules that crashed list and plan before', () => {
  const file = (dir: string, name: string, cron: string, zone: string) => {
    writeFileSync(join(dir, `${name}.yaml`), `version: 1\nname: ${name}\nschedule:\n  cron: "${cron}"\n  timezone: ${zone}\nprompt: Do it.\n`);
    return join(dir, `${name}.yaml`);
  };

  // 2027-01-01 is a Friday. '0 9 * * 0,7' (0 and 7 both Sunday): Sundays 3, 10, 17 January at 09:00Z.
  // '0 9 * * 1-5,MON' (Monday twice): Friday 1 (09:00Z is after 00:00Z), Monday 4, Tuesday 5.
  // Lord Howe '0 9 * * *' across the April 2027 change (4 April, 02:00 +11:00 -> 01:30 +10:30): 2 and 3 April 09:00
  // +11:00 = 22:00Z the day before, 4 April 09:00 +10:30 = 3 April 22:30Z. Before, these died with "duplicate values
  // found" and "loop limit exceeded" as internal errors; a never-firing one is now a validation error of its file.
  test('runner list: the others are listed with their fire times; a never-firing file is its own error, exit 2', async () => {
    const dir = tempDir();
    file(dir, 'sundays', '0 9 * * 0,7', 'UTC');
    file(dir, 'weekdays', '0 9 * * 1-5,MON', 'UTC');
    const jan = await runCli(['list', dir, '--from', '2027-01-01T00:00:00Z', '--json']);
    assert.equal(jan.code, 0, jan.stderr);
    assert.deepEqual(
      (JSON.parse(jan.stdout) as Array<{ name: string; next: string[] }>).map((r) => [r.name, r.next]),
      [
        ['sundays', ['2027-01-03T09:00:00.000Z', '2027-01-10T09:00:00.000Z', '2027-01-17T09:00:00.000Z']],
        ['weekdays', ['2027-01-01T09:00:00.000Z', '2027-01-04T09:00:00.000Z', '2027-01-05T09:00:00.000Z']],
      ],
    );

    file(dir, 'howe', '0 9 * * *', 'Australia/Lord_Howe');
    const never = file(dir, 'never', '0 0 30 2 *', 'UTC');
    const april = await runCli(['list', dir, '--from', '2027-04-01T12:00:00Z', '--json']);
    assert.equal(april.code, 2, april.stderr);
    const rows = JSON.parse(april.stdout) as Array<{ name: string; next: string[] }>;
    assert.deepEqual(
      rows.map((r) => r.name),
      ['howe', 'sundays', 'weekdays'],
    );
    assert.deepEqual(rows[0]!.next, ['2027-04-01T22:00:00.000Z', '2027-04-02T22:00:00.000Z', '2027-04-03T22:30:00.000Z']);
    assert.ok(
      april.stderr.includes(`${never}:4:9: invalid cron '0 0 30 2 *': it never fires: no month in month field '2' has a day in day-of-month field '30'`),
      april.stderr,
    );
    assert.match(april.stderr, /1 invalid workflow file left out/);
    assert.ok(looksClean(april.stderr), april.stderr);
  });

  test('run --plan: next fire times instead of an internal error; a never-firing schedule is a validation error', async () => {
    const dir = tempDir();
    for (const [name, cron, zone, pattern] of [
      ['sundays', '0 9 * * 0,7', 'UTC', /^Sun \d{4}-\d\d-\d\d 09:00$/],
      ['weekdays', '0 9 * * 1-5,MON', 'UTC', /^(Mon|Tue|Wed|Thu|Fri) \d{4}-\d\d-\d\d 09:00$/],
      ['howe', '0 9 * * *', 'Australia/Lord_Howe', /^\w{3} \d{4}-\d\d-\d\d 09:00$/],
    ] as const) {
      const { code, stdout, stderr } = await runCli(['run', file(dir, name, cron, zone), '--plan', '--json']);
      assert.equal(code, 0, stderr);
      const next = (JSON.parse(stdout) as PlanJson).schedule.next;
      assert.equal(next.length, 3);
      for (const t of next) assert.match(wallClock(t, zone), pattern);
    }
    const never = file(dir, 'never', '0 0 31 4,6,9,11 *', 'UTC');
    const { code, stderr } = await runCli(['run', never, '--plan']);
    assert.equal(code, 2);
    assert.ok(stderr.includes(`${never}:4:9: invalid cron '0 0 31 4,6,9,11 *': it never fires`), stderr);
    assert.ok(looksClean(stderr), stderr);
  });
});

describe('init', () => {
  test('creates the example and .env.example; the example validates and plans', async () => {
    const dir = tempDir();
    const first = await runCli(['init', dir]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, new RegExp(`created ${dir}/workflows/example\\.yaml`));
    assert.match(first.stdout, new RegExp(`created ${dir}/\\.env\\.example`));
    assert.match(first.stdout, new RegExp(`created ${dir}/\\.gitignore \\(\\.env, \\.runner/\\)`));
    assert.deepEqual(readdirSync(dir).sort(), ['.env.example', '.gitignore', 'workflows']);
    assert.equal(readFileSync(join(dir, '.gitignore'), 'utf8'), '.env\n.runner/\n');
    assert.deepEqual(readdirSync(join(dir, 'workflows')), ['example.yaml']);
    assert.match(readFileSync(join(dir, '.env.example'), 'utf8'), /^# RUNNER_[A-Z_]+=/m);

    const validate = await runCli(['validate', join(dir, 'workflows')]);
    assert.equal(validate.code, 0, validate.stdout);
    assert.equal(validate.stdout, '✓ 1 file valid\n');
    const planned = await runCli(['run', join(dir, 'workflows', 'example.yaml'), '--plan', '--json']);
    assert.equal(planned.code, 0, planned.stderr);
    assert.equal((JSON.parse(planned.stdout) as PlanJson).workflow.name, 'example');
  });

  test('the example runs without a model, on the built-in sandbox', async () => {
    const dir = tempDir();
    assert.equal((await runCli(['init', dir])).code, 0);
    const noModel = { OPENAI_API_KEY: '', OPENAI_BASE_URL: '', RUNNER_BACKEND: '', RUNNER_SANDBOX_URL: '', RUNNER_DB: '', RUNNER_STORE: '', REDIS_URL: '' };
    const validate = await runCli(['validate'], { cwd: dir, env: noModel });
    assert.equal(validate.code, 0, validate.stdout + validate.stderr);
    const run = await runCli(['run', 'workflows/example.yaml'], { cwd: dir, env: noModel });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /✓ succeeded/);
    assert.match(run.stdout, /find: found 1 result: "Q3 Planning"/);
    assert.match(run.stdout, /label: labelled content 98382 with "urgent"/);
    assert.ok(existsSync(join(dir, '.runner')), 'the sandbox and the runs live in the project');
  });

  test('the schema hint resolves on a clone that has the runner as a dependency', async () => {
    const dir = tempDir();
    assert.equal((await runCli(['init', dir])).code, 0);
    const first = readFileSync(join(dir, 'workflows', 'example.yaml'), 'utf8').split('\n')[0]!;
    const hint = /^# yaml-language-server: \$schema=(\S+)$/.exec(first)?.[1];
    assert.ok(hint && !hint.startsWith('/'), first);
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(ROOT, join(dir, 'node_modules', 'confluence-runner'));
    const schema = JSON.parse(readFileSync(join(dir, 'workflows', hint), 'utf8')) as { $id: string };
    assert.match(schema.$id, /workflow\.schema\.json$/);
  });

  test('.gitignore: missing lines are appended, present ones never repeated', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.gitignore'), 'node_modules\n/.env');
    const first = await runCli(['init', dir]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /updated .*\.gitignore \(\.runner\/\)/);
    assert.equal(readFileSync(join(dir, '.gitignore'), 'utf8'), 'node_modules\n/.env\n.runner/\n');
    rmSync(join(dir, 'workflows'), { recursive: true });
    rmSync(join(dir, '.env.example'));
    const second = await runCli(['init', dir]);
    assert.equal(second.code, 0, second.stderr);
    assert.doesNotMatch(second.stdout, /gitignore/);
    assert.equal(readFileSync(join(dir, '.gitignore'), 'utf8'), 'node_modules\n/.env\n.runner/\n');
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
