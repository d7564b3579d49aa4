/**
 * The membership lifecycle (docs/product.md §12): read the membership, renew it within the renewal window (the
 * partner), change the partner's level (the operator), and undo the renewal of a refunded renewal purchase.
 */
import { DomainError } from '../domain/errors';
import { changeLevel, membershipView, renewMembership, type MembershipView } from '../domain/membership';
import { toPublicBenefit } from '../domain/rules';
import type { Partner, PartnerLevel, Purchase } from '../domain/types';
import { etagMatches } from './etag';
import { publicPartner } from './partners';
import { assertCan, assertOperator } from './policy';
import { newPurchase, packageOrThrow, purchaseView } from './purchases';
import type { Actor, AppDeps, PartnerCaller, Versioned } from './ports';
import { runUnitOfWork } from './unitOfWork';

/** Attempts of a renewal whose partner write lost a race (each re-reads the partner and re-decides). */
const RENEWAL_ATTEMPTS = 5;

/** A partner use case's caller with the partner as read (its ETag guards the write). */
type VersionedPartnerCaller = Omit<PartnerCaller, 'partner'> & { partner: Versioned<Partner> };

/**
 * The partner's membership: level, status, end and the renewal window (`read`; no round trip: the partner was read
 * with the access check). Returns the view and the partner's ETag.
 * @throws DomainError `forbidden`.
 */
export function readMembership(deps: AppDeps, cmd: VersionedPartnerCaller): Versioned<MembershipView> {
  assertCan(cmd.user, 'read');
  return { value: membershipView(cmd.partner.value, deps.clock.now()), etag: cmd.partner.etag };
}

/**
 * Renews the membership (`renewMembership`: GlobalAdmin, MpnPartnerAdmin; docs/product.md §12): buys the package of
 * the partner's level and renews the membership as ONE unit of work (src/app/unitOfWork.ts: the partner replaced on
 * its ETag, the purchase, its benefits and the audit event `membership.renew` created, one transactional batch in the
 * partner's partition). A lost race re-reads the partner and decides again (so a second concurrent renewal finds the
 * window moved and is refused); with `ifMatch` a changed partner is final.
 * Round trips: the batch (plus a partner read and a batch per lost race).
 * @returns the renewal purchase (view), the benefits it provisioned (public view) and the renewed membership.
 * @throws DomainError `forbidden` · `validation-failed` (unknown package) · `renewal-not-open` (with `opensAt`,
 *   `closesAt`) · `not-eligible` (`renewalPackageId`) · `membership-inactive` (suspended) · `precondition-failed`.
 */
export async function renewPartnerMembership(
  deps: AppDeps,
  cmd: VersionedPartnerCaller & { packageId: string; ifMatch?: string },
) {
  assertCan(cmd.user, 'renewMembership');
  const pkg = packageOrThrow(cmd.packageId);
  const partnerId = cmd.partner.value.id;
  let attempt = 0;
  const { result } = await runUnitOfWork(
    deps,
    partnerId,
    async (uow) => {
      // The first attempt decides on the partner read with the access check; a lost race reads it again.
      const current = attempt++ === 0 ? cmd.partner : await deps.store.getPartner(partnerId);
      if (!current) throw new DomainError('not-found', `Partner ${partnerId} was not found.`);
      if (cmd.ifMatch !== undefined && !etagMatches(cmd.ifMatch, current.etag)) {
        throw new DomainError(
          'precondition-failed',
          'If-Match does not match the current ETag of the partner.',
        );
      }
      const now = deps.clock.now();
      const renewed = renewMembership(current.value, pkg, now);
      const { purchase, benefits } = newPurchase(deps, {
        partner: renewed.partner,
        pkg,
        actor: cmd.actor,
        now,
        renewal: renewed.renewal,
      });
      const purchaseId = purchase.id;
      const saved = uow.replacePartner(current, renewed.partner);
      for (const b of benefits) uow.create('benefit', b);
      uow.create('purchase', purchase);
      uow.audit({
        caller: cmd.actor,
        action: 'membership.renew',
        target: { type: 'partner', id: partnerId },
        detail: { packageId: pkg.id, purchaseId, benefits: benefits.length, ...renewed.renewal },
      });
      return {
        purchase: purchaseView(purchase, now),
        benefits: benefits.map(toPublicBenefit),
        membership: membershipView(saved, now),
      };
    },
    { retryOnConflict: cmd.ifMatch === undefined, maxAttempts: RENEWAL_ATTEMPTS },
  );
  return result;
}

/**
 * Operator: records a partner's level change, upgrade or downgrade (docs/product.md §12). From now on the partner
 * may buy (and renews with) the new level's package; bought benefits keep their terms — nothing but the level
 * changes. Audited `partner.level.change` with the old and new level, in the partner's unit of work (one batch);
 * setting the level it already has changes and records nothing. Round trips: the partner's read, then (when it
 * changes) the batch; a lost race reads and decides again (with `ifMatch`, it is final).
 * @returns the partner (public view) and its ETag.
 * @throws DomainError `forbidden` (not the operator) · `not-found` · `precondition-failed` (`ifMatch`).
 */
export async function changePartnerLevel(
  deps: AppDeps,
  cmd: { actor: Actor; partnerId: string; level: PartnerLevel; ifMatch?: string },
): Promise<Versioned<Partner>> {
  assertOperator(cmd.actor);
  const { result, etags } = await runUnitOfWork(
    deps,
    cmd.partnerId,
    async (uow) => {
      const current = await deps.store.getPartner(cmd.partnerId);
      if (!current) throw new DomainError('not-found', `Partner ${cmd.partnerId} was not found.`);
      if (cmd.ifMatch !== undefined && !etagMatches(cmd.ifMatch, current.etag)) {
        throw new DomainError(
          'precondition-failed',
          'If-Match does not match the current ETag of the partner.',
        );
      }
      if (current.value.level === cmd.level) return current;
      const next = uow.replacePartner(current, changeLevel(current.value, cmd.level).partner);
      uow.audit({
        caller: cmd.actor,
        action: 'partner.level.change',
        target: { type: 'partner', id: cmd.partnerId },
        detail: { from: current.value.level, to: cmd.level },
      });
      return { value: next, etag: '' };
    },
    { retryOnConflict: cmd.ifMatch === undefined },
  );
  return { value: publicPartner(result.value), etag: etags[cmd.partnerId] ?? result.etag };
}

/**
 * The undoing of the renewal of a cancelled renewal purchase (docs/product.md §4 refund of a renewal,
 * docs/product.md §12; docs/decisions.md): the membership's `expiresAt` goes back to what it was before, as long as
 * it is still the end that renewal set (a later renewal or an operator change is left alone). Pure: the caller writes
 * the partner and the audit event `membership.renewal.undo` (as `system`) in its unit of work
 * (src/app/cancelPurchase.ts).
 * @returns the partner as it becomes and the audit event's content, or undefined when there is nothing to undo.
 */
export function renewalUndo(
  partner: Partner,
  purchase: Purchase,
):
  | {
      partner: Partner;
      audit: {
        action: string;
        target: { type: string; id: string };
        detail: Record<string, unknown>;
      };
    }
  | undefined {
  const renewal = purchase.renewal;
  if (!renewal || purchase.status !== 'Cancelled') return undefined;
  if (Date.parse(partner.membership.expiresAt) !== Date.parse(renewal.expiresAt)) return undefined;
  return {
    partner: { ...partner, membership: { ...partner.membership, expiresAt: renewal.previousExpiresAt } },
    audit: {
      action: 'membership.renewal.undo',
      target: { type: 'partner', id: purchase.partnerId },
      detail: {
        purchaseId: purchase.id,
        expiresAt: renewal.previousExpiresAt,
        undoneExpiresAt: renewal.expiresAt,
      },
    },
  };
}
