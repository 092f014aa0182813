import type { EvalResult } from './eval.ts';
import type { ReporterName } from './reporters.ts';
import { xml } from './reporters.ts';

/**
 * The whole eval report in one format. human: a table, one row per case, one column per model (pass rate, mean
 * tokens, mean ms); json: every (case, model) result; junit/tap: each (case, model) one test, passing when its rate
 * is at least `minPassRate`.
 */
export function formatEvalReport(results: readonly EvalResult[], reporter: ReporterName, minPassRate: number): string {
  switch (reporter) {
    case 'json':
      return JSON.stringify(results, null, 2);
    case 'junit':
      return junit(results, minPassRate);
    case 'tap':
      return tap(results, minPassRate);
    default:
      return humanTable(results);
  }
}

/** Whether a result meets the pass rate asked for. */
export function meetsRate(result: EvalResult, minPassRate: number): boolean {
  return result.rate >= minPassRate - 1e-9;
}

const percent = (rate: number) => `${Math.round(rate * 100)}%`;
const cell = (r: EvalResult) =>
  `${r.passed}/${r.runs} ${percent(r.rate)}, ${r.tokens} tok, ${r.durationMs} ms${r.cost === undefined ? '' : `, $${r.cost.toFixed(4)}/run`}`;

/** The human table: case × model, then the failures seen per (case, model), then notes. */
function humanTable(results: readonly EvalResult[]): string {
  const models = [...new Set(results.filter((r) => !r.note).map((r) => r.model))];
  const cases = [...new Map(results.map((r) => [`${r.file} › ${r.name}`, r])).keys()];
  const header = ['case', ...models];
  const rows = cases.map((key) => {
    const mine = results.filter((r) => `${r.file} › ${r.name}` === key);
    const once = mine[0]?.note ? mine[0] : undefined;
    if (once) return [key, `${cell(once)} (${once.note})`, ...models.slice(1).map(() => '-')];
    return [
      key,
      ...models.map((m) => {
        const r = mine.find((x) => x.model === m);
        return r ? cell(r) : '-';
      }),
    ];
  });
  if (models.length === 0) header.push('result');
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) =>
    row
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const details = results
    .filter((r) => r.failures.length)
    .map((r) =>
      [
        `${r.file} › ${r.name} [${r.model}]:`,
        ...r.failures.map((f) => `    ${f}`),
        ...(r.failedRuns.length ? [`    failed runs: ${r.failedRuns.join(', ')}`] : []),
      ].join('\n'),
    );
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), ...(details.length ? ['', ...details] : [])].join('\n');
}

function junit(results: readonly EvalResult[], min: number): string {
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const failed = results.filter((r) => !meetsRate(r, min)).length;
  const cases = results.map((r) => {
    const open = `    <testcase name="${xml(`${r.name} [${r.model}]`)}" classname="${xml(r.file)}" time="${seconds(r.durationMs * r.runs)}"`;
    if (meetsRate(r, min)) return `${open}/>`;
    const message = `pass rate ${r.passed}/${r.runs} below ${min}`;
    return `${open}>\n      <failure message="${xml(message)}">${xml([message, ...r.failures].join('\n'))}</failure>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="runner test --model" tests="${results.length}" failures="${failed}" errors="0">`,
    `  <testsuite name="eval" tests="${results.length}" failures="${failed}" errors="0">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
  ].join('\n');
}

function tap(results: readonly EvalResult[], min: number): string {
  const lines = ['TAP version 13', `1..${results.length}`];
  for (const [i, r] of results.entries()) {
    const title = `${r.file} › ${r.name} [${r.model}] ${r.passed}/${r.runs}`.replace(/#/g, '\\#').replace(/\n/g, ' ');
    lines.push(`${meetsRate(r, min) ? 'ok' : 'not ok'} ${i + 1} - ${title}`);
    if (!meetsRate(r, min)) lines.push('  ---', `  rate: ${r.rate}`, '  failures:', ...r.failures.map((f) => `    - ${JSON.stringify(f)}`), '  ...');
  }
  return lines.join('\n');
}
