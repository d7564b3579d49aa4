/**
 * Cancellation with refund (docs/product.md §4): cancelling a purchase files a `Cancellation` service
 * request.
 *
 * One unit of work (src/app/unitOfWork.ts), decided on the purchase, its benefits and its partner as read together
 * (one query) and written as ONE transactional batch, each document conditional on its ETag: the purchase
 * `Cancelled` with its refund record, every benefit of it `Cancelled` (assignments ended, a `Pending` activation
 * marked cancelled), the renewal of a renewal purchase undone (docs/product.md §12), the `Completed` service request
 * and the audit events. So a cancellation is never half done, and a key reveal racing it (which writes the purchase
 * and the benefit conditionally too) has exactly one winner. An ineligible request writes nothing to the purchase;
 * it is recorded `Rejected` (request and audit event in one batch) and answered 409. After the commit, running
 * activations are told `PurchaseCancelled` so they end without email (docs/product.md §6); should that message be
 * lost, their activities find the benefit `Cancelled` and end the same way.
 */
import { markActivationCancelled } from '../domain/activation';
import { DomainError } from '../domain/errors';
import {
  assertPurchaseActive,
  endAllAssignments,
  refundEligibility,
  type RefundEligibility,
} from '../domain/rules';
import type { Benefit, Purchase, ServiceRequest } from '../domain/types';
import type { UnitOfWork } from './unitOfWork';
import { EVENTS } from './activationContract';
import { etagMatches } from './etag';
import { renewalUndo } from './membership';
import { assertCan } from './policy';
import type { Actor, AppDeps as Services, DurablePort } from './ports';
import { runUnitOfWork } from './unitOfWork';

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
 * cancelled), 400 `validation-failed`, 412 `precondition-failed` when `If-Match` is not the purchase's current ETag
 * (nothing is written). Round trips: one query, one batch.
 */
export async function cancelPurchase(
  services: Services,
  durable: DurablePort,
  cmd: CancelPurchaseCommand,
): Promise<ServiceRequest> {
  assertCan({ roles: cmd.roles }, 'requestCancellation');
  const { caller } = cmd;
  const now = services.clock.now();
  const nowIso = now.toISOString();
  const requestId = services.newId();
  type Outcome =
    | { rejected: Exclude<RefundEligibility, { eligible: true }> }
    | { request: ServiceRequest; running: string[] };
  const { result } = await runUnitOfWork<Outcome>(
    services,
    cmd.partnerId,
    async (uow) => {
      const read = await services.store.readPurchaseWithBenefits(cmd.partnerId, cmd.purchaseId);
      if (!read.purchase) throw new DomainError('not-found', `Purchase ${cmd.purchaseId} does not exist`);
      // A stale If-Match (the purchase's ETag, from GET …/purchases/{purchaseId}) is 412 before anything: nothing
      // is written, not even a Rejected request.
      if (cmd.ifMatch !== undefined && !etagMatches(cmd.ifMatch, read.purchase.etag)) {
        throw new DomainError(
          'precondition-failed',
          `If-Match does not match the current ETag of purchase ${cmd.purchaseId}`,
        );
      }
      const purchase = read.purchase.value;
      assertPurchaseActive(purchase);
      const eligibility = refundEligibility(purchase, now);
      if (!eligibility.eligible) {
        recordRejection(uow, {
          requestId,
          caller,
          purchaseId: purchase.id,
          reason: cmd.reason,
          now,
          eligibility,
        });
        return { rejected: eligibility };
      }
      const cancelled = uow.replace('purchase', read.purchase, {
        ...purchase,
        status: 'Cancelled',
        cancelledAt: nowIso,
        refund: { refundedAt: nowIso, serviceRequestId: requestId },
        cancellation: { requestedBy: caller.objectId, reason: cmd.reason },
      });
      const running: string[] = [];
      let count = 0;
      for (const b of read.benefits) {
        const next = cancelledBenefit(b.value, nowIso);
        if (!next) continue;
        uow.replace('benefit', b, next);
        count++;
        if (b.value.status === 'Pending' && b.value.activation?.instanceId)
          running.push(b.value.activation.instanceId);
      }
      // A refunded renewal purchase no longer renews (docs/product.md §12).
      const undo = read.partner && renewalUndo(read.partner.value, cancelled);
      if (read.partner && undo) {
        uow.replacePartner(read.partner, undo.partner);
        uow.audit({ caller: 'system', ...undo.audit });
      }
      const request = uow.create('serviceRequest', completedRequest(cancelled, count));
      uow.audit({
        caller,
        action: 'purchase.cancel',
        target: { type: 'purchase', id: cancelled.id },
        detail: { serviceRequestId: requestId, benefitsCancelled: count },
      });
      return { request, running };
    },
    { retryOnConflict: cmd.ifMatch === undefined },
  );
  if ('rejected' in result) throw new DomainError(result.rejected.code, result.rejected.detail);
  // Running activations end without email (docs/product.md §6); one that is not running any more is ignored.
  for (const instanceId of result.running) {
    await durable
      .raiseEvent(instanceId, EVENTS.purchaseCancelled, { purchaseId: cmd.purchaseId, at: nowIso })
      .catch((e: unknown) =>
        cmd.log(`PurchaseCancelled not delivered to ${instanceId} (not running?): ${String(e)}`),
      );
  }
  return result.request;
}

/**
 * A benefit of a cancelled purchase (docs/product.md §4): `Cancelled`, its active assignments ended at `nowIso`, a
 * `Pending` activation marked cancelled; undefined when it is cancelled already with nothing open.
 */
function cancelledBenefit(b: Benefit, nowIso: string): Benefit | undefined {
  const open = b.assignments.some((a) => a.endedAt === undefined);
  if (b.status === 'Cancelled' && !open) return undefined;
  return {
    ...markActivationCancelled(b),
    status: 'Cancelled',
    assignments: endAllAssignments(b.assignments, nowIso),
  };
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

/** Records the `Rejected` request of an ineligible cancellation and its audit event (docs/product.md §4). */
function recordRejection(
  uow: UnitOfWork,
  input: {
    requestId: string;
    caller: Actor;
    purchaseId: string;
    reason: string;
    now: Date;
    eligibility: Exclude<RefundEligibility, { eligible: true }>;
  },
): void {
  const { code, detail } = input.eligibility;
  uow.create<ServiceRequest>('serviceRequest', {
    id: input.requestId,
    partnerId: uow.partnerId,
    type: 'Cancellation',
    status: 'Rejected',
    createdAt: input.now.toISOString(),
    createdBy: input.caller.objectId,
    reason: input.reason,
    details: { purchaseId: input.purchaseId, rejectionCode: code, rejectionDetail: detail },
  });
  uow.audit({
    caller: input.caller,
    action: 'purchase.cancel',
    target: { type: 'purchase', id: input.purchaseId },
    outcome: 'Rejected',
    detail: { serviceRequestId: input.requestId, code },
  });
}
