/**
 * The query-plan workaround of src/store/cosmos.ts with the real `@azure/cosmos` SDK against the embedded server:
 * a query with `singlePartitionQuery` options sends one request per page — the page, without our tag — while a
 * cross-partition query still gets its plan. It also fails when an SDK upgrade stops carrying `initialHeaders` on
 * its plan requests (the plan request would then be sent again, and counted here).
 */
import { CosmosClient, type Container } from '@azure/cosmos';
import { createDefaultHttpClient, type HttpClient, type PipelineRequest } from '@azure/core-rest-pipeline';
import { startEmbeddedCosmos, type EmbeddedCosmos } from '../../src/local/embeddedCosmos';
import { queryPlanSkippingHttpClient, singlePartitionQuery } from '../../src/store/cosmos';

let cosmos: EmbeddedCosmos;
let container: Container;
const sent: PipelineRequest[] = [];

beforeAll(async () => {
  cosmos = await startEmbeddedCosmos();
  const recording: HttpClient = {
    sendRequest(request) {
      sent.push(request);
      return createDefaultHttpClient().sendRequest(request);
    },
  };
  const client = new CosmosClient({
    endpoint: cosmos.endpoint,
    key: cosmos.key,
    agent: cosmos.agent,
    connectionPolicy: { enableEndpointDiscovery: false },
    httpClient: queryPlanSkippingHttpClient(recording),
  });
  const { database } = await client.databases.createIfNotExists({ id: 'db' });
  ({ container } = await database.containers.createIfNotExists({
    id: 'c',
    partitionKey: { paths: ['/partnerId'] },
  }));
  for (let i = 0; i < 12; i++) await container.items.create({ id: `b${i}`, partnerId: i < 6 ? 'p1' : 'p2' });
});
afterAll(async () => cosmos?.close());

const isPlan = (r: PipelineRequest) => r.headers.get('x-ms-cosmos-is-query-plan-request') === 'True';
const tagged = (r: PipelineRequest) => r.headers.has('x-partner-benefits-single-partition-query');

test('a single-partition query sends one request per page, the page itself, untagged', async () => {
  sent.length = 0;
  const iterator = container.items.query('SELECT * FROM c WHERE c.partnerId = "p1"', {
    ...singlePartitionQuery('p1'),
    maxItemCount: 4,
  });
  const first = await iterator.fetchNext();
  const second = await iterator.fetchNext();
  expect([...first.resources, ...second.resources].map((d) => d.id).sort()).toEqual(
    ['b0', 'b1', 'b2', 'b3', 'b4', 'b5'].sort(),
  );
  expect(sent).toHaveLength(2);
  expect(sent.filter(isPlan)).toHaveLength(0);
  expect(sent.filter(tagged)).toHaveLength(0);
  expect(sent.map((r) => r.headers.get('x-ms-documentdb-partitionkey'))).toEqual(['["p1"]', '["p1"]']);
});

test('fetchAll of a single-partition query: no plan request either', async () => {
  sent.length = 0;
  const { resources } = await container.items.query('SELECT * FROM c', singlePartitionQuery('p2')).fetchAll();
  expect(resources).toHaveLength(6);
  expect(sent.filter(isPlan)).toHaveLength(0);
});

test('a cross-partition query still asks for its plan', async () => {
  sent.length = 0;
  const { resources } = await container.items.query('SELECT * FROM c').fetchAll();
  expect(resources).toHaveLength(12);
  expect(sent.filter(isPlan)).toHaveLength(1);
});
