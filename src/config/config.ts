import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { UserError } from '../shared/errors.ts';
import { parseDuration } from '../shared/duration.ts';
import { SecretRegistry } from '../shared/secrets.ts';
import { SETTINGS } from './settings.ts';

/** Tool backends a workflow can use. */
export type BackendName = 'sandbox' | 'composio' | 'mcp' | 'confluence';

/** Values of RUNNER_STORE: `auto` picks `redis` when REDIS_URL is set, else `sqlite`. */
export type StoreSetting = 'auto' | 'sqlite' | 'redis';

/** The runner's resolved settings: defaults, then `.env`, then the environment, then flags. */
export interface RunnerConfig {
  /** Default model (RUNNER_MODEL, else gpt-5). */
  model: string;
  /** Default tool backend (RUNNER_BACKEND, else sandbox). */
  backend: BackendName;
  /** Run records SQLite file. */
  dbPath: string;
  /** Workflow folder. */
  workflowsDir: string;
  openai: {
    apiKey?: string;
    baseUrl?: string;
    api: 'auto' | 'chat' | 'responses';
    tracing: boolean;
    /** Retries of one model request after transient failures (RUNNER_MODEL_RETRIES, default 4). */
    retries: number;
    /** Timeout of one model request in ms (RUNNER_MODEL_TIMEOUT, default 120 s). */
    timeoutMs: number;
    /** Longest final answer a prompt step may give, in JSON characters (RUNNER_MAX_OUTPUT_CHARS, default 1,000,000). */
    maxOutputChars: number;
  };
  /** USD per million input and output tokens by model, for eval costs (RUNNER_MODEL_PRICES; unset: no costs). */
  modelPrices: ReadonlyMap<string, ModelPrice>;
  tools: {
    /** Timeout of one tool call in ms (RUNNER_TOOL_TIMEOUT, default 60 s). */
    timeoutMs: number;
    /** How long after an uncertain write was sent the site may still commit it, ms (RUNNER_WRITE_SETTLE, default 10 s). */
    settleMs: number;
    /** Longest tool result kept in a run record, in JSON characters (RUNNER_RECORD_RESULT_CHARS, default 4000). */
    recordResultChars: number;
  };
  sandbox: {
    url?: string;
    dbPath: string;
    email: string;
    apiToken: string;
    /** Base of the links an in-process sandbox hands out (RUNNER_SANDBOX_PUBLIC_URL, default http://127.0.0.1:8787, where `runner sandbox serve` listens). */
    publicUrl: string;
  };
  composio: { apiKey?: string; userId: string; baseUrl?: string; allowTracking: boolean; preset: 'direct_tools' | 'meta_tools' };
  confluence: { baseUrl?: string; email?: string; apiToken?: string };
  /** Bearer token `runner mcp --http` requires (RUNNER_MCP_TOKEN; unset: the command generates one). */
  mcpToken?: string;
  /** Token `runner dashboard` asks for (RUNNER_DASHBOARD_TOKEN; unset: none on loopback, else one generated at start). */
  dashboardToken?: string;
  redisUrl: string;
  modelRpm?: number;
  /**
   * Where `runner runs` (and the commands that read runs) reads records: RUNNER_STORE resolved, `auto` (the default)
   * being `redis` when REDIS_URL is set in the environment or `.env`, else `sqlite`.
   */
  store: 'sqlite' | 'redis';
  /** What RUNNER_STORE asked for (default `auto`), for messages that say why {@link RunnerConfig.store} is what it is. */
  storeSource: StoreSetting;
  queue: {
    /** Prefix of every Redis key the runner owns (RUNNER_QUEUE_PREFIX, default runner). */
    prefix: string;
    /** Retention of run records in Redis, ms (RUNNER_RUN_RETENTION, default 30 days). */
    retentionMs: number;
    /** Job lock duration, ms (RUNNER_JOB_LOCK, default 30 s). */
    lockMs: number;
    /** Grace period for in-flight runs on shutdown, ms (RUNNER_SHUTDOWN_GRACE, default 60 s). */
    graceMs: number;
  };
  /** Notifications (`notify` rules): defaults, channels and delivery. */
  notify: NotifySettings;
  /** Traces and metrics (see `telemetry/`). */
  telemetry: TelemetrySettings;
  /** Every secret this process knows: secret settings, and each value read through {@link RunnerConfig.lookupEnv}. Live: redaction reads it when it runs. */
  secrets: SecretRegistry;
  /** Reads a variable workflows name in `{env: NAME}` (the environment, then `.env`); its value joins {@link RunnerConfig.secrets}. */
  lookupEnv(name: string): string | undefined;
}

/** What a model costs, in USD per million tokens. */
export interface ModelPrice {
  input: number;
  output: number;
}

/** Parses RUNNER_MODEL_PRICES (`model=input/output,...`); a malformed entry is a user error naming it. */
export function parseModelPrices(text: string | undefined): Map<string, ModelPrice> {
  const prices = new Map<string, ModelPrice>();
  for (const entry of (text ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const m = /^([^=\s]+)=(\d+(?:\.\d+)?)\/(\d+(?:\.\d+)?)$/.exec(entry);
    if (!m) throw new UserError(`RUNNER_MODEL_PRICES: '${entry}' is not model=input/output (USD per million tokens), e.g. gpt-5=1.25/10`);
    prices.set(m[1]!, { input: Number(m[2]), output: Number(m[3]) });
  }
  return prices;
}

/** Settings of notifications (see `notify/`). */
export interface NotifySettings {
  /** A YAML file of `notify:` rules every workflow gets besides its own (RUNNER_NOTIFY_DEFAULT; unset: none). */
  defaultsFile?: string;
  /** Base URL runs are linked at, `<publicUrl>/runs/<id>`, without a trailing slash (RUNNER_PUBLIC_URL; unset: no link). */
  publicUrl?: string;
  /** SMTP server of email notifications, `smtp[s]://user:pass@host:port` (RUNNER_SMTP_URL, a secret; unset: email cannot be sent). */
  smtpUrl?: string;
  /** Sender of email notifications (RUNNER_SMTP_FROM, default `confluence-runner@<hostname>`). */
  smtpFrom: string;
  /** Delivery attempts of one notification, at least 1 (RUNNER_NOTIFY_ATTEMPTS, default 5). */
  attempts: number;
  /** Wait before the second attempt, ms; doubled after each failed one (RUNNER_NOTIFY_BACKOFF, default 2 s). */
  backoffMs: number;
}

/** Settings of traces (see `telemetry/`). */
export interface TelemetrySettings {
  /** OTLP/HTTP collector base URL; traces go to `<url>/v1/traces` (OTEL_EXPORTER_OTLP_ENDPOINT; unset: no traces). */
  otlpEndpoint?: string;
  /** `service.name` of exported traces (OTEL_SERVICE_NAME, default confluence-runner). */
  serviceName: string;
  /** Traces carry prompts, answers and tool payloads, redacted (RUNNER_TRACE_CONTENT=on; default off). */
  traceContent: boolean;
}

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Environment to read (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Folder whose `.env` file is read (default: process.cwd()); `.env` never overrides variables already set. */
  cwd?: string;
  /** Flag overrides (highest precedence). */
  flags?: { backend?: string; model?: string };
}

/** Reads `.env` in `cwd` (if any) into a plain object; a malformed file is a user error. */
export function readDotEnv(cwd: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(join(cwd, '.env'), 'utf8');
  } catch {
    return {};
  }
  return parseEnv(text) as Record<string, string>;
}

/** Builds the configuration. This module is the only reader of `process.env`. */
export function loadConfig(options: LoadConfigOptions = {}): RunnerConfig {
  const env = { ...readDotEnv(options.cwd ?? process.cwd()), ...definedOnly(options.env ?? process.env) };
  const get = (name: string): string | undefined => {
    const v = env[name];
    if (v !== undefined && v !== '') return v;
    return SETTINGS.find((s) => s.env === name)?.default;
  };
  const backend = options.flags?.backend ?? get('RUNNER_BACKEND')!;
  if (!['sandbox', 'composio', 'mcp', 'confluence'].includes(backend)) {
    throw new UserError(`unknown backend '${backend}' (use sandbox, composio, mcp or confluence)`);
  }
  const api = get('RUNNER_OPENAI_API')!;
  if (!['auto', 'chat', 'responses'].includes(api)) throw new UserError(`RUNNER_OPENAI_API must be auto, chat or responses, not '${api}'`);
  const preset = get('COMPOSIO_SESSION_PRESET')!;
  if (!['direct_tools', 'meta_tools'].includes(preset)) throw new UserError(`COMPOSIO_SESSION_PRESET must be direct_tools or meta_tools, not '${preset}'`);
  const storeSource = get('RUNNER_STORE')!;
  if (storeSource !== 'auto' && storeSource !== 'sqlite' && storeSource !== 'redis')
    throw new UserError(`RUNNER_STORE must be sqlite, redis or auto, not '${storeSource}'`);
  // Only a REDIS_URL someone set says Redis is in use; the built-in default says nothing.
  const redisSet = env.REDIS_URL !== undefined && env.REDIS_URL !== '';
  const store = storeSource === 'auto' ? (redisSet ? 'redis' : 'sqlite') : storeSource;
  const rpm = get('RUNNER_MODEL_RPM');
  if (rpm !== undefined && !(Number(rpm) > 0)) throw new UserError(`RUNNER_MODEL_RPM must be a positive number, not '${rpm}'`);
  const secrets = new SecretRegistry(SETTINGS.filter((s) => s.secret).map((s) => env[s.env]));
  const notify = notifySettings(get, secrets);
  return {
    model: options.flags?.model ?? get('RUNNER_MODEL')!,
    backend: backend as BackendName,
    dbPath: get('RUNNER_DB')!,
    workflowsDir: get('RUNNER_WORKFLOWS')!,
    openai: {
      apiKey: get('OPENAI_API_KEY'),
      baseUrl: get('OPENAI_BASE_URL'),
      api: api as 'auto',
      tracing: get('RUNNER_TRACING') === 'on',
      retries: count('RUNNER_MODEL_RETRIES', get),
      timeoutMs: duration('RUNNER_MODEL_TIMEOUT', get),
      maxOutputChars: count('RUNNER_MAX_OUTPUT_CHARS', get),
    },
    tools: {
      timeoutMs: duration('RUNNER_TOOL_TIMEOUT', get),
      settleMs: duration('RUNNER_WRITE_SETTLE', get),
      recordResultChars: count('RUNNER_RECORD_RESULT_CHARS', get),
    },
    sandbox: {
      url: get('RUNNER_SANDBOX_URL'),
      dbPath: get('RUNNER_SANDBOX_DB')!,
      email: get('RUNNER_SANDBOX_EMAIL')!,
      apiToken: get('RUNNER_SANDBOX_TOKEN')!,
      publicUrl: httpUrl('RUNNER_SANDBOX_PUBLIC_URL', get),
    },
    composio: {
      apiKey: get('COMPOSIO_API_KEY'),
      userId: get('COMPOSIO_USER_ID')!,
      baseUrl: get('COMPOSIO_BASE_URL'),
      allowTracking: get('COMPOSIO_TRACKING') === 'on',
      preset: preset as 'direct_tools',
    },
    confluence: { baseUrl: get('CONFLUENCE_BASE_URL'), email: get('CONFLUENCE_EMAIL'), apiToken: get('CONFLUENCE_API_TOKEN') },
    mcpToken: get('RUNNER_MCP_TOKEN'),
    modelPrices: parseModelPrices(get('RUNNER_MODEL_PRICES')),
    dashboardToken: get('RUNNER_DASHBOARD_TOKEN'),
    redisUrl: get('REDIS_URL')!,
    modelRpm: rpm === undefined ? undefined : Number(rpm),
    store,
    storeSource,
    queue: {
      prefix: get('RUNNER_QUEUE_PREFIX')!,
      retentionMs: duration('RUNNER_RUN_RETENTION', get),
      lockMs: duration('RUNNER_JOB_LOCK', get),
      graceMs: duration('RUNNER_SHUTDOWN_GRACE', get),
    },
    notify,
    telemetry: {
      otlpEndpoint: get('OTEL_EXPORTER_OTLP_ENDPOINT') ? httpUrl('OTEL_EXPORTER_OTLP_ENDPOINT', get) : undefined,
      serviceName: get('OTEL_SERVICE_NAME')!,
      traceContent: onOff('RUNNER_TRACE_CONTENT', get),
    },
    secrets,
    lookupEnv(name) {
      const value = env[name];
      secrets.add(value);
      return value;
    },
  };
}

/** The notification settings; the SMTP URL's password joins `secrets` on its own (servers echo it bare). */
function notifySettings(get: (name: string) => string | undefined, secrets: SecretRegistry): NotifySettings {
  const publicUrl = get('RUNNER_PUBLIC_URL');
  if (publicUrl !== undefined && !/^https?:\/\/[^\s/]+/.test(publicUrl))
    throw new UserError(`RUNNER_PUBLIC_URL must be an http or https URL, not '${publicUrl}'`);
  const smtpUrl = get('RUNNER_SMTP_URL');
  if (smtpUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(smtpUrl);
    } catch {
      throw new UserError('RUNNER_SMTP_URL must be a URL like smtps://user:pass@smtp.example.com:465');
    }
    if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:')
      throw new UserError(`RUNNER_SMTP_URL must start with smtp:// or smtps://, not ${url.protocol}//`);
    secrets.add(url.password);
    try {
      secrets.add(decodeURIComponent(url.password));
    } catch {
      // A password that is not valid percent-encoding is kept as written (registered above).
    }
  }
  const attempts = count('RUNNER_NOTIFY_ATTEMPTS', get);
  if (attempts < 1) throw new UserError('RUNNER_NOTIFY_ATTEMPTS must be at least 1');
  return {
    defaultsFile: get('RUNNER_NOTIFY_DEFAULT'),
    publicUrl: publicUrl?.replace(/\/+$/, ''),
    smtpUrl,
    smtpFrom: get('RUNNER_SMTP_FROM') ?? `confluence-runner@${hostname()}`,
    attempts,
    backoffMs: duration('RUNNER_NOTIFY_BACKOFF', get),
  };
}

/** A setting that must be an http(s) URL, without trailing slashes. */
function httpUrl(name: string, get: (name: string) => string | undefined): string {
  const text = get(name)!;
  if (!/^https?:\/\/[^\s/]+/.test(text)) throw new UserError(`${name} must be an http or https URL, not '${text}'`);
  return text.replace(/\/+$/, '');
}

function onOff(name: string, get: (name: string) => string | undefined): boolean {
  const text = get(name)!;
  if (text !== 'on' && text !== 'off') throw new UserError(`${name} must be on or off, not '${text}'`);
  return text === 'on';
}

function count(name: string, get: (name: string) => string | undefined): number {
  const text = get(name)!;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new UserError(`${name} must be a whole number, not '${text}'`);
  return n;
}

function duration(name: string, get: (name: string) => string | undefined): number {
  const text = get(name)!;
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) throw new UserError(`${name} must be a duration like 30s or 2m, not '${text}'`);
  return ms;
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}
