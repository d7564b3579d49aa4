// The Function App on the Flex Consumption plan (FC1): Node.js, identity-based host storage,
// Entra-authenticated Application Insights, deployment from a blob container with the
// user-assigned identity. Tagged azd-service-name=api so `azd deploy` finds it.
param name string
param location string = resourceGroup().location
param tags object = {}
param appServicePlanId string
param storageAccountName string
param deploymentContainerName string
@description('Resource id of the user-assigned managed identity.')
param identityId string
@description('Client id of the user-assigned managed identity.')
param identityClientId string
param applicationInsightsName string
@allowed([
  '20'
  '22'
])
param nodeVersion string = '22'
param maximumInstanceCount int = 100
param instanceMemoryMB int = 2048
@description('Base URL for links inside emails; empty = this app\'s https URL.')
param publicBaseUrl string = ''
@description('Base URL of software download links (DOWNLOADS_BASE_URL); empty = this app\'s placeholder route /api/downloads.')
param downloadsBaseUrl string = ''
@description('The service\'s own settings (ConfigSchema keys of src/config.ts), merged with the platform settings below.')
param appSettings object = {}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, {
    'azd-service-name': 'api'
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: appServicePlanId
    httpsOnly: true
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'node'
        version: nodeVersion
      }
    }
  }
}

var effectivePublicBaseUrl = empty(publicBaseUrl) ? 'https://${functionApp.properties.defaultHostName}' : publicBaseUrl

// Flex Consumption sets the worker runtime from functionAppConfig.runtime: FUNCTIONS_WORKER_RUNTIME
// and FUNCTIONS_EXTENSION_VERSION must NOT be app settings here.
resource functionAppSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: union(appSettings, {
    // Host storage (and the Durable Functions task hub) through the managed identity, no keys.
    AzureWebJobsStorage__accountName: storage.name
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId
    // The connection string holds only the instrumentation key and endpoints (no secret); with local
    // auth disabled, ingestion is authorised by the identity's Entra token.
    APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
    // The outbox relay's change-feed trigger (functions/outbox.ts, connection 'COSMOS'): an identity-based
    // connection, no key. Its leases live in the container COSMOS_LEASE_CONTAINER (app/cosmos.bicep).
    COSMOS__accountEndpoint: appSettings.COSMOS_ENDPOINT
    COSMOS__credential: 'managedidentity'
    COSMOS__clientId: identityClientId
    // DefaultAzureCredential (Cosmos DB, ACS Email) picks the user-assigned identity from this.
    AZURE_CLIENT_ID: identityClientId
    PUBLIC_BASE_URL: effectivePublicBaseUrl
    DOWNLOADS_BASE_URL: empty(downloadsBaseUrl) ? '${effectivePublicBaseUrl}/api/downloads' : downloadsBaseUrl
  })
}

output name string = functionApp.name
output uri string = 'https://${functionApp.properties.defaultHostName}'
output hostName string = functionApp.properties.defaultHostName
