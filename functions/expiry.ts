import { app } from '@azure/functions';
import { expirySweepTimer } from '../src/http/expirySweep';

// docs/product.md §8: NCRONTAB from the EXPIRY_SWEEP_SCHEDULE app setting (default hourly). `npm run sweep`
// runs it now.
app.timer('expirySweep', { schedule: '%EXPIRY_SWEEP_SCHEDULE%', handler: expirySweepTimer });
