/**
 * Benefit reads (docs/product.md §3, §9): `GET /api/partners/{partnerId}/benefits?category=&status=` (paged)
 * and `GET …/benefits/{benefitId}`; thin adapters of src/app/benefits.ts. Keys never appear here.
 */
import { listPartnerBenefits, readBenefit } from '../../app/benefits';
import { BenefitListQuery, BenefitSchema, pageSchema } from '../../domain/schemas';
import { pageOf } from '../paging';
import { defineRoute, partnerCaller } from '../route';
import { BenefitParams, PartnerParams } from './params';

/**
 * `GET /api/partners/{partnerId}/benefits?category=&status=&q=&expiresBefore=` — one query page per call, by
 * category then product name (docs/product.md §9); `status=Active&expiresBefore=<now + 30 days>` lists what expires soon
 * (docs/product.md §12).
 */
export const listBenefits = defineRoute({
  name: 'listBenefits',
  method: 'GET',
  route: 'partners/{partnerId}/benefits',
  summary:
    "List the partner's benefits by category and product name; filter by category, status, q (name) or expiresBefore",
  tags: ['benefits'],
  access: { kind: 'partner', action: 'read', benefits: true },
  params: PartnerParams,
  query: BenefitListQuery,
  responses: { 200: { description: 'A page of benefits', schema: pageSchema(BenefitSchema) } },
  handle: async (input) => {
    const { category, status, q, expiresBefore } = input.query;
    const filters = { category, status, q, expiresBefore };
    const scope = { route: 'listBenefits', partnerId: input.params.partnerId, filters };
    return {
      status: 200,
      body: await pageOf(input.services, scope, input.query, (page) =>
        listPartnerBenefits(input.services, { ...partnerCaller(input), filters, page }),
      ),
    };
  },
});

/**
 * `GET /api/partners/{partnerId}/benefits/{benefitId}` — the benefit is read with the access check, one round trip
 * in all; `ETag` for If-Match.
 */
export const getBenefit = defineRoute({
  name: 'getBenefit',
  method: 'GET',
  route: 'partners/{partnerId}/benefits/{benefitId}',
  summary: 'Read one benefit',
  tags: ['benefits'],
  access: { kind: 'partner', action: 'read', benefits: true },
  params: BenefitParams,
  readWithAccess: { benefit: (params) => params.benefitId },
  responses: { 200: { description: 'The benefit', schema: BenefitSchema } },
  handle: async (input) => {
    const { benefitId } = input.params;
    const benefit = readBenefit({ ...partnerCaller(input), benefitId, benefit: input.benefit });
    return { status: 200, body: benefit.value, etag: benefit.etag };
  },
});
