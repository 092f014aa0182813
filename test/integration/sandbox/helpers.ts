/** Shared test plumbing: a real sandbox on port 0 over a temp SQLite file, and a small JSON client. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SandboxHandle, SandboxOptions } from '../../../src/sandbox/server.ts';
import { startSandbox } from '../../../src/sandbox/server.ts';

/** A started sandbox plus a cleanup that closes it and removes its temp dir. */
export interface TestSandbox {
  handle: SandboxHandle;
  /** Sends a request with Basic auth; answers status, headers and parsed JSON. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; json: any }>;
  cleanup(): Promise<void>;
}

/** Starts a sandbox on a free port over a fresh temp database. */
export async function startTestSandbox(options: Omit<SandboxOptions, 'dbPath' | 'port'> = {}): Promise<TestSandbox> {
  const dir = mkdtempSync(join(tmpdir(), 'sandbox-test-'));
  const handle = await startSandbox({ ...options, dbPath: join(dir, 'sandbox.db'), port: 0 });
  const auth = `Basic ${Buffer.from(`${handle.email}:${handle.apiToken}`).toString('base64')}`;
  return {
    handle,
    async call(method, path, body, headers = {}) {
      const res = await fetch(handle.url + path, {
        method,
        headers: { Authorization: auth, Accept: 'application/json', ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
    },
    async cleanup() {
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The XSRF header every v1 write needs. */
export const NO_CHECK = { 'X-Atlassian-Token': 'no-check' };
