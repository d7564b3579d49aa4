/** Query keys and loaders shared by pages (one place, so mutations invalidate the right data). */
import { useQuery } from '@tanstack/react-query';
import { api, call, type Partner, type User } from './api/client';

export const keys = {
  benefits: (partnerId: string) => ['benefits', partnerId] as const,
  partner: (partnerId: string) => ['partner', partnerId] as const,
  membership: (partnerId: string) => ['membership', partnerId] as const,
  users: (partnerId: string) => ['users', partnerId] as const,
  purchases: (partnerId: string) => ['purchases', partnerId] as const,
  serviceRequests: (partnerId: string) => ['service-requests', partnerId] as const,
  audit: (partnerId: string) => ['audit', partnerId] as const,
};

export function usePartner(partnerId: string) {
  return useQuery({
    queryKey: keys.partner(partnerId),
    queryFn: () => call<Partner>(api.GET('/api/partners/{partnerId}', { params: { path: { partnerId } } })),
  });
}

/** The partner's users (first 100: enough to pick from; the Users page pages through all). */
export function useUsers(partnerId: string, enabled = true) {
  return useQuery({
    queryKey: [...keys.users(partnerId), 'all'],
    enabled,
    queryFn: async () =>
      (
        await call<{ items: User[] }>(
          api.GET('/api/partners/{partnerId}/users', {
            params: { path: { partnerId }, query: { pageSize: 100 } },
          }),
        )
      ).items,
  });
}
