import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';

/** The package version, read once from package.json. */
export const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const collect = (value: string, previous: string[] = []) => [...previous, value];

/**
 * Declares every command and its flags. Actions import their modules lazily, so `runner validate`
 * never loads the Agents SDK, BullMQ or the MCP SDK.
 */
export function buildProgram(): Command {
  const program = new Command('runner')
    .description('Runs declarative, scheduled Confluence work done by an LLM agent.')
    .showSuggestionAfterError(true)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('validate')
    .description('check workflow files and report every problem as path:line:col')
    .argument('[paths...]', 'files or folders (searched recursively for *.yaml, *.yml); default: the workflows folder')
    .option('--json', 'print machine-readable results')
    .action(async (paths: string[], opts) => (await import('./commands/validate.ts')).validateCommand(paths, opts));

  program
    .command('list')
    .description('one line per workflow: schedule, time zone and next three fire times')
    .argument('[dir]', 'folder of workflows; default: the workflows folder')
    .option('--json', 'print machine-readable results')
    .action(async (dir: string | undefined, opts) => (await import('./commands/list.ts')).listCommand(dir, opts));

  program
    .command('init')
    .description('scaffold a workflows folder with a commented example and .env.example')
    .argument('[dir]', 'project folder to scaffold', '.')
    .action(async (dir: string, _opts) => (await import('./commands/init.ts')).initCommand(dir));

  program
    .command('run')
    .description('run a workflow now (or show its plan with --plan)')
    .argument('<file>', 'workflow file')
    .option('-i, --input <name=value>', 'set an input (repeatable)', collect, [])
    .addOption(new Option('-b, --backend <backend>', 'tool backend').choices(['sandbox', 'composio', 'mcp']))
    .option('--plan', 'validate, render and print what would run; touch no model and no tool')
    .option('--preview', 'run reads for real, simulate writes')
    .option('--at <time>', 'treat the run as scheduled at this ISO time (date filters, --plan)')
    .option('--json', 'print machine-readable output')
    .action(async (file: string, opts) => (await import('./commands/run.ts')).runCommand(file, opts));

  program
    .command('tools')
    .description('list the Confluence toolkit: slug, effect and name of every tool')
    .addOption(new Option('--effect <effect>', 'only tools with this effect').choices(['read', 'write', 'destructive']))
    .option('--json', 'print machine-readable output (with input schemas)')
    .action(async (opts) => (await import('./commands/tools.ts')).toolsCommand(opts));

  addVersionEverywhere(program);
  return program;
}

/** `--version` answers on every command, not only the root. */
function addVersionEverywhere(command: Command): void {
  command.version(VERSION, '-V, --version', 'print the version');
  for (const sub of command.commands) addVersionEverywhere(sub);
}

/** Commander signals help/version display through errors with these codes; they are successes. */
export function isHelpOrVersion(error: unknown): boolean {
  return error instanceof CommanderError && ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code);
}

export { CommanderError };
