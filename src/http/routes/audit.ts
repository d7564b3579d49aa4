/** `GET /api/partners/{partnerId}/audit-events` — paged (docs/product.md §9); adapter of src/app/auditTrail.ts. */
import { listAuditTrail } from '../../app/auditTrail';
import { AuditEventSchema, PageQuery, pageSchema } from '../../domain/schemas';
import { pageOf } from '../paging';
import { defineRoute, partnerCaller } from '../route';
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
  handle: async (input) => ({
    status: 200,
    body: await pageOf(
      input.services,
      { route: 'listAuditEvents', partnerId: input.params.partnerId },
      input.query,
      (page) => listAuditTrail(input.services, { ...partnerCaller(input), page }),
    ),
  }),
});
