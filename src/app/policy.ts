/**
 * The one policy module (docs/architecture.md): answers "may this caller do this to this resource", built on the
 * domain's permission table (src/domain/permissions.ts, docs/product.md §2). Routes declare the actions they may
 * need (the route wrapper refuses a caller who holds none of them); the use case asks the policy once, with the
 * resource in hand, which of them applies. Seats (`canAssign`, `canUnassign`), users (`canGrantRole`,
 * `canManageUser`), activations (`activationAction`) and the operator's routes (`assertOperator`) are decided here
 * and nowhere else.
 */
import { DomainError } from '../domain/errors';
import { isAllowed, PARTNER_ACTIONS, PERMISSIONS, type PartnerAction } from '../domain/permissions';
import { ROLES, type Benefit, type Role } from '../domain/types';
import type { Actor } from './ports';

/** The calling partner member: their user id and Partner Center roles (may be empty for an employee). */
export interface PolicyCaller {
  userId: string;
  roles: readonly Role[];
}

/** A usage-based Azure subscription: the benefit a member assigns to themself (docs/product.md §2, §3). */
export const isSelfServiceSeat = (benefit: Pick<Benefit, 'category' | 'cloudKind'>): boolean =>
  benefit.category === 'cloud' && benefit.cloudKind === 'usageBased';

/** The action assigning a seat of `benefit` needs: `selfAssignCloud` for usage-based cloud, else `assignBenefit`. */
export const assignAction = (benefit: Pick<Benefit, 'category' | 'cloudKind'>): PartnerAction =>
  isSelfServiceSeat(benefit) ? 'selfAssignCloud' : 'assignBenefit';

/** True when `caller` holds a role allowed at least one of `actions` (the route wrapper's first check). */
export function mayAttempt(caller: Pick<PolicyCaller, 'roles'>, actions: readonly PartnerAction[]): boolean {
  return actions.some((a) => isAllowed(caller.roles, a));
}

/**
 * Throws unless `caller` holds a role allowed at least one of `actions` (docs/product.md §2).
 * @throws DomainError `forbidden` (403) naming the roles that would be allowed.
 */
export function assertMayAttempt(
  caller: Pick<PolicyCaller, 'roles'>,
  actions: readonly PartnerAction[],
): void {
  if (mayAttempt(caller, actions)) return;
  const roles = [...new Set(actions.flatMap((a) => PERMISSIONS[a]))];
  throw new DomainError(
    'forbidden',
    `This action (${actions.join(' or ')}) requires one of these roles: ${roles.join(', ')}.`,
  );
}

/**
 * May `caller` assign a seat of `benefit` to `assigneeId`? Visual Studio and technical seats: GlobalAdmin
 * ("you need to be the global admin to assign benefits to employees"); usage-based cloud: GlobalAdmin or
 * MpnPartnerAdmin, and only to themself (docs/product.md §2, §3).
 */
export function canAssign(
  caller: PolicyCaller,
  benefit: Pick<Benefit, 'category' | 'cloudKind'>,
  assigneeId: string,
): boolean {
  if (!isAllowed(caller.roles, assignAction(benefit))) return false;
  return !isSelfServiceSeat(benefit) || assigneeId === caller.userId;
}

/**
 * Throws unless {@link canAssign}.
 * @throws DomainError `forbidden` (role) · `self-assignment-only` (usage-based cloud assigned to someone else).
 */
export function assertCanAssign(
  caller: PolicyCaller,
  benefit: Pick<Benefit, 'category' | 'cloudKind'>,
  assigneeId: string,
): void {
  if (!isAllowed(caller.roles, assignAction(benefit))) {
    throw new DomainError(
      'forbidden',
      isSelfServiceSeat(benefit)
        ? 'Assigning yourself to an Azure subscription requires GlobalAdmin or MpnPartnerAdmin.'
        : 'You need to be the global admin to assign benefits to employees.',
    );
  }
  if (isSelfServiceSeat(benefit) && assigneeId !== caller.userId) {
    throw new DomainError(
      'self-assignment-only',
      'You can only assign yourself as the user of an Azure usage-based subscription.',
    );
  }
}

/**
 * May `caller` end the assignment of `assigneeId` on `benefit`? A GlobalAdmin ends any assignment; the assignee
 * ends their own usage-based cloud self-assignment (docs/product.md §3).
 */
export function canUnassign(
  caller: PolicyCaller,
  benefit: Pick<Benefit, 'category' | 'cloudKind'>,
  assigneeId: string | undefined,
): boolean {
  if (isAllowed(caller.roles, 'assignBenefit')) return true;
  return isSelfServiceSeat(benefit) && assigneeId === caller.userId;
}

/**
 * Throws unless {@link canUnassign}.
 * @throws DomainError `forbidden` (403).
 */
export function assertCanUnassign(
  caller: PolicyCaller,
  benefit: Pick<Benefit, 'category' | 'cloudKind'>,
  assigneeId: string | undefined,
): void {
  if (!canUnassign(caller, benefit, assigneeId)) {
    throw new DomainError('forbidden', 'Only a GlobalAdmin can remove users from this benefit.');
  }
}

/**
 * Throws unless `caller` may perform `action` on the partner (no resource decides: the table alone).
 * @throws DomainError `forbidden` (403).
 */
export function assertCan(caller: Pick<PolicyCaller, 'roles'>, action: PartnerAction): void {
  assertMayAttempt(caller, [action]);
}

/** The roles that may attempt any of `actions` (OpenAPI `x-roles`). */
export function rolesFor(actions: readonly PartnerAction[]): Role[] {
  return [...new Set(actions.flatMap((a) => PERMISSIONS[a]))];
}

/** Which kind of activation `benefit` needs: `activateGoToMarket` for a Go-To-Market offer, else `activateBenefit`. */
export const activationAction = (benefit: Pick<Benefit, 'category'>): PartnerAction =>
  benefit.category === 'goToMarket' ? 'activateGoToMarket' : 'activateBenefit';

/**
 * Throws unless `actor` holds the operator's app role (`Program.Operator`, docs/product.md §1, §9).
 * @throws DomainError `forbidden` (403).
 */
export function assertOperator(actor: Pick<Actor, 'isOperator'>): void {
  if (!actor.isOperator) {
    throw new DomainError('forbidden', 'This route is for the program operator (app role Program.Operator).');
  }
}

/**
 * The roles `caller` may grant (docs/product.md §2 "Granting roles": "nobody grants a role that carries a right they
 * do not hold themselves"): none without the `manageUsers` right; otherwise every role whose rights (the actions
 * of {@link PERMISSIONS} it allows) are all the caller's own. From the table: a GlobalAdmin grants all four; a
 * UserAdmin grants UserAdmin and AdminAgent, never GlobalAdmin or MpnPartnerAdmin.
 */
export function grantableRoles(caller: Pick<PolicyCaller, 'roles'>): Role[] {
  if (!isAllowed(caller.roles, 'manageUsers')) return [];
  return ROLES.filter((role) =>
    PARTNER_ACTIONS.every((action) => !PERMISSIONS[action].includes(role) || isAllowed(caller.roles, action)),
  );
}

/** May `caller` grant `role` to a user (docs/product.md §2 "Granting roles")? */
export function canGrantRole(caller: Pick<PolicyCaller, 'roles'>, role: Role): boolean {
  return grantableRoles(caller).includes(role);
}

/**
 * May `caller` change the roles of, or remove, a user holding `target.roles`? Only with the `manageUsers` right,
 * and only a user who holds no role the caller could not grant (a UserAdmin may not demote or remove a
 * GlobalAdmin; docs/product.md §2).
 */
export function canManageUser(
  caller: Pick<PolicyCaller, 'roles'>,
  target: { roles: readonly Role[] },
): boolean {
  return isAllowed(caller.roles, 'manageUsers') && target.roles.every((r) => canGrantRole(caller, r));
}

/**
 * Throws unless `caller` may remove (or change the roles of) `target` ({@link canManageUser}).
 * @throws DomainError `forbidden` naming the role at fault.
 */
export function assertCanManageUser(
  caller: Pick<PolicyCaller, 'roles'>,
  target: { roles: readonly Role[] },
  verb = 'remove',
): void {
  assertMayAttempt(caller, ['manageUsers']);
  const above = target.roles.filter((r) => !canGrantRole(caller, r));
  if (above.length > 0) {
    throw new DomainError(
      'forbidden',
      `You cannot ${verb} a user who holds ${above.join(', ')}: that role carries rights you do not hold.`,
    );
  }
}

/**
 * Throws unless `caller` may give a user the roles `next` (docs/product.md §2 "Granting roles"). `target` is the
 * user as it is (undefined for a new user). When the roles change, every role added must be one the caller may
 * grant ({@link canGrantRole}), and an existing user must be one the caller may manage ({@link canManageUser}).
 * An unchanged role set (e.g. a display-name change) needs only the `manageUsers` right.
 * @throws DomainError `forbidden` naming the roles at fault.
 */
export function assertCanSetRoles(
  caller: Pick<PolicyCaller, 'roles'>,
  target: { roles: readonly Role[] } | undefined,
  next: readonly Role[],
): void {
  assertMayAttempt(caller, ['manageUsers']);
  const before = new Set(target?.roles ?? []);
  const after = new Set(next);
  const added = [...after].filter((r) => !before.has(r));
  const removed = [...before].filter((r) => !after.has(r));
  if (added.length === 0 && removed.length === 0) return;
  const notGrantable = added.filter((r) => !canGrantRole(caller, r));
  if (notGrantable.length > 0) {
    throw new DomainError(
      'forbidden',
      `You cannot grant ${notGrantable.join(', ')}: a role can only be granted by someone who holds all of its rights.`,
    );
  }
  if (target) assertCanManageUser(caller, target, 'change the roles of');
}
