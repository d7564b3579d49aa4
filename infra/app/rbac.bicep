// Role assignments for the function app's user-assigned identity (and, optionally, the deploying
// developer). Least privilege: data-plane roles on the single resource that needs them, never on the
// resource group or subscription.
@description('Principal (object) id of the function app\'s user-assigned managed identity.')
param identityPrincipalId string
@description('Object id of the deploying developer; empty = no developer access.')
param developerPrincipalId string = ''
param storageAccountName string
param appInsightsName string
param cosmosAccountName string
@description('The database of the app\'s container and the change-feed lease container.')
param cosmosDatabaseName string
param communicationServiceName string

// Built-in Azure role definition ids.
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}
// Built-in Cosmos DB (NoSQL data plane) role: Cosmos DB Built-in Data Contributor.
var cosmosDataContributorRoleId = '00000000-0000-0000-0000-000000000002'

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource cosmos 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' existing = {
  name: cosmosAccountName
}

resource communicationService 'Microsoft.Communication/communicationServices@2023-04-01' existing = {
  name: communicationServiceName
}

// AzureWebJobsStorage with Durable Functions (Azure Storage provider) uses blobs (leases, large
// messages, deployment package), queues (control and work-item queues) and tables (history, instances).
var storageRoles = [
  roles.storageBlobDataOwner
  roles.storageQueueDataContributor
  roles.storageTableDataContributor
]

resource storageRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in storageRoles: {
    name: guid(storage.id, identityPrincipalId, roleId)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: identityPrincipalId
      principalType: 'ServicePrincipal'
    }
  }
]

// Entra-authenticated telemetry ingestion (the component has local auth disabled).
resource appInsightsRoleAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, identityPrincipalId, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Cosmos DB data plane: read/write items and query in the app's database only — its container, and the lease
// container of the outbox relay's change-feed trigger, which reads the change feed of the one and keeps its leases
// (reads and writes) in the other. Scoped to the database, not the account. No control-plane (ARM) role: the
// identity cannot read keys, change throughput or create or delete containers (both containers come from
// app/cosmos.bicep).
resource cosmosIdentityRoleAssignment 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = {
  parent: cosmos
  name: guid(cosmos.id, identityPrincipalId, cosmosDataContributorRoleId, cosmosDatabaseName)
  properties: {
    roleDefinitionId: '${cosmos.id}/sqlRoleDefinitions/${cosmosDataContributorRoleId}'
    principalId: identityPrincipalId
    scope: '${cosmos.id}/dbs/${cosmosDatabaseName}'
  }
}

resource cosmosDeveloperRoleAssignment 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = if (!empty(developerPrincipalId)) {
  parent: cosmos
  name: guid(cosmos.id, developerPrincipalId, cosmosDataContributorRoleId)
  properties: {
    roleDefinitionId: '${cosmos.id}/sqlRoleDefinitions/${cosmosDataContributorRoleId}'
    principalId: developerPrincipalId
    scope: cosmos.id
  }
}

// ACS Email with Microsoft Entra ID: ACS has no data-plane RBAC roles for email. Microsoft documents
// that the identity needs a role with Microsoft.Communication/CommunicationServices/Read,
// .../CommunicationServices/Write and Microsoft.Communication/EmailServices/write on the
// Communication Services resource, "either the Contributor role or a custom role". This custom role
// holds exactly those three actions and is assigned on the ACS resource only, so unlike Contributor
// it cannot list or regenerate the access keys, delete the resource, or touch anything else.
// Creating it needs Microsoft.Authorization/roleDefinitions/write (Owner or User Access Administrator).
resource emailSenderRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, 'acs-email-sender')
  properties: {
    roleName: 'ACS Email Sender (${resourceGroup().name})'
    description: 'Send email through Azure Communication Services with Microsoft Entra ID (partner-benefits).'
    type: 'customRole'
    permissions: [
      {
        actions: [
          'Microsoft.Communication/CommunicationServices/Read'
          'Microsoft.Communication/CommunicationServices/Write'
          'Microsoft.Communication/EmailServices/write'
        ]
        notActions: []
        dataActions: []
        notDataActions: []
      }
    ]
    assignableScopes: [
      resourceGroup().id
    ]
  }
}

resource emailSenderRoleAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(communicationService.id, identityPrincipalId, 'acs-email-sender')
  scope: communicationService
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', emailSenderRole.name)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
  // The role definition must exist (and replicate) before it is assigned.
  dependsOn: [
    emailSenderRole
  ]
}
