/**
 * Rules for managing a partner's users (docs/product.md §2 "Granting roles"): who may grant which role, and the partner's
 * last GlobalAdmin. Pure: no I/O.
 */
import { DomainError } from './errors';
import { isAllowed, PARTNER_ACTIONS, PERMISSIONS } from './permissions';
import { ROLES, type Role } from './types';

/**
 * The roles a caller holding `callerRoles` may grant (docs/product.md §2: "nobody grants a role that carries a right they do
 * not hold themselves"): none without the `manageUsers` right; otherwise every role whose rights (the actions of
 * {@link PERMISSIONS} it allows) are all the caller's own. From the table: a GlobalAdmin grants all four; a
 * UserAdmin grants UserAdmin and AdminAgent, never GlobalAdmin or MpnPartnerAdmin.
 */
export function grantableRoles(callerRoles: readonly Role[]): Role[] {
  if (!isAllowed(callerRoles, 'manageUsers')) return [];
  return ROLES.filter((role) =>
    PARTNER_ACTIONS.every((action) => !PERMISSIONS[action].includes(role) || isAllowed(callerRoles, action)),
  );
}

/**
 * Throws unless a caller holding `callerRoles` may give a user the roles `next` (docs/product.md §2 "Granting roles").
 * `current` is the user's roles before (undefined for a new user). When the roles change, every role added must be
 * grantable by the caller, and an existing user must hold no role the caller could not grant (a UserAdmin may
 * not demote a GlobalAdmin). An unchanged role set is always allowed (e.g. a display-name change).
 * @throws DomainError `forbidden` naming the roles at fault.
 */
export function assertCanSetRoles(
  callerRoles: readonly Role[],
  current: readonly Role[] | undefined,
  next: readonly Role[],
): void {
  const before = new Set(current ?? []);
  const after = new Set(next);
  const added = [...after].filter((r) => !before.has(r));
  const removed = [...before].filter((r) => !after.has(r));
  if (added.length === 0 && removed.length === 0) return;
  const grantable = grantableRoles(callerRoles);
  const notGrantable = added.filter((r) => !grantable.includes(r));
  if (notGrantable.length > 0) {
    throw new DomainError(
      'forbidden',
      `You cannot grant ${notGrantable.join(', ')}: a role can only be granted by someone who holds all of its rights.`,
    );
  }
  if (current) assertCanManageUserHolding(callerRoles, current, 'change the roles of');
}

/**
 * Throws unless a caller holding `callerRoles` may remove (or change the roles of) a user holding `targetRoles`:
 * the target must hold no role the caller could not grant (docs/product.md §2).
 * @throws DomainError `forbidden`.
 */
export function assertCanManageUserHolding(
  callerRoles: readonly Role[],
  targetRoles: readonly Role[],
  verb = 'remove',
): void {
  const grantable = grantableRoles(callerRoles);
  const above = targetRoles.filter((r) => !grantable.includes(r));
  if (above.length > 0) {
    throw new DomainError(
      'forbidden',
      `You cannot ${verb} a user who holds ${above.join(', ')}: that role carries rights you do not hold.`,
    );
  }
}

/**
 * The partner's GlobalAdmin user ids after `userId` gains (`holdsGlobalAdmin` true) or loses the role (docs/product.md §2:
 * "The last GlobalAdmin of a partner cannot be removed or demoted"). Returns a new array, `current` untouched.
 * @throws DomainError `last-global-admin` when no GlobalAdmin would be left.
 */
export function nextGlobalAdmins(
  current: readonly string[],
  userId: string,
  holdsGlobalAdmin: boolean,
): string[] {
  const others = current.filter((id) => id !== userId);
  const next = holdsGlobalAdmin ? [...others, userId] : others;
  if (next.length === 0) {
    throw new DomainError(
      'last-global-admin',
      'This is the last GlobalAdmin of the partner: grant GlobalAdmin to another user first.',
    );
  }
  return next;
}
