/**
 * Service requests (docs/product.md §5, §9): `GET|POST /api/partners/{partnerId}/service-requests`; thin adapters of
 * src/app/serviceRequests.ts. Cancellation requests are filed by `POST …/purchases/{purchaseId}/cancellation`
 * (cancellation.ts) and listed here.
 */
import * as z from 'zod';
import { fileServiceRequest, listPartnerServiceRequests } from '../../app/serviceRequests';
import { PageQuery, ServiceRequestBody, ServiceRequestSchema } from '../../domain/schemas';
import { pageOf } from '../paging';
import { defineRoute, partnerCaller } from '../route';
import { PartnerParams } from './params';

/** `GET /api/partners/{partnerId}/service-requests` → 200 `{ items: ServiceRequest[], continuationToken }`. */
export const listServiceRequests = defineRoute({
  name: 'listServiceRequests',
  method: 'GET',
  route: 'partners/{partnerId}/service-requests',
  summary: "List the partner's service requests (cancellations, advisory hours, support incidents)",
  tags: ['service-requests'],
  access: { kind: 'partner', action: 'read', benefits: true },
  params: PartnerParams,
  query: PageQuery,
  responses: {
    200: {
      description: 'A page of service requests',
      schema: z.object({ items: z.array(ServiceRequestSchema), continuationToken: z.string().nullable() }),
    },
  },
  handle: async (input) => ({
    status: 200,
    body: await pageOf(
      input.services,
      { route: 'listServiceRequests', partnerId: input.params.partnerId },
      input.query,
      (page) => listPartnerServiceRequests(input.services, { ...partnerCaller(input), page }),
    ),
  }),
});

/**
 * `POST /api/partners/{partnerId}/service-requests` (body `ServiceRequestBody`) → 201 the request, status `Open`
 * (a consultant or support engineer picks it up), with the consumption recorded in `details`:
 * - `AdvisoryHours` `{ benefitId, topic, description, hours }` → `details { benefitId, productName, topic,
 *   description, hoursConsumed, hoursRemaining }`;
 * - `SupportIncident` `{ benefitId, productArea, title, description }` → `details { benefitId, productName,
 *   productArea, title, description, incidentsRemaining, accessId?, contractId? }` (ids for on-premises,
 *   Azure non-CSP and Dynamics products).
 * Errors: 404 `not-found` (benefit), 409 `insufficient-hours` / `no-incidents-left` / `benefit-not-active` /
 * `benefit-cancelled` / `not-activatable` (wrong kind of benefit), 400 `validation-failed` (including Signature
 * support for a non-cloud product), 412 `precondition-failed` if contention outlasts the retries.
 */
export const createServiceRequest = defineRoute({
  name: 'createServiceRequest',
  method: 'POST',
  route: 'partners/{partnerId}/service-requests',
  summary: 'File an advisory-hours or support-incident request (consumes hours or one incident)',
  tags: ['service-requests'],
  access: { kind: 'partner', action: 'fileServiceRequest', benefits: true },
  params: PartnerParams,
  body: ServiceRequestBody,
  responses: { 201: { description: 'The service request', schema: ServiceRequestSchema } },
  handle: async (input) => ({
    status: 201,
    body: await fileServiceRequest(input.services, { ...partnerCaller(input), request: input.body }),
  }),
});
