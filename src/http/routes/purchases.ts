/**
 * Purchases (docs/product.md §3, §9): `GET|POST /api/partners/{partnerId}/purchases`,
 * `GET …/purchases/{purchaseId}`. A purchase provisions one benefit per catalog item of the package for the
 * partner's level.
 */
import { getPackage } from '../../domain/catalog';
import { DomainError } from '../../domain/errors';
import {
  assertEligibleForPackage,
  assertMembershipActive,
  provisionBenefits,
} from '../../domain/provisioning';
import { cancellability, toPublicBenefit } from '../../domain/rules';
import {
  BenefitSchema,
  CreatePurchaseBody,
  PageQuery,
  PurchaseSchema,
  pageSchema,
} from '../../domain/schemas';
import type { Purchase } from '../../domain/types';
import * as z from 'zod';
import { audit } from '../../app/audit';
import { pageOf } from '../paging';
import { defineRoute } from '../route';
import { PartnerParams, PurchaseParams } from './params';

/** `GET /api/partners/{partnerId}/purchases` — paged. */
export const listPurchases = defineRoute({
  name: 'listPurchases',
  method: 'GET',
  route: 'partners/{partnerId}/purchases',
  summary: "List the partner's purchases",
  tags: ['purchases'],
  access: { kind: 'partner', action: 'read', benefits: true },
  params: PartnerParams,
  query: PageQuery,
  responses: {
    200: { description: 'A page of purchases, newest first', schema: pageSchema(PurchaseSchema) },
  },
  handle: async ({ services, params, query }) => {
    const page = await pageOf(services, { route: 'listPurchases', partnerId: params.partnerId }, query, (p) =>
      services.store.listPurchases(params.partnerId, p),
    );
    const now = services.clock.now();
    return { status: 200, body: { ...page, items: page.items.map((p) => purchaseView(p, now)) } };
  },
});

/**
 * The purchase as the API shows it (docs/product.md §9 Purchase): the stored purchase plus `cancellable`,
 * `cancellableReason` (when not) and `cancellableUntil` — whether a cancellation with refund would be
 * accepted at `now` (docs/product.md §4).
 */
export function purchaseView(purchase: Purchase, now: Date) {
  return { ...purchase, ...cancellability(purchase, now) };
}

/**
 * `GET /api/partners/{partnerId}/purchases/{purchaseId}` → 200 the purchase with `cancellable` (and, when not, the
 * reason code) and its `ETag` (send it as `If-Match` with the cancellation). Errors: 404 `not-found`.
 */
export const getPurchase = defineRoute({
  name: 'getPurchase',
  method: 'GET',
  route: 'partners/{partnerId}/purchases/{purchaseId}',
  summary: 'Read one purchase, with whether it can still be cancelled and why not',
  tags: ['purchases'],
  access: { kind: 'partner', action: 'read', benefits: true },
  params: PurchaseParams,
  responses: { 200: { description: 'The purchase', schema: PurchaseSchema } },
  handle: async ({ services, params }) => {
    const purchase = await services.store.getPurchase(params.partnerId, params.purchaseId);
    if (!purchase) throw new DomainError('not-found', `Purchase ${params.purchaseId} was not found.`);
    return { status: 200, body: purchaseView(purchase.value, services.clock.now()), etag: purchase.etag };
  },
});

/**
 * `POST /api/partners/{partnerId}/purchases` `{ packageId }` → 201 `{ purchase, benefits }`.
 * Errors: 409 `membership-inactive`, `not-eligible`, `managed-in-pmc`; 400 for an unknown package.
 */
export const createPurchase = defineRoute({
  name: 'createPurchase',
  method: 'POST',
  route: 'partners/{partnerId}/purchases',
  summary: 'Buy a benefit package; provisions its benefits for the partner level',
  tags: ['purchases'],
  access: { kind: 'partner', action: 'purchase', benefits: true },
  params: PartnerParams,
  body: CreatePurchaseBody,
  responses: {
    201: {
      description: 'The purchase and the benefits it provisioned',
      schema: z.object({ purchase: PurchaseSchema, benefits: z.array(BenefitSchema) }),
    },
  },
  handle: async ({ services, params, body, partner, caller }) => {
    const now = services.clock.now();
    const pkg = getPackage(body.packageId);
    if (!pkg) {
      throw new DomainError('validation-failed', `Package ${body.packageId} does not exist.`, [
        { field: 'body.packageId', message: 'unknown package; see GET /api/catalog/packages' },
      ]);
    }
    assertMembershipActive(partner.value, now);
    assertEligibleForPackage(partner.value, pkg);
    const purchaseId = services.newId();
    const benefits = provisionBenefits({
      partner: partner.value,
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
    };
    await services.store.createPurchase(purchase, benefits);
    await audit(services, {
      partnerId: params.partnerId,
      caller,
      action: 'purchase.create',
      target: { type: 'purchase', id: purchaseId },
      detail: { packageId: pkg.id, benefits: benefits.length },
    });
    return {
      status: 201,
      body: { purchase: purchaseView(purchase, now), benefits: benefits.map(toPublicBenefit) },
      headers: { Location: `/api/partners/${encodeURIComponent(params.partnerId)}/purchases/${purchaseId}` },
    };
  },
});
