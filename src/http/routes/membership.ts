/**
 * The membership lifecycle (docs/product.md §12): `GET /api/partners/{partnerId}/membership`, the partner's renewal
 * `POST /api/partners/{partnerId}/membership/renewal`, and the operator's level change
 * `PATCH /api/operator/partners/{partnerId}`; thin adapters of src/app/membership.ts.
 */
import {
  changePartnerLevel as changeLevel,
  readMembership,
  renewPartnerMembership,
} from '../../app/membership';
import {
  ChangeLevelBody,
  MembershipSchema,
  RenewalBody,
  RenewalCreatedSchema,
} from '../../domain/membership';
import { PartnerSchema } from '../../domain/schemas';
import { defineRoute, ifMatch } from '../route';
import { PartnerParams } from './params';

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
  handle: async ({ services, caller, user, partner }) => {
    const membership = readMembership(services, { actor: caller, user, partner });
    return { status: 200, body: membership.value, etag: membership.etag };
  },
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
  handle: async ({ services, params, body, partner, caller, user, request }) => {
    const renewal = await renewPartnerMembership(services, {
      actor: caller,
      user,
      partner,
      packageId: body.packageId,
      ifMatch: ifMatch(request),
    });
    const location = `/api/partners/${encodeURIComponent(params.partnerId)}/purchases/${renewal.purchase.id}`;
    return { status: 201, body: renewal, headers: { Location: location } };
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
    const saved = await changeLevel(services, {
      actor: caller,
      partnerId: params.partnerId,
      level: body.level,
      ifMatch: ifMatch(request),
    });
    return { status: 200, body: saved.value, etag: saved.etag };
  },
});
