/**
 * Cosmos DB client construction: the account key only for local emulators, otherwise
 * `DefaultAzureCredential` (the Function App's user-assigned managed identity in Azure).
 */
import type { Agent } from 'node:https';
import {
  CosmosClient,
  type CompositePath,
  type Container,
  type CosmosClientOptions,
  type FeedOptions,
} from '@azure/cosmos';
import { createDefaultHttpClient, createHttpHeaders, type HttpClient } from '@azure/core-rest-pipeline';
import type { Config } from '../config';
import { lazyDefaultAzureCredential } from '../identity';

/** Options for {@link createCosmosContainer}. */
export interface CosmosConnectOptions {
  /** HTTPS agent for this client only (the local host scopes its TLS exception to it). */
  agent?: Agent;
  /**
   * The HTTP client under the query-plan skipping one (default core-rest-pipeline's): tests wrap it to inject
   * faults into the real client's requests.
   */
  httpClient?: HttpClient;
}

/**
 * Builds the client for `config.COSMOS_ENDPOINT` and returns the app's one container
 * (partition key `/partnerId`). Does no I/O.
 */
export function createCosmosContainer(
  config: Pick<
    Config,
    'COSMOS_ENDPOINT' | 'COSMOS_KEY' | 'COSMOS_DATABASE' | 'COSMOS_CONTAINER' | 'AZURE_CLIENT_ID'
  > &
    Partial<Pick<Config, 'COSMOS_ENDPOINT_DISCOVERY'>>,
  options: CosmosConnectOptions = {},
): Container {
  const clientOptions: CosmosClientOptions = {
    endpoint: config.COSMOS_ENDPOINT,
    // Cosmos DB: discover the account's regions. A single-endpoint server (the embedded one) turns it off by setting.
    connectionPolicy: { enableEndpointDiscovery: config.COSMOS_ENDPOINT_DISCOVERY ?? true },
    httpClient: queryPlanSkippingHttpClient(options.httpClient),
    ...(options.agent ? { agent: options.agent } : {}),
  };
  if (config.COSMOS_KEY) {
    clientOptions.key = config.COSMOS_KEY;
  } else {
    // Azure, where no key is configured: @azure/identity loads on the first token request.
    clientOptions.aadCredentials = lazyDefaultAzureCredential(config.AZURE_CLIENT_ID);
  }
  const client = new CosmosClient(clientOptions);
  return client.database(config.COSMOS_DATABASE).container(config.COSMOS_CONTAINER);
}

/**
 * The container's composite indexes: benefit lists are ordered by category, then product name
 * (docs/product.md §9), which Cosmos DB serves only from a composite index. infra/app/cosmos.bicep declares
 * the same.
 */
const COMPOSITE_INDEXES: CompositePath[][] = [
  [
    { path: '/category', order: 'ascending' },
    { path: '/productName', order: 'ascending' },
  ],
];

/**
 * Creates the database and container if missing (local host and tests; infra creates them in Azure), and adds
 * the composite indexes to a container created without them.
 */
export async function ensureContainer(container: Container): Promise<void> {
  const { database } = await container.database.client.databases.createIfNotExists({
    id: container.database.id,
  });
  const { resource } = await database.containers.createIfNotExists({
    id: container.id,
    partitionKey: { paths: ['/partnerId'] },
    indexingPolicy: { compositeIndexes: COMPOSITE_INDEXES },
  });
  const key = (index: CompositePath[]) => index.map((p) => `${p.path} ${p.order ?? 'ascending'}`).join(',');
  const present = new Set((resource?.indexingPolicy?.compositeIndexes ?? []).map(key));
  if (resource && !COMPOSITE_INDEXES.every((index) => present.has(key(index)))) {
    await database.container(container.id).replace({
      ...resource,
      indexingPolicy: {
        ...resource.indexingPolicy,
        compositeIndexes: [...(resource.indexingPolicy?.compositeIndexes ?? []), ...COMPOSITE_INDEXES],
      },
    });
  }
}

/** The header by which the SDK marks its query-plan request (Cosmos DB REST protocol). */
const QUERY_PLAN_REQUEST_HEADER = 'x-ms-cosmos-is-query-plan-request';
/** Our marker on every request of a single-partition query; removed before anything is sent. */
const SINGLE_PARTITION_QUERY_HEADER = 'x-partner-benefits-single-partition-query';

/**
 * Feed options of a query with the `partitionKey` option that needs no query plan. `@azure/cosmos` 4.10 asks
 * the gateway for a plan on every `fetchNext`/`fetchAll`, in parallel with the query, and uses the answer only
 * when the query itself is refused as needing one — which a query scoped to one logical partition never is (the
 * gateway executes it whole). These options tag the query's requests (the documented `initialHeaders`), and the
 * client's HTTP client ({@link queryPlanSkippingHttpClient}) answers a tagged plan request locally instead of
 * sending it. Round trips: one per page instead of two (docs/decisions.md, "Round trips").
 */
export function singlePartitionQuery(partitionKey: string): FeedOptions {
  return { partitionKey, initialHeaders: { [SINGLE_PARTITION_QUERY_HEADER]: 'true' } };
}

/**
 * The client's HTTP client (the documented `httpClient` option): `@azure/core-rest-pipeline`'s default, except
 * for requests tagged by {@link singlePartitionQuery}: the tag is removed, and a tagged query-plan request is
 * answered locally with a 400 that names this workaround. The SDK keeps a failed plan request as an error and
 * throws it only if the query turns out to need the plan — so a query that unexpectedly does fails loudly
 * instead of running without it.
 */
export function queryPlanSkippingHttpClient(inner: HttpClient = createDefaultHttpClient()): HttpClient {
  return {
    sendRequest(request) {
      if (request.headers.has(SINGLE_PARTITION_QUERY_HEADER)) {
        request.headers.delete(SINGLE_PARTITION_QUERY_HEADER);
        if (request.headers.get(QUERY_PLAN_REQUEST_HEADER) === 'True') {
          return Promise.resolve({
            request,
            status: 400,
            headers: createHttpHeaders({ 'content-type': 'application/json' }),
            bodyAsText: JSON.stringify({
              code: 'BadRequest',
              message:
                'Query plan not requested: the query is scoped to one partition (singlePartitionQuery, src/store/cosmos.ts).',
            }),
          });
        }
      }
      return inner.sendRequest(request);
    },
  };
}
