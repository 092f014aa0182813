import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCommandLine, type CommandSpec } from '../../../src/cli/args.ts';
import { PROGRAM } from '../../../src/cli/program.ts';
import { UserError } from '../../../src/shared/errors.ts';

const parse = (...argv: string[]) => parseCommandLine(PROGRAM, argv, '9.9.9');

/** The first line of the UserError parsing `argv` throws. */
function mistake(...argv: string[]): string {
  try {
    parse(...argv);
  } catch (error) {
    assert.ok(error instanceof UserError, String(error));
    return error.message.split('\n')[0]!;
  }
  assert.fail(`expected ${argv.join(' ')} to be refused`);
}

test('a command with variadic paths and a boolean flag', () => {
  const parsed = parse('validate', 'a.yaml', 'dir', '--json');
  assert.equal(parsed.kind, 'run');
  if (parsed.kind !== 'run') return;
  assert.equal(parsed.command.name, 'validate');
  assert.deepEqual(parsed.args, { paths: ['a.yaml', 'dir'] });
  assert.equal(parsed.flags.json, true);
});

test('repeatable flags collect; missing repeatable flags are an empty list', () => {
  const parsed = parse('run', 'wf.yaml', '--plan', '-i', 'a=1', '--input', 'b=2', '--at=2026-11-27T15:00:00Z');
  assert.ok(parsed.kind === 'run');
  assert.deepEqual(parsed.args, { file: 'wf.yaml' });
  assert.deepEqual(parsed.flags.input, ['a=1', 'b=2']);
  assert.equal(parsed.flags.at, '2026-11-27T15:00:00Z');
  const bare = parse('run', 'wf.yaml');
  assert.ok(bare.kind === 'run');
  assert.deepEqual(bare.flags.input, []);
});

test('defaults fill optional arguments', () => {
  const parsed = parse('init');
  assert.ok(parsed.kind === 'run');
  assert.deepEqual(parsed.args, { dir: '.' });
});

test('help and version print instead of running', () => {
  assert.deepEqual(parse('validate', '--version'), { kind: 'print', text: '9.9.9' });
  const help = parse('run', '--help');
  assert.ok(help.kind === 'print');
  assert.match(help.text, /^Usage: runner run <file> \[flags\]/);
  assert.match(help.text, /--input <name=value>/);
  const root = parse();
  assert.ok(root.kind === 'print');
  assert.match(root.text, /^Usage: runner <command> \[flags\]/);
});

test('mistakes are user errors that say what would be right', () => {
  assert.match(mistake('valdate'), /^unknown command 'valdate'; did you mean 'validate'\?/);
  assert.equal(mistake('validate', '--jsn'), "unknown flag '--jsn'; did you mean '--json'?");
  assert.equal(mistake('run'), 'missing argument <file> (workflow file)');
  assert.equal(mistake('run', 'a.yaml', 'b.yaml'), "unexpected argument 'b.yaml'");
  assert.equal(mistake('tools', '--effect', 'writes'), "invalid value 'writes' for --effect; did you mean 'write'? (allowed: read, write, destructive)");
  assert.equal(mistake('validate', '--json=yes'), 'flag --json takes no value');
});

test('every user-facing mistake carries the usage line', () => {
  try {
    parse('run', '--plan');
    assert.fail('expected a refusal');
  } catch (error) {
    assert.ok(error instanceof UserError);
    assert.equal(error.message.split('\n')[1], 'usage: runner run <file> [flags] (see --help)');
  }
});

test('works on any command tree, not only the runner', () => {
  const tree: CommandSpec = {
    name: 'x',
    description: 'x',
    subcommands: [{ name: 'go', description: 'go', options: [{ name: 'fast', type: 'boolean', description: 'f' }] }],
  };
  const parsed = parseCommandLine(tree, ['go', '--fast'], '1');
  assert.ok(parsed.kind === 'run');
  assert.equal(parsed.flags.fast, true);
});

test('a command with its own action and subcommands runs the action unless a subcommand is named', () => {
  const list = parse('runs', '--workflow', 'show', '-n', '5');
  assert.ok(list.kind === 'run');
  assert.equal(list.command.name, 'runs', 'a flag value equal to a subcommand name stays a flag value');
  assert.deepEqual([list.flags.workflow, list.flags.limit], ['show', '5']);
  const bare = parse('runs');
  assert.ok(bare.kind === 'run' && bare.command.name === 'runs');
  const show = parse('runs', 'show', 'abc123', '--json');
  assert.ok(show.kind === 'run');
  assert.equal(show.command.name, 'show');
  assert.deepEqual(show.args, { id: 'abc123' });
  assert.equal(show.flags.json, true);
  assert.match(mistake('runs', 'shwo'), /^unknown command 'shwo'; did you mean 'show'\?/);
  const help = parse('runs', '--help');
  assert.ok(help.kind === 'print');
  assert.match(help.text, /^Usage: runner runs \[flags\]/);
  assert.match(help.text, /Commands:\n {2}show /);
});

test('such a command with positional arguments of its own takes non-subcommand words as arguments', () => {
  const tree: CommandSpec = {
    name: 'x',
    description: 'x',
    subcommands: [
      {
        name: 'chat',
        description: 'c',
        args: [{ name: 'message', description: 'm' }],
        action: async () => {},
        subcommands: [{ name: 'list', description: 'l', action: async () => {} }],
      },
    ],
  };
  const said = parseCommandLine(tree, ['chat', 'hello'], '1');
  assert.ok(said.kind === 'run' && said.command.name === 'chat');
  assert.deepEqual(said.args, { message: 'hello' });
  const listed = parseCommandLine(tree, ['chat', 'list'], '1');
  assert.ok(listed.kind === 'run' && listed.command.name === 'list');
});
