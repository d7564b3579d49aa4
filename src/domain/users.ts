/**
 * The partner's last GlobalAdmin (docs/product.md §2). Pure: no I/O. Who may grant which role, and manage which user,
 * is the policy's (src/app/policy.ts `canGrantRole`, `canManageUser`).
 */
import { DomainError } from './errors';
import type { Role } from './types';

/**
 * True when `roles` hold GlobalAdmin, the role the partner's last-GlobalAdmin guard (`globalAdminIds`, below)
 * counts (docs/product.md §2). Bookkeeping of the guard, not a permission: who may do what is src/app/policy.ts's.
 */
export const holdsGlobalAdmin = (roles: readonly Role[]): boolean => roles.includes('GlobalAdmin');

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
