/**
 * A Confluence Cloud site as a backend, without Composio: the toolkit's tools run in this process against the site's
 * REST API (CONFLUENCE_BASE_URL, CONFLUENCE_EMAIL, CONFLUENCE_API_TOKEN). The gateway sees the same
 * {@link ToolBackend} as for every other backend; only the transport differs (a function call instead of MCP).
 */
import type { RunnerConfig } from '../config/config.ts';
import type { ConfluenceClient } from '../confluence/client.ts';
import { ExternalError, UserError } from '../shared/errors.ts';
import type { ToolBackend } from './types.ts';

/** The site a run acts on, with the login it acts as. */
export interface ConfluenceSite {
  baseUrl: string;
  email: string;
  apiToken: string;
}

/** The three settings the backend needs, in the order a person sets them. */
const SITE_SETTINGS = ['CONFLUENCE_BASE_URL', 'CONFLUENCE_EMAIL', 'CONFLUENCE_API_TOKEN'] as const;

/** The configured site, or a user error naming every setting that is missing. */
export function confluenceSite(config: RunnerConfig): ConfluenceSite {
  const { baseUrl, email, apiToken } = config.confluence;
  const values = [baseUrl, email, apiToken];
  const missing = SITE_SETTINGS.filter((_, i) => !values[i]);
  if (missing.length) {
    throw new UserError(`the confluence backend needs ${missing.join(', ')} (set ${missing.length > 1 ? 'them' : 'it'} in the environment or .env)`);
  }
  return { baseUrl: baseUrl!, email: email!, apiToken: apiToken! };
}

/**
 * Opens the backend: checks the login once (`GET /wiki/rest/api/user/current`), so refused credentials fail the
 * run as `auth` (not retried) before any step, and a site that cannot be reached fails it as a retryable `tool`.
 */
export async function openConfluenceBackend(config: RunnerConfig): Promise<ToolBackend> {
  const site = confluenceSite(config);
  const [{ ConfluenceClient }, { createConfluenceToolkit }, { annotationsFor }] = await Promise.all([
    import('../confluence/client.ts'),
    import('../confluence/toolkit.ts'),
    import('../toolkit/annotations.ts'),
  ]);
  await checkLogin(new ConfluenceClient({ ...site, maxRetries: 1 }), site.baseUrl);
  const toolkit = createConfluenceToolkit({ client: new ConfluenceClient(site) });
  // The same listing `runner mcp` gives for these tools (name, description, schema, effect hints), without an MCP hop.
  const tools = toolkit.list().map((definition) => ({
    name: definition.slug,
    description: definition.description,
    inputSchema: { ...definition.input, type: 'object' as const },
    annotations: annotationsFor(definition),
  }));
  let closed = false;
  return {
    name: 'confluence',
    router: false,
    tools,
    get healthy() {
      return !closed;
    },
    call: (name, args, options) => toolkit.execute(name, args, { signal: options?.signal }),
    async close() {
      closed = true;
    },
  };
}

/** Who the credentials log in as; throws `auth` when the site refuses them, `tool` when it cannot answer. */
export async function checkLogin(client: ConfluenceClient, baseUrl: string, signal?: AbortSignal): Promise<{ displayName?: string; email?: string }> {
  const { ConfluenceHttpError } = await import('../confluence/errors.ts');
  try {
    return await client.get<{ displayName?: string; email?: string }>('v1', '/user/current', undefined, signal);
  } catch (error) {
    if (error instanceof ConfluenceHttpError && (error.status === 401 || error.status === 403)) {
      throw new ExternalError(
        'auth',
        `Confluence at ${baseUrl} refused the login (HTTP ${error.status}): check CONFLUENCE_EMAIL and CONFLUENCE_API_TOKEN (an API token from https://id.atlassian.com/manage-profile/security/api-tokens)`,
        { cause: error, retryable: false, status: error.status },
      );
    }
    const status = error instanceof ConfluenceHttpError ? error.status : undefined;
    throw new ExternalError('tool', `cannot reach Confluence at ${baseUrl}: ${(error as Error).message}`, {
      cause: error,
      retryable: status === undefined || status === 429 || status >= 500,
      ...(status !== undefined ? { status } : {}),
    });
  }
}
