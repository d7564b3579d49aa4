/**
 * Purchase guards and benefit provisioning (docs/product.md §2 "PMC partners", "Membership";
 * docs/product.md §3).
 */
import { DomainError } from './errors';
import { membershipInactiveDetail } from './membership';
import type { Benefit, CatalogPackage, Partner } from './types';

/** Partner Membership Center sign-in, where PMC-managed partners continue (2019-10/2020-09 seeds). */
const PMC_URL = 'https://partner.microsoft.com/_login?authType=OpenIdConnect';

/**
 * Throws when the partner's membership is still managed in Partner Membership Center (docs/product.md §2 "PMC
 * partners"; 2019-10 seed: "you should continue to manage your MPN membership benefits in PMC").
 * @throws DomainError `managed-in-pmc` whose detail tells them to continue in PMC.
 */
export function assertCanManageBenefits(partner: Pick<Partner, 'managedIn'>): void {
  if (partner.managedIn === 'PMC') {
    throw new DomainError(
      'managed-in-pmc',
      `Your membership is still managed in Partner Membership Center (PMC). Continue to manage your MPN membership benefits in PMC: ${PMC_URL}`,
    );
  }
}

/**
 * Throws unless the membership is `Active` and has not reached its end (`expiresAt` > `now`)
 * (docs/product.md §2 "Membership"). The detail names the way out: the renewal route
 * (`POST /api/partners/{partnerId}/membership/renewal`, docs/product.md §12) while its window is open or
 * before it opens, the program operator after the grace period or when suspended.
 * @param partner the partner; `membership.expiresAt` is an ISO 8601 instant; `id` names the renewal route.
 * @param now the current instant.
 * @throws DomainError `membership-inactive`.
 */
export function assertMembershipActive(
  partner: Pick<Partner, 'membership'> & Partial<Pick<Partner, 'id'>>,
  now: Date,
): void {
  const { status, expiresAt } = partner.membership;
  const end = Date.parse(expiresAt);
  if (status !== 'Active' || !Number.isFinite(end) || end <= now.getTime()) {
    throw new DomainError('membership-inactive', membershipInactiveDetail(partner, now));
  }
}

/**
 * Throws unless the partner's level is one of the package's `eligibleLevels` (docs/product.md §3: "a
 * competency package needs that competency level or higher; Action Pack is open to every member").
 * @throws DomainError `not-eligible`.
 */
export function assertEligibleForPackage(partner: Pick<Partner, 'level'>, pkg: CatalogPackage): void {
  if (!pkg.eligibleLevels.includes(partner.level)) {
    throw new DomainError(
      'not-eligible',
      `${pkg.name} is available to ${pkg.eligibleLevels.join(', ')} partners; your level is ${partner.level}.`,
    );
  }
}

/**
 * The benefits a purchase provisions (docs/product.md §3): one per catalog item whose `levels` include the
 * partner's level, each `NotActivated` with no assignments, copying seats, languages, operating systems,
 * `incidents` → `incidentsRemaining` and `advisoryHours` → `advisoryHoursRemaining` from the catalog;
 * `createdAt` = `now` (ISO).
 *
 * Runs all purchase guards first (defence in depth), in this order: `assertCanManageBenefits`,
 * `assertMembershipActive`, `assertEligibleForPackage`.
 * @param input.newId generator of benefit ids (called once per benefit, in catalog order).
 * @throws DomainError `managed-in-pmc` | `membership-inactive` | `not-eligible`.
 */
export function provisionBenefits(input: {
  partner: Partner;
  pkg: CatalogPackage;
  purchaseId: string;
  now: Date;
  newId: () => string;
}): Benefit[] {
  const { partner, pkg, purchaseId, now, newId } = input;
  assertCanManageBenefits(partner);
  assertMembershipActive(partner, now);
  assertEligibleForPackage(partner, pkg);
  const createdAt = now.toISOString();
  return pkg.items
    .filter((item) => item.levels.includes(partner.level))
    .map((item): Benefit => {
      const benefit: Benefit = {
        id: newId(),
        partnerId: partner.id,
        purchaseId,
        packageId: pkg.id,
        catalogItemId: item.id,
        category: item.category,
        productName: item.productName,
        status: 'NotActivated',
        assignments: [],
        createdAt,
      };
      if (item.offerType !== undefined) benefit.offerType = item.offerType;
      if (item.cloudKind !== undefined) benefit.cloudKind = item.cloudKind;
      if (item.technicalKind !== undefined) benefit.technicalKind = item.technicalKind;
      if (item.seats !== undefined) benefit.seats = item.seats;
      if (item.languages !== undefined) benefit.languages = [...item.languages];
      if (item.operatingSystems !== undefined) benefit.operatingSystems = [...item.operatingSystems];
      if (item.incidents !== undefined) benefit.incidentsRemaining = item.incidents;
      if (item.advisoryHours !== undefined) benefit.advisoryHoursRemaining = item.advisoryHours;
      return benefit;
    });
}
