/**
 * Membership use cases (docs/product.md §12).
 */
import type { Partner, Purchase } from '../domain/types';
import { audit } from './audit';
import type { AppDeps as Services } from './ports';

/**
 * Undoes the renewal of a cancelled renewal purchase (docs/product.md §4 refund of a renewal, docs/product.md §12; docs/decisions.md): the
 * membership's `expiresAt` goes back to what it was before, as long as it is still the end that renewal set (a later
 * renewal or an operator change is left alone). Idempotent; audited `membership.renewal.undo` as `system` when it
 * changes something. Round trips: one partner read, plus a read and a write when it changes.
 * @returns true when the membership was put back.
 */
export async function undoRenewal(services: Services, purchase: Purchase): Promise<boolean> {
  const renewal = purchase.renewal;
  if (!renewal || purchase.status !== 'Cancelled') return false;
  const setByIt = (p: Partner) => Date.parse(p.membership.expiresAt) === Date.parse(renewal.expiresAt);
  const current = await services.store.getPartner(purchase.partnerId);
  if (!current || !setByIt(current.value)) return false;
  const saved = await services.store.updatePartner<boolean>(purchase.partnerId, (p) =>
    setByIt(p)
      ? {
          value: { ...p, membership: { ...p.membership, expiresAt: renewal.previousExpiresAt } },
          result: true,
        }
      : { value: p, result: false },
  );
  if (!saved.result) return false;
  await audit(services, {
    partnerId: purchase.partnerId,
    caller: 'system',
    action: 'membership.renewal.undo',
    target: { type: 'partner', id: purchase.partnerId },
    detail: {
      purchaseId: purchase.id,
      expiresAt: renewal.previousExpiresAt,
      undoneExpiresAt: renewal.expiresAt,
    },
  });
  return true;
}
