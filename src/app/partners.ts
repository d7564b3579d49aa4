/**
 * Partner organizations (docs/product.md §1, §5, §9, §10): a member reads their partner; the program operator
 * onboards a partner with its first GlobalAdmin and lists every partner (docs/product.md §11 "Operator console").
 */
import { DomainError } from '../domain/errors';
import type { CreatePartnerBody } from '../domain/schemas';
import type { Partner, User } from '../domain/types';
import { assertCan, assertOperator } from './policy';
import type { Actor, AppDeps, Page, PageOptions, PartnerCaller } from './ports';
import { runUnitOfWork } from './unitOfWork';

/**
 * The partner as the API shows it: without the store's `partnerId` and the internal `globalAdminIds` and notice
 * schedule (`nextNoticeAt`, `notices`).
 */
export function publicPartner(p: Partner): Partner {
  const {
    partnerId: _p,
    globalAdminIds: _g,
    nextNoticeAt: _n,
    notices: _s,
    ...rest
  } = p as Partner & { partnerId?: string };
  return rest;
}

/**
 * The caller's partner, its membership and marketing contact (`read`: any of the four admin roles). No round trip:
 * the partner was read with the access check.
 * @throws DomainError `forbidden`.
 */
export function readPartner(cmd: PartnerCaller): Partner {
  assertCan(cmd.user, 'read');
  return publicPartner(cmd.partner);
}

/**
 * Operator: onboards a partner with its first GlobalAdmin (docs/product.md §1 program operator, §10). Audited
 * `partner.create`. The admin's object id is claimed in the directory first (another partition); then ONE unit of work
 * creates the partner, its first GlobalAdmin (with the account-email claim) and the audit event. Round trips: the
 * directory claim, the batch.
 * @returns the partner (public view) with its first admin, and the partner's ETag.
 * @throws DomainError `forbidden` (not the operator) · `user-exists` (the admin's object id or email is taken).
 */
export async function onboardPartner(
  deps: AppDeps,
  cmd: CreatePartnerBody & { actor: Actor },
): Promise<{ partner: Partner & { globalAdmin: User }; etag: string }> {
  assertOperator(cmd.actor);
  const now = deps.clock.now().toISOString();
  const partner: Partner = {
    id: deps.newId(),
    name: cmd.name,
    level: cmd.level,
    managedIn: cmd.managedIn,
    membership: {
      status: cmd.membership.status,
      expiresAt: new Date(cmd.membership.expiresAt).toISOString(),
    },
    ...(cmd.preferredLanguage ? { preferredLanguage: cmd.preferredLanguage } : {}),
    createdAt: now,
    globalAdminIds: [cmd.globalAdmin.objectId],
  };
  const admin: User = {
    id: cmd.globalAdmin.objectId,
    partnerId: partner.id,
    objectId: cmd.globalAdmin.objectId,
    displayName: cmd.globalAdmin.displayName,
    accountEmail: cmd.globalAdmin.accountEmail,
    roles: ['GlobalAdmin'],
    createdAt: now,
  };
  const claimed = await deps.store.claimDirectoryEntry(admin);
  try {
    const { etags } = await runUnitOfWork(deps, partner.id, (uow) => {
      uow.createPartner(partner);
      uow.create('user', admin);
      uow.audit({
        caller: cmd.actor,
        action: 'partner.create',
        target: { type: 'partner', id: partner.id },
        detail: { level: partner.level, managedIn: partner.managedIn },
      });
    });
    return { partner: { ...publicPartner(partner), globalAdmin: admin }, etag: etags[partner.id] };
  } catch (e) {
    // Refused (nothing written): give the object id back (see addUser, src/app/users.ts).
    if (claimed && e instanceof DomainError) await deps.store.releaseDirectoryEntry(admin.objectId);
    throw e;
  }
}

/**
 * Operator: one partner organization (public view) with its ETag — what `POST /api/operator/partners` answers with
 * in `Location`, and what the operator console opens. One point read.
 * @throws DomainError `forbidden` (not the operator) · `not-found`.
 */
export async function readAnyPartner(
  deps: AppDeps,
  cmd: { actor: Actor; partnerId: string },
): Promise<{ value: Partner; etag: string }> {
  assertOperator(cmd.actor);
  const found = await deps.store.getPartner(cmd.partnerId);
  if (!found) throw new DomainError('not-found', `Partner ${cmd.partnerId} was not found.`);
  return { value: publicPartner(found.value), etag: found.etag };
}

/**
 * Operator: one page of every partner organization, by name (public view; one query).
 * @throws DomainError `forbidden` (not the operator).
 */
export async function listAllPartners(
  deps: AppDeps,
  cmd: { actor: Actor; page: PageOptions },
): Promise<Page<Partner>> {
  assertOperator(cmd.actor);
  const page = await deps.store.listPartners(cmd.page);
  return { ...page, items: page.items.map(publicPartner) };
}
