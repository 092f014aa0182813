import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { UserError } from '../shared/errors.ts';
import { SETTINGS } from './settings.ts';

/** Tool backends a workflow can use. */
export type BackendName = 'sandbox' | 'composio' | 'mcp';

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
  openai: { apiKey?: string; baseUrl?: string; api: 'auto' | 'chat' | 'responses'; tracing: boolean };
  sandbox: { url?: string; dbPath: string; email: string; apiToken: string };
  composio: { apiKey?: string; userId: string; baseUrl?: string; allowTracking: boolean };
  confluence: { baseUrl?: string; email?: string; apiToken?: string };
  redisUrl: string;
  modelRpm?: number;
  /** Values of every secret setting that is set, for redaction. */
  secrets: string[];
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
  if (!['sandbox', 'composio', 'mcp'].includes(backend)) {
    throw new UserError(`unknown backend '${backend}' (use sandbox, composio or mcp)`);
  }
  const api = get('RUNNER_OPENAI_API')!;
  if (!['auto', 'chat', 'responses'].includes(api)) throw new UserError(`RUNNER_OPENAI_API must be auto, chat or responses, not '${api}'`);
  const rpm = get('RUNNER_MODEL_RPM');
  if (rpm !== undefined && !(Number(rpm) > 0)) throw new UserError(`RUNNER_MODEL_RPM must be a positive number, not '${rpm}'`);
  return {
    model: options.flags?.model ?? get('RUNNER_MODEL')!,
    backend: backend as BackendName,
    dbPath: get('RUNNER_DB')!,
    workflowsDir: get('RUNNER_WORKFLOWS')!,
    openai: { apiKey: get('OPENAI_API_KEY'), baseUrl: get('OPENAI_BASE_URL'), api: api as 'auto', tracing: get('RUNNER_TRACING') === 'on' },
    sandbox: { url: get('RUNNER_SANDBOX_URL'), dbPath: get('RUNNER_SANDBOX_DB')!, email: get('RUNNER_SANDBOX_EMAIL')!, apiToken: get('RUNNER_SANDBOX_TOKEN')! },
    composio: { apiKey: get('COMPOSIO_API_KEY'), userId: get('COMPOSIO_USER_ID')!, baseUrl: get('COMPOSIO_BASE_URL'), allowTracking: get('COMPOSIO_TRACKING') === 'on' },
    confluence: { baseUrl: get('CONFLUENCE_BASE_URL'), email: get('CONFLUENCE_EMAIL'), apiToken: get('CONFLUENCE_API_TOKEN') },
    redisUrl: get('REDIS_URL')!,
    modelRpm: rpm === undefined ? undefined : Number(rpm),
    secrets: SETTINGS.filter((s) => s.secret).map((s) => env[s.env]).filter((v): v is string => typeof v === 'string' && v.length >= 4),
  };
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}
