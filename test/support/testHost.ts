/**
 * Starts the real local host (embedded Cosmos, real HTTP, real JWTs) for an integration test file,
 * and gives the test a small fetch-based client.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalHost, type LocalHost, type LocalHostOptions } from '../../src/local/host';
import { demoObjectId } from '../../src/local/seed';
import { seededRandom } from './seeds';

/** A JSON response as the test sees it. */
export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** Request options. */
export interface CallOptions {
  token?: string;
  body?: unknown;
  /** Sent as-is instead of JSON.stringify(body). */
  rawBody?: string;
  headers?: Record<string, string>;
}

/** A running host plus helpers. */
export interface TestHost extends LocalHost {
  dataDir: string;
  call<T = any>(method: string, path: string, options?: CallOptions): Promise<ApiResponse<T>>;
  /** Token of a seeded demo user by email. */
  tokenFor(email: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts a host on a fresh temporary data folder, removed by `close()`; or on `options.dataDir`, which is then
 * kept (restart tests). The store is in memory unless `options.persist`. Runtime routes (`/admin/*`,
 * `/runtime/*`) need `headers: { 'x-functions-key': host.runtimeKey }`. The store's retry jitter is seeded
 * (`seededRandom()`, test/support/seeds.ts) unless `options.random` says otherwise.
 */
export async function startTestHost(options: LocalHostOptions = {}): Promise<TestHost> {
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'benefits-test-')));
  const host = await startLocalHost({
    port: 0,
    timers: false,
    log: () => undefined,
    random: seededRandom(),
    ...options,
    dataDir,
  });
  const call: TestHost['call'] = async (method, path, o = {}) => {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.token) headers.Authorization = `Bearer ${o.token}`;
    let body: string | undefined;
    if (o.rawBody !== undefined) body = o.rawBody;
    else if (o.body !== undefined) body = JSON.stringify(o.body);
    if (body !== undefined) headers['Content-Type'] ??= 'application/json';
    const res = await fetch(`${host.url}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON
    }
    return { status: res.status, headers: res.headers, body: parsed as never };
  };
  return {
    ...host,
    dataDir,
    call,
    tokenFor: (email) => host.token(demoObjectId(email)),
    close: async () => {
      await host.stop();
      if (ownDataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
