import { readFileSync } from 'node:fs';
import { PACKAGE_ROOT } from '../shared/paths.ts';
import { RUN_STATUSES, RUN_TRIGGERS } from '../runs/types.ts';
import { NOTIFY_EVENTS } from '../workflow/types.ts';
import type { CommandSpec } from './args.ts';

/** The package version, read once from package.json. */
export const VERSION = (JSON.parse(readFileSync(new URL('package.json', PACKAGE_ROOT), 'utf8')) as { version: string }).version;

const allowHost = {
  name: 'allow-host',
  type: 'string',
  multiple: true,
  valueName: 'name',
  description: 'a further Host name the MCP endpoint accepts, e.g. a compose service name (name or name:port)',
} as const;
const db = { name: 'db', type: 'string', valueName: 'path', description: 'sandbox SQLite file (default RUNNER_SANDBOX_DB, else .runner/sandbox.db)' } as const;
const json = { name: 'json', type: 'boolean', description: 'print machine-readable output' } as const;
const preview = { name: 'preview', type: 'boolean', description: 'run reads for real, simulate writes' } as const;
const noPrompt = { name: 'no-prompt', type: 'boolean', description: 'never ask about held calls: save the run as waiting and exit 3' } as const;
const runId = { name: 'id', required: true, description: 'run id, or a unique prefix of at least 6 characters' } as const;
/** `--metrics-port` and `--metrics-host` (worker, serve): Prometheus metrics on GET /metrics. */
const metricsOptions = [
  {
    name: 'metrics-port',
    type: 'string',
    valueName: 'port',
    description: 'serve Prometheus metrics on this port at /metrics (default: none; 0 picks a free port)',
  },
  { name: 'metrics-host', type: 'string', valueName: 'address', description: 'address the metrics endpoint listens on (default 127.0.0.1)' },
] as const;
/** Options `approve` and `reject` share: which calls, who decides. */
const decision = (verb: string) =>
  [
    { name: 'call', short: 'c', type: 'string', multiple: true, valueName: 'n', description: `the held call to ${verb} (see runner runs show); repeatable` },
    { name: 'all', type: 'boolean', description: 'every call still undecided' },
    { name: 'by', type: 'string', valueName: 'name', description: 'who decides, recorded (default: the OS user)' },
  ] as const;

/**
 * Every command and its flags. Actions import their modules lazily, so `runner validate`
 * never loads the Agents SDK, BullMQ or the MCP SDK.
 */
export const PROGRAM: CommandSpec = {
  name: 'runner',
  description: 'Runs declarative, scheduled Confluence work done by an LLM agent.',
  subcommands: [
    {
      name: 'validate',
      description: 'check workflow files and report every problem as path:line:col',
      args: [{ name: 'paths', variadic: true, description: 'files or folders (searched recursively for *.yaml, *.yml); default: the workflows folder' }],
      options: [json],
      action: async (a, f) => (await import('./commands/validate.ts')).validateCommand(a.paths, f),
    },
    {
      name: 'list',
      description: 'one line per workflow: schedule, time zone and next fire times',
      args: [{ name: 'dir', description: 'folder of workflows; default: the workflows folder' }],
      options: [
        {
          name: 'from',
          type: 'string',
          valueName: 'time',
          description: 'fire times after this ISO time, e.g. 2027-03-28T00:00:00Z, to check a schedule across a daylight saving change (default now)',
        },
        { name: 'count', short: 'n', type: 'string', valueName: 'n', description: 'fire times per workflow, 1-1000 (default 3)' },
        json,
      ],
      action: async (a, f) => (await import('./commands/list.ts')).listCommand(a.dir, f),
    },
    {
      name: 'init',
      description: 'scaffold a workflows folder with a commented example and .env.example',
      args: [{ name: 'dir', description: 'project folder to scaffold', default: '.' }],
      action: async (a) => (await import('./commands/init.ts')).initCommand(a.dir),
    },
    {
      name: 'doctor',
      description: 'check Node, .env, the model, the backend, Redis, the run store and the workflows; one line each with the fix',
      options: [json],
      action: async (_a, f) => (await import('./commands/doctor.ts')).doctorCommand(f),
    },
    {
      name: 'run',
      description: 'run a workflow now (or show its plan with --plan)',
      args: [{ name: 'file', required: true, description: 'workflow file' }],
      options: [
        { name: 'input', short: 'i', type: 'string', multiple: true, valueName: 'name=value', description: 'set an input' },
        {
          name: 'backend',
          short: 'b',
          type: 'string',
          choices: ['sandbox', 'composio', 'mcp', 'confluence'],
          valueName: 'backend',
          description: 'tool backend',
        },
        { name: 'plan', type: 'boolean', description: 'validate, render and print what would run; touch no model and no tool' },
        preview,
        { name: 'at', type: 'string', valueName: 'time', description: 'treat the run as scheduled at this ISO time (date filters)' },
        noPrompt,
        json,
      ],
      action: async (a, f) => (await import('./commands/run.ts')).runCommand(a.file, f as never),
    },
    {
      name: 'rerun',
      description: 'run a recorded run again: the text it ran, its inputs (overridable) and its run.scheduled_at',
      args: [runId],
      options: [
        { name: 'input', short: 'i', type: 'string', multiple: true, valueName: 'name=value', description: "override one of the original's inputs" },
        preview,
        { name: 'enqueue', type: 'boolean', description: 'queue the re-run for the workers (Redis at REDIS_URL) instead of running it here' },
        noPrompt,
        json,
      ],
      action: async (a, f) => (await import('./commands/rerun.ts')).rerunCommand(a.id, f as never),
    },
    {
      name: 'approve',
      description: 'approve held calls of a waiting run; once every call is decided the run goes on',
      args: [runId],
      options: [...decision('approve'), noPrompt, json],
      action: async (a, f) => (await import('./commands/approve.ts')).decideCommand(a.id, true, f as never),
    },
    {
      name: 'reject',
      description: 'reject held calls of a waiting run: the model is told a person refused; once every call is decided the run goes on',
      args: [runId],
      options: [
        ...decision('reject'),
        { name: 'reason', short: 'r', type: 'string', valueName: 'text', description: 'why, recorded and told to the model' },
        noPrompt,
        json,
      ],
      action: async (a, f) => (await import('./commands/approve.ts')).decideCommand(a.id, false, f as never),
    },
    {
      name: 'runs',
      description: "past runs, most recent first; `runner runs show <id>` tells one run's whole story",
      options: [
        { name: 'workflow', short: 'w', type: 'string', valueName: 'name', description: 'only runs of this workflow' },
        {
          name: 'status',
          short: 's',
          type: 'string',
          choices: RUN_STATUSES,
          valueName: 'status',
          description: 'only runs with this status',
        },
        { name: 'trigger', type: 'string', choices: RUN_TRIGGERS, valueName: 'trigger', description: 'only runs started this way' },
        {
          name: 'since',
          type: 'string',
          valueName: 'time',
          description: 'only runs created at or after this ISO time, e.g. 2026-11-27 or 2026-11-27T09:00:00Z',
        },
        { name: 'limit', short: 'n', type: 'string', valueName: 'count', description: 'how many runs to show (default 20)' },
        {
          name: 'repair',
          type: 'boolean',
          description: 'first close runs left running whose process (or, in the shared Redis store, whose job) is gone',
        },
        json,
      ],
      action: async (_a, f) => (await import('./commands/runs.ts')).runsListCommand(f as never),
      subcommands: [
        {
          name: 'show',
          description: 'one run in full: every attempt, step, prompt, tool call, output and error',
          args: [runId],
          options: [json],
          action: async (a, f) => (await import('./commands/runs.ts')).runsShowCommand(a.id, f),
        },
      ],
    },
    {
      name: 'serve',
      description: 'one process, no Redis: run every scheduled workflow of a folder on time, reloading on changes, until Ctrl-C',
      args: [{ name: 'dir', description: 'folder of workflows; default: the workflows folder' }],
      options: [
        { name: 'dashboard', type: 'boolean', description: 'also serve the web dashboard (see runner dashboard) from this process' },
        { name: 'port', type: 'string', valueName: 'port', description: "the dashboard's port (default 8790)" },
        { name: 'host', type: 'string', valueName: 'address', description: "the dashboard's address (default 127.0.0.1; any other asks for a token)" },
        ...metricsOptions,
      ],
      action: async (a, f) => (await import('./commands/serve.ts')).serveCommand(a.dir, f),
    },
    {
      name: 'dashboard',
      description: 'web dashboard of runs, workflows, approvals and the queue, on 127.0.0.1:8790 until Ctrl-C',
      options: [
        { name: 'port', type: 'string', valueName: 'port', description: 'port to listen on (default 8790; 0 picks a free one)' },
        { name: 'host', type: 'string', valueName: 'address', description: 'address to listen on (default 127.0.0.1; any other asks for a token)' },
        { ...allowHost, description: 'a further Host name the dashboard answers to, e.g. a reverse proxy name (name or name:port)' },
      ],
      action: async (_a, f) => (await import('./commands/dashboard.ts')).dashboardCommand(f),
    },
    {
      name: 'chat',
      description: "talk to the Confluence agent (the product guide's loop); history persists per session",
      options: [
        {
          name: 'backend',
          short: 'b',
          type: 'string',
          choices: ['sandbox', 'composio', 'mcp', 'confluence'],
          valueName: 'backend',
          description: 'tool backend',
        },
        { name: 'session', short: 's', type: 'string', valueName: 'name', description: "conversation to continue or start (default 'default')" },
        { name: 'reset', type: 'boolean', description: "forget the session's history first" },
        { name: 'list', type: 'boolean', description: 'list saved sessions and exit' },
        preview,
        { name: 'allow-destructive', type: 'boolean', description: 'let the agent delete content (refused by default)' },
      ],
      action: async (_a, f) => (await import('./commands/chat.ts')).chatCommand(f as never),
    },
    {
      name: 'schedule',
      description: 'schedules: BullMQ job schedulers (queue mode), pauses and backfills (both modes)',
      subcommands: [
        {
          name: 'sync',
          description: 'make the schedulers match the workflows: add, change, remove; a second sync writes nothing',
          args: [{ name: 'dir', description: 'folder of workflows; default: the workflows folder' }],
          options: [{ name: 'dry-run', type: 'boolean', description: 'show what would change; write nothing' }, json],
          action: async (a, f) => (await import('./commands/schedule.ts')).scheduleSyncCommand(a.dir, f),
        },
        {
          name: 'list',
          description: 'every scheduler in Redis with its next fire time, and whether it is paused',
          options: [json],
          action: async (_a, f) => (await import('./commands/schedule.ts')).scheduleListCommand(f),
        },
        {
          name: 'pause',
          description: "record a workflow's slots as skipped until it is resumed (RUNNER_STORE=redis: the workers'; else RUNNER_DB: serve's)",
          args: [{ name: 'workflow', required: true, description: 'workflow name, or a workflow file' }],
          options: [
            { name: 'reason', short: 'r', type: 'string', valueName: 'text', description: 'why, recorded and shown' },
            { name: 'by', type: 'string', valueName: 'name', description: 'who pauses, recorded (default: the OS user)' },
          ],
          action: async (a, f) => (await import('./commands/schedule.ts')).schedulePauseCommand(a.workflow, f),
        },
        {
          name: 'resume',
          description: "run a paused workflow's slots again, from its next one",
          args: [{ name: 'workflow', required: true, description: 'workflow name, or a workflow file' }],
          action: async (a) => (await import('./commands/schedule.ts')).scheduleResumeCommand(a.workflow),
        },
        {
          name: 'backfill',
          description: 'run the slots of a time range that never ran, oldest first (RUNNER_STORE=redis: queued for the workers; else here)',
          args: [{ name: 'file', required: true, description: 'workflow file' }],
          options: [
            { name: 'from', type: 'string', valueName: 'time', description: 'first slot time, ISO (e.g. 2026-11-01T00:00:00Z); required' },
            { name: 'to', type: 'string', valueName: 'time', description: 'last slot time, ISO; slots after now are left to the schedule; required' },
            { name: 'dry-run', type: 'boolean', description: 'print which slots would run; run and queue nothing' },
            json,
          ],
          action: async (a, f) => (await import('./commands/schedule-backfill.ts')).scheduleBackfillCommand(a.file, f),
        },
      ],
    },
    {
      name: 'enqueue',
      description: 'queue a manual run of a workflow for the workers; prints the run id',
      args: [{ name: 'file', required: true, description: 'workflow file' }],
      options: [{ name: 'input', short: 'i', type: 'string', multiple: true, valueName: 'name=value', description: 'set an input' }, json],
      action: async (a, f) => (await import('./commands/enqueue.ts')).enqueueCommand(a.file, f as never),
    },
    {
      name: 'test',
      description: 'run workflow test files (*.test.yaml): each case on a fresh sandbox with a scripted model; exit 1 if any failed',
      args: [{ name: 'paths', variadic: true, description: 'files or folders (searched recursively for *.test.yaml); default: the workflows folder' }],
      options: [
        {
          name: 'reporter',
          short: 'r',
          type: 'string',
          choices: ['human', 'json', 'junit', 'tap'],
          valueName: 'format',
          description: 'output format (default human)',
        },
        { name: 'jobs', short: 'j', type: 'string', valueName: 'n', description: 'cases run at once (default 2)' },
        { name: 'model', short: 'm', type: 'string', valueName: 'name', description: 'eval mode: run the cases against this real model' },
        { name: 'repeat', type: 'string', valueName: 'n', description: 'eval mode: runs per case and model (default 3)' },
        { name: 'compare', type: 'string', valueName: 'm1,m2', description: 'eval mode: evaluate each model, side by side' },
        { name: 'min-pass-rate', type: 'string', valueName: '0..1', description: 'eval mode: exit 1 when a pass rate is lower (default: report only)' },
        { name: 'record', type: 'string', valueName: 'run-id', description: 'write a test case that replays this recorded run instead of running tests' },
        { name: 'out', type: 'string', valueName: 'file', description: 'with --record: the test file (default <workflow dir>/<workflow name>.test.yaml)' },
      ],
      action: async (a, f) => (await import('./commands/test.ts')).testCommand(a.paths, f as never),
    },
    {
      name: 'worker',
      description: 'run queued and scheduled workflows from Redis until SIGTERM/SIGINT',
      options: [
        { name: 'concurrency', short: 'c', type: 'string', valueName: 'n', description: 'runs at once in each process (default 4)' },
        {
          name: 'processes',
          type: 'string',
          valueName: 'n',
          description: 'worker processes under one supervisor, 1 to 64 (default: the number of CPUs; 1: this process alone)',
        },
        ...metricsOptions,
      ],
      action: async (_a, f) => (await import('./commands/worker.ts')).workerCommand(f),
    },
    {
      name: 'notify',
      description: "notifications: check a workflow's notify channels",
      subcommands: [
        {
          name: 'test',
          description: 'send a sample event from a made-up run to every channel of the workflow (and RUNNER_NOTIFY_DEFAULT); exit 1 if any failed',
          args: [{ name: 'file', required: true, description: 'workflow file' }],
          options: [
            { name: 'event', short: 'e', type: 'string', choices: NOTIFY_EVENTS, valueName: 'event', description: 'the event the sample is (default failed)' },
          ],
          action: async (a, f) => (await import('./commands/notify.ts')).notifyTestCommand(a.file, f),
        },
      ],
    },
    {
      name: 'connect',
      description: "connect a Composio user's Confluence account: prints an auth link and waits until it is active",
      args: [{ name: 'toolkit', description: 'the toolkit to connect (confluence, the default)' }],
      options: [
        { name: 'user', short: 'u', type: 'string', valueName: 'id', description: 'Composio user id (default COMPOSIO_USER_ID, else default)' },
        { name: 'callback-url', type: 'string', valueName: 'url', description: 'where the auth page sends the person afterwards' },
        { name: 'wait', type: 'string', valueName: 'duration', description: 'how long to wait for the connection, e.g. 5m (default 5m, at most 24h)' },
      ],
      action: async (a, f) => (await import('./commands/connect.ts')).connectCommand(a.toolkit, f),
    },
    {
      name: 'connections',
      description: "a Composio user's toolkit connections: toolkit, account id, status",
      options: [{ name: 'user', short: 'u', type: 'string', valueName: 'id', description: 'Composio user id (default COMPOSIO_USER_ID, else default)' }, json],
      action: async (_a, f) => (await import('./commands/connect.ts')).connectionsCommand(f),
    },
    {
      name: 'tools',
      description: 'list the Confluence toolkit: slug, effect and name of every tool',
      options: [
        { name: 'effect', type: 'string', choices: ['read', 'write', 'destructive'], valueName: 'effect', description: 'only tools with this effect' },
        json,
      ],
      action: async (_a, f) => (await import('./commands/tools.ts')).toolsCommand(f),
    },
    {
      name: 'sandbox',
      description: 'the embedded Confluence: a REST server on SQLite with MCP and tool-router faces',
      subcommands: [
        {
          name: 'serve',
          description: 'serve the sandbox on 127.0.0.1 (REST, /mcp, tool router) until Ctrl-C',
          options: [
            { name: 'port', short: 'p', type: 'string', valueName: 'port', description: 'port to listen on (default 8787; 0 = any free port)' },
            {
              name: 'host',
              type: 'string',
              valueName: 'address',
              description: 'address to listen on (default 127.0.0.1; 0.0.0.0 only inside a container network)',
            },
            allowHost,
            db,
            { name: 'faults', type: 'string', valueName: 'spec', description: 'inject faults into REST calls, e.g. 429=0.1,503=0.05,latency=50ms' },
            { name: 'email', type: 'string', valueName: 'email', description: 'login e-mail (default RUNNER_SANDBOX_EMAIL, else sandbox@example.com)' },
            { name: 'token', type: 'string', valueName: 'token', description: 'API token (default RUNNER_SANDBOX_TOKEN, else sandbox-token)' },
            { name: 'empty', type: 'boolean', description: 'do not seed demo content into an empty database' },
          ],
          action: async (_a, f) => (await import('./commands/sandbox.ts')).sandboxServeCommand(f),
        },
        {
          name: 'seed',
          description: 'replace the sandbox content with the deterministic demo content',
          options: [db],
          action: async (_a, f) => (await import('./commands/sandbox.ts')).sandboxSeedCommand(f),
        },
        {
          name: 'reset',
          description: 'empty the sandbox database',
          options: [db],
          action: async (_a, f) => (await import('./commands/sandbox.ts')).sandboxResetCommand(f),
        },
      ],
    },
    {
      name: 'model',
      description: 'the scripted OpenAI-compatible model server, for experiments and CI without a real model',
      subcommands: [
        {
          name: 'serve',
          description: 'answer Chat Completions and Responses from a script file on 127.0.0.1 until Ctrl-C',
          options: [
            { name: 'script', type: 'string', valueName: 'file', description: 'YAML or JSON list of turns: text, json, call/with or calls (required)' },
            { name: 'port', short: 'p', type: 'string', valueName: 'port', description: 'port to listen on (default 8789; 0 = any free port)' },
            {
              name: 'host',
              type: 'string',
              valueName: 'address',
              description: 'address to listen on (default 127.0.0.1; 0.0.0.0 only inside a container network)',
            },
            { name: 'latency', type: 'string', valueName: 'duration', description: 'delay before every answer, e.g. 50ms (default 0)' },
            { name: 'faults', type: 'string', valueName: 'spec', description: 'random faults per request, e.g. 429=0.1,503=0.05,retry-after=2,seed=7' },
          ],
          action: async (_a, f) => (await import('./commands/model.ts')).modelServeCommand(f),
        },
      ],
    },
    {
      name: 'mcp',
      description: 'serve the Confluence toolkit as an MCP server (configured site, else the sandbox)',
      options: [
        { name: 'stdio', type: 'boolean', description: 'speak MCP on stdin/stdout (for desktop MCP clients)' },
        { name: 'http', type: 'boolean', description: 'serve streamable HTTP (bearer token: RUNNER_MCP_TOKEN, else one generated and printed)' },
        { name: 'port', short: 'p', type: 'string', valueName: 'port', description: 'port for --http (default 8788)' },
        { name: 'host', type: 'string', valueName: 'address', description: 'address --http listens on (default 127.0.0.1)' },
        allowHost,
        { name: 'no-auth', type: 'boolean', description: 'serve --http without a token (loopback --host only)' },
      ],
      action: async (_a, f) => (await import('./commands/mcp.ts')).mcpCommand(f),
    },
  ],
};
