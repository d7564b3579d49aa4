/**
 * Cosmos DB client construction: the account key only for local emulators, otherwise
 * `DefaultAzureCredential` (the Function App's user-assigned managed identity in Azure).
 */
import { CosmosClient, type CompositePath, type Container, type CosmosClientOptions } from '@azure/cosmos';
import type { Agent } from 'node:https';
import type { Config } from '../config';

/** Options for {@link createCosmosContainer}. */
export interface CosmosConnectOptions {
  /** HTTPS agent for this client only (the local host scopes its TLS exception to it). */
  agent?: Agent;
}

/**
 * Builds the client for `config.COSMOS_ENDPOINT` and returns the app's one container
 * (partition key `/partnerId`). Does no I/O.
 */
export function createCosmosContainer(
  config: Pick<
    Config,
    'COSMOS_ENDPOINT' | 'COSMOS_KEY' | 'COSMOS_DATABASE' | 'COSMOS_CONTAINER' | 'AZURE_CLIENT_ID'
  >,
  options: CosmosConnectOptions = {},
): Container {
  // A local emulator (scoped agent, or plain http on loopback) has no regional endpoints to discover.
  const local =
    !!options.agent || /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:|\/|$)/i.test(config.COSMOS_ENDPOINT);
  const clientOptions: CosmosClientOptions = {
    endpoint: config.COSMOS_ENDPOINT,
    connectionPolicy: { enableEndpointDiscovery: !local },
    ...(options.agent ? { agent: options.agent } : {}),
  };
  if (config.COSMOS_KEY) {
    clientOptions.key = config.COSMOS_KEY;
  } else {
    // Loaded only in Azure, where no key is configured.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { DefaultAzureCredential } = require('@azure/identity') as typeof import('@azure/identity');
    clientOptions.aadCredentials = new DefaultAzureCredential({
      managedIdentityClientId: config.AZURE_CLIENT_ID,
    });
  }
  const client = new CosmosClient(clientOptions);
  return client.database(config.COSMOS_DATABASE).container(config.COSMOS_CONTAINER);
}

/**
 * The container's composite indexes: benefit lists are ordered by category, then product name
 * (docs/product.md §9), which Cosmos DB serves only from a composite index. infra/app/cosmos.bicep declares
 * the same.
 */
export const COMPOSITE_INDEXES: CompositePath[][] = [
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
