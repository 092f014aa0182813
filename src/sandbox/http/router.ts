/** A tiny router: method + path pattern (`/wiki/api/v2/pages/:id`) → handler. */
import type { Handler } from './context.ts';

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: Handler;
  template: string;
}

/** A route match: the handler and its path parameters. */
export interface Match {
  handler: Handler;
  params: Record<string, string>;
  template: string;
}

/** Routes in registration order; the first match wins. */
export class Router {
  readonly #routes: Route[] = [];

  /** Registers a handler; `:name` segments capture one path segment. */
  on(method: string, template: string, handler: Handler): this {
    const names: string[] = [];
    const source = template
      .split('/')
      .map((seg) => {
        if (seg.startsWith(':')) {
          names.push(seg.slice(1));
          return '([^/]+)';
        }
        return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    this.#routes.push({ method, pattern: new RegExp(`^${source}/?$`), names, handler, template });
    return this;
  }

  /** The matching route, `'method'` when only the method differs, or undefined. */
  match(method: string, path: string): Match | 'method' | undefined {
    let pathMatched = false;
    for (const route of this.#routes) {
      const m = route.pattern.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => {
        params[name] = decodeURIComponent(m[i + 1] ?? '');
      });
      return { handler: route.handler, params, template: route.template };
    }
    return pathMatched ? 'method' : undefined;
  }
}
