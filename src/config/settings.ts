/** Every setting the runner reads from the environment (or `.env`), with its default and meaning. */
export interface SettingSpec {
  /** Environment variable name. */
  env: string;
  /** Default when unset (shown in docs and `.env.example`). */
  default?: string;
  /** What it does, one line. */
  description: string;
  /** A secret: never printed, redacted from records and logs. */
  secret?: boolean;
  /** Group heading in `.env.example`. */
  group: 'model' | 'tools' | 'sandbox' | 'composio' | 'confluence' | 'runs' | 'queue' | 'notify' | 'telemetry';
}

/** The settings table: the one place that names environment variables. */
export const SETTINGS: readonly SettingSpec[] = [
  { group: 'model', env: 'OPENAI_API_KEY', secret: true, description: 'API key for OpenAI (or the OpenAI-compatible server).' },
  { group: 'model', env: 'OPENAI_BASE_URL', description: 'Base URL of an OpenAI-compatible server (Ollama, vLLM, LM Studio, a gateway).' },
  { group: 'model', env: 'RUNNER_MODEL', default: 'gpt-5', description: "Model used when a workflow's agent.model is not set." },
  {
    group: 'model',
    env: 'RUNNER_OPENAI_API',
    default: 'auto',
    description: 'chat or responses; auto = responses for OpenAI itself, chat for OPENAI_BASE_URL servers.',
  },
  { group: 'model', env: 'RUNNER_TRACING', default: 'off', description: 'on: export Agents SDK traces (only when talking to OpenAI itself).' },
  {
    group: 'model',
    env: 'RUNNER_MODEL_RETRIES',
    default: '4',
    description: 'Retries of a model request after 429, 5xx, timeouts or network errors (Retry-After honoured).',
  },
  { group: 'model', env: 'RUNNER_MODEL_TIMEOUT', default: '120s', description: 'Timeout of one model request.' },
  {
    group: 'tools',
    env: 'RUNNER_BACKEND',
    default: 'sandbox',
    description: "Tool backend when a workflow's tools.backend is not set: sandbox, composio, mcp or confluence.",
  },
  { group: 'tools', env: 'RUNNER_TOOL_TIMEOUT', default: '60s', description: 'Timeout of one tool call.' },
  {
    group: 'tools',
    env: 'RUNNER_WRITE_SETTLE',
    default: '10s',
    description:
      'How long after a write with an uncertain outcome (a timeout, a killed worker) the site may still commit it; reconciliation checks only after this.',
  },
  {
    group: 'tools',
    env: 'RUNNER_RECORD_RESULT_CHARS',
    default: '4000',
    description: 'Tool results and arguments longer than this (as JSON) are truncated in run records.',
  },
  {
    group: 'model',
    env: 'RUNNER_MAX_OUTPUT_CHARS',
    default: '1000000',
    description: "Longest final answer a prompt step may give (as JSON); a longer one fails the step with kind 'limit'.",
  },
  {
    group: 'model',
    env: 'RUNNER_MODEL_PRICES',
    description:
      'Prices for the cost column of runner test --model/--compare: model=input/output in USD per million tokens, comma-separated (e.g. gpt-5=1.25/10,gpt-5-mini=0.25/2).',
  },
  { group: 'sandbox', env: 'RUNNER_SANDBOX_URL', description: 'Use this running sandbox instead of starting one in-process.' },
  { group: 'sandbox', env: 'RUNNER_SANDBOX_DB', default: '.runner/sandbox.db', description: 'SQLite file of the embedded sandbox.' },
  { group: 'sandbox', env: 'RUNNER_SANDBOX_EMAIL', default: 'sandbox@example.com', description: 'Sandbox login (HTTP Basic user).' },
  { group: 'sandbox', env: 'RUNNER_SANDBOX_TOKEN', default: 'sandbox-token', secret: true, description: 'Sandbox API token (HTTP Basic password).' },
  {
    group: 'sandbox',
    env: 'RUNNER_SANDBOX_PUBLIC_URL',
    default: 'http://127.0.0.1:8787',
    description: 'Base URL of the links runs on the embedded sandbox record; open them with `runner sandbox serve`.',
  },
  { group: 'composio', env: 'COMPOSIO_API_KEY', secret: true, description: 'Composio project API key (backend composio).' },
  { group: 'composio', env: 'COMPOSIO_USER_ID', default: 'default', description: 'Composio user whose Confluence connection runs use.' },
  { group: 'composio', env: 'COMPOSIO_BASE_URL', description: 'Override the Composio API host (tests point it at the sandbox tool router).' },
  {
    group: 'composio',
    env: 'COMPOSIO_SESSION_PRESET',
    default: 'direct_tools',
    description: 'direct_tools: the model sees the allowed Confluence tools; meta_tools: the Tool Router meta-tools (search, multi-execute).',
  },
  { group: 'composio', env: 'COMPOSIO_TRACKING', default: 'off', description: 'on: allow @composio/core telemetry.' },
  {
    group: 'confluence',
    env: 'CONFLUENCE_BASE_URL',
    description: 'Confluence Cloud site, e.g. https://your-site.atlassian.net (the confluence backend, runner mcp).',
  },
  { group: 'confluence', env: 'CONFLUENCE_EMAIL', description: 'Atlassian account email for API-token auth.' },
  { group: 'confluence', env: 'CONFLUENCE_API_TOKEN', secret: true, description: 'Atlassian API token.' },
  {
    group: 'confluence',
    env: 'RUNNER_MCP_TOKEN',
    secret: true,
    description: 'Bearer token runner mcp --http requires (unset: a random one is generated and printed at start).',
  },
  {
    group: 'runs',
    env: 'RUNNER_DASHBOARD_TOKEN',
    secret: true,
    description: 'Token runner dashboard asks for (required off loopback; unset there: a random one is generated and printed at start).',
  },
  { group: 'runs', env: 'RUNNER_DB', default: '.runner/runs.db', description: 'SQLite file of run records (local mode).' },
  { group: 'runs', env: 'RUNNER_WORKFLOWS', default: 'workflows', description: 'Folder of workflow files for validate, list and schedules.' },
  { group: 'queue', env: 'REDIS_URL', default: 'redis://127.0.0.1:6379', description: 'Redis for queue mode (schedule, enqueue, worker).' },
  { group: 'queue', env: 'RUNNER_MODEL_RPM', description: 'Model requests per minute shared by all workers (unset: unlimited).' },
  {
    group: 'queue',
    env: 'RUNNER_QUEUE_PREFIX',
    default: 'runner',
    description: 'Prefix of every Redis key the runner owns (BullMQ queue, run records, journal, limiter).',
  },
  {
    group: 'queue',
    env: 'RUNNER_STORE',
    default: 'auto',
    description:
      'Where runner runs (and approve, rerun, schedule pause and backfill) reads records: sqlite (RUNNER_DB), redis (the store workers share) or auto: redis when REDIS_URL is set (environment or .env), else sqlite. Workers always write to redis.',
  },
  { group: 'queue', env: 'RUNNER_RUN_RETENTION', default: '30d', description: 'How long run records and journals stay in Redis.' },
  {
    group: 'queue',
    env: 'RUNNER_JOB_LOCK',
    default: '30s',
    description: "A worker's lock on a running job; a worker silent for this long is presumed dead and its job runs again elsewhere.",
  },
  {
    group: 'queue',
    env: 'RUNNER_SHUTDOWN_GRACE',
    default: '60s',
    description: 'On SIGTERM/SIGINT, how long in-flight runs may finish before they are cancelled and recorded.',
  },
  {
    group: 'notify',
    env: 'RUNNER_NOTIFY_DEFAULT',
    description: "A YAML file with a `notify:` list of rules every workflow gets besides its own (checked like a workflow's rules).",
  },
  { group: 'notify', env: 'RUNNER_PUBLIC_URL', description: 'Base URL people open runs at; notifications link <url>/runs/<id> (unset: no link).' },
  { group: 'notify', env: 'RUNNER_SMTP_URL', secret: true, description: 'SMTP server of email notifications: smtp[s]://user:pass@host:port.' },
  { group: 'notify', env: 'RUNNER_SMTP_FROM', description: 'Sender of email notifications (unset: confluence-runner@<hostname>).' },
  { group: 'notify', env: 'RUNNER_NOTIFY_ATTEMPTS', default: '5', description: 'Delivery attempts of one notification (each at most 10 s).' },
  { group: 'notify', env: 'RUNNER_NOTIFY_BACKOFF', default: '2s', description: 'Wait before the second delivery attempt; it doubles after each failed one.' },
  {
    group: 'telemetry',
    env: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    description: 'OTLP/HTTP collector base URL (e.g. http://127.0.0.1:4318): runs export traces to <url>/v1/traces (unset: no traces).',
  },
  {
    group: 'telemetry',
    env: 'OTEL_SERVICE_NAME',
    default: 'confluence-runner',
    description: 'service.name of the exported traces.',
  },
  {
    group: 'telemetry',
    env: 'RUNNER_TRACE_CONTENT',
    default: 'off',
    description: 'on: traces carry prompts, model answers and tool arguments and results (redacted); off: names, counts and timings only.',
  },
];
