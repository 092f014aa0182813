import type { CaseResult } from './run-case.ts';

/** The output formats of `runner test`. */
export const REPORTERS = ['human', 'json', 'junit', 'tap'] as const;
export type ReporterName = (typeof REPORTERS)[number];

/** The whole report of a test run in one format (human: without colour; the CLI paints it). */
export function formatReport(results: readonly CaseResult[], reporter: ReporterName): string {
  switch (reporter) {
    case 'json':
      return JSON.stringify(results, null, 2);
    case 'junit':
      return junit(results);
    case 'tap':
      return tap(results);
    default:
      return human(results);
  }
}

/** One case in the human format: ✓/✗, its file and name, the run id, failures indented. */
export function humanCase(result: CaseResult): string {
  const head = `${result.passed ? '✓' : '✗'} ${result.file} › ${result.name} (${result.durationMs} ms${result.runId ? `, run ${result.runId}` : ''})`;
  return [head, ...result.failures.map((f) => `    ${f}`)].join('\n');
}

/** The closing line: how many passed and failed. */
export function summaryLine(results: readonly CaseResult[]): string {
  const failed = results.filter((r) => !r.passed).length;
  return `${results.length} case${results.length === 1 ? '' : 's'}: ${results.length - failed} passed, ${failed} failed`;
}

function human(results: readonly CaseResult[]): string {
  return [...results.map(humanCase), summaryLine(results)].join('\n');
}

function junit(results: readonly CaseResult[]): string {
  const byFile = new Map<string, CaseResult[]>();
  for (const r of results) byFile.set(r.file, [...(byFile.get(r.file) ?? []), r]);
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const total = (rs: readonly CaseResult[]) => rs.reduce((n, r) => n + r.durationMs, 0);
  const suites = [...byFile].map(([file, rs]) => {
    const cases = rs.map((r) => {
      const open = `    <testcase name="${xml(r.name)}" classname="${xml(file)}" time="${seconds(r.durationMs)}"`;
      if (r.passed) return `${open}/>`;
      const text = [...r.failures, ...(r.runId ? [`run ${r.runId}`] : [])].join('\n');
      return `${open}>\n      <failure message="${xml(r.failures[0] ?? 'failed')}">${xml(text)}</failure>\n    </testcase>`;
    });
    const failures = rs.filter((r) => !r.passed).length;
    return `  <testsuite name="${xml(file)}" tests="${rs.length}" failures="${failures}" errors="0" time="${seconds(total(rs))}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  const failures = results.filter((r) => !r.passed).length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="runner test" tests="${results.length}" failures="${failures}" errors="0" time="${seconds(total(results))}">`,
    ...suites,
    '</testsuites>',
  ].join('\n');
}

/** Text safe in XML content and attributes (control characters other than tab and newline dropped). */
export function xml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function tap(results: readonly CaseResult[]): string {
  const lines = ['TAP version 13', `1..${results.length}`];
  for (const [i, r] of results.entries()) {
    lines.push(`${r.passed ? 'ok' : 'not ok'} ${i + 1} - ${`${r.file} › ${r.name}`.replace(/#/g, '\\#').replace(/\n/g, ' ')}`);
    if (!r.passed) {
      lines.push('  ---', `  run: ${JSON.stringify(r.runId ?? null)}`, '  failures:', ...r.failures.map((f) => `    - ${JSON.stringify(f)}`), '  ...');
    }
  }
  return lines.join('\n');
}
