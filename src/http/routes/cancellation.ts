/**
 * Cancellation with refund (docs/product.md §4):
 * `POST /api/partners/{partnerId}/purchases/{purchaseId}/cancellation` `{ reason }` files a `Cancellation`
 * service request.
 *
 * The purchase document is the arbiter: eligibility (`refundEligibility`) is evaluated inside its conditional
 * (ETag) update, as the key reveal route records a software reveal inside its own conditional update of the same
 * document — so a reveal racing a cancellation has exactly one winner. An ineligible request writes nothing to
 * the purchase; it is recorded `Rejected` and answered 409. An eligible one cancels the purchase (with its refund
 * record), then every benefit of it (assignments ended), undoes the renewal of a renewal purchase
 * (docs/product.md §12), records the request `Completed`, and tells running activations `PurchaseCancelled`
 * so they end without email (docs/product.md §6).
 */
import { cancelPurchase } from '../../app/cancelPurchase';
import { CancellationBody, ServiceRequestSchema } from '../../domain/schemas';
import { defineRoute, WITH_DURABLE_CLIENT, ifMatch } from '../route';
import { PurchaseParams } from './params';

/**
 * `POST …/purchases/{purchaseId}/cancellation` `{ reason }` → 201 the `Completed` Cancellation service request
 * `{ id, partnerId, type: 'Cancellation', status, createdAt, createdBy, reason, details: { purchaseId, packageId,
 * refundedAt, benefitsCancelled } }`.
 * Errors: 404 `not-found` (purchase); 409 `refund-window-elapsed` / `software-benefits-activated` (a `Rejected`
 * request with `details.rejectionCode` is recorded and audited first), 409 `purchase-cancelled` (already
 * cancelled; any unfinished cascade of an earlier cancellation is completed first), 400 `validation-failed`,
 * 412 `precondition-failed` when `If-Match` is not the purchase's current ETag (nothing is written).
 */
export const requestCancellation = defineRoute(
  {
    name: 'requestCancellation',
    method: 'POST',
    route: 'partners/{partnerId}/purchases/{purchaseId}/cancellation',
    summary: 'Cancel a purchase with a refund (within 30 days, no software keys revealed)',
    tags: ['purchases', 'service-requests'],
    access: { kind: 'partner', action: 'requestCancellation', benefits: true },
    params: PurchaseParams,
    body: CancellationBody,
    responses: {
      201: { description: 'The completed Cancellation service request', schema: ServiceRequestSchema },
    },
    handle: async ({ services, params, body, caller, user, context, request }) => {
      const serviceRequest = await cancelPurchase(services, services.durableClient(context), {
        caller,
        roles: user.roles,
        ...params,
        reason: body.reason,
        ifMatch: ifMatch(request),
        log: (m) => context.warn(m),
      });
      return { status: 201, body: serviceRequest };
    },
  },
  WITH_DURABLE_CLIENT,
);
