/**
 * The one policy module (docs/architecture.md): answers "may this caller do this to this resource", built on the
 * domain's permission table (src/domain/permissions.ts, docs/product.md §2). Routes declare the actions they may
 * need (the route wrapper refuses a caller who holds none of them); the use case asks the policy once, with the
 * resource in hand, which of them applies.
 */
import { DomainError } from '../domain/errors';
import { isAllowed, PERMISSIONS, type PartnerAction } from '../domain/permissions';
import type { Benefit, Role } from '../domain/types';

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
