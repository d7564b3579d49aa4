/**
 * Purchases (docs/product.md §3, §4, §9): buy a package, which provisions one benefit per catalog item of the
 * package for the partner's level; read and list purchases with whether each can still be cancelled.
 */
import { getPackage } from '../domain/catalog';
import { DomainError } from '../domain/errors';
import { cancellability, toPublicBenefit } from '../domain/rules';
import { assertEligibleForPackage, assertMembershipActive, provisionBenefits } from '../domain/provisioning';
import type { Benefit, CatalogPackage, Partner, Purchase } from '../domain/types';
import { assertCan } from './policy';
import type { Actor, AppDeps, Page, PageOptions, PartnerCaller, Versioned } from './ports';
import { runUnitOfWork } from './unitOfWork';

/**
 * The purchase as the API shows it (docs/product.md §9 Purchase): the stored purchase plus `cancellable`,
 * `cancellableReason` (when not) and `cancellableUntil` — whether a cancellation with refund would be accepted at
 * `now` (docs/product.md §4).
 */
export function purchaseView(purchase: Purchase, now: Date) {
  return { ...purchase, ...cancellability(purchase, now) };
}

/** A purchase as the API shows it (see {@link purchaseView}). */
export type PurchaseView = ReturnType<typeof purchaseView>;

/**
 * A new purchase of `pkg` by `actor` at `now` and the benefits it provisions for `partner`'s level (docs/product.md
 * §3, §4), not yet written: the caller commits them in its unit of work. `renewal` marks a membership renewal's
 * purchase (docs/product.md §12).
 */
export function newPurchase(
  deps: Pick<AppDeps, 'newId'>,
  input: { partner: Partner; pkg: CatalogPackage; actor: Actor; now: Date; renewal?: Purchase['renewal'] },
): { purchase: Purchase; benefits: Benefit[] } {
  const purchaseId = deps.newId();
  const benefits = provisionBenefits({
    partner: input.partner,
    pkg: input.pkg,
    purchaseId,
    now: input.now,
    newId: deps.newId,
  });
  const purchase: Purchase = {
    id: purchaseId,
    partnerId: input.partner.id,
    packageId: input.pkg.id,
    purchasedAt: input.now.toISOString(),
    purchasedBy: input.actor.objectId,
    status: 'Active',
    benefitIds: benefits.map((b) => b.id),
    ...(input.renewal ? { renewal: input.renewal } : {}),
  };
  return { purchase, benefits };
}

/**
 * The catalog package `packageId`.
 * @throws DomainError `validation-failed` (field `body.packageId`) for an unknown package.
 */
export function packageOrThrow(packageId: string): CatalogPackage {
  const pkg = getPackage(packageId);
  if (!pkg) {
    throw new DomainError('validation-failed', `Package ${packageId} does not exist.`, [
      { field: 'body.packageId', message: 'unknown package; see GET /api/catalog/packages' },
    ]);
  }
  return pkg;
}

/**
 * One page of the partner's purchases, newest first (`read`; one query).
 * @throws DomainError `forbidden`.
 */
export async function listPartnerPurchases(
  deps: AppDeps,
  cmd: PartnerCaller & { page: PageOptions },
): Promise<Page<PurchaseView>> {
  assertCan(cmd.user, 'read');
  const page = await deps.store.listPurchases(cmd.partner.id, cmd.page);
  const now = deps.clock.now();
  return { ...page, items: page.items.map((p) => purchaseView(p, now)) };
}

/**
 * One purchase with `cancellable` (and, when not, the reason code) and its ETag (send it as `If-Match` with the
 * cancellation). `read`; one point read.
 * @throws DomainError `forbidden` · `not-found`.
 */
export async function readPurchase(
  deps: AppDeps,
  cmd: PartnerCaller & { purchaseId: string },
): Promise<Versioned<PurchaseView>> {
  assertCan(cmd.user, 'read');
  const purchase = await deps.store.getPurchase(cmd.partner.id, cmd.purchaseId);
  if (!purchase) throw new DomainError('not-found', `Purchase ${cmd.purchaseId} was not found.`);
  return { value: purchaseView(purchase.value, deps.clock.now()), etag: purchase.etag };
}

/**
 * Buys package `packageId` (`purchase`: any of the four admin roles): checks the membership is Active and the
 * package is the partner level's, provisions the benefits and writes the purchase with them and its audit event
 * `purchase.create` as ONE unit of work (one transactional batch; src/app/unitOfWork.ts). Round trips: the batch.
 * @returns the purchase (view) and the benefits it provisioned (public view).
 * @throws DomainError `forbidden` · `validation-failed` (unknown package) · `membership-inactive` · `not-eligible`.
 */
export async function purchasePackage(deps: AppDeps, cmd: PartnerCaller & { packageId: string }) {
  assertCan(cmd.user, 'purchase');
  const now = deps.clock.now();
  const pkg = packageOrThrow(cmd.packageId);
  assertMembershipActive(cmd.partner, now);
  assertEligibleForPackage(cmd.partner, pkg);
  const partnerId = cmd.partner.id;
  const { purchase, benefits } = newPurchase(deps, { partner: cmd.partner, pkg, actor: cmd.actor, now });
  const purchaseId = purchase.id;
  await runUnitOfWork(deps, partnerId, (uow) => {
    for (const b of benefits) uow.create('benefit', b);
    uow.create('purchase', purchase);
    uow.audit({
      caller: cmd.actor,
      action: 'purchase.create',
      target: { type: 'purchase', id: purchaseId },
      detail: { packageId: pkg.id, benefits: benefits.length },
    });
  });
  return { purchase: purchaseView(purchase, now), benefits: benefits.map(toPublicBenefit) };
}
