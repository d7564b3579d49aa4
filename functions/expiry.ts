import { app } from '@azure/functions';
import { expiryTimer } from '../src/http/notices';

// docs/product.md §8, §12: NCRONTAB from the EXPIRY_SWEEP_SCHEDULE app setting (default hourly): the expiry
// sweep, then the notices before things run out. `npm run sweep` runs it now.
app.timer('expirySweep', { schedule: '%EXPIRY_SWEEP_SCHEDULE%', handler: expiryTimer });
