/**
 * Runs every benchmark in turn, each in its own process, and prints their reports.
 *
 *   npm run build && npm run bench
 */
import { spawnSync } from 'node:child_process';

const benches: Array<[string, string[]]> = [
  ['bench/cli-startup.ts', ['30']],
  ['bench/engine-overhead.ts', ['200']],
  ['bench/tool-tokens.ts', []],
  // Queue mode: these need Redis on REDIS_URL (default 127.0.0.1:6379); rate-limit takes about three minutes.
  ['bench/queue-concurrency.ts', []],
  ['bench/queue-processes.ts', []],
  ['bench/queue-floor.ts', []],
  ['bench/rate-limit.ts', []],
  ['bench/schedule-scale.ts', []],
];
let failed = 0;
for (const [file, args] of benches) {
  console.log(`\n== ${file} ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [file, ...args], { stdio: 'inherit' });
  if (r.status !== 0) failed += 1;
}
process.exit(failed ? 1 : 0);
