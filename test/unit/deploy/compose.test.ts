import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { CommandSpec } from '../../../src/cli/args.ts';
import { PROGRAM } from '../../../src/cli/program.ts';

// No Docker engine runs here, so the deployment files are checked by reading: every runner command they start
// must exist with the flags they pass, and Redis must keep what it is given.
const compose = parse(readFileSync(new URL('../../../docker-compose.yml', import.meta.url), 'utf8'), { merge: true }) as {
  services: Record<
    string,
    {
      command?: string[];
      image?: string;
      build?: string;
      environment?: Record<string, string>;
      deploy?: { replicas?: number };
      depends_on?: Record<string, unknown>;
    }
  >;
};

/** Resolves `argv` against the command table; returns the problems found. */
function checkCommand(argv: readonly string[]): string[] {
  let spec: CommandSpec = PROGRAM;
  let i = 0;
  for (let sub = spec.subcommands?.find((c) => c.name === argv[i]); sub; sub = spec.subcommands?.find((c) => c.name === argv[i])) {
    spec = sub;
    i += 1;
  }
  const problems: string[] = [];
  for (; i < argv.length; i++) {
    const word = argv[i]!;
    if (!word.startsWith('--') || word === '--help' || word === '--version') continue;
    const option = spec.options?.find((o) => `--${o.name}` === word);
    if (!option) problems.push(`${spec.name}: unknown flag ${word}`);
    else if (option.type === 'string') i++;
  }
  if (spec === PROGRAM && argv[0] !== '--help') problems.push(`unknown command ${argv[0]}`);
  if (spec.subcommands?.length && !spec.action && !argv.includes('--help')) problems.push(`${spec.name} needs a subcommand`);
  return problems;
}

test('every runner service runs a real command with real flags', () => {
  const runners = Object.entries(compose.services).filter(([, s]) => s.build === '.');
  assert.deepEqual(runners.map(([name]) => name).sort(), ['dashboard', 'runner', 'sandbox', 'schedule-sync', 'worker']);
  for (const [name, service] of runners) assert.deepEqual(checkCommand(service.command ?? []), [], name);
});

test('Redis persists and never evicts; two workers wait for the sync and the sandbox', () => {
  const redis = compose.services.redis!.command!.join(' ');
  assert.match(redis, /--appendonly yes/);
  assert.match(redis, /--maxmemory-policy noeviction/);
  const worker = compose.services.worker!;
  assert.equal(worker.deploy?.replicas, 2);
  assert.deepEqual(Object.keys(worker.depends_on ?? {}).sort(), ['redis', 'sandbox', 'schedule-sync']);
  assert.equal(worker.environment?.REDIS_URL, 'redis://redis:6379');
  assert.equal(worker.environment?.RUNNER_STORE, 'redis');
  assert.doesNotMatch(JSON.stringify(compose), /sk-|OPENAI_API_KEY:|COMPOSIO_API_KEY:/, 'no secrets in the compose file');
});

test("the sandbox's /mcp accepts the host and port the workers reach it by", () => {
  const command = compose.services.sandbox!.command!;
  const workers = new URL(compose.services.worker!.environment!.RUNNER_SANDBOX_URL!);
  assert.equal(command[command.indexOf('--port') + 1], workers.port);
  const allowed = command.filter((_, i) => command[i - 1] === '--allow-host');
  assert.ok(allowed.includes(workers.hostname) || allowed.includes(workers.host), `--allow-host ${workers.hostname} is missing: ${command.join(' ')}`);
  assert.equal(compose.services.sandbox!.environment?.RUNNER_SANDBOX_TOKEN, undefined, 'the token comes from .env, shared by both sides');
});

test('the Dockerfile builds dist/ and starts the bin', () => {
  const dockerfile = readFileSync(new URL('../../../Dockerfile', import.meta.url), 'utf8');
  assert.match(dockerfile, /FROM node:24/);
  assert.match(dockerfile, /RUN npm ci/);
  assert.match(dockerfile, /ENTRYPOINT \["node", "dist\/cli\/main\.js"\]/);
});

test('the dashboard is published on this host only, and binds its container widely (so it asks for a token)', () => {
  const dashboard = compose.services.dashboard!;
  const command = dashboard.command!;
  assert.equal(command[command.indexOf('--host') + 1], '0.0.0.0');
  assert.deepEqual((dashboard as { ports?: string[] }).ports, [
    `127.0.0.1:${command[command.indexOf('--port') + 1]}:${command[command.indexOf('--port') + 1]}`,
  ]);
});
