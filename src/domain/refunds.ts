/**
 * Cancellation and refunds (docs/product.md §4; seeds, "Cancel a membership benefit": "you must make the
 * request within 30 days of purchase and not have activated the software benefits").
 */
import { DateTime } from 'luxon';
import { DomainError } from './errors';
import type { Benefit, Purchase } from './types';

/**
 * The refund window: exactly 30 × 24 hours after `purchasedAt` (docs/product.md §4). A plain duration object,
 * not a luxon `Duration` built at module load (that cost ~10 ms of every cold start).
 */
const REFUND_WINDOW = Object.freeze({ hours: 30 * 24 });

/** Result of `refundEligibility`. */
export type RefundEligibility =
  | { eligible: true }
  | { eligible: false; code: 'refund-window-elapsed' | 'software-benefits-activated'; detail: string };

/**
 * Whether a purchase may still be cancelled with a refund (docs/product.md §4): eligible iff `now` <
 * `purchasedAt` + 30×24 h (exclusive bound; the purchase instant itself is eligible) AND no `software`
 * benefit of it ever revealed keys (`purchase.softwareKeysRevealedAt` unset). License-based cloud keys do not
 * count (they are not software). When both fail, `refund-window-elapsed` is reported (product). Does not look
 * at `purchase.status`: check `assertPurchaseActive` first.
 * @throws DomainError `internal-error` when `purchasedAt` is not a valid ISO 8601 instant.
 */
export function refundEligibility(purchase: Purchase, now: Date): RefundEligibility {
  const purchasedAt = DateTime.fromISO(purchase.purchasedAt, { zone: 'utc' });
  if (!purchasedAt.isValid) {
    throw new DomainError('internal-error', `Invalid purchasedAt: ${JSON.stringify(purchase.purchasedAt)}.`);
  }
  const deadline = purchasedAt.plus(REFUND_WINDOW);
  if (now.getTime() >= deadline.toMillis()) {
    return {
      eligible: false,
      code: 'refund-window-elapsed',
      detail: `Refunds must be requested within 30 days of purchase; the window ended at ${deadline.toISO()}.`,
    };
  }
  if (purchase.softwareKeysRevealedAt !== undefined) {
    return {
      eligible: false,
      code: 'software-benefits-activated',
      detail: `Software benefits of this purchase were activated (keys revealed at ${purchase.softwareKeysRevealedAt}); it cannot be refunded.`,
    };
  }
  return { eligible: true };
}

/**
 * Throws when the purchase is already cancelled.
 * @throws DomainError `purchase-cancelled`.
 */
export function assertPurchaseActive(purchase: Pick<Purchase, 'status' | 'id'>): void {
  if (purchase.status === 'Cancelled') {
    throw new DomainError('purchase-cancelled', `Purchase ${purchase.id} is already cancelled.`);
  }
}

/**
 * The purchase after a key reveal of `benefit` (docs/product.md §4): a `software` reveal sets
 * `softwareKeysRevealedAt` = `now` (ISO) if unset, returning a new purchase; any other reveal (license-based
 * cloud) or an already-set timestamp returns `purchase` itself unchanged, so `result !== purchase` tells
 * whether it must be written.
 */
export function recordKeyReveal(purchase: Purchase, benefit: Pick<Benefit, 'category'>, now: Date): Purchase {
  if (benefit.category !== 'software' || purchase.softwareKeysRevealedAt !== undefined) return purchase;
  return { ...purchase, softwareKeysRevealedAt: now.toISOString() };
}

/**
 * Why a purchase cannot be cancelled with a refund: a docs/product.md §4 refusal code, or
 * `purchase-cancelled`.
 */
export type CancellableReason =
  'refund-window-elapsed' | 'software-benefits-activated' | 'purchase-cancelled';

/**
 * Whether a purchase may be cancelled now, and why not (docs/product.md §9 `GET …/purchases/{purchaseId}`;
 * the portal shows it with each purchase): `purchase-cancelled` when it already is, else the result of
 * {@link refundEligibility}. `cancellableUntil` is the end of the refund window (ISO 8601, exclusive),
 * whatever the answer.
 * @throws DomainError `internal-error` when `purchasedAt` is not a valid ISO 8601 instant.
 */
export function cancellability(
  purchase: Purchase,
  now: Date,
): { cancellable: boolean; cancellableReason?: CancellableReason; cancellableUntil: string } {
  const until = DateTime.fromISO(purchase.purchasedAt, { zone: 'utc' }).plus(REFUND_WINDOW).toISO();
  if (purchase.status === 'Cancelled') {
    return { cancellable: false, cancellableReason: 'purchase-cancelled', cancellableUntil: until! };
  }
  const eligibility = refundEligibility(purchase, now);
  return eligibility.eligible
    ? { cancellable: true, cancellableUntil: until! }
    : { cancellable: false, cancellableReason: eligibility.code, cancellableUntil: until! };
}
