/**
 * Activities of the activation orchestration (docs/product.md §6): each calls one step of src/app/activationSteps.ts
 * with the app's dependencies (src/services.ts). Idempotency and the state machine are the steps'.
 */
import * as steps from '../app/activationSteps';
import { getServices } from '../services';

type Base = steps.Base;

/** Step 1: marks the benefit `Pending` for this instance. `proceed: false` when it was cancelled meanwhile. */
export const activationRequest = (input: Base & { requestedBy: string; requestedAt: string }) =>
  steps.markActivationRequested(getServices(), input);

/** Step 3: whether the partner's marketing contact exists and is verified. */
export const activationContactStatus = (input: Base) =>
  steps.readMarketingContactStatus(getServices(), input);

/**
 * Step 4: owes the instructions email (idempotency key = instance id) and sends it now; throws when the send may
 * succeed later, so the orchestrator's retry policy retries it.
 */
export const activationEmailInstructions = (input: steps.Completion) =>
  steps.emailActivationInstructions(getServices(), input);

/** Step 5: marks the benefit `Active` with `activatedAt`, `expiresAt` and the technical ids (no email). */
export const activationComplete = (input: steps.Completion) => steps.completeActivation(getServices(), input);

/** A permanent failure: `ActivationFailed` with a reason code (may be activated again). */
export const activationFail = (input: Base & { code: string; detail: string }) =>
  steps.failActivation(getServices(), input);

/** The activation ended because the purchase was cancelled: no email, benefit stays `Cancelled`. */
export const activationCancelled = (input: Base) => steps.endCancelledActivation(getServices(), input);
