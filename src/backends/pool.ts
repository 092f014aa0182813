/**
 * Backends kept open between runs. Opening one is the costliest part of a short run (an MCP session: initialize,
 * the tool listing, and for Composio a Tool Router session), so a worker leases an idle backend with the same
 * settings instead; closing the lease returns it. A backend that saw a transport failure is closed, not reused.
 */
import type { RunnerConfig } from '../config/config.ts';
import type { BackendOpener, OpenBackendOptions, ToolBackend } from './types.ts';

/** Options of {@link createBackendPool}. */
export interface BackendPoolOptions {
  /** Opens a real backend (required: the process's opener). */
  open: BackendOpener;
  /** Idle backends kept per settings (default 16); more are closed when returned. */
  maxIdle?: number;
}

/** A pool: `open` is a {@link BackendOpener}, so it drops into runWorkflow's deps. */
export interface BackendPool {
  open(config: RunnerConfig, options: OpenBackendOptions): Promise<ToolBackend>;
  /** Backends open now (idle and leased). */
  size(): number;
  /** Closes idle backends now and leased ones when they come back; safe to call twice. */
  close(): Promise<void>;
}

/** Creates a pool. */
export function createBackendPool(options: BackendPoolOptions): BackendPool {
  const open = options.open;
  const maxIdle = options.maxIdle ?? 16;
  const idle = new Map<string, ToolBackend[]>();
  let opened = 0;
  let closed = false;

  const retire = async (backend: ToolBackend) => {
    opened -= 1;
    await backend.close();
  };

  return {
    async open(config, openOptions) {
      const key = JSON.stringify([openOptions.name, [...openOptions.allowed].sort(), openOptions.mcp ?? null]);
      const list = idle.get(key) ?? [];
      let backend: ToolBackend | undefined;
      while (!backend && list.length) {
        const candidate = list.pop()!;
        if (candidate.healthy === false) await retire(candidate);
        else backend = candidate;
      }
      if (!backend) {
        backend = await open(config, openOptions);
        opened += 1;
      }
      const inner = backend;
      let returned = false;
      return {
        name: inner.name,
        router: inner.router,
        tools: inner.tools,
        hosted: inner.hosted,
        get healthy() {
          return inner.healthy;
        },
        call: (name, args, callOptions) => inner.call(name, args, callOptions),
        async close() {
          if (returned) return;
          returned = true;
          const bucket = idle.get(key) ?? [];
          if (closed || inner.healthy === false || bucket.length >= maxIdle) return retire(inner);
          bucket.push(inner);
          idle.set(key, bucket);
        },
      };
    },
    size: () => opened,
    async close() {
      if (closed) return;
      closed = true;
      const all = [...idle.values()].flat();
      idle.clear();
      await Promise.all(all.map(retire));
    },
  };
}
