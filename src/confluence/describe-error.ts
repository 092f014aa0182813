/**
 * Turns a failed tool call into one sentence a model can act on: what went wrong and what to send instead.
 * Never includes credentials: it only reads statuses, API paths and Confluence's own error texts.
 */
import { ConfluenceHttpError, ConfluenceNetworkError, ConfluenceToolError } from './errors.ts';

/** Nouns for the path segments that name a collection. */
const NOUNS: Record<string, string> = {
  pages: 'page',
  blogposts: 'blog post',
  spaces: 'space',
  space: 'space',
  whiteboards: 'whiteboard',
  properties: 'property',
  attachments: 'attachment',
  labels: 'label',
  label: 'label',
  versions: 'version',
  content: 'content',
  'inline-comments': 'inline comment',
  'footer-comments': 'comment',
  user: 'user',
  users: 'user',
};

/** Describes the resource an API path points at: `/wiki/api/v2/pages/1/properties/2` → "property 2 of page 1". */
export function describeResource(path: string): string {
  const segments = path
    .replace(/^\/wiki\/(api\/v2|rest\/api)/, '')
    .split('/')
    .filter(Boolean)
    .map(decodeURIComponent);
  const pairs: string[] = [];
  for (let i = 0; i + 1 < segments.length; i++) {
    const noun = NOUNS[segments[i] ?? ''];
    const id = segments[i + 1] ?? '';
    if (noun && !NOUNS[id]) {
      pairs.push(`${noun} ${id}`);
      i++;
    }
  }
  if (pairs.length === 0) return `the resource at ${path}`;
  const last = pairs[pairs.length - 1] ?? '';
  return pairs.length > 1 ? `${last} of ${pairs[pairs.length - 2]}` : last;
}

/** What the failing call was about, for messages that need the caller's own input. */
export interface FailureContext {
  /** The tool slug. */
  slug: string;
  /** The tool's arguments. */
  args: Record<string, unknown>;
}

/** The noun of the content a slug writes ("page", "blog post", "space"). */
function contentNoun(slug: string): string {
  if (slug.includes('BLOGPOST')) return 'blog post';
  if (slug.includes('SPACE')) return 'space';
  if (slug.includes('WHITEBOARD')) return 'whiteboard';
  return 'page';
}

/** One actionable sentence for any error a tool can raise. */
export function describeFailure(error: unknown, context: FailureContext): string {
  if (error instanceof ConfluenceToolError) return error.message;
  if (error instanceof ConfluenceHttpError) return describeHttp(error, context);
  if (error instanceof ConfluenceNetworkError) {
    return error.timedOut ? `${error.message}; retry later` : `${error.message}; check the site URL and retry later`;
  }
  if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) {
    return 'cancelled: the call was aborted before Confluence answered';
  }
  return `internal error in the Confluence toolkit: ${error instanceof Error ? error.message : String(error)}`;
}

function describeHttp(error: ConfluenceHttpError, { slug, args }: FailureContext): string {
  const detail = error.detail;
  switch (true) {
    case error.status === 429:
      return `rate limited by Confluence; retry later${error.retryAfterMs ? ` (Confluence asked to wait ${Math.ceil(error.retryAfterMs / 1000)} s)` : ''}`;
    case error.status === 401:
      return 'authentication failed: Confluence rejected the email and API token; the credentials must be fixed, retrying will not help';
    case error.status === 403:
      return `permission denied: you may not do this to ${describeResource(error.path)} (${detail})`;
    case error.status === 404: {
      // A create answers 404 for its space (the path names only the collection): say which space.
      const resource = describeResource(error.path);
      const what = resource.startsWith('the resource at') && typeof args.spaceId === 'string' ? `space ${args.spaceId}` : resource;
      return `not found: ${what} does not exist or you lack permission`;
    }
    case error.status === 409: {
      const current = /current version is:?\s*(\d+)/i.exec(detail)?.[1];
      if (current) return `version conflict: current version is ${current}, send ${Number(current) + 1}`;
      return `conflict: ${detail}; read the current state and retry with the latest version`;
    }
    case error.status === 400 && /already exists/i.test(detail): {
      const noun = contentNoun(slug);
      if (noun === 'space') return `a space with key '${String(args.key ?? args.space_key ?? '')}' already exists; choose another key`;
      if (typeof args.title === 'string') {
        return `a ${noun} titled '${args.title}' already exists in this space; choose another title or update the existing ${noun}`;
      }
      return `already exists: ${detail}`;
    }
    case (error.status === 400 || error.status === 422) && /xhtml|parsing/i.test(detail):
      return `invalid request: ${detail}; the body must be well-formed storage-format XHTML (close every tag, escape & as &amp;)`;
    case error.status === 400 || error.status === 422:
      return `invalid request: ${detail}`;
    case error.status >= 500:
      return `Confluence server error (${error.status}): ${detail}; retry later`;
    default:
      return `Confluence answered ${error.status}: ${detail}`;
  }
}
