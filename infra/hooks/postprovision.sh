#!/usr/bin/env sh
# azd postprovision hook: exposes the API to the portal's Static Web App through API Management.
#
# Linking API Management to a Static Web App (infra/app/gateway.bicep) creates, inside API Management, a product
# named "Azure Static Web Apps - <static web app host name> (Linked)" with a subscription whose key the static
# web app sends. APIs are reachable through it only once they belong to that product (Static Web Apps docs,
# "Configure APIs to receive requests"), and the product exists only after the link, so this adds our API to it.
# Needs the Azure CLI signed in to the same subscription (az login). Idempotent.
set -eu

: "${AZURE_RESOURCE_GROUP:?run through azd (azd provision / azd up)}"
: "${AZURE_APIM_NAME:?}"
: "${AZURE_APIM_API_NAME:?}"
: "${AZURE_STATIC_WEB_APP_NAME:?}"

if ! command -v az >/dev/null 2>&1; then
  echo "postprovision: the Azure CLI (az) is needed to add the API to the Static Web Apps product." >&2
  echo "  Install it, az login, then run: azd hooks run postprovision" >&2
  exit 1
fi

host=$(az staticwebapp show -g "$AZURE_RESOURCE_GROUP" -n "$AZURE_STATIC_WEB_APP_NAME" --query defaultHostname -o tsv)
product=""
for attempt in 1 2 3 4 5 6 7 8 9 10; do
  product=$(az apim product list -g "$AZURE_RESOURCE_GROUP" -n "$AZURE_APIM_NAME" \
    --query "[?contains(displayName, '$host')].name | [0]" -o tsv)
  [ -n "$product" ] && break
  echo "postprovision: waiting for the Static Web Apps product in $AZURE_APIM_NAME ($attempt/10)…"
  sleep 15
done
if [ -z "$product" ]; then
  echo "postprovision: no product for $host in $AZURE_APIM_NAME: is the Static Web App linked (API menu)?" >&2
  exit 1
fi

az apim product api add -g "$AZURE_RESOURCE_GROUP" -n "$AZURE_APIM_NAME" \
  --product-id "$product" --api-id "$AZURE_APIM_API_NAME" --output none
echo "postprovision: API $AZURE_APIM_API_NAME is in product $product; the portal reaches it at https://$host/api"
