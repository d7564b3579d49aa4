// Partner-benefits service: everything `azd up` provisions (docs/product.md §10).
// No keys or connection strings with secrets: every data-plane call uses the user-assigned managed identity.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment. The resource group is rg-<environmentName>; resource names get a unique token from it.')
param environmentName string

@minLength(1)
@description('Primary location for all resources (must offer the Flex Consumption plan).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object id of the deploying developer (azd sets AZURE_PRINCIPAL_ID). Gets Cosmos DB data access for debugging with Data Explorer or a local run. Empty = none.')
param principalId string = ''

@description('Expected `aud` of bearer tokens (AUTH_AUDIENCE). Empty = api://partner-benefits-<environmentName>. With v2.0 access tokens Entra ID puts the API\'s application (client) id in `aud`: set this to that GUID.')
param apiAudience string = ''

@description('Expected `iss` of bearer tokens (AUTH_ISSUER). Empty = this tenant\'s Entra ID v2.0 issuer.')
param authIssuer string = ''

@description('JWKS URL of the token issuer (AUTH_JWKS_URI). Empty = this tenant\'s Entra ID v2.0 signing keys.')
param authJwksUri string = ''

@description('Base URL used in links inside emails (PUBLIC_BASE_URL). Empty = the portal\'s (Static Web App) https URL.')
param publicBaseUrl string = ''

@description('Base URL of software download links (DOWNLOADS_BASE_URL), e.g. a CDN holding the installation media. Empty = the app\'s placeholder route /api/downloads.')
param downloadsBaseUrl string = ''

@description('Region of the portal\'s Static Web App (offered in a few regions only: westus2, centralus, eastus2, westeurope, eastasia).')
@allowed([
  'westus2'
  'centralus'
  'eastus2'
  'westeurope'
  'eastasia'
])
param webLocation string = 'westeurope'

@description('Application (client) id of the portal\'s SPA app registration (docs/deploy.md "Portal sign-in"). Goes into the web build as VITE_ENTRA_CLIENT_ID.')
param webClientId string = ''

@description('The API scope the portal requests (VITE_API_SCOPE). Empty = api://partner-benefits-<environmentName>/Benefits.Access.')
param apiScope string = ''

@description('Publisher email of the API Management service (required by it; receives its system notifications).')
param apimPublisherEmail string = 'noreply@example.com'

@description('Data residency of the Communication Services and Email Communication Services resources (both must be in the same geography).')
param communicationDataLocation string = 'United States'

@description('Node.js version of the Flex Consumption runtime.')
@allowed([
  '20'
  '22'
])
param nodeVersion string = '22'

@description('Flex Consumption: most instances the app scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Flex Consumption: memory of each instance.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('docs/product.md §6 step 2: how long an activation waits for processing (ISO 8601 duration).')
param activationProcessingTime string = 'P3D'

@description('docs/product.md §6 step 3: how long a Go-To-Market activation waits for the contact\'s verification (ISO 8601 duration).')
param contactVerificationTimeout string = 'P7D'

@description('docs/product.md §8: six-field NCRONTAB schedule of the expiry sweep (UTC).')
param expirySweepSchedule string = '0 0 * * * *'

@description('docs/product.md §8: most benefits one sweep run expires.')
@minValue(1)
@maxValue(100000)
param expirySweepBudget int = 1000
@description('NCRONTAB of the outbox timer that retries owed emails the change feed did not settle (OUTBOX_RETRY_SCHEDULE).')
param outboxRetrySchedule string = '0 * * * * *'

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var functionAppName = 'func-api-${resourceToken}'
// Flex Consumption deploys from a blob container (lowercase, 3-63 characters).
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(toLower(uniqueString(functionAppName, resourceToken)), 7)}'

// Entra ID endpoints of the tenant being deployed to (cloud-agnostic: login.microsoftonline.com in Azure public).
var loginEndpointRaw = environment().authentication.loginEndpoint
var loginEndpoint = endsWith(loginEndpointRaw, '/') ? loginEndpointRaw : '${loginEndpointRaw}/'
var effectiveAudience = empty(apiAudience) ? 'api://partner-benefits-${environmentName}' : apiAudience
var effectiveIssuer = empty(authIssuer) ? '${loginEndpoint}${tenant().tenantId}/v2.0' : authIssuer
var effectiveApiScope = empty(apiScope) ? 'api://partner-benefits-${environmentName}/Benefits.Access' : apiScope
var effectiveJwksUri = empty(authJwksUri) ? '${loginEndpoint}${tenant().tenantId}/discovery/v2.0/keys' : authJwksUri

var cosmosDatabaseName = 'benefits'
var cosmosContainerName = 'benefits'
// The leases of the outbox relay's change-feed trigger (functions/outbox.ts).
var cosmosLeaseContainerName = 'leases'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

// The one identity the function app uses for Storage, Cosmos DB, ACS Email and Application Insights.
module identity 'br/public:avm/res/managed-identity/user-assigned-identity:0.4.1' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-api-${resourceToken}'
    location: location
    tags: tags
  }
}

module logAnalytics 'br/public:avm/res/operational-insights/workspace:0.11.1' = {
  name: 'logAnalytics'
  scope: rg
  params: {
    name: 'log-${resourceToken}'
    location: location
    tags: tags
    dataRetention: 30
  }
}

// Local (instrumentation-key) authentication off: ingestion needs an Entra token
// (APPLICATIONINSIGHTS_AUTHENTICATION_STRING + Monitoring Metrics Publisher, see app/rbac.bicep).
module appInsights 'br/public:avm/res/insights/component:0.6.0' = {
  name: 'appInsights'
  scope: rg
  params: {
    name: 'appi-${resourceToken}'
    location: location
    tags: tags
    workspaceResourceId: logAnalytics.outputs.resourceId
    disableLocalAuth: true
  }
}

// AzureWebJobsStorage (host, timers, Durable Functions task hub: blobs, queues, tables) and the
// Flex Consumption deployment container. Shared keys are disabled: identity-based access only.
module storage 'br/public:avm/res/storage/storage-account:0.8.3' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    skuName: 'Standard_LRS'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    dnsEndpointType: 'Standard'
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
    blobServices: {
      containers: [
        {
          name: deploymentContainerName
        }
      ]
    }
    minimumTlsVersion: 'TLS1_2'
  }
}

module appServicePlan 'br/public:avm/res/web/serverfarm:0.1.1' = {
  name: 'appServicePlan'
  scope: rg
  params: {
    name: 'plan-${resourceToken}'
    location: location
    tags: tags
    sku: {
      name: 'FC1'
      tier: 'FlexConsumption'
    }
    reserved: true
  }
}

module cosmos 'app/cosmos.bicep' = {
  name: 'cosmos'
  scope: rg
  params: {
    accountName: 'cosmos-${resourceToken}'
    location: location
    tags: tags
    databaseName: cosmosDatabaseName
    containerName: cosmosContainerName
    leaseContainerName: cosmosLeaseContainerName
  }
}

module email 'app/email.bicep' = {
  name: 'email'
  scope: rg
  params: {
    communicationServiceName: 'acs-${resourceToken}'
    emailServiceName: 'ecs-${resourceToken}'
    dataLocation: communicationDataLocation
    tags: tags
  }
}

// Every role the identity (and optionally the developer) needs, least privilege.
module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    identityPrincipalId: identity.outputs.principalId
    developerPrincipalId: principalId
    storageAccountName: storage.outputs.name
    appInsightsName: appInsights.outputs.name
    cosmosAccountName: cosmos.outputs.accountName
    cosmosDatabaseName: cosmos.outputs.databaseName
    communicationServiceName: email.outputs.communicationServiceName
  }
}

// The portal (Static Web Apps). Created before the API so the API's email links can point at it.
module web 'app/web.bicep' = {
  name: 'web'
  scope: rg
  params: {
    name: 'swa-${resourceToken}'
    location: webLocation
    tags: tags
  }
}

module api 'app/api.bicep' = {
  name: 'api'
  scope: rg
  params: {
    name: functionAppName
    location: location
    tags: tags
    appServicePlanId: appServicePlan.outputs.resourceId
    storageAccountName: storage.outputs.name
    deploymentContainerName: deploymentContainerName
    identityId: identity.outputs.resourceId
    identityClientId: identity.outputs.clientId
    applicationInsightsName: appInsights.outputs.name
    nodeVersion: nodeVersion
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    // Email links (contact verification) open the portal: its URL unless overridden.
    publicBaseUrl: empty(publicBaseUrl) ? web.outputs.uri : publicBaseUrl
    downloadsBaseUrl: downloadsBaseUrl
    // The service's own settings: every key of ConfigSchema (src/config.ts) that production needs.
    // AZURE_CLIENT_ID, PUBLIC_BASE_URL and DOWNLOADS_BASE_URL are added in app/api.bicep. COSMOS_KEY and
    // ACS_CONNECTION_STRING are local-only and deliberately absent (managed identity instead).
    appSettings: {
      COSMOS_ENDPOINT: cosmos.outputs.endpoint
      COSMOS_DATABASE: cosmosDatabaseName
      COSMOS_CONTAINER: cosmosContainerName
      COSMOS_LEASE_CONTAINER: cosmos.outputs.leaseContainerName
      AUTH_ISSUER: effectiveIssuer
      AUTH_AUDIENCE: effectiveAudience
      AUTH_JWKS_URI: effectiveJwksUri
      EMAIL_PROVIDER: 'acs'
      ACS_ENDPOINT: email.outputs.endpoint
      EMAIL_SENDER_ADDRESS: email.outputs.senderAddress
      DATA_DIR: '/tmp/benefits'
      ACTIVATION_PROCESSING_TIME: activationProcessingTime
      CONTACT_VERIFICATION_TIMEOUT: contactVerificationTimeout
      EXPIRY_SWEEP_SCHEDULE: expirySweepSchedule
      EXPIRY_SWEEP_BUDGET: string(expirySweepBudget)
      OUTBOX_RETRY_SCHEDULE: outboxRetrySchedule
    }
  }
  // Start the app only once its identity can reach storage (avoids a failing first host start).
  dependsOn: [
    rbac
  ]
}

// API Management in front of the Function App, linked to the Static Web App as its backend: the portal and the
// API share one origin (docs/decisions.md "Portal in Azure" says why not the Function App itself).
module gateway 'app/gateway.bicep' = {
  name: 'gateway'
  scope: rg
  params: {
    name: 'apim-${resourceToken}'
    location: location
    tags: tags
    functionAppHostName: api.outputs.hostName
    publisherEmail: apimPublisherEmail
    staticWebAppName: web.outputs.name
  }
}

// azd writes these to .azure/<env>/.env. None of them is a secret.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = api.outputs.name
output AZURE_FUNCTION_URL string = api.outputs.uri
output SERVICE_API_NAME string = api.outputs.name
output SERVICE_API_ENDPOINTS array = [
  '${api.outputs.uri}/api'
]
output AZURE_API_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output COSMOS_ENDPOINT string = cosmos.outputs.endpoint
output COSMOS_DATABASE string = cosmosDatabaseName
output COSMOS_CONTAINER string = cosmosContainerName
output ACS_ENDPOINT string = email.outputs.endpoint
output EMAIL_SENDER_ADDRESS string = email.outputs.senderAddress
output AUTH_ISSUER string = effectiveIssuer
output AUTH_AUDIENCE string = effectiveAudience
output AUTH_JWKS_URI string = effectiveJwksUri
output AZURE_STATIC_WEB_APP_NAME string = web.outputs.name
output AZURE_APIM_NAME string = gateway.outputs.name
output AZURE_APIM_API_NAME string = gateway.outputs.apiName
output SERVICE_WEB_NAME string = web.outputs.name
output SERVICE_WEB_ENDPOINTS array = [
  web.outputs.uri
]
output PORTAL_URL string = web.outputs.uri
// The web build reads these (Vite: VITE_*; azure.yaml runs `npm run build:web` with azd's environment).
output VITE_ENTRA_CLIENT_ID string = webClientId
output VITE_ENTRA_AUTHORITY string = '${loginEndpoint}${tenant().tenantId}'
output VITE_API_SCOPE string = effectiveApiScope
output APPLICATIONINSIGHTS_CONNECTION_STRING string = appInsights.outputs.connectionString
