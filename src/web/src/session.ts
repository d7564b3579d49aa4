/**
 * The signed-in person's context: `GET /api/me` (partner, roles, global admins) and what those roles allow,
 * from the same permission table the API enforces (src/domain/permissions.ts, docs/product.md §2).
 */
import { useQuery } from '@tanstack/react-query';
import { isAllowed, PERMISSIONS, type PartnerAction } from '../../domain/permissions';
import { api, call, type Me } from './api/client';
import { useAuth } from './auth/AuthContext';

const meQueryKey = ['me'] as const;

export function useMe() {
  const { signedIn } = useAuth();
  return useQuery({
    queryKey: meQueryKey,
    queryFn: () => call<Me>(api.GET('/api/me')),
    enabled: signedIn,
    staleTime: 60_000,
  });
}

type Role = (typeof PERMISSIONS)[PartnerAction][number];

/** Whether `me` may do `action`, and which roles would allow it. */
export function permission(
  me: Me | undefined,
  action: PartnerAction,
): { allowed: boolean; roles: readonly Role[] } {
  const roles = (me?.roles ?? []).filter((r): r is Role =>
    (PERMISSIONS.read as readonly string[]).includes(r),
  );
  return { allowed: isAllowed(roles, action), roles: PERMISSIONS[action] };
}

export const isOperator = (me: Me | undefined) => !!me?.roles.includes('Program.Operator');
export const isPartnerAdmin = (me: Me | undefined) =>
  !!me?.roles.some((r) => (PERMISSIONS.read as readonly string[]).includes(r));
export type { PartnerAction };
