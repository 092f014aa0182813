#!/usr/bin/env node
import { CommanderError } from 'commander';
import { EXIT, reportError } from './exit.ts';
import { buildProgram, isHelpOrVersion } from './program.ts';

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return Number(process.exitCode ?? EXIT.ok);
  } catch (error) {
    if (isHelpOrVersion(error)) return EXIT.ok;
    // Commander already printed its message (with a suggestion); usage mistakes exit 2.
    if (error instanceof CommanderError) return EXIT.usage;
    return reportError(error);
  }
}

process.on('unhandledRejection', (reason) => {
  process.exitCode = reportError(reason);
});

const code = await main(process.argv.slice(2));
process.exitCode = code;
