/**
 * Live updates over server-sent events. Each page names what it shows (a key: the runs page's filter, one run, the
 * approvals); while someone listens, the feed polls a signature of that view (ids, statuses, attempts, token counts)
 * and sends `change` when it moves, and the page reloads its live part. Polling works the same over SQLite and Redis,
 * whichever process wrote the runs; views with nobody listening cost nothing.
 */
import type { ServerResponse } from 'node:http';

/** The event that tells a page to reload its live part. */
const CHANGE = 'event: change\ndata: {}\n\n';

/** Computes the signature of one view; a change in it is a change on the page. */
export type Signer = () => Promise<string>;

interface Channel {
  sign: Signer;
  clients: Set<ServerResponse>;
  last?: string;
  timer: NodeJS.Timeout;
  busy: boolean;
}

/** Options of {@link LiveFeed}. */
export interface LiveFeedOptions {
  /** How often a view with listeners is polled, ms (default 1000). */
  pollMs?: number;
  /** How often an idle stream gets a comment so proxies keep it open, ms (default 15000). */
  heartbeatMs?: number;
}

/** The event streams of the dashboard. */
export class LiveFeed {
  readonly #channels = new Map<string, Channel>();
  readonly #pollMs: number;
  readonly #heartbeat: NodeJS.Timeout;
  #closed = false;

  constructor(options: LiveFeedOptions = {}) {
    this.#pollMs = options.pollMs ?? 1000;
    this.#heartbeat = setInterval(() => {
      for (const channel of this.#channels.values()) for (const res of channel.clients) res.write(': keep-alive\n\n');
    }, options.heartbeatMs ?? 15_000);
    this.#heartbeat.unref();
  }

  /**
   * Streams `change` events for the view `key` (signed by `sign`) to `res` until the client goes. `seen` is the
   * signature the page was rendered with: when the view moved between the render and this subscription, the first
   * event comes at once (else a run that ended in between would stay shown as running).
   */
  subscribe(key: string, sign: Signer, res: ServerResponse, seen?: string): void {
    if (this.#closed) {
      res.writeHead(503).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.write('retry: 2000\n\n');
    let channel = this.#channels.get(key);
    if (!channel) {
      const created: Channel = { sign, clients: new Set(), busy: false, timer: setInterval(() => void this.#poll(created), this.#pollMs) };
      created.timer.unref();
      channel = created;
      this.#channels.set(key, channel);
    }
    const joined = channel;
    joined.clients.add(res);
    const tell = () => {
      if (seen !== undefined && joined.last !== undefined && joined.last !== seen && joined.clients.has(res)) res.write(CHANGE);
    };
    if (joined.last === undefined) void this.#poll(joined).then(tell);
    else tell();
    res.on('close', () => {
      joined.clients.delete(res);
      if (joined.clients.size === 0) {
        clearInterval(joined.timer);
        if (this.#channels.get(key) === joined) this.#channels.delete(key);
      }
    });
  }

  /** How many streams are open (for tests and the shutdown log). */
  get listeners(): number {
    let n = 0;
    for (const channel of this.#channels.values()) n += channel.clients.size;
    return n;
  }

  /** Ends every stream; safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#heartbeat);
    for (const channel of this.#channels.values()) {
      clearInterval(channel.timer);
      for (const res of channel.clients) res.end();
    }
    this.#channels.clear();
  }

  async #poll(channel: Channel): Promise<void> {
    if (channel.busy) return;
    channel.busy = true;
    try {
      const signature = await channel.sign();
      if (channel.last !== undefined && signature !== channel.last) {
        for (const res of channel.clients) res.write(CHANGE);
      }
      channel.last = signature;
    } catch {
      // A store that does not answer now (Redis restarting) is asked again at the next poll.
    } finally {
      channel.busy = false;
    }
  }
}
