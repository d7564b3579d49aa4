/**
 * Service requests (docs/product.md §5, §9): file an advisory-hours or support-incident request, list the partner's
 * requests. `AdvisoryHours` consumes hours of an Active Technical Presales and Deployment Services benefit;
 * `SupportIncident` consumes one incident of an Active support benefit. The consumption is a conditional (ETag)
 * update of the benefit, retried on conflict, so hours and incidents never go negative under concurrency.
 * Cancellation requests are filed by the cancellation use case (cancelPurchase.ts) and listed here.
 */
import { consumeAdvisoryHours, consumeIncident } from '../domain/rules';
import type { ServiceRequestBody } from '../domain/schemas';
import type { ServiceRequest } from '../domain/types';
import { audit } from './audit';
import { assertCan } from './policy';
import type { AppDeps, Page, PageOptions, PartnerCaller } from './ports';

/** Most attempts of the benefit's read–modify–write under contention (each 412 means another writer won). */
const CONSUME_MAX_ATTEMPTS = 50;

/**
 * One page of the partner's service requests (`read`; one query).
 * @throws DomainError `forbidden`.
 */
export async function listPartnerServiceRequests(
  deps: AppDeps,
  cmd: PartnerCaller & { page: PageOptions },
): Promise<Page<ServiceRequest>> {
  assertCan(cmd.user, 'read');
  return deps.store.listServiceRequests(cmd.partner.id, cmd.page);
}

/**
 * Files a request (`fileServiceRequest`: GlobalAdmin, MpnPartnerAdmin), status `Open` (a consultant or support
 * engineer picks it up), with the consumption recorded in `details`:
 * - `AdvisoryHours` → `details { benefitId, productName, topic, description, hoursConsumed, hoursRemaining }`;
 * - `SupportIncident` → `details { benefitId, productName, productArea, title, description, incidentsRemaining,
 *   accessId?, contractId? }` (ids for on-premises, Azure non-CSP and Dynamics products).
 * Audited `serviceRequest.advisoryHours` / `serviceRequest.supportIncident`. Round trips: the benefit's read and
 * conditional write (more under contention), the request's create, the audit event.
 * @returns the request as stored.
 * @throws DomainError `forbidden` · `not-found` (benefit) · `insufficient-hours` · `no-incidents-left` ·
 *   `benefit-not-active` · `benefit-cancelled` · `not-activatable` (wrong kind of benefit) · `validation-failed`
 *   (Signature support for a non-cloud product) · `precondition-failed` if contention outlasts the retries.
 */
export async function fileServiceRequest(
  deps: AppDeps,
  cmd: PartnerCaller & { request: ServiceRequestBody },
): Promise<ServiceRequest> {
  assertCan(cmd.user, 'fileServiceRequest');
  const partnerId = cmd.partner.id;
  const body = cmd.request;
  const now = deps.clock.now();
  let details: Record<string, unknown>;
  if (body.type === 'AdvisoryHours') {
    const saved = await deps.store.updateBenefit(
      partnerId,
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
    const saved = await deps.store.updateBenefit(
      partnerId,
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
    id: deps.newId(),
    partnerId,
    type: body.type,
    status: 'Open',
    createdAt: now.toISOString(),
    createdBy: cmd.actor.objectId,
    details,
  };
  await deps.store.createServiceRequest(request);
  await audit(deps, {
    partnerId,
    caller: cmd.actor,
    action: body.type === 'AdvisoryHours' ? 'serviceRequest.advisoryHours' : 'serviceRequest.supportIncident',
    target: { type: 'serviceRequest', id: request.id },
    detail: {
      benefitId: body.benefitId,
      ...(body.type === 'AdvisoryHours' ? { hours: body.hours } : { productArea: body.productArea }),
    },
  });
  return request;
}
