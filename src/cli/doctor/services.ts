/** `runner doctor` checks of what the runner talks to: the model server, the tool backend and Redis. */
import { existsSync } from 'node:fs';
import type { RunnerConfig } from '../../config/config.ts';
import { RunnerError } from '../../shared/errors.ts';
import { redactUrl } from '../queue-context.ts';
import { type CheckResult, fail, ok, reason, warn } from './check.ts';
import { withRedis } from '../redis-probe.ts';

/** How long a model server or a Confluence site may take to answer one check, ms. */
const HTTP_TIMEOUT_MS = 5000;

/** OpenAI's own API, used when only OPENAI_API_KEY is set. */
const OPENAI_MODELS_URL = 'https://api.openai.com/v1/models';

/** The model server's `/models` list: OPENAI_BASE_URL's, else OpenAI's; skipped when no model is configured. */
export async function checkModel(config: RunnerConfig): Promise<CheckResult> {
  const { apiKey, baseUrl } = config.openai;
  if (!baseUrl && !apiKey) {
    return warn(
      'model',
      'no model configured: skipped (only prompt steps need one)',
      'set OPENAI_API_KEY (OpenAI) or OPENAI_BASE_URL (Ollama, vLLM, a gateway)',
    );
  }
  const url = baseUrl ? `${baseUrl.replace(/\/+$/, '')}/models` : OPENAI_MODELS_URL;
  const setting = baseUrl ? 'OPENAI_BASE_URL' : 'OPENAI_API_KEY';
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { accept: 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
      signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
    });
  } catch (error) {
    return fail('model', `cannot reach ${url}: ${reason(error)}`, baseUrl ? 'start the model server or correct OPENAI_BASE_URL' : 'check the network');
  }
  const body = (await response.json().catch(() => undefined)) as { data?: Array<{ id?: unknown }> } | undefined;
  if (response.status === 401 || response.status === 403) {
    return fail('model', `${url} refused the key (HTTP ${response.status})`, 'check OPENAI_API_KEY');
  }
  if (!response.ok) return fail('model', `${url} answered HTTP ${response.status}`, `check ${setting}`);
  const ids = (body?.data ?? []).map((m) => String(m.id));
  if (ids.length && !ids.includes(config.model)) {
    return warn(
      'model',
      `${url} answers, but its ${ids.length} model(s) do not include '${config.model}'`,
      'set RUNNER_MODEL (or agent.model in workflows) to one it lists',
    );
  }
  return ok('model', `${url} answers (${ids.length} model${ids.length === 1 ? '' : 's'}${ids.length ? `, '${config.model}' among them` : ''})`);
}

/** Redis at REDIS_URL answers PING within 3 s (the other checks run beside it and may keep this process busy); a warning when REDIS_URL is not set (only queue mode needs it). */
export async function checkRedis(config: RunnerConfig): Promise<CheckResult> {
  if (!config.lookupEnv('REDIS_URL')) {
    return warn(
      'redis',
      'REDIS_URL is not set: queue mode (schedule sync, enqueue, worker) would try redis://127.0.0.1:6379',
      'set REDIS_URL to use queue mode',
    );
  }
  const where = redactUrl(config.redisUrl);
  try {
    const answer = await withRedis(config.redisUrl, 3000, (redis) => redis.ping(), 'runner-doctor');
    return ok('redis', `${where} answers ${answer}`);
  } catch (error) {
    return fail('redis', `${where} does not answer: ${reason(error)}`, 'start Redis or correct REDIS_URL');
  }
}

/** The configured backend (RUNNER_BACKEND) can be reached with its settings. */
export async function checkBackend(config: RunnerConfig): Promise<CheckResult> {
  try {
    switch (config.backend) {
      case 'sandbox':
        return await checkSandbox(config);
      case 'confluence':
        return await checkConfluence(config);
      case 'composio':
        return await checkComposio(config);
      case 'mcp':
        return warn('backend', 'mcp: each workflow names its own server (tools.mcp); not checked here');
    }
  } catch (error) {
    return fail('backend', `${config.backend}: ${reason(error)}`);
  }
}

/** The sandbox opens as a run would open it (RUNNER_SANDBOX_URL, else in-process over RUNNER_SANDBOX_DB) and lists its tools. */
async function checkSandbox(config: RunnerConfig): Promise<CheckResult> {
  const [{ createBackendOpener }, { createSandboxLauncher }] = await Promise.all([import('../../backends/open.ts'), import('../../sandbox/launcher.ts')]);
  // A database not made yet is left for the first run to make: the check starts the sandbox over memory instead.
  const fresh = !config.sandbox.url && config.sandbox.dbPath !== ':memory:' && !existsSync(config.sandbox.dbPath);
  const where = config.sandbox.url
    ? `at ${config.sandbox.url}`
    : `in-process over ${config.sandbox.dbPath}${fresh ? ' (not created yet; the first run creates it)' : ''}`;
  const probe = fresh ? { ...config, sandbox: { ...config.sandbox, dbPath: ':memory:' } } : config;
  try {
    const backend = await createBackendOpener({ sandbox: createSandboxLauncher() })(probe, { name: 'sandbox', allowed: [] });
    const count = backend.tools.length;
    await backend.close();
    return ok('backend', `sandbox ${where} answers (${count} tools)`);
  } catch (error) {
    const fix = config.sandbox.url ? 'start `runner sandbox serve` or correct RUNNER_SANDBOX_URL' : 'check RUNNER_SANDBOX_DB';
    return fail('backend', `sandbox ${where}: ${reason(error)}`, fix);
  }
}

/** CONFLUENCE_* are set and the site answers `GET /wiki/rest/api/user/current` with them. */
async function checkConfluence(config: RunnerConfig): Promise<CheckResult> {
  const [{ confluenceSite, checkLogin }, { ConfluenceClient }] = await Promise.all([
    import('../../backends/confluence.ts'),
    import('../../confluence/client.ts'),
  ]);
  let site: ReturnType<typeof confluenceSite>;
  try {
    site = confluenceSite(config);
  } catch (error) {
    return fail('backend', `confluence: ${(error as Error).message}`, 'set CONFLUENCE_BASE_URL, CONFLUENCE_EMAIL and CONFLUENCE_API_TOKEN');
  }
  const client = new ConfluenceClient({ ...site, maxRetries: 0, timeoutMs: HTTP_TIMEOUT_MS });
  try {
    const user = await checkLogin(client, site.baseUrl);
    return ok('backend', `confluence: ${site.baseUrl} answers as ${user.displayName ?? user.email ?? site.email}`);
  } catch (error) {
    const auth = error instanceof RunnerError && error.kind === 'auth';
    const message = auth ? `Confluence at ${site.baseUrl} refused the login (${(error as { status?: number }).status ?? 401})` : reason(error);
    const fix = auth
      ? 'check CONFLUENCE_EMAIL and CONFLUENCE_API_TOKEN (https://id.atlassian.com/manage-profile/security/api-tokens)'
      : 'check CONFLUENCE_BASE_URL';
    return fail('backend', `confluence: ${message}`, fix);
  }
}

/** COMPOSIO_API_KEY is set and COMPOSIO_USER_ID's Confluence connection is active. */
async function checkComposio(config: RunnerConfig): Promise<CheckResult> {
  if (!config.composio.apiKey) return fail('backend', 'composio: COMPOSIO_API_KEY is not set', 'set COMPOSIO_API_KEY in the environment or .env');
  const { confluenceConnection, connectCommand } = await import('../../backends/composio-connection.ts');
  const user = config.composio.userId;
  let found: Awaited<ReturnType<typeof confluenceConnection>>;
  try {
    found = await confluenceConnection(config, user);
  } catch (error) {
    const auth = error instanceof RunnerError && error.kind === 'auth';
    return fail('backend', `composio: ${reason(error)}`, auth ? 'check COMPOSIO_API_KEY' : 'check the network and COMPOSIO_BASE_URL');
  }
  const of = `Confluence connection of COMPOSIO_USER_ID '${user}'`;
  const connect = `run \`${connectCommand(user)}\` and open the link it prints`;
  switch (found.status) {
    case 'active':
      return ok('backend', `composio: the ${of} is active${found.accountId ? ` (${found.accountId})` : ''}`);
    case 'none':
      return fail('backend', `composio: there is no ${of}`, connect);
    case 'pending':
      return fail('backend', `composio: the ${of} is not finished yet`, `open the link it printed, or ${connect}`);
    default:
      return fail('backend', `composio: the ${of} is ${found.status}`, connect);
  }
}
