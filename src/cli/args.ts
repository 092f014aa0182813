import { parseArgs } from 'node:util';
import { UserError } from '../shared/errors.ts';
import { didYouMean } from '../shared/suggest.ts';

/** One flag of a command. */
export interface OptionSpec {
  /** Long name without dashes (`input` for `--input`). */
  name: string;
  /** One-letter alias. */
  short?: string;
  /** `boolean` flags take no value; `string` flags take one. */
  type: 'boolean' | 'string';
  /** May be repeated; values collect into an array. */
  multiple?: boolean;
  /** Allowed values of a string flag. */
  choices?: readonly string[];
  /** Name of the value in help (`name=value`). */
  valueName?: string;
  /** Help text. */
  description: string;
}

/** One positional argument. */
export interface ArgSpec {
  name: string;
  description: string;
  /** Must be given. */
  required?: boolean;
  /** Takes every remaining positional. */
  variadic?: boolean;
  /** Value when left out. */
  default?: string;
}

/** A command: a leaf with an action, a group of subcommands, or both (the action runs when no subcommand is named). */
export interface CommandSpec {
  name: string;
  description: string;
  args?: readonly ArgSpec[];
  options?: readonly OptionSpec[];
  subcommands?: readonly CommandSpec[];
  /** Runs the command with its parsed arguments (by name) and flags (by long name). */
  action?: (args: Record<string, any>, flags: Record<string, any>) => Promise<void>;
}

const HELP: OptionSpec = { name: 'help', short: 'h', type: 'boolean', description: 'show help for this command' };
const VERSION: OptionSpec = { name: 'version', short: 'V', type: 'boolean', description: 'print the version' };

/** What parsing decided: run an action, or print text (help, version) and exit 0. */
export type Parsed = { kind: 'run'; command: CommandSpec; args: Record<string, any>; flags: Record<string, any> } | { kind: 'print'; text: string };

/** Parses argv against the command tree. Mistakes throw {@link UserError} with a suggestion and the command's usage. */
export function parseCommandLine(root: CommandSpec, argv: readonly string[], version: string): Parsed {
  const path: CommandSpec[] = [root];
  let rest = [...argv];
  for (;;) {
    const current = path[path.length - 1]!;
    if (!current.subcommands) break;
    const next = firstPositional(current, rest);
    const sub = next && current.subcommands.find((c) => c.name === next.value);
    // A group with its own action runs it unless a subcommand is named (`runner runs --limit 5`, `runner runs show x`).
    if (!sub && current.action && (next === undefined || current.args?.length)) break;
    if (next === undefined) {
      if (rest.some((t) => t === '--version' || t === '-V')) return { kind: 'print', text: version };
      if (rest.length === 0 || rest.some((t) => t === '--help' || t === '-h')) return { kind: 'print', text: helpText(path) };
      unknownFlag(path, rest[0]!);
    }
    if (!sub) {
      if (next.value === 'help') return { kind: 'print', text: helpText(path) };
      const names = current.subcommands.map((c) => c.name);
      throw new UserError(`unknown command '${next.value}'${didYouMean(next.value, names)} (commands: ${names.join(', ')}; see ${usagePrefix(path)} --help)`);
    }
    rest.splice(next.index, 1);
    path.push(sub);
    rest = rest.slice();
  }
  const command = path[path.length - 1]!;
  const specs = [...(command.options ?? []), HELP, VERSION];
  const { values, positionals, tokens } = tokenize(specs, rest);
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const spec = specs.find((o) => o.name === token.name);
    if (!spec) unknownFlag(path, token.rawName);
    if (spec!.type === 'boolean' && token.value !== undefined) throw usageError(path, `flag ${token.rawName} takes no value`);
    if (spec!.type === 'string' && (token.value === undefined || token.value === ''))
      throw usageError(path, `flag ${token.rawName} needs a value${spec!.valueName ? ` (${spec!.valueName})` : ''}`);
  }
  if (values.help) return { kind: 'print', text: helpText(path) };
  if (values.version) return { kind: 'print', text: version };
  const flags: Record<string, unknown> = { ...values };
  for (const spec of specs) {
    const value = flags[spec.name];
    if (spec.choices && typeof value === 'string' && !spec.choices.includes(value)) {
      throw usageError(path, `invalid value '${value}' for --${spec.name}${didYouMean(value, spec.choices)} (allowed: ${spec.choices.join(', ')})`);
    }
    if (spec.multiple && value === undefined) flags[spec.name] = [];
  }
  return { kind: 'run', command, args: bindArgs(path, command, positionals), flags };
}

function tokenize(specs: readonly OptionSpec[], args: string[]) {
  return parseArgs({
    args,
    options: Object.fromEntries(specs.map((o) => [o.name, { type: o.type, multiple: o.multiple ?? false, ...(o.short ? { short: o.short } : {}) }])),
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
}

/** The first positional of `argv` read with `command`'s flags, so a flag's value is never taken for a subcommand. */
function firstPositional(command: CommandSpec, argv: string[]): { value: string; index: number } | undefined {
  const token = tokenize([...(command.options ?? []), HELP, VERSION], argv).tokens.find((t) => t.kind === 'positional');
  return token?.kind === 'positional' ? { value: token.value, index: token.index } : undefined;
}

function bindArgs(path: CommandSpec[], command: CommandSpec, positionals: string[]): Record<string, any> {
  const out: Record<string, any> = {};
  const specs = command.args ?? [];
  let i = 0;
  for (const spec of specs) {
    if (spec.variadic) {
      out[spec.name] = positionals.slice(i);
      i = positionals.length;
    } else {
      out[spec.name] = positionals[i] ?? spec.default;
      if (positionals[i] !== undefined) i++;
      else if (spec.required) throw usageError(path, `missing argument <${spec.name}> (${spec.description})`);
    }
  }
  if (i < positionals.length) throw usageError(path, `unexpected argument '${positionals[i]}'`);
  return out;
}

function unknownFlag(path: CommandSpec[], raw: string): never {
  const command = path[path.length - 1]!;
  const names = [...(command.options ?? []), HELP, VERSION].map((o) => `--${o.name}`);
  throw usageError(path, `unknown flag '${raw}'${didYouMean(raw.replace(/=.*/, ''), names)}`);
}

function usageError(path: CommandSpec[], message: string): UserError {
  return new UserError(`${message}\nusage: ${usageLine(path)} (see --help)`);
}

function usagePrefix(path: CommandSpec[]): string {
  return path.map((c) => c.name).join(' ');
}

function usageLine(path: CommandSpec[]): string {
  const command = path[path.length - 1]!;
  if (command.subcommands && !command.action) return `${usagePrefix(path)} <command> [flags]`;
  const args = (command.args ?? []).map((a) => (a.required ? `<${a.name}>` : `[${a.name}${a.variadic ? '...' : ''}]`));
  return [usagePrefix(path), ...args, '[flags]'].join(' ');
}

/** Help for the command at the end of `path`. */
export function helpText(path: CommandSpec[]): string {
  const command = path[path.length - 1]!;
  const lines = [`Usage: ${usageLine(path)}`, '', command.description, ''];
  const table = (rows: Array<[string, string]>) => {
    const width = Math.max(...rows.map((r) => r[0].length));
    for (const [left, right] of rows) lines.push(`  ${left.padEnd(width)}  ${right}`);
    lines.push('');
  };
  if (command.subcommands) {
    lines.push('Commands:');
    table(command.subcommands.map((c) => [c.name, c.description]));
  }
  if (command.args?.length) {
    lines.push('Arguments:');
    table(command.args.map((a) => [a.name, `${a.description}${a.default ? ` (default: ${a.default})` : ''}`]));
  }
  lines.push('Flags:');
  table(
    [...(command.options ?? []), HELP, VERSION].map((o) => [
      `${o.short ? `-${o.short}, ` : '    '}--${o.name}${o.type === 'string' ? ` <${o.valueName ?? 'value'}>` : ''}`,
      `${o.description}${o.choices ? ` (${o.choices.join(', ')})` : ''}${o.multiple ? ' (repeatable)' : ''}`,
    ]),
  );
  if (command.subcommands) lines.push(`Run '${usagePrefix(path)} <command> --help' for a command's flags.`);
  return lines.join('\n').trimEnd();
}
