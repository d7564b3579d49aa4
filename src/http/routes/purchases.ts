/**
 * Purchases (docs/product.md §3, §9): `GET|POST /api/partners/{partnerId}/purchases`,
 * `GET …/purchases/{purchaseId}`; thin adapters of src/app/purchases.ts. A purchase provisions one benefit per
 * catalog item of the package for the partner's level.
 */
import { listPartnerPurchases, purchasePackage, readPurchase } from '../../app/purchases';
import {
  BenefitSchema,
  CreatePurchaseBody,
  PageQuery,
  PurchaseSchema,
  pageSchema,
} from '../../domain/schemas';
import * as z from 'zod';
import { pageOf } from '../paging';
import { defineRoute, partnerCaller } from '../route';
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
  handle: async (input) => ({
    status: 200,
    body: await pageOf(
      input.services,
      { route: 'listPurchases', partnerId: input.params.partnerId },
      input.query,
      (page) => listPartnerPurchases(input.services, { ...partnerCaller(input), page }),
    ),
  }),
});

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
  handle: async (input) => {
    const purchase = await readPurchase(input.services, {
      ...partnerCaller(input),
      purchaseId: input.params.purchaseId,
    });
    return { status: 200, body: purchase.value, etag: purchase.etag };
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
  handle: async (input) => {
    const body = await purchasePackage(input.services, {
      ...partnerCaller(input),
      packageId: input.body.packageId,
    });
    const { partnerId } = input.params;
    const location = `/api/partners/${encodeURIComponent(partnerId)}/purchases/${body.purchase.id}`;
    return { status: 201, body, headers: { Location: location } };
  },
});
