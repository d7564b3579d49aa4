import { app } from '@azure/functions';
import * as df from 'durable-functions';
import { ACTIVATION_ORCHESTRATOR, ACTIVITIES, activationOrchestrator } from '../src/orchestration/activation';
import {
  activationCancelled,
  activationComplete,
  activationContactStatus,
  activationFail,
  activationRequest,
  activationSendInstructions,
} from '../src/orchestration/activities';
import {
  fulfilActivation,
  getActivation,
  rejectActivation,
  startActivation,
} from '../src/http/routes/activation';

df.app.orchestration(ACTIVATION_ORCHESTRATOR, activationOrchestrator);
df.app.activity(ACTIVITIES.request, { handler: activationRequest });
df.app.activity(ACTIVITIES.contactStatus, { handler: activationContactStatus });
df.app.activity(ACTIVITIES.sendInstructions, { handler: activationSendInstructions });
df.app.activity(ACTIVITIES.complete, { handler: activationComplete });
df.app.activity(ACTIVITIES.fail, { handler: activationFail });
df.app.activity(ACTIVITIES.cancel, { handler: activationCancelled });

app.http(startActivation.name, startActivation.options);
app.http(getActivation.name, getActivation.options);
app.http(fulfilActivation.name, fulfilActivation.options);
app.http(rejectActivation.name, rejectActivation.options);
