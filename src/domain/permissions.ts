/**
 * The partner-role permission table of docs/product.md §2, as one rule module. Every route checks its action
 * here; no other module decides which Partner Center role may do what.
 */
import { DomainError } from './errors';
import type { Role } from './types';

/** Everything a partner member may try to do (docs/product.md §2 rows). */
export const PARTNER_ACTIONS = [
  'read',
  'purchase',
  'listUsers',
  'manageUsers',
  'assignBenefit',
  'selfAssignCloud',
  'activateBenefit',
  'revealKeys',
  'setMarketingContact',
  'activateGoToMarket',
  'requestCancellation',
  'fileServiceRequest',
  'renewMembership',
] as const;

/**
 * An action of docs/product.md §2's table:
 * `read` partner/benefits/purchases/service requests/audit; `purchase` a package; `listUsers` (to select a user for
 * a contact or a seat); `manageUsers` (add users, change their roles, remove them);
 * `assignBenefit` (assign or unassign a benefit to an employee); `selfAssignCloud` (assign yourself to a
 * usage-based cloud subscription); `activateBenefit`; `revealKeys`; `setMarketingContact`; `activateGoToMarket`;
 * `requestCancellation`; `fileServiceRequest`; `renewMembership` (purchase + renewal, docs/product.md §12).
 */
export type PartnerAction = (typeof PARTNER_ACTIONS)[number];

/** A frozen role list. */
const roles = (...r: Role[]): readonly Role[] => Object.freeze(r);
const ALL = roles('GlobalAdmin', 'UserAdmin', 'AdminAgent', 'MpnPartnerAdmin');
const GLOBAL_OR_MPN = roles('GlobalAdmin', 'MpnPartnerAdmin');

/**
 * Roles allowed per action (docs/product.md §2, quoting the seeds):
 * - read, purchase: any of the four ("you don't have to be a global admin to purchase", 2019-10/2020-09);
 * - listUsers: any of the four (needed to "select a user from the list" for a contact or a seat);
 * - manageUsers: GlobalAdmin, UserAdmin ("add new users in Account settings");
 * - assignBenefit: GlobalAdmin ("you need to be the global admin to assign benefits to employees");
 * - selfAssignCloud, activateBenefit, revealKeys, setMarketingContact, activateGoToMarket:
 *   GlobalAdmin, MpnPartnerAdmin ("Global admin or MPN partner admin", 2020-09);
 * - requestCancellation, fileServiceRequest: GlobalAdmin, MpnPartnerAdmin (product, docs/product.md §2);
 * - renewMembership: GlobalAdmin, MpnPartnerAdmin (product, docs/decisions.md: it commits the partner to another
 *   year, more than a purchase; the MPN partner admin manages the membership in the seeds).
 * Operator routes are not partner actions: they require the `Program.Operator` app role instead.
 */
export const PERMISSIONS: Readonly<Record<PartnerAction, readonly Role[]>> = Object.freeze({
  read: ALL,
  purchase: ALL,
  listUsers: ALL,
  manageUsers: roles('GlobalAdmin', 'UserAdmin'),
  assignBenefit: roles('GlobalAdmin'),
  selfAssignCloud: GLOBAL_OR_MPN,
  activateBenefit: GLOBAL_OR_MPN,
  revealKeys: GLOBAL_OR_MPN,
  setMarketingContact: GLOBAL_OR_MPN,
  activateGoToMarket: GLOBAL_OR_MPN,
  requestCancellation: GLOBAL_OR_MPN,
  fileServiceRequest: GLOBAL_OR_MPN,
  renewMembership: GLOBAL_OR_MPN,
});

/**
 * True when at least one of `roles` (the caller's Partner Center roles; may be empty for an employee)
 * is allowed to perform `action` (docs/product.md §2).
 */
export function isAllowed(roles: readonly Role[], action: PartnerAction): boolean {
  const allowed = PERMISSIONS[action];
  return roles.some((r) => allowed.includes(r));
}

/**
 * Throws unless `roles` allow `action` (docs/product.md §2).
 * @throws DomainError `forbidden` naming the roles that would be allowed.
 */
export function assertAllowed(roles: readonly Role[], action: PartnerAction): void {
  if (!isAllowed(roles, action)) {
    throw new DomainError(
      'forbidden',
      `This action (${action}) requires one of these roles: ${PERMISSIONS[action].join(', ')}.`,
    );
  }
}
