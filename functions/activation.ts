import { app } from '@azure/functions';
import { registerActivity, registerOrchestration } from '../src/orchestration/durable';
import { ACTIVATION_ORCHESTRATOR, ACTIVITIES } from '../src/orchestration/contract';
import { registerRoutes, ROUTE_GROUPS } from '../src/http/routes';

// The orchestrator, its activities and durable-functions load on the first orchestration or activity
// (src/orchestration/durable.ts); the registrations are those of df.app.orchestration / df.app.activity.
const activities = () => import('../src/orchestration/activities');
registerOrchestration(
  ACTIVATION_ORCHESTRATOR,
  async () => (await import('../src/orchestration/activation')).activationOrchestrator,
);
registerActivity(ACTIVITIES.request, async () => (await activities()).activationRequest);
registerActivity(ACTIVITIES.contactStatus, async () => (await activities()).activationContactStatus);
registerActivity(ACTIVITIES.email, async () => (await activities()).activationEmailInstructions);
registerActivity(ACTIVITIES.complete, async () => (await activities()).activationComplete);
registerActivity(ACTIVITIES.fail, async () => (await activities()).activationFail);
registerActivity(ACTIVITIES.cancel, async () => (await activities()).activationCancelled);

registerRoutes(app, ROUTE_GROUPS.activation);
