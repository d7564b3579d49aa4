/**
 * A partner's users (docs/product.md §2, §9 "Account settings → Users"): list, read, add, change (roles, display
 * name, language) and remove.
 *
 * Granting: nobody grants a role with rights they lack, nor changes the roles of (or removes) a user holding such a
 * role — the policy's `canGrantRole` / `canManageUser` (src/app/policy.ts), asked once per use case. The last
 * GlobalAdmin: every change of the role replaces the partner document's `globalAdminIds` on its ETag in the same unit
 * of work as the user (src/app/unitOfWork.ts), so two admins demoting each other at once leave one (docs/product.md
 * §2). Each mutation is one unit of work with its audit event.
 */
import { DomainError } from '../domain/errors';
import { endAllAssignments } from '../domain/rules';
import type { Locale, Partner, Role, User } from '../domain/types';
import { holdsGlobalAdmin, nextGlobalAdmins } from '../domain/users';
import { etagMatches } from './etag';
import { assertCan, assertCanManageUser, assertCanSetRoles } from './policy';
import type { AppDeps, Page, PageOptions, PartnerCaller, Versioned } from './ports';
import { runUnitOfWork, type UnitOfWork } from './unitOfWork';

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
 * The partner with its ETag and its GlobalAdmins as the guard list holds them (`globalAdminIds`; an older partner
 * document without the list gets it from the users holding the role: one query). Round trips: one read (+ the query).
 * @throws DomainError `not-found` when the partner is gone.
 */
async function readGlobalAdminGuard(
  deps: AppDeps,
  partnerId: string,
): Promise<{ partner: Versioned<Partner>; admins: string[] }> {
  const partner = await deps.store.getPartner(partnerId);
  if (!partner) throw new DomainError('not-found', `Partner ${partnerId} was not found.`);
  const admins =
    partner.value.globalAdminIds ??
    (await deps.store.listUsersWithRole(partnerId, 'GlobalAdmin')).map((u) => u.id);
  return { partner, admins };
}

/**
 * Records in `uow` that `userId` gains or loses GlobalAdmin: the partner document's guard list replaced on the ETag
 * it was read with, so two admins demoting each other at once race on that one document (docs/product.md §2).
 * @throws DomainError `last-global-admin` when no GlobalAdmin would be left.
 */
async function changeGlobalAdmins(
  deps: AppDeps,
  uow: UnitOfWork,
  userId: string,
  holdsGlobal: boolean,
): Promise<void> {
  const { partner, admins } = await readGlobalAdminGuard(deps, uow.partnerId);
  uow.replacePartner(partner, {
    ...partner.value,
    globalAdminIds: nextGlobalAdmins(admins, userId, holdsGlobal),
  });
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
 * roles whose rights they hold). The object id is claimed in the directory first (another partition: the store's
 * `claimDirectoryEntry`); then ONE unit of work creates the user (with its account-email claim), adds a new
 * GlobalAdmin to the partner's `globalAdminIds` (conditional on the partner's ETag) and records `user.create`.
 * Round trips: the directory claim, the partner's read for a GlobalAdmin, the batch.
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
  const claimed = await deps.store.claimDirectoryEntry(user);
  try {
    const { etags } = await runUnitOfWork(deps, partnerId, async (uow) => {
      uow.create('user', user);
      if (holdsGlobalAdmin(roles)) await changeGlobalAdmins(deps, uow, user.id, true);
      uow.audit({
        caller: cmd.actor,
        action: 'user.create',
        target: { type: 'user', id: user.id },
        detail: { roles },
      });
    });
    return { value: user, etag: etags[user.id] };
  } catch (e) {
    // Refused (nothing written): give the object id back. Any other failure may have committed; an entry left
    // without its user is taken over by the next claim.
    if (claimed && e instanceof DomainError) await deps.store.releaseDirectoryEntry(user.objectId);
    throw e;
  }
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
 * Changes a user's roles, display name or language (GlobalAdmin, UserAdmin) as ONE unit of work: the user replaced
 * on its ETag, the partner's `globalAdminIds` on its ETag when GlobalAdmin is granted or removed (a removal that
 * would leave none is refused: `last-global-admin`, nothing written), and `user.update`. A lost race reads both
 * again and decides again; a stale `ifMatch` is final. Round trips: the user's read (+ the partner's read when
 * GlobalAdmin changes), the batch.
 * @returns the user as written, with its new ETag.
 * @throws DomainError `not-found` · `precondition-failed` · `forbidden` (a role the caller cannot grant, or a user
 *   holding one) · `last-global-admin`.
 */
export async function changeUser(deps: AppDeps, cmd: ChangeUserCommand): Promise<Versioned<User>> {
  const partnerId = cmd.partner.id;
  const { result, etags } = await runUnitOfWork(deps, partnerId, async (uow) => {
    const current = await loadUser(deps, partnerId, cmd.userId, cmd.ifMatch);
    const roles = cmd.roles ? [...new Set(cmd.roles)] : current.value.roles;
    assertCanSetRoles(cmd.user, current.value, roles);
    const isGlobal = holdsGlobalAdmin(roles);
    if (holdsGlobalAdmin(current.value.roles) !== isGlobal)
      await changeGlobalAdmins(deps, uow, cmd.userId, isGlobal);
    const next = uow.replace('user', current, {
      ...current.value,
      roles,
      ...(cmd.displayName !== undefined ? { displayName: cmd.displayName } : {}),
      ...(cmd.preferredLanguage !== undefined ? { preferredLanguage: cmd.preferredLanguage } : {}),
    });
    uow.audit({
      caller: cmd.actor,
      action: 'user.update',
      target: { type: 'user', id: cmd.userId },
      detail: {
        ...(cmd.roles ? { rolesBefore: current.value.roles, roles } : {}),
        ...(cmd.displayName !== undefined ? { displayNameChanged: true } : {}),
        ...(cmd.preferredLanguage !== undefined ? { preferredLanguage: cmd.preferredLanguage } : {}),
      },
    });
    return next;
  });
  return { value: result, etag: etags[cmd.userId] };
}

/**
 * Removes a user (GlobalAdmin, UserAdmin) as ONE unit of work: its active assignments ended (seats free up; a
 * technical contact is unassigned; each benefit replaced on its ETag, its status unchanged), the partner's
 * `globalAdminIds` without it (a GlobalAdmin), the user deleted on its ETag with its account-email claim, and
 * `user.delete`. Then its directory entry is released (another partition), so its object id and account email can be
 * used again; a failure in between leaves an entry without its user, which the next claim takes over. Round trips:
 * the user's read (+ the partner's for a GlobalAdmin), the query of its benefits, the batch, the release. A user
 * holding seats on more than about 95 benefits is beyond one batch (refused, nothing written).
 * @throws DomainError `not-found` · `precondition-failed` · `forbidden` (the user holds a role the caller cannot
 *   grant) · `last-global-admin` · `user-is-marketing-contact` (change the marketing contact first).
 */
export async function removeUser(
  deps: AppDeps,
  cmd: PartnerCaller & { userId: string; ifMatch?: string },
): Promise<void> {
  const partnerId = cmd.partner.id;
  const { result: removed } = await runUnitOfWork(deps, partnerId, async (uow) => {
    const current = await loadUser(deps, partnerId, cmd.userId, cmd.ifMatch);
    assertCanManageUser(cmd.user, current.value);
    if (cmd.partner.marketingContact?.userId === cmd.userId) {
      throw new DomainError(
        'user-is-marketing-contact',
        'This user is the marketing contact: set another marketing contact first.',
      );
    }
    if (holdsGlobalAdmin(current.value.roles)) await changeGlobalAdmins(deps, uow, cmd.userId, false);
    const ended = await endAssignmentsOf(deps, uow, cmd.userId);
    uow.remove('user', current);
    uow.audit({
      caller: cmd.actor,
      action: 'user.delete',
      target: { type: 'user', id: cmd.userId },
      detail: { roles: current.value.roles, assignmentsEnded: ended },
    });
    return current.value;
  });
  await deps.store.releaseDirectoryEntry(removed.objectId);
}

/**
 * Records in `uow` the end of every active assignment of `userId` on the partner's benefits (each benefit replaced on
 * the ETag it was read with; the status of a benefit never changes when an assignment ends). Returns how many end.
 */
async function endAssignmentsOf(deps: AppDeps, uow: UnitOfWork, userId: string): Promise<number> {
  const nowIso = deps.clock.now().toISOString();
  let ended = 0;
  for (const listed of await deps.store.listBenefitsAssignedTo(uow.partnerId, userId)) {
    const b = listed.value;
    const open = b.assignments.filter((a) => a.userId === userId && a.endedAt === undefined).length;
    if (open === 0) continue;
    const mine = endAllAssignments(
      b.assignments.filter((a) => a.userId === userId),
      nowIso,
    );
    const byId = new Map(mine.map((a) => [a.id, a]));
    // Keep the original order of assignments.
    uow.replace('benefit', listed, {
      ...b,
      assignments: b.assignments.map((a) => byId.get(a.id) ?? a),
    });
    ended += open;
  }
  return ended;
}
