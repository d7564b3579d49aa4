/**
 * The operator's queue of activations waiting for processing (docs/product.md §6 step 2, §11 "Operator console"):
 * across every partner, the benefits whose activation waits for the processing time or an operator's Fulfil /
 * Reject, oldest request first, so the operator works the queue in order.
 */
import type { Benefit, BenefitStatus } from '../domain/types';
import { activationView } from './activation';
import { assertOperator } from './policy';
import type { Actor, AppDeps, Page, PageOptions } from './ports';

/** One waiting activation: the Activation resource plus what the operator needs to decide. */
export type WaitingActivation = ReturnType<typeof activationView> & {
  partnerId: string;
  partnerName: string;
  productName: string;
  category: Benefit['category'];
  offerType?: Benefit['offerType'];
};

/**
 * Operator: one page of the activations in `status` (`Pending`), oldest request first. Round trips: one query,
 * then one point read per partner on the page (in parallel) for its name.
 * @throws DomainError `forbidden` (not the operator).
 */
export async function listWaitingActivations(
  deps: AppDeps,
  cmd: { actor: Actor; status: BenefitStatus; page: PageOptions },
): Promise<Page<WaitingActivation>> {
  assertOperator(cmd.actor);
  const page = await deps.store.listBenefitsAwaitingActivation(cmd.status, cmd.page);
  const partnerIds = [...new Set(page.items.map((b) => b.partnerId))];
  const partners = await Promise.all(partnerIds.map((id) => deps.store.getPartner(id)));
  const names = new Map(
    partners.filter((p): p is NonNullable<typeof p> => !!p).map((p) => [p.value.id, p.value.name]),
  );
  return {
    items: page.items.map((b) => ({
      ...activationView(b),
      partnerId: b.partnerId,
      partnerName: names.get(b.partnerId) ?? b.partnerId,
      productName: b.productName,
      category: b.category,
      ...(b.offerType ? { offerType: b.offerType } : {}),
    })),
    continuationToken: page.continuationToken,
  };
}
