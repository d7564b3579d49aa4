import { app, type InvocationContext } from '@azure/functions';
import { expireBenefitsAndSendNotices } from '../src/app/notices';
import { getServices } from '../src/services';

/**
 * The expiry timer (docs/product.md §8, §12): NCRONTAB from the EXPIRY_SWEEP_SCHEDULE app setting (default hourly)
 * runs the use case: the expiry sweep, then the notices before things run out. `npm run sweep` runs it now.
 * @throws whatever the sweep throws (the Functions host logs the failed run; the next run starts afresh).
 */
async function expiryTimer(_timer: unknown, context: InvocationContext) {
  const result = await expireBenefitsAndSendNotices(getServices(), { log: (m) => context.warn(m) });
  context.log(`Expiry sweep: ${result.expired} expired, ${result.notices} notices, ${result.pages} pages.`);
  context.log(
    `Notice sweep: ${result.reminders.sent} notices sent, ${result.reminders.examined} due, ${result.reminders.pages} pages.`,
  );
  return result;
}

app.timer('expirySweep', { schedule: '%EXPIRY_SWEEP_SCHEDULE%', handler: expiryTimer });
