/**
 * Membership use cases (docs/product.md §12).
 */
import type { Partner, Purchase } from '../domain/types';

/**
 * The undoing of the renewal of a cancelled renewal purchase (docs/product.md §4 refund of a renewal,
 * docs/product.md §12; docs/decisions.md): the membership's `expiresAt` goes back to what it was before, as long as
 * it is still the end that renewal set (a later renewal or an operator change is left alone). Pure: the caller writes
 * the partner and the audit event `membership.renewal.undo` (as `system`) in its unit of work
 * (src/app/cancelPurchase.ts).
 * @returns the partner as it becomes and the audit event's content, or undefined when there is nothing to undo.
 */
export function renewalUndo(
  partner: Partner,
  purchase: Purchase,
):
  | {
      partner: Partner;
      audit: {
        action: string;
        target: { type: string; id: string };
        detail: Record<string, unknown>;
      };
    }
  | undefined {
  const renewal = purchase.renewal;
  if (!renewal || purchase.status !== 'Cancelled') return undefined;
  if (Date.parse(partner.membership.expiresAt) !== Date.parse(renewal.expiresAt)) return undefined;
  return {
    partner: { ...partner, membership: { ...partner.membership, expiresAt: renewal.previousExpiresAt } },
    audit: {
      action: 'membership.renewal.undo',
      target: { type: 'partner', id: purchase.partnerId },
      detail: {
        purchaseId: purchase.id,
        expiresAt: renewal.previousExpiresAt,
        undoneExpiresAt: renewal.expiresAt,
      },
    },
  };
}
