/**
 * When a `Pending` benefit's activation can no longer finish (docs/product.md §6: "never stuck in `Pending`, also when the
 * orchestration instance itself was terminated or failed outside our code: a new activation request then finds that
 * instance ended and starts a new attempt"). Pure: the caller asks the durable runtime for the instance's status.
 */

import { DomainError } from './errors';
import type { ActivationState, Benefit } from './types';

/** How long an unknown instance may still be starting: the starter reserves the attempt, then starts the instance. */
export const START_GRACE_MS = 2 * 60 * 1000;

/**
 * The runtime status of an activation instance as the durable client reports it (`Running`, `Pending`,
 * `Completed`, `Failed`, `Terminated`, `Canceled`, `ContinuedAsNew`, …), or `Unknown` when the runtime has no such
 * instance (purged, or lost with a local runtime's memory).
 */
export type InstanceRuntimeStatus = string;

/**
 * The failure to record on a benefit still `Pending` for an instance whose status is `runtimeStatus`, or undefined
 * while that instance may still settle it (running, pending, or unknown but reserved less than
 * {@link START_GRACE_MS} ago — its start may be under way).
 * - `Terminated` → `orchestration-terminated`; `Failed` → `orchestration-failed`; `Completed`/`Canceled` without
 *   settling the benefit → `orchestration-ended`; `Unknown` after the grace → `orchestration-lost`.
 * @param requestedAt when the attempt was reserved (ISO 8601).
 */
export function endedActivationFailure(
  runtimeStatus: InstanceRuntimeStatus,
  requestedAt: string,
  now: Date,
): { code: string; detail: string } | undefined {
  switch (runtimeStatus) {
    case 'Terminated':
      return {
        code: 'orchestration-terminated',
        detail: 'The activation was stopped before it finished; request the activation again.',
      };
    case 'Failed':
      return {
        code: 'orchestration-failed',
        detail: 'The activation failed before it finished; request the activation again.',
      };
    case 'Completed':
    case 'Canceled':
      return {
        code: 'orchestration-ended',
        detail: 'The activation ended without finishing; request the activation again.',
      };
    case 'Unknown': {
      const reserved = Date.parse(requestedAt);
      if (Number.isFinite(reserved) && now.getTime() - reserved < START_GRACE_MS) return undefined;
      return {
        code: 'orchestration-lost',
        detail: 'The activation is no longer running (it was lost); request the activation again.',
      };
    }
    default:
      return undefined;
  }
}

// ---- the activation state machine (docs/product.md §6) ------------------------------------------------------------
// One set of transitions, used by the starter (src/app/activation.ts) and the orchestration's steps
// (src/app/activationSteps.ts). Each returns the new benefit, or undefined when nothing changes (no mutation).

/** A recorded activation failure: a reason code and a sentence. */
export interface ActivationFailure {
  code: string;
  detail: string;
}

/**
 * The starter's reservation: `NotActivated`/`ActivationFailed` → `Pending` for attempt n+1, instance
 * `activation-{benefitId}-{n+1}` (a double click starts one instance: the write is conditional).
 * @throws DomainError `not-activatable` (not technical / Go-To-Market) · `benefit-cancelled` ·
 *   `activation-in-progress` · `already-active` · `benefit-not-active` (expired) · `marketing-contact-required`
 *   (Go-To-Market without a marketing contact).
 */
export function reserveActivation(
  b: Benefit,
  input: { hasMarketingContact: boolean; requestedBy: string; requestedAt: string },
): { benefit: Benefit; attempt: number; instanceId: string } {
  if (b.category !== 'technical' && b.category !== 'goToMarket') {
    throw new DomainError(
      'not-activatable',
      `${b.productName} is activated by keys or assignment, not here.`,
    );
  }
  if (b.status === 'Cancelled') throw new DomainError('benefit-cancelled', `${b.productName} is cancelled.`);
  if (b.status === 'Pending')
    throw new DomainError('activation-in-progress', 'An activation is already running.');
  if (b.status === 'Active') throw new DomainError('already-active', `${b.productName} is already active.`);
  if (b.status === 'Expired') throw new DomainError('benefit-not-active', `${b.productName} has expired.`);
  if (b.category === 'goToMarket' && !input.hasMarketingContact) {
    throw new DomainError(
      'marketing-contact-required',
      'Assign a marketing contact first (PUT …/marketing-contact); it receives the instructions.',
    );
  }
  const attempt = (b.activation?.attempt ?? 0) + 1;
  const instanceId = activationInstanceId(b.id, attempt);
  const activation: ActivationState = {
    instanceId,
    attempt,
    status: 'Pending',
    requestedAt: input.requestedAt,
    requestedBy: input.requestedBy,
  };
  return { benefit: { ...b, status: 'Pending', activation }, attempt, instanceId };
}

/** Instance id of an activation attempt: derived from the benefit id and the attempt number. */
const activationInstanceId = (benefitId: string, attempt: number): string =>
  `activation-${benefitId}-${attempt}`;

/**
 * The orchestration's first step: the benefit `Pending` for `instanceId` (idempotent on replay: an existing
 * reservation of that instance is kept). Undefined when the benefit was cancelled meanwhile.
 */
export function markActivationPending(
  b: Benefit,
  input: { instanceId: string; requestedBy: string; requestedAt: string },
): Benefit | undefined {
  if (b.status === 'Cancelled') return undefined;
  const same = b.activation?.instanceId === input.instanceId ? b.activation : undefined;
  return {
    ...b,
    status: 'Pending',
    activation: {
      instanceId: input.instanceId,
      attempt: same?.attempt ?? (b.activation?.attempt ?? 0) + 1,
      status: 'Pending',
      requestedAt: same?.requestedAt ?? input.requestedAt,
      requestedBy: same?.requestedBy ?? input.requestedBy,
    },
  };
}

/**
 * The benefit `Active` from `activatedAt` to `expiresAt` (ISO 8601), with the technical ids. Undefined when it was
 * cancelled meanwhile (a cancelled benefit is never overwritten, docs/product.md §4).
 */
export function markActivationActive(
  b: Benefit,
  input: { activatedAt: string; expiresAt: string; accessId?: string; contractId?: string },
): Benefit | undefined {
  if (b.status === 'Cancelled') return undefined;
  const ids = b.category === 'technical' ? { accessId: input.accessId, contractId: input.contractId } : {};
  return {
    ...b,
    ...ids,
    status: 'Active',
    activatedAt: input.activatedAt,
    expiresAt: input.expiresAt,
    activation: b.activation && {
      ...b.activation,
      status: 'Active',
      activatedAt: input.activatedAt,
      expiresAt: input.expiresAt,
    },
  };
}

/**
 * The benefit `ActivationFailed` with `failure` (it may be activated again). Undefined when it is `Cancelled` or
 * `Active`, or — when `instanceId` is given — unless it is still `Pending` for that instance (settling an ended
 * orchestration, a failed start: another writer may have settled it first).
 */
export function markActivationFailed(
  b: Benefit,
  failure: ActivationFailure,
  instanceId?: string,
): Benefit | undefined {
  if (b.status === 'Cancelled' || b.status === 'Active') return undefined;
  if (instanceId !== undefined && (b.status !== 'Pending' || b.activation?.instanceId !== instanceId)) {
    return undefined;
  }
  return {
    ...b,
    status: 'ActivationFailed',
    activation: b.activation && { ...b.activation, status: 'ActivationFailed', failure },
  };
}

/** The activation stopped by a cancellation: a `Pending` activation becomes `Cancelled` (the benefit stays as is). */
export function markActivationCancelled(b: Benefit): Benefit {
  const a = b.activation;
  return { ...b, activation: a && a.status === 'Pending' ? { ...a, status: 'Cancelled' } : a };
}
