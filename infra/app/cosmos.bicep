// Cosmos DB for NoSQL, serverless, Entra ID only (no account keys): one database, one container
// partitioned by /partnerId (docs/product.md §10). The app never creates them at run time in Azure:
// data-plane RBAC cannot create databases or containers, so they are provisioned here.
param accountName string
param location string = resourceGroup().location
param tags object = {}
param databaseName string = 'benefits'
param containerName string = 'benefits'
@description('The lease container of the outbox relay\'s change-feed trigger (functions/outbox.ts).')
param leaseContainerName string = 'leases'

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' = {
  name: accountName
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    locations: [
      {
        locationName: location
        failoverPriority: 0
        isZoneRedundant: false
      }
    ]
    capabilities: [
      {
        name: 'EnableServerless'
      }
    ]
    consistencyPolicy: {
      defaultConsistencyLevel: 'Session'
    }
    // Keys off: only Entra ID tokens (the managed identity) reach the data plane.
    disableLocalAuth: true
    // Control-plane changes (databases, containers, throughput) only through ARM, never with data-plane calls.
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    publicNetworkAccess: 'Enabled'
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-11-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: {
      id: databaseName
    }
  }
}

// Serverless: no throughput settings on the database or the container.
resource container 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = {
  parent: database
  name: containerName
  properties: {
    resource: {
      id: containerName
      partitionKey: {
        paths: [
          '/partnerId'
        ]
        kind: 'Hash'
        version: 2
      }
      // Benefit lists are ordered by category, then product name: Cosmos DB serves that only from a composite
      // index (src/store/cosmos.ts COMPOSITE_INDEXES holds the same for local containers).
      indexingPolicy: {
        indexingMode: 'consistent'
        automatic: true
        includedPaths: [
          {
            path: '/*'
          }
        ]
        excludedPaths: [
          {
            path: '/"_etag"/?'
          }
        ]
        compositeIndexes: [
          [
            {
              path: '/category'
              order: 'ascending'
            }
            {
              path: '/productName'
              order: 'ascending'
            }
          ]
        ]
      }
    }
  }
}

// The change-feed trigger's leases (the Functions Cosmos DB extension's change feed processor): partitioned by /id,
// as the extension requires. Created here because the app's identity has no control-plane role
// (createLeaseContainerIfNotExists is false in functions/outbox.ts).
resource leaseContainer 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = {
  parent: database
  name: leaseContainerName
  properties: {
    resource: {
      id: leaseContainerName
      partitionKey: {
        paths: [
          '/id'
        ]
        kind: 'Hash'
        version: 2
      }
    }
  }
}

output accountName string = account.name
output endpoint string = account.properties.documentEndpoint
output databaseName string = database.name
output containerName string = container.name
output leaseContainerName string = leaseContainer.name
