/**
 * CLI start-up cost: wall time of `runner validate workflows/` against `node -e 0`, interleaved so both
 * see the same machine state. Prints medians and their ratio (goal: under 3x).
 *
 *   npm run build && node bench/cli-startup.ts [runs=30]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const runs = Number(process.argv[2] ?? 30);
const bin = process.env.BIN ?? 'dist/cli/main.js';
if (!existsSync(bin)) {
  console.error(`${bin} is missing; run \`npm run build\` first`);
  process.exit(2);
}

function time(args: string[]): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const baseline: number[] = [];
const runner: number[] = [];
time(['-e', '0']);
time([bin, 'validate', 'workflows/']);
for (let i = 0; i < runs; i++) {
  baseline.push(time(['-e', '0']));
  runner.push(time([bin, 'validate', 'workflows/']));
}
const b = median(baseline);
const r = median(runner);
console.log(`node -e 0                      median ${b.toFixed(1)} ms over ${runs} runs`);
console.log(`runner validate workflows/     median ${r.toFixed(1)} ms over ${runs} runs`);
console.log(`ratio ${(r / b).toFixed(2)}x (goal < 3x)`);
