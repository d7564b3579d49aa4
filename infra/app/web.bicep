// The benefits portal: Azure Static Web Apps, Standard (linked backends need it). API Management is linked as
// its backend in gateway.bicep, so the portal calls the API at the same origin under /api (docs/product.md §11).
// Tagged azd-service-name=web so `azd deploy` uploads dist-swa/ here. Routes, SPA fallback and security headers
// come from staticwebapp.config.json in the build (src/web/public/).
param name string
@description('Static Web Apps is offered in a few regions only; the API may live elsewhere.')
param location string
param tags object = {}

resource web 'Microsoft.Web/staticSites@2023-12-01' = {
  name: name
  location: location
  tags: union(tags, {
    'azd-service-name': 'web'
  })
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    // azd deploys the built files; no repository build.
    provider: 'Custom'
    allowConfigFileUpdates: true
    stagingEnvironmentPolicy: 'Disabled'
  }
}

output name string = web.name
output defaultHostname string = web.properties.defaultHostname
output uri string = 'https://${web.properties.defaultHostname}'
