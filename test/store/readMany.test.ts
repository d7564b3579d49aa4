/**
 * `Documents.readMany` (the access check's batch of reads) against the embedded server, through a TCP proxy that
 * can reset a connection: a broken connection is retried — the batch only reads, as the SDK retries point reads —
 * and a refused partition answers per document. Real `@azure/cosmos`, real sockets.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startEmbeddedCosmos, type EmbeddedCosmos } from '../../src/local/embeddedCosmos';
import { createCosmosContainer, ensureContainer } from '../../src/store/cosmos';
import { Documents } from '../../src/store/documents';

let cosmos: EmbeddedCosmos;
let proxy: Server;
let docs: Documents;
const sockets = new Set<Socket>();
/** How many of the next batch requests get their connection reset instead of an answer. */
let resetBatches = 0;
let batchesSeen = 0;

beforeAll(async () => {
  cosmos = await startEmbeddedCosmos(0, { tls: false });
  const upstream = new URL(cosmos.endpoint);
  proxy = createServer((client) => {
    sockets.add(client);
    const server = createConnection(Number(upstream.port), upstream.hostname);
    sockets.add(server);
    client.on('data', (chunk: Buffer) => {
      if (chunk.includes('x-ms-cosmos-is-batch-request')) {
        batchesSeen++;
        if (resetBatches > 0) {
          resetBatches--;
          client.resetAndDestroy();
          server.destroy();
          return;
        }
      }
      server.write(chunk);
    });
    server.on('data', (chunk: Buffer) => client.write(chunk));
    client.on('close', () => server.destroy());
    server.on('close', () => client.destroy());
    client.on('error', () => undefined);
    server.on('error', () => undefined);
  });
  await new Promise<void>((ok) => proxy.listen(0, '127.0.0.1', ok));
  const container = createCosmosContainer({
    COSMOS_ENDPOINT: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/`,
    COSMOS_KEY: cosmos.key,
    COSMOS_DATABASE: 'db',
    COSMOS_CONTAINER: 'c',
    // The embedded server advertises its own endpoint; the client must keep talking through the proxy.
    COSMOS_ENDPOINT_DISCOVERY: false,
  });
  await ensureContainer(container);
  docs = new Documents(container);
  await docs.create('partner', { id: 'p1', partnerId: 'p1', name: 'P1' });
  await docs.create('user', { id: 'user:u1', partnerId: 'p1', objectId: 'u1' });
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((ok) => proxy?.close(ok));
  await cosmos?.close();
});

const refs = [
  { id: 'user:u1', type: 'user' as const },
  { id: 'p1', type: 'partner' as const },
];

test('reads several documents of a partition in one batch', async () => {
  batchesSeen = 0;
  const [user, partner] = await docs.readMany('p1', refs);
  expect(user).toMatchObject({ state: 'found', value: { value: { id: 'user:u1', objectId: 'u1' } } });
  expect(partner).toMatchObject({ state: 'found', value: { value: { id: 'p1', name: 'P1' } } });
  expect(batchesSeen).toBe(1);
});

test('a connection reset during the batch is retried, and the reads answer as if nothing happened', async () => {
  batchesSeen = 0;
  resetBatches = 1;
  const [user, partner] = await docs.readMany('p1', refs);
  expect(user.state).toBe('found');
  expect(partner.state).toBe('found');
  expect(batchesSeen).toBe(2);
});

test('a connection that keeps breaking fails after 3 attempts', async () => {
  batchesSeen = 0;
  resetBatches = 5;
  await expect(docs.readMany('p1', refs)).rejects.toThrow(/ECONNRESET|socket hang up/);
  expect(batchesSeen).toBe(3);
  resetBatches = 0;
});

test('a missing document is absent, another type is absent, and the reads after a 404 are unknown', async () => {
  const [missing, user, wrongType] = await docs.readMany('p1', [
    { id: 'nope', type: 'benefit' },
    { id: 'user:u1', type: 'user' },
    { id: 'p1', type: 'user' },
  ]);
  expect(missing.state).toBe('absent');
  // Cosmos DB stops a batch at its first failure (424 for the rest); so does the embedded server.
  expect(user.state).toBe('unknown');
  expect(wrongType.state).toBe('unknown');
  const [partnerAsUser] = await docs.readMany('p1', [{ id: 'p1', type: 'user' }]);
  expect(partnerAsUser.state).toBe('absent');
});
