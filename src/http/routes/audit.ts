/** `GET /api/partners/{partnerId}/audit-events` — paged (docs/product.md §9). */
import { AuditEventSchema, PageQuery, pageSchema } from '../../domain/schemas';
import { pageOf } from '../paging';
import { defineRoute } from '../route';
import { PartnerParams } from './params';

export const listAuditEvents = defineRoute({
  name: 'listAuditEvents',
  method: 'GET',
  route: 'partners/{partnerId}/audit-events',
  summary: "The partner's audit trail",
  tags: ['audit'],
  access: { kind: 'partner', action: 'read' },
  params: PartnerParams,
  query: PageQuery,
  responses: { 200: { description: 'A page of audit events', schema: pageSchema(AuditEventSchema) } },
  handle: async ({ services, params, query }) => ({
    status: 200,
    body: await pageOf(services, { route: 'listAuditEvents', partnerId: params.partnerId }, query, (p) =>
      services.store.listAuditEvents(params.partnerId, p),
    ),
  }),
});
