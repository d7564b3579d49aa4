/**
 * The membership lifecycle (docs/product.md §12): `GET /api/partners/{partnerId}/membership`, the partner's renewal
 * `POST /api/partners/{partnerId}/membership/renewal`, and the operator's level change
 * `PATCH /api/operator/partners/{partnerId}`.
 */
import { getPackage } from '../../domain/catalog';
import { DomainError } from '../../domain/errors';
import {
  ChangeLevelBody,
  membershipView,
  RenewalBody,
  RenewalCreatedSchema,
  MembershipSchema,
  changeLevel,
  renewMembership,
} from '../../domain/membership';
import { provisionBenefits } from '../../domain/provisioning';
import { toPublicBenefit } from '../../domain/rules';
import { PartnerSchema } from '../../domain/schemas';
import type { Partner, PartnerLevel, Purchase } from '../../domain/types';
import { etagMatches } from '../../app/etag';
import type { Versioned } from '../../store/ports';
import { audit } from '../../app/audit';
import { defineRoute, ifMatch } from '../route';
import { PartnerParams } from './params';
import { publicPartner } from './partners';
import { purchaseView } from './purchases';

/** Attempts of a renewal whose partner write lost a race (each re-reads the partner and re-decides). */
const RENEWAL_ATTEMPTS = 5;

/** `GET /api/partners/{partnerId}/membership` — level, status, end and the renewal window (docs/product.md §12). */
export const getMembership = defineRoute({
  name: 'getMembership',
  method: 'GET',
  route: 'partners/{partnerId}/membership',
  summary: "Read the partner's membership: level, status, expiry, and whether it can be renewed now",
  tags: ['membership'],
  access: { kind: 'partner', action: 'read' },
  params: PartnerParams,
  responses: { 200: { description: 'The membership', schema: MembershipSchema } },
  handle: async ({ services, partner }) => ({
    status: 200,
    body: membershipView(partner.value, services.clock.now()),
    etag: partner.etag,
  }),
});

/**
 * `POST /api/partners/{partnerId}/membership/renewal` `{ packageId }` → 201 `{ purchase, benefits, membership }`
 * (docs/product.md §12): buys the package of the partner's level and renews the membership in ONE transactional write (the
 * partner replaced on its ETag, the purchase and its benefits created, all in the partner's partition). A lost race
 * re-reads the partner and decides again (so a second concurrent renewal finds the window moved and is refused);
 * with `If-Match` a changed partner is final (`412`). Honours `Idempotency-Key` like every POST.
 * Errors: 400 unknown package; 409 `renewal-not-open` (with `opensAt`, `closesAt`), `not-eligible` (not the
 * package of the partner's level; `renewalPackageId`), `membership-inactive` (suspended), `managed-in-pmc`;
 * 412 `precondition-failed`.
 */
export const renewMembershipRoute = defineRoute({
  name: 'renewMembership',
  method: 'POST',
  route: 'partners/{partnerId}/membership/renewal',
  summary: "Renew the membership: buy the package of the partner's level within the renewal window",
  tags: ['membership'],
  access: { kind: 'partner', action: 'renewMembership', benefits: true },
  params: PartnerParams,
  body: RenewalBody,
  responses: {
    201: {
      description: 'The renewal purchase, the benefits it provisioned and the renewed membership',
      schema: RenewalCreatedSchema,
    },
  },
  handle: async ({ services, params, body, partner, caller, request }) => {
    const pkg = getPackage(body.packageId);
    if (!pkg) {
      throw new DomainError('validation-failed', `Package ${body.packageId} does not exist.`, [
        { field: 'body.packageId', message: 'unknown package; see GET /api/catalog/packages' },
      ]);
    }
    const expected = ifMatch(request);
    let current: Versioned<Partner> = partner;
    for (let attempt = 1; ; attempt++) {
      if (expected !== undefined && !etagMatches(expected, current.etag)) {
        throw new DomainError(
          'precondition-failed',
          'If-Match does not match the current ETag of the partner.',
        );
      }
      const now = services.clock.now();
      const renewed = renewMembership(current.value, pkg, now);
      const purchaseId = services.newId();
      const benefits = provisionBenefits({
        partner: renewed.partner,
        pkg,
        purchaseId,
        now,
        newId: services.newId,
      });
      const purchase: Purchase = {
        id: purchaseId,
        partnerId: params.partnerId,
        packageId: pkg.id,
        purchasedAt: now.toISOString(),
        purchasedBy: caller.objectId,
        status: 'Active',
        benefitIds: benefits.map((b) => b.id),
        renewal: renewed.renewal,
      };
      let saved: Versioned<Partner>;
      try {
        saved = await services.store.renewMembership(current, renewed.partner, purchase, benefits);
      } catch (e) {
        const lost = e instanceof DomainError && e.code === 'precondition-failed';
        if (!lost || expected !== undefined || attempt >= RENEWAL_ATTEMPTS) throw e;
        const reread = await services.store.getPartner(params.partnerId);
        if (!reread) throw new DomainError('not-found', `Partner ${params.partnerId} was not found.`);
        current = reread;
        continue;
      }
      await audit(services, {
        partnerId: params.partnerId,
        caller,
        action: 'membership.renew',
        target: { type: 'partner', id: params.partnerId },
        detail: { packageId: pkg.id, purchaseId, benefits: benefits.length, ...renewed.renewal },
      });
      return {
        status: 201,
        body: {
          purchase: purchaseView(purchase, now),
          benefits: benefits.map(toPublicBenefit),
          membership: membershipView(saved.value, now),
        },
        headers: {
          Location: `/api/partners/${encodeURIComponent(params.partnerId)}/purchases/${purchaseId}`,
        },
      };
    }
  },
});

/**
 * `PATCH /api/operator/partners/{partnerId}` `{ level }` → 200 partner (docs/product.md §12 upgrade or downgrade, operator
 * only). Honours `If-Match` (`412`). From now on the partner may buy (and renews with) the new level's package;
 * bought benefits keep their terms — nothing but the level changes. Audited `partner.level.change` with the old
 * and new level; setting the level it already has changes and records nothing.
 * Errors: 404 unknown partner; 412 `precondition-failed`.
 */
export const changePartnerLevel = defineRoute({
  name: 'changePartnerLevel',
  method: 'PATCH',
  route: 'operator/partners/{partnerId}',
  summary: "Record a partner's level change, upgrade or downgrade (operator)",
  tags: ['operator'],
  access: { kind: 'operator' },
  params: PartnerParams,
  body: ChangeLevelBody,
  responses: { 200: { description: 'The partner', schema: PartnerSchema } },
  handle: async ({ services, params, body, caller, request }) => {
    const current = await services.store.getPartner(params.partnerId);
    if (!current) throw new DomainError('not-found', `Partner ${params.partnerId} was not found.`);
    const expected = ifMatch(request);
    if (expected !== undefined && !etagMatches(expected, current.etag)) {
      throw new DomainError(
        'precondition-failed',
        'If-Match does not match the current ETag of the partner.',
      );
    }
    if (current.value.level === body.level) {
      return { status: 200, body: publicPartner(current.value), etag: current.etag };
    }
    const saved = await services.store.updatePartner<PartnerLevel>(
      params.partnerId,
      (p) => ({ value: changeLevel(p, body.level).partner, result: p.level }),
      { ifMatch: expected },
    );
    const from = saved.result!;
    if (from !== body.level) {
      await audit(services, {
        partnerId: params.partnerId,
        caller,
        action: 'partner.level.change',
        target: { type: 'partner', id: params.partnerId },
        detail: { from, to: body.level },
      });
    }
    return { status: 200, body: publicPartner(saved.value), etag: saved.etag };
  },
});
