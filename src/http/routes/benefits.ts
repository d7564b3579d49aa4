/**
 * Benefit reads (docs/product.md §3, §9): `GET /api/partners/{partnerId}/benefits?category=&status=` (paged)
 * and `GET …/benefits/{benefitId}`. Keys never appear here (toPublicBenefit).
 */
import { DomainError } from '../../domain/errors';
import { toPublicBenefit } from '../../domain/rules';
import { BenefitListQuery, BenefitSchema, pageSchema } from '../../domain/schemas';
import { pageOf } from '../paging';
import { defineRoute } from '../route';
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
  handle: async ({ services, params, query }) => {
    const filters = {
      category: query.category,
      status: query.status,
      q: query.q,
      expiresBefore: query.expiresBefore,
    };
    const page = await pageOf(
      services,
      { route: 'listBenefits', partnerId: params.partnerId, filters },
      query,
      (p) => services.store.listBenefits(params.partnerId, filters, p),
    );
    return { status: 200, body: { ...page, items: page.items.map(toPublicBenefit) } };
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
  handle: async ({ params, benefit }) => {
    if (!benefit) throw new DomainError('not-found', `Benefit ${params.benefitId} was not found.`);
    return { status: 200, body: toPublicBenefit(benefit.value), etag: benefit.etag };
  },
});
