/**
 * Service requests (docs/product.md §5, §9): `GET|POST /api/partners/{partnerId}/service-requests`.
 * `AdvisoryHours` consumes hours of an Active Technical Presales and Deployment Services benefit; `SupportIncident`
 * consumes one incident of an Active support benefit. The consumption is a conditional (ETag) update of the
 * benefit, retried on conflict, so hours and incidents never go negative under concurrency.
 * Cancellation requests are filed by `POST …/purchases/{purchaseId}/cancellation` (cancellation.ts) and listed here.
 */
import * as z from 'zod';
import { consumeAdvisoryHours, consumeIncident } from '../../domain/rules';
import { PageQuery, ServiceRequestBody, ServiceRequestSchema } from '../../domain/schemas';
import type { ServiceRequest } from '../../domain/types';
import { audit } from '../../app/audit';
import { pageOf } from '../paging';
import { defineRoute } from '../route';
import { PartnerParams } from './params';

/** Most attempts of the benefit's read–modify–write under contention (each 412 means another writer won). */
const CONSUME_MAX_ATTEMPTS = 50;

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
  handle: async ({ services, params, query }) => ({
    status: 200,
    body: await pageOf(services, { route: 'listServiceRequests', partnerId: params.partnerId }, query, (p) =>
      services.store.listServiceRequests(params.partnerId, p),
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
  handle: async ({ services, params, body, caller }) => {
    const now = services.clock.now();
    let details: Record<string, unknown>;
    if (body.type === 'AdvisoryHours') {
      const saved = await services.store.updateBenefit(
        params.partnerId,
        body.benefitId,
        (b) => ({ value: consumeAdvisoryHours(b, body.hours, now) }),
        { maxAttempts: CONSUME_MAX_ATTEMPTS },
      );
      details = {
        benefitId: body.benefitId,
        productName: saved.value.productName,
        topic: body.topic,
        description: body.description,
        hoursConsumed: body.hours,
        hoursRemaining: saved.value.advisoryHoursRemaining,
      };
    } else {
      const saved = await services.store.updateBenefit(
        params.partnerId,
        body.benefitId,
        (b) => {
          const out = consumeIncident(b, { productArea: body.productArea, now });
          return { value: out.benefit, result: out };
        },
        { maxAttempts: CONSUME_MAX_ATTEMPTS },
      );
      const out = saved.result!;
      details = {
        benefitId: body.benefitId,
        productName: saved.value.productName,
        productArea: body.productArea,
        title: body.title,
        description: body.description,
        incidentsRemaining: saved.value.incidentsRemaining,
        ...(out.accessId !== undefined ? { accessId: out.accessId, contractId: out.contractId } : {}),
      };
    }
    const request: ServiceRequest = {
      id: services.newId(),
      partnerId: params.partnerId,
      type: body.type,
      status: 'Open',
      createdAt: now.toISOString(),
      createdBy: caller.objectId,
      details,
    };
    await services.store.createServiceRequest(request);
    await audit(services, {
      partnerId: params.partnerId,
      caller,
      action:
        body.type === 'AdvisoryHours' ? 'serviceRequest.advisoryHours' : 'serviceRequest.supportIncident',
      target: { type: 'serviceRequest', id: request.id },
      detail: {
        benefitId: body.benefitId,
        ...(body.type === 'AdvisoryHours' ? { hours: body.hours } : { productArea: body.productArea }),
      },
    });
    return { status: 201, body: request };
  },
});
