#!/usr/bin/env node
// The bin entry. It turns on Node's on-disk compile cache before anything else loads, which roughly halves the
// cost of loading our dependencies on every start after the first (see bench/cli-startup.ts).
import { enableCompileCache } from 'node:module';

enableCompileCache?.();
const { main } = await import('./cli.ts');
const { reportError } = await import('./exit.ts');
// `runner ... | head` closes our stdout early; that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}
process.on('unhandledRejection', (reason) => {
  process.exitCode = reportError(reason);
});
process.exitCode = await main(process.argv.slice(2));
