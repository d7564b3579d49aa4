/**
 * The activation orchestration's durable contract (docs/product.md §6): the names of the orchestration, its activities and
 * its events, and the shapes of its input and output. The use cases that start or signal activations import this module
 * only, so they do not load the orchestrator or durable-functions (docs/decisions.md, "Cold start").
 */

/** Names of the orchestration, its activities and events (the durable contract). */
export const ACTIVATION_ORCHESTRATOR = 'activationOrchestrator';
export const ACTIVITIES = {
  request: 'activationRequest',
  contactStatus: 'activationContactStatus',
  email: 'activationEmailInstructions',
  complete: 'activationComplete',
  fail: 'activationFail',
  cancel: 'activationCancelled',
} as const;
export const EVENTS = {
  fulfilled: 'ActivationFulfilled',
  rejected: 'ActivationRejected',
  purchaseCancelled: 'PurchaseCancelled',
  contactVerified: 'ContactVerified',
} as const;

/** Input of the orchestration, set by the starter (durations resolved from settings there). */
export interface ActivationInput {
  partnerId: string;
  benefitId: string;
  category: 'technical' | 'goToMarket';
  attempt: number;
  requestedBy: string;
  requestedAt: string;
  /** ACTIVATION_PROCESSING_TIME in milliseconds. */
  processingTimeMs: number;
  /** CONTACT_VERIFICATION_TIMEOUT in milliseconds. */
  contactTimeoutMs: number;
}

/** What an operator's `ActivationFulfilled` event may carry. */
export interface FulfilmentEvent {
  accessId?: string;
  contractId?: string;
}

/** The `failure.detail` of an activation whose instructions email could not be delivered (`email-failed`). */
export const EMAIL_FAILED_DETAIL =
  'The activation instructions could not be emailed to their recipients; activate again to retry.';

/** What the email and completion activities decide (steps 4 and 5): go on, or end the activation. */
export type StepOutcome =
  { status: 'Sent' | 'Active' | 'Cancelled' } | { status: 'ActivationFailed'; code: string; detail: string };

/** The orchestration's final output. */
export interface ActivationOutcome {
  status: 'Active' | 'ActivationFailed' | 'Cancelled';
  code?: string;
}
