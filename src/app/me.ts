/**
 * "Who am I" (docs/product.md §1, §9, §11): the signed-in caller's user, partner, roles and active assignments,
 * and whom to ask for a role — the partner's GlobalAdmins (display name and account email only).
 */
import { DomainError } from '../domain/errors';
import type { PublicBenefit } from '../domain/keys';
import { toPublicBenefit } from '../domain/rules';
import type { Assignment, Benefit, ManagedIn, User } from '../domain/types';
import type { Actor, AppDeps } from './ports';

/** The caller: the token's actor and its app roles (e.g. `Program.Operator`). */
export interface MeCommand {
  actor: Actor & { appRoles: string[] };
}

/** The answer of {@link describeCaller} (the `Me` resource of docs/product.md §9). */
export type Me = Omit<Partial<User>, 'partnerId' | 'roles'> & {
  objectId: string;
  partnerId: string | null;
  partnerName?: string;
  managedIn?: ManagedIn;
  roles: string[];
  user: User | null;
  globalAdmins?: Array<{ displayName: string; accountEmail: string }>;
  assignments: Array<
    Assignment & {
      benefitId: string;
      productName: string;
      category: Benefit['category'];
      benefit: PublicBenefit;
    }
  >;
};

/**
 * Describes the caller. Any signed-in caller, about themself only (no policy question: nothing of another
 * person's is read but the GlobalAdmins' names, which every member may see). An operator without a user gets
 * `partnerId: null` and their app roles. Round trips: the directory entry, the user, then the partner and the
 * GlobalAdmins (in parallel) and the caller's assigned benefits.
 * @throws DomainError `not-found` when no user has this object id (and the caller is not the operator).
 */
export async function describeCaller(deps: AppDeps, cmd: MeCommand): Promise<Me> {
  const { actor } = cmd;
  const entry = await deps.store.findDirectoryEntry(actor.objectId);
  if (!entry) {
    if (actor.isOperator) {
      return {
        objectId: actor.objectId,
        partnerId: null,
        roles: actor.appRoles,
        user: null,
        assignments: [],
      };
    }
    throw new DomainError('not-found', 'No user with this object id is known.');
  }
  const user = await deps.store.getUser(entry.homePartnerId, entry.userId);
  if (!user) throw new DomainError('not-found', 'No user with this object id is known.');
  const [partner, globalAdmins] = await Promise.all([
    deps.store.getPartner(entry.homePartnerId),
    deps.store.listUsersWithRole(entry.homePartnerId, 'GlobalAdmin'),
  ]);
  const benefits = (await deps.store.listBenefitsAssignedTo(entry.homePartnerId, user.value.id)).map(
    (b) => b.value,
  );
  const assignments = benefits.flatMap((b) =>
    b.assignments
      .filter((a) => a.userId === user.value.id && !a.endedAt)
      .map((a) => ({
        ...a,
        benefitId: b.id,
        productName: b.productName,
        category: b.category,
        benefit: toPublicBenefit(b),
      })),
  );
  return {
    ...user.value,
    partnerId: entry.homePartnerId,
    ...(partner ? { partnerName: partner.value.name, managedIn: partner.value.managedIn } : {}),
    roles: [...user.value.roles, ...actor.appRoles],
    user: user.value,
    globalAdmins: globalAdmins.map((a) => ({ displayName: a.displayName, accountEmail: a.accountEmail })),
    assignments,
  };
}
