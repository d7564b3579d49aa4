/**
 * The operator console's partner list (docs/product.md §11 "Operator console: partners"):
 * `GET /api/operator/partners` → 200 `{ items: Partner[], continuationToken }` — every partner organization,
 * by name, with its level, where it is managed, its membership and marketing contact (the Partner resource of
 * docs/product.md §9). Operator only (`Program.Operator`); paged like every list, tokens sealed for this list.
 * Adapter of src/app/partners.ts `listAllPartners`.
 */
import { listAllPartners, readAnyPartner } from '../../app/partners';
import { PageQuery, PartnerSchema, pageSchema } from '../../domain/schemas';
import { pageOf } from '../paging';
import { defineRoute } from '../route';
import { PartnerParams } from './params';

export const listOperatorPartners = defineRoute({
  name: 'listOperatorPartners',
  method: 'GET',
  route: 'operator/partners',
  summary: 'Every partner organization, by name (operator)',
  tags: ['operator'],
  access: { kind: 'operator' },
  query: PageQuery,
  responses: { 200: { description: 'A page of partners, by name', schema: pageSchema(PartnerSchema) } },
  handle: async ({ services, query, caller }) => ({
    status: 200,
    body: await pageOf(services, { route: 'listOperatorPartners', partnerId: '*' }, query, (page) =>
      listAllPartners(services, { actor: caller, page }),
    ),
  }),
});

/**
 * `GET /api/operator/partners/{partnerId}` → 200 Partner with its `ETag` (operator only): one partner organization,
 * the resource `POST /api/operator/partners` names in `Location` (docs/decisions.md). Errors: 404 unknown partner.
 * Adapter of src/app/partners.ts `readAnyPartner`.
 */
export const getOperatorPartner = defineRoute({
  name: 'getOperatorPartner',
  method: 'GET',
  route: 'operator/partners/{partnerId}',
  summary: 'One partner organization (operator)',
  tags: ['operator'],
  access: { kind: 'operator' },
  params: PartnerParams,
  responses: { 200: { description: 'The partner', schema: PartnerSchema } },
  handle: async ({ services, params, caller }) => {
    const partner = await readAnyPartner(services, { actor: caller, partnerId: params.partnerId });
    return { status: 200, body: partner.value, etag: partner.etag };
  },
});
