/**
 * Purchases (SPEC §3, §9): `GET|POST /api/partners/{partnerId}/purchases`. A purchase provisions one
 * benefit per catalog item of the package for the partner's level.
 */
import { getPackage } from '../../domain/catalog';
import { DomainError } from '../../domain/errors';
import {
  assertEligibleForPackage,
  assertMembershipActive,
  provisionBenefits,
} from '../../domain/provisioning';
import { toPublicBenefit } from '../../domain/rules';
import {
  BenefitSchema,
  CreatePurchaseBody,
  PageQuery,
  PurchaseSchema,
  pageSchema,
} from '../../domain/schemas';
import type { Purchase } from '../../domain/types';
import { z } from 'zod';
import { audit } from '../audit';
import { defineRoute } from '../route';
import { PartnerParams } from './params';

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
  responses: { 200: { description: 'A page of purchases', schema: pageSchema(PurchaseSchema) } },
  handle: async ({ services, params, query }) => ({
    status: 200,
    body: await services.store.listPurchases(params.partnerId, query),
  }),
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
      body: { purchase, benefits: benefits.map(toPublicBenefit) },
      headers: { Location: `/api/partners/${encodeURIComponent(params.partnerId)}/purchases/${purchaseId}` },
    };
  },
});
