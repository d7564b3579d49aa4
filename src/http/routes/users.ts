/**
 * One user of a partner (docs/product.md §2, §9 "Account settings → Users"): `GET`, `PATCH` (roles, displayName,
 * preferredLanguage) and `DELETE /api/partners/{partnerId}/users/{userId}`.
 *
 * Granting: nobody grants a role with rights they lack, nor changes the roles of (or removes) a user holding such a
 * role (`domain/users.ts`). The last GlobalAdmin: every removal of the role first writes the partner document's
 * `globalAdminIds` conditionally (ETag), so two admins demoting each other at once leave one (docs/product.md §2).
 */
import { DomainError } from '../../domain/errors';
import { endAllAssignments } from '../../domain/rules';
import { UpdateUserBody, UserSchema } from '../../domain/schemas';
import type { Role, User } from '../../domain/types';
import { assertCanManageUserHolding, assertCanSetRoles } from '../../domain/users';
import type { Services } from '../../services';
import { etagMatches } from '../../app/etag';
import type { Versioned } from '../../store/ports';
import { audit } from '../../app/audit';
import { defineRoute, ifMatch } from '../route';
import { UserParams } from './params';

/** Reads the user or answers 404; a stale `If-Match` is 412 before anything is written. */
async function loadUser(
  services: Services,
  partnerId: string,
  userId: string,
  expected: string | undefined,
): Promise<Versioned<User>> {
  const user = await services.store.getUser(partnerId, userId);
  if (!user) throw new DomainError('not-found', `User ${userId} is not a user of this partner.`);
  if (expected !== undefined && !etagMatches(expected, user.etag)) {
    throw new DomainError('precondition-failed', 'If-Match does not match the current ETag of the user.');
  }
  return user;
}

/** `GET /api/partners/{partnerId}/users/{userId}` → 200 the user with its `ETag` (any of the four admin roles). */
export const getUser = defineRoute({
  name: 'getUser',
  method: 'GET',
  route: 'partners/{partnerId}/users/{userId}',
  summary: 'Read one user of the partner',
  tags: ['users'],
  access: { kind: 'partner', action: 'listUsers' },
  params: UserParams,
  responses: { 200: { description: 'The user', schema: UserSchema } },
  handle: async ({ services, params }) => {
    const user = await loadUser(services, params.partnerId, params.userId, undefined);
    return { status: 200, body: user.value, etag: user.etag };
  },
});

/**
 * `PATCH /api/partners/{partnerId}/users/{userId}` `{ roles?, displayName?, preferredLanguage? }` → 200 the user,
 * `ETag`; honours `If-Match`. GlobalAdmin or UserAdmin.
 * Errors: 403 `forbidden` (a role the caller cannot grant, or a user holding one), 404 `not-found`,
 * 409 `last-global-admin`, 412 `precondition-failed`, 400 `validation-failed`.
 */
export const updateUser = defineRoute({
  name: 'updateUser',
  method: 'PATCH',
  route: 'partners/{partnerId}/users/{userId}',
  summary: "Change a user's roles, display name or language",
  tags: ['users'],
  access: { kind: 'partner', action: 'manageUsers' },
  params: UserParams,
  body: UpdateUserBody,
  responses: { 200: { description: 'The user', schema: UserSchema } },
  handle: async ({ services, params, body, user: caller, caller: token, request }) => {
    const expected = ifMatch(request);
    const current = await loadUser(services, params.partnerId, params.userId, expected);
    const roles = body.roles ? ([...new Set(body.roles)] as Role[]) : current.value.roles;
    assertCanSetRoles(caller.roles, current.value.roles, roles);
    const wasGlobal = current.value.roles.includes('GlobalAdmin');
    const isGlobal = roles.includes('GlobalAdmin');
    // Demotion: the guard document first; nothing else is written when it refuses.
    if (wasGlobal && !isGlobal)
      await services.store.changeGlobalAdmins(params.partnerId, params.userId, false);
    let saved;
    try {
      saved = await services.store.updateUser(
        params.partnerId,
        params.userId,
        (u) => ({
          value: {
            ...u,
            roles,
            ...(body.displayName !== undefined ? { displayName: body.displayName } : {}),
            ...(body.preferredLanguage !== undefined ? { preferredLanguage: body.preferredLanguage } : {}),
          },
        }),
        { ifMatch: current.etag },
      );
    } catch (e) {
      // The user changed in between: put the GlobalAdmin back in the guard list, then answer 412.
      if (wasGlobal && !isGlobal)
        await services.store.changeGlobalAdmins(params.partnerId, params.userId, true);
      throw e;
    }
    if (isGlobal && !wasGlobal)
      await services.store.changeGlobalAdmins(params.partnerId, params.userId, true);
    await audit(services, {
      partnerId: params.partnerId,
      caller: token,
      action: 'user.update',
      target: { type: 'user', id: params.userId },
      detail: {
        ...(body.roles ? { rolesBefore: current.value.roles, roles } : {}),
        ...(body.displayName !== undefined ? { displayNameChanged: true } : {}),
        ...(body.preferredLanguage !== undefined ? { preferredLanguage: body.preferredLanguage } : {}),
      },
    });
    return { status: 200, body: saved.value, etag: saved.etag };
  },
});

/**
 * `DELETE /api/partners/{partnerId}/users/{userId}` → 204; honours `If-Match`. GlobalAdmin or UserAdmin. Ends the
 * user's assignments (seats free up; a technical contact is unassigned), then removes the user, so its object id
 * and account email can be used again.
 * Errors: 403 `forbidden` (the user holds a role the caller cannot grant), 404 `not-found`, 409 `last-global-admin`,
 * 409 `user-is-marketing-contact` (change the marketing contact first), 412 `precondition-failed`.
 */
export const deleteUser = defineRoute({
  name: 'deleteUser',
  method: 'DELETE',
  route: 'partners/{partnerId}/users/{userId}',
  summary: 'Remove a user from the partner (ends their assignments)',
  tags: ['users'],
  access: { kind: 'partner', action: 'manageUsers' },
  params: UserParams,
  handle: async ({ services, params, user: caller, caller: token, partner, request }) => {
    const current = await loadUser(services, params.partnerId, params.userId, ifMatch(request));
    assertCanManageUserHolding(caller.roles, current.value.roles);
    if (partner.value.marketingContact?.userId === params.userId) {
      throw new DomainError(
        'user-is-marketing-contact',
        'This user is the marketing contact: set another marketing contact first.',
      );
    }
    const wasGlobal = current.value.roles.includes('GlobalAdmin');
    if (wasGlobal) await services.store.changeGlobalAdmins(params.partnerId, params.userId, false);
    const ended = await endAssignmentsOf(services, params.partnerId, params.userId);
    try {
      await services.store.deleteUser(current.value, current.etag);
    } catch (e) {
      if (wasGlobal) await services.store.changeGlobalAdmins(params.partnerId, params.userId, true);
      throw e;
    }
    await audit(services, {
      partnerId: params.partnerId,
      caller: token,
      action: 'user.delete',
      target: { type: 'user', id: params.userId },
      detail: { roles: current.value.roles, assignmentsEnded: ended },
    });
    return { status: 204 };
  },
});

/**
 * Ends every active assignment of `userId` on the partner's benefits (each benefit by its own conditional write;
 * the status of a benefit never changes when an assignment ends). Returns how many ended.
 */
async function endAssignmentsOf(services: Services, partnerId: string, userId: string): Promise<number> {
  const nowIso = services.clock.now().toISOString();
  const benefits = await services.store.listBenefitsAssignedTo(partnerId, userId);
  let ended = 0;
  for (const listed of benefits) {
    const out = await services.store.updateBenefitIfChanged<number>(partnerId, listed.id, (b) => {
      const open = b.assignments.filter((a) => a.userId === userId && a.endedAt === undefined).length;
      if (open === 0) return undefined;
      const mine = b.assignments.filter((a) => a.userId === userId);
      const others = b.assignments.filter((a) => a.userId !== userId);
      const endedMine = endAllAssignments(mine, nowIso);
      // Keep the original order of assignments.
      const byId = new Map([...others, ...endedMine].map((a) => [a.id, a]));
      return { value: { ...b, assignments: b.assignments.map((a) => byId.get(a.id)!) }, result: open };
    });
    if (out.changed) ended += out.result ?? 0;
  }
  return ended;
}
