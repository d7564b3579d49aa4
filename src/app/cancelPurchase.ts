/**
 * Cancellation with refund (docs/product.md §4): cancelling a purchase files a `Cancellation` service
 * request.
 *
 * The purchase document is the arbiter: eligibility (`refundEligibility`) is evaluated inside its conditional
 * (ETag) update, as the key reveal route records a software reveal inside its own conditional update of the same
 * document — so a reveal racing a cancellation has exactly one winner. An ineligible request writes nothing to
 * the purchase; it is recorded `Rejected` and answered 409. An eligible one cancels the purchase (with its refund
 * record), then every benefit of it (assignments ended), undoes the renewal of a renewal purchase
 * (docs/product.md §12), records the request `Completed`, and tells running activations `PurchaseCancelled`
 * so they end without email (docs/product.md §6).
 */
import { markActivationCancelled } from '../domain/activation';
import { DomainError, isDomainError } from '../domain/errors';
import {
  assertPurchaseActive,
  endAllAssignments,
  refundEligibility,
  type RefundEligibility,
} from '../domain/rules';
import type { Benefit, Purchase, ServiceRequest } from '../domain/types';
import { EVENTS } from './activationContract';
import { audit } from './audit';
import { undoRenewal } from './membership';
import { assertCan } from './policy';
import type { Actor, AppDeps as Services, DurablePort } from './ports';

/** Thrown inside the purchase's mutate to abort without writing when the purchase is not eligible. */
class NotEligible extends Error {
  constructor(readonly eligibility: Exclude<RefundEligibility, { eligible: true }>) {
    super(eligibility.code);
    this.name = 'NotEligible';
  }
}

/** Input of {@link cancelPurchase}. */
export interface CancelPurchaseCommand {
  caller: Actor;
  /** The calling member's roles (the policy's `requestCancellation`). */
  roles: import('../domain/types').Role[];
  partnerId: string;
  purchaseId: string;
  reason: string;
  /** The purchase's ETag from `If-Match`, if any: a stale one writes nothing (412). */
  ifMatch?: string;
  log: (message: string) => void;
}

/**
 * Cancels a purchase with a refund; returns the `Completed` Cancellation service request
 * `{ id, partnerId, type: 'Cancellation', status, createdAt, createdBy, reason, details: { purchaseId, packageId,
 * refundedAt, benefitsCancelled } }`.
 * Errors: 404 `not-found` (purchase); 409 `refund-window-elapsed` / `software-benefits-activated` (a `Rejected`
 * request with `details.rejectionCode` is recorded and audited first), 409 `purchase-cancelled` (already
 * cancelled; any unfinished cascade of an earlier cancellation is completed first), 400 `validation-failed`,
 * 412 `precondition-failed` when `If-Match` is not the purchase's current ETag (nothing is written).
 */
export async function cancelPurchase(
  services: Services,
  durable: DurablePort,
  cmd: CancelPurchaseCommand,
): Promise<ServiceRequest> {
  assertCan({ roles: cmd.roles }, 'requestCancellation');
  const { caller } = cmd;
  const params = { partnerId: cmd.partnerId, purchaseId: cmd.purchaseId };
  const now = services.clock.now();
  const nowIso = now.toISOString();
  const requestId = services.newId();
  let cancelled: Purchase;
  try {
    const saved = await services.store.updatePurchase(
      params.partnerId,
      params.purchaseId,
      (p) => {
        assertPurchaseActive(p);
        const eligibility = refundEligibility(p, now);
        if (!eligibility.eligible) throw new NotEligible(eligibility);
        return {
          value: {
            ...p,
            status: 'Cancelled',
            cancelledAt: nowIso,
            refund: { refundedAt: nowIso, serviceRequestId: requestId },
            cancellation: { requestedBy: caller.objectId, reason: cmd.reason },
          },
        };
        // A stale If-Match (the purchase's ETag, from GET …/purchases/{purchaseId}) is 412 before this runs:
        // nothing is written, not even a Rejected request.
      },
      { ifMatch: cmd.ifMatch },
    );
    cancelled = saved.value;
  } catch (e) {
    if (e instanceof NotEligible) {
      await reject(services, { requestId, caller, params, reason: cmd.reason, now, e });
    }
    if (isDomainError(e) && e.code === 'purchase-cancelled') {
      // Self-healing: an earlier cancellation that stopped after the purchase write gets its cascade and
      // its Completed service request done; this request is still answered 409 purchase-cancelled.
      await completeInterrupted(services, durable, cmd.log, params.partnerId, params.purchaseId, now);
    }
    throw e;
  }

  const { count } = await cancelBenefits(services, durable, cmd.log, params.partnerId, cancelled.id, now);
  await undoRenewal(services, cancelled); // a refunded renewal purchase no longer renews (docs/product.md §12)
  const request = completedRequest(cancelled, count);
  await services.store.createServiceRequest(request);
  await audit(services, {
    partnerId: params.partnerId,
    caller,
    action: 'purchase.cancel',
    target: { type: 'purchase', id: cancelled.id },
    detail: { serviceRequestId: requestId, benefitsCancelled: count },
  });
  return request;
}

/** The `Completed` Cancellation request of a cancelled purchase, rebuilt from what its conditional write recorded. */
function completedRequest(purchase: Purchase, benefitsCancelled: number): ServiceRequest {
  const refund = purchase.refund!;
  return {
    id: refund.serviceRequestId,
    partnerId: purchase.partnerId,
    type: 'Cancellation',
    status: 'Completed',
    createdAt: refund.refundedAt,
    createdBy: purchase.cancellation?.requestedBy ?? 'system',
    ...(purchase.cancellation ? { reason: purchase.cancellation.reason } : {}),
    details: {
      purchaseId: purchase.id,
      packageId: purchase.packageId,
      refundedAt: refund.refundedAt,
      benefitsCancelled,
    },
  };
}

/**
 * Finishes a cancellation that stopped after its purchase write (a crash, a timeout): cancels the benefits left
 * (idempotent) and files its `Completed` service request if it is missing, audited as `system`. Safe to run any
 * number of times; a request already filed is left as it is.
 */
async function completeInterrupted(
  services: Services,
  durable: DurablePort,
  log: (message: string) => void,
  partnerId: string,
  purchaseId: string,
  now: Date,
): Promise<void> {
  const purchase = (await services.store.getPurchase(partnerId, purchaseId))?.value;
  if (!purchase?.refund) return;
  await cancelBenefits(services, durable, log, partnerId, purchaseId, now);
  await undoRenewal(services, purchase);
  try {
    await services.store.createServiceRequest(completedRequest(purchase, purchase.benefitIds.length));
  } catch (e) {
    if (isDomainError(e) && e.code === 'conflict') return; // filed by the original request
    throw e;
  }
  await audit(services, {
    partnerId,
    caller: 'system',
    action: 'purchase.cancel',
    target: { type: 'purchase', id: purchaseId },
    detail: { serviceRequestId: purchase.refund.serviceRequestId, completedAfterInterruption: true },
  });
}

/**
 * Records and audits the `Rejected` request of an ineligible cancellation (docs/product.md §4), then lets the
 * 409 go.
 */
async function reject(
  services: Services,
  input: {
    requestId: string;
    caller: Actor;
    params: { partnerId: string; purchaseId: string };
    reason: string;
    now: Date;
    e: NotEligible;
  },
): Promise<never> {
  const { code, detail } = input.e.eligibility;
  const request: ServiceRequest = {
    id: input.requestId,
    partnerId: input.params.partnerId,
    type: 'Cancellation',
    status: 'Rejected',
    createdAt: input.now.toISOString(),
    createdBy: input.caller.objectId,
    reason: input.reason,
    details: { purchaseId: input.params.purchaseId, rejectionCode: code, rejectionDetail: detail },
  };
  await services.store.createServiceRequest(request);
  await audit(services, {
    partnerId: input.params.partnerId,
    caller: input.caller,
    action: 'purchase.cancel',
    target: { type: 'purchase', id: input.params.purchaseId },
    outcome: 'Rejected',
    detail: { serviceRequestId: input.requestId, code },
  });
  throw new DomainError(code, detail);
}

/**
 * Cancels every benefit of a cancelled purchase (docs/product.md §4): status `Cancelled`, active assignments
 * ended (`endedAt` = `now`), a `Pending` activation marked `Cancelled`; each benefit by its own conditional
 * update, writing nothing for one already cancelled (idempotent, safe to run twice or concurrently). Then
 * raises `PurchaseCancelled` to the orchestration of every benefit that was `Pending`, so it ends without
 * email; an instance that is not running any more is logged as a warning and ignored.
 * Round trips: one query, then per benefit one read plus one write when it changes.
 * @returns how many benefits this call changed.
 */
async function cancelBenefits(
  services: Services,
  durable: DurablePort,
  log: (message: string) => void,
  partnerId: string,
  purchaseId: string,
  now: Date,
): Promise<{ count: number }> {
  const nowIso = now.toISOString();
  const benefits = await services.store.listBenefitsOfPurchase(partnerId, purchaseId);
  const instances: string[] = [];
  let count = 0;
  await Promise.all(
    benefits.map(async (listed) => {
      const out = await services.store.updateBenefitIfChanged<string | undefined>(
        partnerId,
        listed.id,
        (b) => {
          const open = b.assignments.some((a) => a.endedAt === undefined);
          if (b.status === 'Cancelled' && !open) return undefined;
          const running = b.status === 'Pending' ? b.activation?.instanceId : undefined;
          const value: Benefit = {
            ...markActivationCancelled(b),
            status: 'Cancelled',
            assignments: endAllAssignments(b.assignments, nowIso),
          };
          return { value, result: running };
        },
        { maxAttempts: 30 },
      );
      if (!out.changed) return;
      count++;
      if (out.result) instances.push(out.result);
    }),
  );
  if (instances.length > 0) {
    for (const instanceId of instances) {
      await durable
        .raiseEvent(instanceId, EVENTS.purchaseCancelled, { purchaseId, at: nowIso })
        .catch((e: unknown) =>
          log(`PurchaseCancelled not delivered to ${instanceId} (not running?): ${String(e)}`),
        );
    }
  }
  return { count };
}
