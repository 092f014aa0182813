#!/usr/bin/env node
// The bin entry. It turns on Node's on-disk compile cache before anything else loads, which roughly halves the
// cost of loading our dependencies on every start after the first (see bench/cli-startup.ts).
import { enableCompileCache } from 'node:module';

enableCompileCache?.();
const { main } = await import('./cli.ts');
const { reportError } = await import('./exit.ts');
process.on('unhandledRejection', (reason) => {
  process.exitCode = reportError(reason);
});
process.exitCode = await main(process.argv.slice(2));
