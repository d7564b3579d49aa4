import { app, type InvocationContext } from '@azure/functions';
import { relayOutbox, retryOwedEmails } from '../src/app/outbox';
import { getServices } from '../src/services';
import { outboxRecordsOf } from '../src/store/store';

/**
 * The outbox relay (docs/architecture.md, "One unit of work per mutation"): the container's change feed delivers
 * every committed document; the `Pending` outbox records among them are sent right away. Identity-based connection
 * `COSMOS__accountEndpoint` / `COSMOS__credential` / `COSMOS__clientId` (infra/app/api.bicep), its leases in the
 * container `%COSMOS_LEASE_CONTAINER%` (created by infra/app/cosmos.bicep: the identity has no control-plane role).
 * Locally the host delivers the feed itself right after every invocation (src/local/changeFeed.ts).
 * @throws nothing for one record (the timer retries it); the store's error otherwise (the host retries the batch).
 */
async function outboxChangeFeed(documents: unknown[], context: InvocationContext) {
  const result = await relayOutbox(
    getServices(),
    outboxRecordsOf(Array.isArray(documents) ? documents : []),
    { log: (m) => context.warn(m) },
  );
  if (result.sent + result.retried + result.failed > 0) {
    context.log(`Outbox relay: ${result.sent} sent, ${result.retried} to retry, ${result.failed} given up.`);
  }
  return result;
}

/**
 * The outbox timer (`%OUTBOX_RETRY_SCHEDULE%`, default every minute): sends what is left — a failed attempt whose
 * back-off has passed, a lease that ran out, a record the change feed did not deliver.
 */
async function outboxRetryTimer(_timer: unknown, context: InvocationContext) {
  const result = await retryOwedEmails(getServices(), { log: (m) => context.warn(m) });
  context.log(
    `Outbox retry: ${result.sent} sent, ${result.retried} to retry, ${result.failed} given up, ${result.pages} pages.`,
  );
  return result;
}

app.cosmosDB('outboxRelay', {
  connection: 'COSMOS',
  databaseName: '%COSMOS_DATABASE%',
  containerName: '%COSMOS_CONTAINER%',
  leaseContainerName: '%COSMOS_LEASE_CONTAINER%',
  createLeaseContainerIfNotExists: false,
  handler: outboxChangeFeed,
});
app.timer('outboxRetry', { schedule: '%OUTBOX_RETRY_SCHEDULE%', handler: outboxRetryTimer });
