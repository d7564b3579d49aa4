/**
 * The server side of `npm run bench` (b): `tsx bench/throughputServer.ts`, run as a child process so the load
 * generator has the other core. It serves, from ONE process and ONE embedded Cosmos server with the demo data:
 *
 * - the local host (the sources as `npm start` serves them: HTTP, JWT validation, zod, the store), and
 * - the baseline: a bare `node:http` server whose `/raw/list` and `/raw/get` issue the same query page and the
 *   same point read with a raw `@azure/cosmos` client (its defaults, as an app would write it) against the same
 *   embedded server, and answer the documents as JSON.
 *
 * It prints one JSON line (ports, token, a benefit id, the list query) and then answers on stdin: `counts` (the
 * embedded server's round trips since the last `reset`), `reset`, `rss`, `stop`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CosmosClient } from '@azure/cosmos';
import { installFunctionsCore } from '../src/local/installFunctionsCore';

installFunctionsCore();

/**
 * The query of the benefit list route's first page (BenefitsStore.listBenefits without filters); checked at start
 * against the page the host answers.
 */
export const LIST_QUERY =
  'SELECT * FROM c WHERE c.partnerId = @p AND c.type = @t ORDER BY c.category ASC, c.productName ASC';
/** The list route's default page size. */
export const PAGE_SIZE = 50;

async function main(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startLocalHost } = require('../src/local/host') as typeof import('../src/local/host');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { demoObjectId } = require('../src/local/seed') as typeof import('../src/local/seed');
  const dataDir = mkdtempSync(join(tmpdir(), 'benefits-bench-'));
  const host = await startLocalHost({ port: 0, dataDir, timers: false, log: () => undefined });
  const rssIdle = process.memoryUsage().rss;
  const token = await host.token(demoObjectId('admin@contoso.example'));
  const page = (await (
    await fetch(`${host.url}/api/partners/contoso/benefits?pageSize=${PAGE_SIZE}`, {
      headers: { Authorization: `Bearer ${token}` },
    })
  ).json()) as { items: Array<{ id: string }> };
  const benefitId = page.items[0].id;

  const raw = new CosmosClient({
    endpoint: host.cosmos.endpoint,
    key: host.cosmos.key,
    agent: host.cosmos.agent,
    connectionPolicy: { enableEndpointDiscovery: false },
  })
    .database(host.config.COSMOS_DATABASE)
    .container(host.config.COSMOS_CONTAINER);
  const baseline = http.createServer((req, res) => {
    const answer = async () => {
      if (req.url === '/raw/list') {
        const { resources } = await raw.items
          .query(
            {
              query: LIST_QUERY,
              parameters: [
                { name: '@p', value: 'contoso' },
                { name: '@t', value: 'benefit' },
              ],
            },
            { partitionKey: 'contoso', maxItemCount: PAGE_SIZE },
          )
          .fetchNext();
        return { items: resources };
      }
      if (req.url === '/raw/get') return (await raw.item(benefitId, 'contoso').read()).resource;
      return undefined;
    };
    answer().then(
      (body) => {
        res.writeHead(body === undefined ? 404 : 200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body ?? {}));
      },
      (e: unknown) => {
        res.writeHead(500).end(String(e));
      },
    );
  });
  baseline.keepAliveTimeout = 5000;
  await new Promise<void>((ok) => baseline.listen(0, '127.0.0.1', ok));
  const baselineUrl = `http://127.0.0.1:${(baseline.address() as AddressInfo).port}`;
  // Same work on both sides: the raw page must be the page the route answers.
  const rawPage = (await (await fetch(`${baselineUrl}/raw/list`)).json()) as { items: Array<{ id: string }> };
  if (JSON.stringify(rawPage.items.map((b) => b.id)) !== JSON.stringify(page.items.map((b) => b.id)))
    throw new Error('The baseline query does not answer the page the list route answers: update LIST_QUERY.');

  process.stdout.write(
    `${JSON.stringify({
      host: host.url,
      baseline: baselineUrl,
      token,
      benefitId,
      rssIdleMiB: rssIdle / 2 ** 20,
    })}\n`,
  );
  const stop = async () => {
    baseline.closeAllConnections();
    await new Promise<void>((ok) => baseline.close(() => ok()));
    await host.stop();
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  };
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'counts') process.stdout.write(`${JSON.stringify(host.cosmos.counts())}\n`);
    else if (line === 'reset') {
      host.cosmos.resetCounts();
      process.stdout.write('{}\n');
    } else if (line === 'rss')
      process.stdout.write(`${JSON.stringify({ rssMiB: process.memoryUsage().rss / 2 ** 20 })}\n`);
    else if (line === 'stop') await stop();
  }
  await stop();
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
