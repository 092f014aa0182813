import { parseCommandLine } from './args.ts';
import { EXIT, reportError } from './exit.ts';
import { out } from './output.ts';
import { PROGRAM, VERSION } from './program.ts';

/** For the bin (main.ts), which reports what escapes {@link main}. */
export { reportError };

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    const parsed = parseCommandLine(PROGRAM, argv, VERSION);
    if (parsed.kind === 'print') {
      out(parsed.text);
      return EXIT.ok;
    }
    await parsed.command.action!(parsed.args, parsed.flags);
    return Number(process.exitCode ?? EXIT.ok);
  } catch (error) {
    return reportError(error);
  }
}
