/**
 * The local data folder (`DATA_DIR`, default `.data`) and how `npm start` and every local CLI (`token`,
 * `sweep`, `reset`) find it: one resolution for all, so a `DATA_DIR` set for one command and forgotten for
 * another is caught by a clear message rather than a silently different folder.
 *
 * Layout of the folder:
 * - `store/cosmos.json` — the embedded Cosmos server's data, replaced atomically (persistence.ts);
 * - `outbox/` — one JSON file per email sent;
 * - `issuer/signing-key.json` — the local token issuer's private key (created by the host, never by a CLI);
 * - `runtime.json` — written by a running host: its URL, port, process id and the per-start runtime key that
 *   guards `/admin/*` and `/runtime/webhooks/durabletask/*` (the Functions host's master/system key);
 *   removed when it stops.
 */
import { readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as z from 'zod';
import { removeWithTemp, writeFileAtomic } from './atomicFile';

/** Default port of the local host. */
export const DEFAULT_PORT = 7071;
/** Default data folder, relative to the working directory (the repository root under `npm run`). */
export const DEFAULT_DATA_DIR = '.data';

/** Where the local host runs and keeps its data. */
export interface LocalEnvironment {
  /** Absolute path of the data folder. */
  dataDir: string;
  /** Port (0 = any free one). */
  port: number;
  /** Whether `PORT` was set explicitly (a CLI then checks it against the running host). */
  portFromEnvironment: boolean;
}

/**
 * Resolves `DATA_DIR` (default `.data`, relative to the working directory) and `PORT` (default 7071).
 * Throws an Error naming `PORT` when it is not an integer 0–65535.
 */
export function resolveLocalEnvironment(env: NodeJS.ProcessEnv = process.env): LocalEnvironment {
  const rawPort = env.PORT?.trim();
  const port = rawPort ? Number(rawPort) : DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a port number (0–65535), got "${env.PORT}".`);
  }
  const dataDir = resolve(env.DATA_DIR?.trim() || DEFAULT_DATA_DIR);
  return { dataDir, port, portFromEnvironment: !!rawPort };
}

/** Paths inside a data folder. */
export function dataPaths(dataDir: string) {
  return {
    store: join(dataDir, 'store', 'cosmos.json'),
    outbox: join(dataDir, 'outbox'),
    issuerKey: join(dataDir, 'issuer', 'signing-key.json'),
    runtime: join(dataDir, 'runtime.json'),
  };
}

const runtimeInfoSchema = z.object({
  /** Base URL without trailing slash, e.g. `http://127.0.0.1:7071`. */
  url: z.string().url(),
  port: z.number().int(),
  pid: z.number().int(),
  /** The runtime key (`x-functions-key` header or `code` query parameter). */
  key: z.string().min(1),
  dataDir: z.string(),
  /** ISO 8601. */
  startedAt: z.string(),
});

/** What a running host records in `DATA_DIR/runtime.json`. */
export type RuntimeInfo = z.infer<typeof runtimeInfoSchema>;

/** Writes `runtime.json` (owner-only: it holds the runtime key). */
export async function writeRuntimeInfo(info: RuntimeInfo): Promise<void> {
  await writeFileAtomic(dataPaths(info.dataDir).runtime, `${JSON.stringify(info, null, 2)}\n`, 0o600);
}

/** Reads `runtime.json`; undefined when missing or unreadable (a stale or foreign file is not an error). */
async function readRuntimeInfo(dataDir: string): Promise<RuntimeInfo | undefined> {
  try {
    const parsed = runtimeInfoSchema.safeParse(
      JSON.parse(await readFile(dataPaths(dataDir).runtime, 'utf8')),
    );
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a process with this id exists (signal 0 probes without signalling). */
function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The host currently running on `dataDir` according to `runtime.json`, if its process is alive and is not
 * this process. A file left by a host that was killed is ignored.
 */
export async function findRunningHost(dataDir: string): Promise<RuntimeInfo | undefined> {
  const info = await readRuntimeInfo(dataDir);
  if (!info || info.pid === process.pid || !isProcessAlive(info.pid)) return undefined;
  return info;
}

/** Removes `runtime.json` if it is the one written by `pid`. */
export async function removeRuntimeInfo(dataDir: string, pid: number): Promise<void> {
  const info = await readRuntimeInfo(dataDir);
  if (info && info.pid === pid) await removeWithTemp(dataPaths(dataDir).runtime);
}

/**
 * `npm run reset` / `npm start -- --reset`: forgets everything created locally — the stored data and the
 * outbox — so the next start seeds the demo data again. The issuer key stays, so tokens already printed keep
 * working for the demo users. Throws when a host is running on this folder (it would write its data back).
 * Returns the paths it removed.
 */
export async function resetLocalData(dataDir: string): Promise<string[]> {
  const running = await findRunningHost(dataDir);
  if (running) {
    throw new Error(
      `A local host (process ${running.pid}, ${running.url}) is running on ${dataDir}. Stop it first (Ctrl-C), then reset.`,
    );
  }
  const paths = dataPaths(dataDir);
  await removeWithTemp(paths.store);
  await rm(paths.outbox, { recursive: true, force: true });
  return [paths.store, paths.outbox];
}
