/**
 * CLI start-up cost: wall time of `runner validate workflows/` against `node -e 0`, interleaved so both
 * see the same machine state. Prints medians and their ratio (goal: under 3x).
 *
 *   npm run build && node bench/cli-startup.ts [runs=30] [other-bin ...]
 *
 * Further bins (e.g. an unbundled `tsc` build of the same code, or the landed code built elsewhere) are timed in the
 * same rotation and reported beside it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const runs = Number(process.argv[2] ?? 30);
const bins = [process.env.BIN ?? 'dist/cli/main.js', ...process.argv.slice(3)];
for (const bin of bins) {
  if (!existsSync(bin)) {
    console.error(`${bin} is missing; run \`npm run build\` first`);
    process.exit(2);
  }
}

function time(args: string[]): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const commands: { label: string; args: string[]; times: number[] }[] = [
  { label: 'node -e 0', args: ['-e', '0'], times: [] },
  ...bins.map((bin, i) => ({ label: i === 0 ? 'runner validate workflows/' : `${bin} validate workflows/`, args: [bin, 'validate', 'workflows/'], times: [] })),
];
// One untimed round first: it fills Node's compile cache for each bin.
for (const command of commands) time(command.args);
for (let i = 0; i < runs; i++) for (const command of commands) command.times.push(time(command.args));
const width = Math.max(...commands.map((c) => c.label.length)) + 2;
const base = median(commands[0]!.times);
for (const [i, command] of commands.entries()) {
  const m = median(command.times);
  const ratio = i === 0 ? '' : `  ratio ${(m / base).toFixed(2)}x`;
  console.log(`${command.label.padEnd(width)}median ${m.toFixed(1)} ms over ${runs} runs${ratio}`);
}
console.log(`ratio ${(median(commands[1]!.times) / base).toFixed(2)}x (goal < 3x)`);
