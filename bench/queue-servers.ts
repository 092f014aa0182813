/**
 * The servers the queue benchmarks run against: a seeded sandbox (REST + /mcp) and a scripted model server, either
 * in the benchmark's own process or in a child process (this file run directly), so the worker's process can be
 * measured alone. The model script is chosen by name so it can cross the process boundary.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { startSandboxWithMcp } from '../src/sandbox/with-mcp.ts';
import { finalText, startScriptedModelServer, toolCall, type Script } from '../src/testing/scripted-model-server.ts';

/** Options of {@link startQueueServers}. */
export interface QueueServerOptions {
  /** Directory for the sandbox database. */
  dir: string;
  /** Model answer delay, ms (default 0). */
  latencyMs?: number;
  /** Read-tool turns the model takes before it answers (default 0: it answers at once; each run makes reads + 1 requests). */
  reads?: number;
  /** The model server's own limit (429 with Retry-After beyond it; default none). */
  rateLimit?: { perMinute: number };
}

/** One model request as the server saw it. */
export interface ModelRequestTimes {
  /** Run id quoted in the prompt ("Run <id>: ..."), '' when absent. */
  runId: string;
  /** Arrival, ms since the epoch. */
  at: number;
  /** HTTP status answered. */
  status: number;
}

/** Running servers. */
export interface QueueServers {
  modelUrl: string;
  sandboxUrl: string;
  /** Every model request received so far. */
  requestTimes(): Promise<ModelRequestTimes[]>;
  /** CPU time the servers' process used so far, ms (undefined inline: it is this process's). */
  cpuMs(): Promise<number | undefined>;
  close(): Promise<void>;
}

/** The model: `reads` turns alternating between two cheap read tools, then a short answer. */
function readsThenAnswer(reads: number): Script {
  return (request) => {
    if (request.turn < reads) return request.turn % 2 === 0 ? toolCall('CONFLUENCE_GET_CURRENT_USER') : toolCall('CONFLUENCE_GET_SPACES', { limit: 1 });
    return finalText('I am the sandbox user; one space is MKT.');
  };
}

/** Starts both servers here or in a child process. */
export async function startQueueServers(where: 'inline' | 'child', options: QueueServerOptions): Promise<QueueServers> {
  return where === 'inline' ? startInline(options) : startChild(options);
}

/** CPU time of this process so far, ms. */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

async function startInline(options: QueueServerOptions): Promise<QueueServers> {
  const sandbox = await startSandboxWithMcp({ dbPath: join(options.dir, 'sandbox.db'), port: 0, seed: true });
  const model = await startScriptedModelServer({ script: readsThenAnswer(options.reads ?? 0), latencyMs: options.latencyMs, rateLimit: options.rateLimit });
  return {
    modelUrl: model.url,
    sandboxUrl: sandbox.url,
    requestTimes: async () => model.requests.map((r) => ({ runId: /^Run ([0-9a-f-]{36})/.exec(r.userText)?.[1] ?? '', at: r.at, status: r.status })),
    cpuMs: async () => undefined,
    async close() {
      await model.close();
      await sandbox.close();
    },
  };
}

async function startChild(options: QueueServerOptions): Promise<QueueServers> {
  const child = fork(new URL(import.meta.url).pathname, ['serve', JSON.stringify(options)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = <T>(type: string) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (m: { type: string; value: T }) => {
        if (m.type !== type) return;
        child.off('message', onMessage);
        resolve(m.value);
      };
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new Error(`server process exited (${code})`)));
      if (type !== 'ready') child.send({ type });
    });
  const urls = await ask<{ modelUrl: string; sandboxUrl: string }>('ready');
  return {
    ...urls,
    requestTimes: () => ask<ModelRequestTimes[]>('times'),
    cpuMs: () => ask<number>('cpu'),
    async close() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'close' });
      await exited;
    },
  };
}

// Run as a child: serve until told to close.
if (process.argv[2] === 'serve' && process.send) {
  const send = (message: unknown) => process.send!(message);
  const servers = await startInline(JSON.parse(process.argv[3]!) as QueueServerOptions);
  send({ type: 'ready', value: { modelUrl: servers.modelUrl, sandboxUrl: servers.sandboxUrl } });
  process.on('message', async (m: { type: string }) => {
    if (m.type === 'times') send({ type: 'times', value: await servers.requestTimes() });
    if (m.type === 'cpu') send({ type: 'cpu', value: cpuMs() });
    if (m.type === 'close') {
      await servers.close();
      process.disconnect?.();
    }
  });
}
