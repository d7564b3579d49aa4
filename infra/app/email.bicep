// Azure Communication Services Email: an Email Communication Services resource with an
// Azure-managed domain (<guid>.azurecomm.net, verified by Azure, sender DoNotReply), linked to a
// Communication Services resource whose endpoint the app calls with its managed identity.
// Azure-managed domains are for development and low volume (5 emails/min, 10/hour by default):
// add a custom, verified domain for production volume.
param communicationServiceName string
param emailServiceName string
@description('Data residency; the email domain can only be linked within the same geography.')
param dataLocation string = 'United States'
param tags object = {}

resource emailService 'Microsoft.Communication/emailServices@2023-04-01' = {
  name: emailServiceName
  location: 'global'
  tags: tags
  properties: {
    dataLocation: dataLocation
  }
}

resource managedDomain 'Microsoft.Communication/emailServices/domains@2023-04-01' = {
  parent: emailService
  name: 'AzureManagedDomain'
  location: 'global'
  tags: tags
  properties: {
    domainManagement: 'AzureManaged'
    userEngagementTracking: 'Disabled'
  }
}

resource communicationService 'Microsoft.Communication/communicationServices@2023-04-01' = {
  name: communicationServiceName
  location: 'global'
  tags: tags
  properties: {
    dataLocation: dataLocation
    linkedDomains: [
      managedDomain.id
    ]
  }
}

output communicationServiceName string = communicationService.name
// hostName is the resource's FQDN, e.g. <name>.<geo>.communication.azure.com.
output endpoint string = 'https://${communicationService.properties.hostName}'
// The Azure-managed domain comes with the DoNotReply sender username.
output senderAddress string = 'DoNotReply@${managedDomain.properties.mailFromSenderDomain}'
