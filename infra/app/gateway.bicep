// API Management (Consumption tier) in front of the Function App, linked to the Static Web App as its backend
// (docs/decisions.md "Portal in Azure"): Static Web Apps proxies same-origin /api/* to it, it forwards to the
// Flex Consumption app. Static Web Apps does not document Flex Consumption as a linked Functions backend, while
// API Management is documented for every tier.
//
// Static Web Apps sets the Authorization header of the requests it proxies to a linked backend to its own token
// (which the product it creates on linking validates; a long-standing, documented-by-issue limitation), so the portal also sends the user's bearer token as X-Client-Authorization;
// the API policy below puts it back into Authorization before the request reaches the Function App, whose HTTP
// contract (Authorization: Bearer) stays as it is.
param name string
param location string = resourceGroup().location
param tags object = {}
@description('Host name of the Function App, e.g. func-api-xyz.azurewebsites.net.')
param functionAppHostName string
@description('Publisher email API Management requires (notifications only).')
param publisherEmail string
param publisherName string = 'Partner benefits'
@description('Name of the Static Web App to link this service to as its backend.')
param staticWebAppName string

resource apim 'Microsoft.ApiManagement/service@2023-05-01-preview' = {
  name: name
  location: location
  tags: tags
  // Consumption: billed per call, nothing while idle; no VNet, no developer portal.
  sku: {
    name: 'Consumption'
    capacity: 0
  }
  properties: {
    publisherEmail: publisherEmail
    publisherName: publisherName
  }
}

// One API at path `api` (Static Web Apps proxies the whole path, /api included) whose operations forward
// every method and path to the Function App's /api. Subscription required: Static Web Apps sends the key of
// the product it creates when linked; the post-provision hook adds this API to that product.
resource api 'Microsoft.ApiManagement/service/apis@2023-05-01-preview' = {
  parent: apim
  name: 'benefits'
  properties: {
    displayName: 'Partner benefits API'
    path: 'api'
    protocols: [
      'https'
    ]
    serviceUrl: 'https://${functionAppHostName}/api'
    subscriptionRequired: true
    apiType: 'http'
  }
}

var methods = [
  'GET'
  'POST'
  'PUT'
  'PATCH'
  'DELETE'
]

resource operations 'Microsoft.ApiManagement/service/apis/operations@2023-05-01-preview' = [
  for method in methods: {
    parent: api
    name: toLower('all-${method}')
    properties: {
      displayName: '${method} /*'
      method: method
      urlTemplate: '/*'
    }
  }
]

// After the product's policy (base: Static Web Apps' validate-jwt on its own token), restore the caller's
// bearer token for the Function App; requests without X-Client-Authorization pass unchanged.
resource apiPolicy 'Microsoft.ApiManagement/service/apis/policies@2023-05-01-preview' = {
  parent: api
  name: 'policy'
  properties: {
    format: 'rawxml'
    value: '''<policies>
  <inbound>
    <base />
    <choose>
      <when condition="@(context.Request.Headers.ContainsKey(&quot;X-Client-Authorization&quot;))">
        <set-header name="Authorization" exists-action="override">
          <value>@(context.Request.Headers.GetValueOrDefault(&quot;X-Client-Authorization&quot;, &quot;&quot;))</value>
        </set-header>
        <set-header name="X-Client-Authorization" exists-action="delete" />
      </when>
    </choose>
  </inbound>
  <backend>
    <base />
  </backend>
  <outbound>
    <base />
  </outbound>
  <on-error>
    <base />
  </on-error>
</policies>'''
  }
}

resource web 'Microsoft.Web/staticSites@2023-12-01' existing = {
  name: staticWebAppName
}

// Requests to the static web app's /api/* are proxied to this service. Linking also creates, in this service,
// a product for the static web app with a subscription and a validate-jwt policy (the hook adds our API to it).
resource backend 'Microsoft.Web/staticSites/linkedBackends@2023-12-01' = {
  parent: web
  name: 'apim'
  properties: {
    backendResourceId: apim.id
    region: location
  }
  dependsOn: [
    apiPolicy
    operations
  ]
}

output name string = apim.name
output id string = apim.id
output apiName string = api.name
output gatewayUrl string = apim.properties.gatewayUrl
