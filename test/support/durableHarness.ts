/**
 * Helpers for tests of code running on the local durable runtime (src/local/durable.ts).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ManualClock } from '../../src/local/clock';
import type { LocalDurableRuntime, RuntimeStatus } from '../../src/local/durable';

const TERMINAL: readonly RuntimeStatus[] = ['Completed', 'Failed', 'Terminated'];

/**
 * Runs `instanceId` to a terminal status by jumping the manual clock to each next due timer
 * (awaiting `whenIdle()` in between). Stops after `maxSteps` jumps, when nothing is due, or when
 * the clock would pass `until` (optional). Returns the final runtime status.
 */
export async function runToCompletion(
  runtime: LocalDurableRuntime,
  clock: ManualClock,
  instanceId: string,
  options: { maxSteps?: number; until?: Date } = {},
): Promise<RuntimeStatus | undefined> {
  const maxSteps = options.maxSteps ?? 100;
  for (let step = 0; ; step++) {
    await runtime.whenIdle();
    const status = runtime.getStatus(instanceId)?.runtimeStatus;
    if (status === undefined || TERMINAL.includes(status) || step >= maxSteps) return status;
    const next = clock.nextDue();
    if (!next || (options.until && next > options.until)) return status;
    clock.set(next);
  }
}

/** A real HTTP server on 127.0.0.1 that forwards durable webhook paths to `runtime.handleRpc` (404 otherwise). */
export async function startDurableRpcServer(
  runtime: LocalDurableRuntime,
): Promise<{ baseUrl: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
      requests.push(`${req.method ?? 'GET'} ${url.pathname}${url.search}`);
      runtime
        .handleRpc(req.method ?? 'GET', url, Buffer.concat(chunks).toString('utf8'))
        .then((answer) => {
          if (!answer) {
            res.writeHead(404).end();
            return;
          }
          res.writeHead(answer.status, answer.headers ?? {});
          res.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
        })
        .catch((err: unknown) => {
          res.writeHead(500, { 'Content-Type': 'text/plain' }).end(String(err));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
