/**
 * A partner's users (docs/product.md §2, §9 "Account settings → Users"): list, read, add, change (roles, display
 * name, language) and remove.
 *
 * Granting: nobody grants a role with rights they lack, nor changes the roles of (or removes) a user holding such a
 * role — the policy's `canGrantRole` / `canManageUser` (src/app/policy.ts), asked once per use case. The last
 * GlobalAdmin: every removal of the role first writes the partner document's `globalAdminIds` conditionally (ETag,
 * the store's `changeGlobalAdmins`), so two admins demoting each other at once leave one (docs/product.md §2).
 */
import { DomainError } from '../domain/errors';
import { endAllAssignments } from '../domain/rules';
import type { Locale, Role, User } from '../domain/types';
import { holdsGlobalAdmin } from '../domain/users';
import { audit } from './audit';
import { etagMatches } from './etag';
import { assertCan, assertCanManageUser, assertCanSetRoles } from './policy';
import type { AppDeps, Page, PageOptions, PartnerCaller, Versioned } from './ports';

/** Reads the user or throws `not-found`; a stale `ifMatch` is `precondition-failed` before anything is written. */
async function loadUser(
  deps: AppDeps,
  partnerId: string,
  userId: string,
  ifMatch: string | undefined,
): Promise<Versioned<User>> {
  const user = await deps.store.getUser(partnerId, userId);
  if (!user) throw new DomainError('not-found', `User ${userId} is not a user of this partner.`);
  if (ifMatch !== undefined && !etagMatches(ifMatch, user.etag)) {
    throw new DomainError('precondition-failed', 'If-Match does not match the current ETag of the user.');
  }
  return user;
}

/**
 * One page of the partner's users, by display name (any of the four admin roles: `listUsers`). One query.
 * @throws DomainError `forbidden`.
 */
export async function listPartnerUsers(
  deps: AppDeps,
  cmd: PartnerCaller & { page: PageOptions },
): Promise<Page<User>> {
  assertCan(cmd.user, 'listUsers');
  return deps.store.listUsers(cmd.partner.id, cmd.page);
}

/**
 * One user of the partner with its ETag (`listUsers`). One point read.
 * @throws DomainError `forbidden` · `not-found`.
 */
export async function readUser(
  deps: AppDeps,
  cmd: PartnerCaller & { userId: string },
): Promise<Versioned<User>> {
  assertCan(cmd.user, 'listUsers');
  return loadUser(deps, cmd.partner.id, cmd.userId, undefined);
}

/** Input of {@link addUser}: the new user's Entra ID object id, names and roles. */
export interface AddUserCommand extends PartnerCaller {
  objectId: string;
  displayName: string;
  accountEmail: string;
  roles: Role[];
  preferredLanguage?: Locale;
}

/**
 * Adds a user (docs/product.md §2 "add new users in Account settings"; GlobalAdmin, UserAdmin, each granting only
 * roles whose rights they hold). A new GlobalAdmin joins the partner's `globalAdminIds`. Audited `user.create`.
 * Round trips: the user's create (with its directory entry and email claim, the store's), the guard write for a
 * GlobalAdmin, the audit event.
 * @returns the user as created, with its ETag.
 * @throws DomainError `forbidden` (a role the caller cannot grant) · `user-exists`.
 */
export async function addUser(deps: AppDeps, cmd: AddUserCommand): Promise<Versioned<User>> {
  const roles = [...new Set(cmd.roles)];
  assertCanSetRoles(cmd.user, undefined, roles);
  const partnerId = cmd.partner.id;
  const user: User = {
    id: cmd.objectId,
    partnerId,
    objectId: cmd.objectId,
    displayName: cmd.displayName,
    accountEmail: cmd.accountEmail,
    roles,
    ...(cmd.preferredLanguage ? { preferredLanguage: cmd.preferredLanguage } : {}),
    createdAt: deps.clock.now().toISOString(),
  };
  const created = await deps.store.createUser(user);
  if (holdsGlobalAdmin(user.roles)) await deps.store.changeGlobalAdmins(partnerId, user.id, true);
  await audit(deps, {
    partnerId,
    caller: cmd.actor,
    action: 'user.create',
    target: { type: 'user', id: user.id },
    detail: { roles: user.roles },
  });
  return created;
}

/** Input of {@link changeUser}: what changes (absent members stay), and the `If-Match` ETag if any. */
export interface ChangeUserCommand extends PartnerCaller {
  userId: string;
  roles?: Role[];
  displayName?: string;
  preferredLanguage?: Locale;
  ifMatch?: string;
}

/**
 * Changes a user's roles, display name or language (GlobalAdmin, UserAdmin). A demoted GlobalAdmin leaves the
 * guard list first (nothing else is written when that refuses: `last-global-admin`), and is put back if the user
 * write then fails. Audited `user.update`.
 * @returns the user as written, with its new ETag.
 * @throws DomainError `not-found` · `precondition-failed` · `forbidden` (a role the caller cannot grant, or a user
 *   holding one) · `last-global-admin`.
 */
export async function changeUser(deps: AppDeps, cmd: ChangeUserCommand): Promise<Versioned<User>> {
  const partnerId = cmd.partner.id;
  const current = await loadUser(deps, partnerId, cmd.userId, cmd.ifMatch);
  const roles = cmd.roles ? [...new Set(cmd.roles)] : current.value.roles;
  assertCanSetRoles(cmd.user, current.value, roles);
  const wasGlobal = holdsGlobalAdmin(current.value.roles);
  const isGlobal = holdsGlobalAdmin(roles);
  // Demotion: the guard document first; nothing else is written when it refuses.
  if (wasGlobal && !isGlobal) await deps.store.changeGlobalAdmins(partnerId, cmd.userId, false);
  let saved;
  try {
    saved = await deps.store.updateUser(
      partnerId,
      cmd.userId,
      (u) => ({
        value: {
          ...u,
          roles,
          ...(cmd.displayName !== undefined ? { displayName: cmd.displayName } : {}),
          ...(cmd.preferredLanguage !== undefined ? { preferredLanguage: cmd.preferredLanguage } : {}),
        },
      }),
      { ifMatch: current.etag },
    );
  } catch (e) {
    // The user changed in between: put the GlobalAdmin back in the guard list, then fail (412).
    if (wasGlobal && !isGlobal) await deps.store.changeGlobalAdmins(partnerId, cmd.userId, true);
    throw e;
  }
  if (isGlobal && !wasGlobal) await deps.store.changeGlobalAdmins(partnerId, cmd.userId, true);
  await audit(deps, {
    partnerId,
    caller: cmd.actor,
    action: 'user.update',
    target: { type: 'user', id: cmd.userId },
    detail: {
      ...(cmd.roles ? { rolesBefore: current.value.roles, roles } : {}),
      ...(cmd.displayName !== undefined ? { displayNameChanged: true } : {}),
      ...(cmd.preferredLanguage !== undefined ? { preferredLanguage: cmd.preferredLanguage } : {}),
    },
  });
  return { value: saved.value, etag: saved.etag };
}

/**
 * Removes a user (GlobalAdmin, UserAdmin): ends the user's assignments (seats free up; a technical contact is
 * unassigned), then deletes the user, so its object id and account email can be used again. Audited `user.delete`.
 * @throws DomainError `not-found` · `precondition-failed` · `forbidden` (the user holds a role the caller cannot
 *   grant) · `last-global-admin` · `user-is-marketing-contact` (change the marketing contact first).
 */
export async function removeUser(
  deps: AppDeps,
  cmd: PartnerCaller & { userId: string; ifMatch?: string },
): Promise<void> {
  const partnerId = cmd.partner.id;
  const current = await loadUser(deps, partnerId, cmd.userId, cmd.ifMatch);
  assertCanManageUser(cmd.user, current.value);
  if (cmd.partner.marketingContact?.userId === cmd.userId) {
    throw new DomainError(
      'user-is-marketing-contact',
      'This user is the marketing contact: set another marketing contact first.',
    );
  }
  const wasGlobal = holdsGlobalAdmin(current.value.roles);
  if (wasGlobal) await deps.store.changeGlobalAdmins(partnerId, cmd.userId, false);
  const ended = await endAssignmentsOf(deps, partnerId, cmd.userId);
  try {
    await deps.store.deleteUser(current.value, current.etag);
  } catch (e) {
    if (wasGlobal) await deps.store.changeGlobalAdmins(partnerId, cmd.userId, true);
    throw e;
  }
  await audit(deps, {
    partnerId,
    caller: cmd.actor,
    action: 'user.delete',
    target: { type: 'user', id: cmd.userId },
    detail: { roles: current.value.roles, assignmentsEnded: ended },
  });
}

/**
 * Ends every active assignment of `userId` on the partner's benefits (each benefit by its own conditional write;
 * the status of a benefit never changes when an assignment ends). Returns how many ended.
 */
async function endAssignmentsOf(deps: AppDeps, partnerId: string, userId: string): Promise<number> {
  const nowIso = deps.clock.now().toISOString();
  const benefits = await deps.store.listBenefitsAssignedTo(partnerId, userId);
  let ended = 0;
  for (const listed of benefits) {
    const out = await deps.store.updateBenefitIfChanged<number>(partnerId, listed.id, (b) => {
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
