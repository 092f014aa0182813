/** Redis connections for queue mode: reconnect with capped backoff, never give up on a command (BullMQ needs that). */
import { Redis } from 'ioredis';

/** Options of {@link connectRedis}. */
export interface ConnectOptions {
  /** Connection name shown in CLIENT LIST (default 'confluence-runner'). */
  name?: string;
  /** Longest pause between reconnection attempts, ms (default 5000). */
  maxBackoffMs?: number;
}

/** A connection to REDIS_URL that survives Redis restarts: commands wait while it reconnects. */
export function connectRedis(url: string, options: ConnectOptions = {}): Redis {
  const max = options.maxBackoffMs ?? 5000;
  return new Redis(url, {
    connectionName: options.name ?? 'confluence-runner',
    // BullMQ workers block on Redis; a per-command retry limit would turn a restart into lost work.
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 10), max),
  });
}
