/**
 * The embedded Cosmos DB–compatible server (`@vercel/cosmosdb-server`, in-process, memory only) and a
 * client agent whose TLS exception (the bundled certificate is self-signed) is scoped to that agent only.
 * Counts round trips by kind so tests can assert costs (notes/platform-facts.md).
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { createHttpServer, createHttpsServer } from '@vercel/cosmosdb-server';

/** Round trips seen by the server since the last reset. */
export interface CosmosRequestCounts {
  /** Point reads (GET of one document). */
  reads: number;
  /** Query pages (POST …/docs with a query, excluding query-plan look-ups). */
  queries: number;
  /** Query-plan look-ups the SDK makes before a query (gateway metadata). */
  queryPlans: number;
  /** Creates, replaces, upserts, deletes, bulk. */
  writes: number;
  /** Transactional batches (reads and/or writes in one partition, one round trip each). */
  batches: number;
  /** Everything else (metadata: databases, collections, partition key ranges). */
  other: number;
  total: number;
}

/** A running embedded server. */
export interface EmbeddedCosmos {
  endpoint: string;
  /** Any key is accepted. */
  key: string;
  /** Use for this server's clients only. */
  agent: https.Agent;
  counts(): CosmosRequestCounts;
  resetCounts(): void;
  close(): Promise<void>;
}

const zero = (): CosmosRequestCounts => ({
  reads: 0,
  queries: 0,
  queryPlans: 0,
  writes: 0,
  batches: 0,
  other: 0,
  total: 0,
});

/**
 * Starts the server on 127.0.0.1 (port 0 = any free port). `tls: false` serves plain HTTP on loopback, for
 * clients that cannot be given a scoped agent (the production client under `func start`).
 */
export async function startEmbeddedCosmos(
  port = 0,
  options: { tls?: boolean } = {},
): Promise<EmbeddedCosmos> {
  const tls = options.tls !== false;
  const server = tls
    ? createHttpsServer({ keepAlive: true } as https.ServerOptions)
    : createHttpServer({ keepAlive: true });
  let counts = zero();
  server.on('request', (req) => {
    counts.total++;
    const isDocs = /\/docs(\/[^/]+)?$/.test((req.url ?? '').split('?')[0]);
    const isQuery =
      req.headers['x-ms-documentdb-isquery'] === 'True' ||
      req.headers['content-type'] === 'application/query+json';
    if (req.headers['x-ms-cosmos-is-query-plan-request']) counts.queryPlans++;
    else if (req.headers['x-ms-cosmos-is-batch-request']) counts.batches++;
    else if (isDocs && req.method === 'POST' && isQuery) counts.queries++;
    else if (isDocs && req.method === 'GET' && /\/docs\/[^/]+$/.test(req.url ?? '')) counts.reads++;
    else if (isDocs && ['POST', 'PUT', 'DELETE', 'PATCH'].includes(req.method ?? '')) counts.writes++;
    else counts.other++;
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  // The bundled certificate is self-signed and expired: trust it for this agent only.
  const agent = new https.Agent({ rejectUnauthorized: false, keepAlive: true });
  return {
    endpoint: `${tls ? 'https' : 'http'}://127.0.0.1:${address.port}/`,
    key: 'local-embedded-cosmos-key',
    agent,
    counts: () => ({ ...counts }),
    resetCounts: () => {
      counts = zero();
    },
    close: async () => {
      agent.destroy();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
