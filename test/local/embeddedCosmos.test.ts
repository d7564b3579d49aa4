/**
 * The embedded Cosmos server as patched (patches/, docs/upstream/cosmosdb-server.md): a query that carries a
 * partition key scans only that partition, as Cosmos DB does; paging within a partition keeps storage order;
 * query-plan requests get a plan instead of a scan; and at 20 000 benefits the expiry sweep expires every due
 * benefit with the round trips it needs at 1 000. Real `@azure/cosmos` against the server; counts, not times
 * (the times are in `npm run bench`).
 */
import { jest } from '@jest/globals';
import type { Container } from '@azure/cosmos';
import { request } from 'node:https';
import { runExpirySweep } from '../../src/app/expirySweep';
import { ManualClock } from '../../src/local/clock';
import { startEmbeddedCosmos, type EmbeddedCosmos } from '../../src/local/embeddedCosmos';
import { createCosmosContainer, ensureContainer } from '../../src/store/cosmos';
import { seedScale } from '../support/scaleSeed';
import { startTestHost, type TestHost } from '../support/testHost';

describe('queries', () => {
  let cosmos: EmbeddedCosmos;
  let container: Container;

  beforeAll(async () => {
    cosmos = await startEmbeddedCosmos();
    container = createCosmosContainer(
      {
        COSMOS_ENDPOINT: cosmos.endpoint,
        COSMOS_KEY: cosmos.key,
        COSMOS_ENDPOINT_DISCOVERY: false,
        COSMOS_DATABASE: 'db',
        COSMOS_CONTAINER: 'c',
      },
      { agent: cosmos.agent },
    );
    await ensureContainer(container);
    for (const partnerId of ['p1', 'p2', 'p3']) {
      await container.items.batch(
        Array.from({ length: 25 }, (_, i) => ({
          operationType: 'Create' as const,
          resourceBody: { id: `${partnerId}-${String(i).padStart(2, '0')}`, partnerId, type: 'x', n: i },
        })),
        partnerId,
      );
    }
  });
  afterAll(async () => cosmos?.close());

  test('a query with a partition key returns only that partition, even when its WHERE does not say so', async () => {
    const { resources } = await container.items
      .query<{ id: string; partnerId: string }>('SELECT * FROM c WHERE c.type = "x"', { partitionKey: 'p2' })
      .fetchAll();
    expect(resources).toHaveLength(25);
    expect(new Set(resources.map((r) => r.partnerId))).toEqual(new Set(['p2']));
    // Without one, the query spans every partition.
    const all = await container.items.query('SELECT * FROM c WHERE c.type = "x"').fetchAll();
    expect(all.resources).toHaveLength(75);
  });

  test('a partition absent from the container answers an empty page', async () => {
    const { resources } = await container.items
      .query('SELECT * FROM c', { partitionKey: 'nobody' })
      .fetchAll();
    expect(resources).toEqual([]);
  });

  test('continuation paging within a partition returns every document once, in storage order', async () => {
    const seen: string[] = [];
    let continuationToken: string | undefined;
    let pages = 0;
    do {
      const res = await container.items
        .query<{ id: string }>('SELECT * FROM c WHERE c.type = "x"', {
          partitionKey: 'p3',
          maxItemCount: 10,
          continuationToken,
        })
        .fetchNext();
      seen.push(...res.resources.map((r) => r.id));
      continuationToken = res.continuationToken;
      pages++;
    } while (continuationToken && pages < 10);
    expect(pages).toBe(3);
    const { resources } = await container.items
      .query<{ id: string }>('SELECT * FROM c', { partitionKey: 'p3' })
      .fetchAll();
    expect(seen).toEqual(resources.map((r) => r.id));
    expect(new Set(seen)).toEqual(
      new Set(Array.from({ length: 25 }, (_, i) => `p3-${String(i).padStart(2, '0')}`)),
    );
  });

  test('documents written, replaced and deleted after a query keep the partition scan exact', async () => {
    await container.items.create({ id: 'moved', partnerId: 'p1', type: 'x', n: 99 });
    await container.item('p1-00', 'p1').delete();
    await container.items.upsert({ id: 'p1-01', partnerId: 'p1', type: 'x', n: -1 });
    const { resources } = await container.items
      .query<{ id: string; n: number }>('SELECT * FROM c', { partitionKey: 'p1' })
      .fetchAll();
    expect(resources.map((r) => r.id)).not.toContain('p1-00');
    expect(resources.find((r) => r.id === 'moved')?.n).toBe(99);
    expect(resources.find((r) => r.id === 'p1-01')?.n).toBe(-1);
    expect(resources).toHaveLength(25);
  });

  test('ORDER BY, TOP and aggregates are evaluated by the server, also when the SDK is made to use the plan', async () => {
    for (const forceQueryPlan of [false, true]) {
      const ordered = await container.items
        .query<{ id: string }>('SELECT TOP 3 c.id FROM c WHERE c.type = "x" ORDER BY c.id DESC', {
          forceQueryPlan,
        })
        .fetchAll();
      expect(ordered.resources.map((r) => r.id)).toEqual(['p3-24', 'p3-23', 'p3-22']);
      const count = await container.items
        .query<number>('SELECT VALUE COUNT(1) FROM c WHERE c.type = "x"', { forceQueryPlan })
        .fetchAll();
      expect(count.resources).toEqual([75]);
    }
  });

  test('write listeners (persistence) hear of a batch that wrote, not of one that only read', async () => {
    let heard = 0;
    const stop = cosmos.onWrite(() => heard++);
    const finished = () => new Promise((ok) => setTimeout(ok, 20));
    try {
      await container.items.batch(
        [{ operationType: 'Read', id: 'p2-00', partitionKey: 'p2' }] as never,
        'p2',
      );
      await finished();
      expect(heard).toBe(0);
      await container.items.batch(
        [{ operationType: 'Create', resourceBody: { id: 'p2-new', partnerId: 'p2', type: 'y' } }],
        'p2',
      );
      await finished();
      expect(heard).toBe(1);
      await container.items.create({ id: 'p2-new-2', partnerId: 'p2', type: 'y' });
      await finished();
      expect(heard).toBe(2);
    } finally {
      stop();
    }
  });

  test('a query-plan request is answered with a plan, not with the rows of a scan', async () => {
    const answer = await new Promise<{ status: number; body: any }>((resolve, reject) => {
      const req = request(
        `${cosmos.endpoint}dbs/db/colls/c/docs`,
        {
          method: 'POST',
          agent: cosmos.agent,
          headers: {
            'content-type': 'application/query+json',
            'x-ms-documentdb-isquery': 'True',
            'x-ms-documentdb-query-enablecrosspartition': 'True',
            'x-ms-cosmos-is-query-plan-request': 'True',
          },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString('utf8')));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ query: 'SELECT * FROM c WHERE c.type = "x"' }));
    });
    expect(answer.status).toBe(200);
    expect(answer.body.Documents).toBeUndefined();
    expect(answer.body).toMatchObject({
      queryRanges: [{ min: '', max: 'FF', isMinInclusive: true, isMaxInclusive: false }],
      queryInfo: { orderBy: [], aggregates: [], top: null, distinctType: 'None' },
    });
  });
});

describe('the expiry sweep at 1 000 and at 20 000 benefits (50 due)', () => {
  const NOW = new Date('2026-06-01T12:00:00.000Z');
  let host: TestHost;

  beforeAll(async () => {
    host = await startTestHost({ clock: new ManualClock(NOW), seed: false });
    jest.spyOn(console, 'info').mockImplementation(() => undefined); // the outbox logs each notice
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await host?.close();
  });

  const sweep = async (prefix: string, total: number) => {
    const seed = await seedScale(host.services, { prefix, total, now: NOW });
    host.cosmos.resetCounts();
    const result = await runExpirySweep(host.services, { budget: 10_000 });
    const c = host.cosmos.counts();
    const statuses = await Promise.all(
      seed.due.map(async (b) => (await host.services.store.getBenefit(b.partnerId, b.id))!.value.status),
    );
    return { result, counts: { queries: c.queries, reads: c.reads, writes: c.writes }, statuses };
  };

  test('every due benefit expires, with the same round trips at both sizes', async () => {
    const small = await sweep('s', 1000);
    // The large set is added to the same container: 21 000 benefits, the small set's already expired.
    const large = await sweep('l', 20_000);
    expect(small.result).toEqual({ expired: 50, notices: 50, pages: 1 });
    expect(large.result).toEqual({ expired: 50, notices: 50, pages: 1 });
    expect(large.statuses).toEqual(Array(50).fill('Expired'));
    expect(large.counts).toEqual(small.counts);
  }, 120_000);
});
