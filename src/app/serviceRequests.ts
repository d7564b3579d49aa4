/**
 * Service requests (docs/product.md §5, §9): file an advisory-hours or support-incident request, list the partner's
 * requests. `AdvisoryHours` consumes hours of an Active Technical Presales and Deployment Services benefit;
 * `SupportIncident` consumes one incident of an Active support benefit. The consumption, the request and its audit
 * event are ONE unit of work (src/app/unitOfWork.ts): the benefit's replace is conditional on the ETag it was read
 * with, and a lost race reads and decides again, so hours and incidents never go negative under concurrency.
 * Cancellation requests are filed by the cancellation use case (cancelPurchase.ts) and listed here.
 */
import { DomainError } from '../domain/errors';
import { consumeAdvisoryHours, consumeIncident } from '../domain/rules';
import type { ServiceRequestBody } from '../domain/schemas';
import type { ServiceRequest } from '../domain/types';
import { assertCan } from './policy';
import type { AppDeps, Page, PageOptions, PartnerCaller } from './ports';
import { runUnitOfWork } from './unitOfWork';

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
 * Audited `serviceRequest.advisoryHours` / `serviceRequest.supportIncident`. Round trips: the benefit's read and one
 * batch (the benefit's conditional replace, the request, the audit event); a read and a batch more per lost race.
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
  const action =
    body.type === 'AdvisoryHours' ? 'serviceRequest.advisoryHours' : 'serviceRequest.supportIncident';
  const { result } = await runUnitOfWork(
    deps,
    partnerId,
    async (uow) => {
      const current = await deps.store.getBenefit(partnerId, body.benefitId);
      if (!current) throw new DomainError('not-found', `Benefit ${body.benefitId} does not exist`);
      let details: Record<string, unknown>;
      if (body.type === 'AdvisoryHours') {
        const next = uow.replace('benefit', current, consumeAdvisoryHours(current.value, body.hours, now));
        details = {
          benefitId: body.benefitId,
          productName: next.productName,
          topic: body.topic,
          description: body.description,
          hoursConsumed: body.hours,
          hoursRemaining: next.advisoryHoursRemaining,
        };
      } else {
        const out = consumeIncident(current.value, { productArea: body.productArea, now });
        const next = uow.replace('benefit', current, out.benefit);
        details = {
          benefitId: body.benefitId,
          productName: next.productName,
          productArea: body.productArea,
          title: body.title,
          description: body.description,
          incidentsRemaining: next.incidentsRemaining,
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
      uow.create('serviceRequest', request);
      uow.audit({
        caller: cmd.actor,
        action,
        target: { type: 'serviceRequest', id: request.id },
        detail: {
          benefitId: body.benefitId,
          ...(body.type === 'AdvisoryHours' ? { hours: body.hours } : { productArea: body.productArea }),
        },
      });
      return request;
    },
    { maxAttempts: CONSUME_MAX_ATTEMPTS },
  );
  return result;
}
