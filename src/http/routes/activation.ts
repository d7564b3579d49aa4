/**
 * Activation routes (docs/product.md §6, §9): start and read an activation, and the operator's early
 * fulfilment or rejection. The starter reserves the attempt on the benefit document (conditional write)
 * before starting the orchestration, so a double click starts one instance.
 */
import type { DurableClient } from 'durable-functions';
import { Duration } from 'luxon';
import { endedActivationFailure } from '../../domain/activation';
import { DomainError, isDomainError } from '../../domain/errors';
import { assertMembershipActive } from '../../domain/provisioning';
import { ActivationSchema, FulfilmentBody, RejectionBody } from '../../domain/schemas';
import type { Benefit } from '../../domain/types';
import { ACTIVATION_ORCHESTRATOR, EVENTS, type ActivationInput } from '../../orchestration/contract';
import { durableClientInput, getDurableClient } from '../../orchestration/durable';
import type { Services } from '../../services';
import { audit } from '../audit';
import { defineRoute, ifMatch, type RouteInput, type RouteResult } from '../route';
import { BenefitParams } from './params';

const durable = { extraInputs: [durableClientInput()] };

/** Instance id of an activation attempt: derived from the benefit id and the attempt number. */
const activationInstanceId = (benefitId: string, attempt: number) => `activation-${benefitId}-${attempt}`;

/** The Activation resource (docs/product.md §9). */
export function activationView(b: Benefit) {
  const a = b.activation!;
  return {
    benefitId: b.id,
    instanceId: a.instanceId,
    status: a.status,
    requestedAt: a.requestedAt,
    requestedBy: a.requestedBy,
    ...(a.activatedAt ? { activatedAt: a.activatedAt } : {}),
    ...(a.expiresAt ? { expiresAt: a.expiresAt } : {}),
    ...(a.failure ? { failure: a.failure } : {}),
  };
}

const location = (partnerId: string, benefitId: string) =>
  `/api/partners/${encodeURIComponent(partnerId)}/benefits/${encodeURIComponent(benefitId)}/activation`;

type Client = DurableClient;

/**
 * The runtime status of an orchestration instance, or `Unknown` when the durable runtime has none (purged, or lost
 * with a local runtime's memory): the durable client throws on the extension's 404 (docs/platform-notes.md).
 */
async function runtimeStatusOf(client: Client, instanceId: string): Promise<string> {
  try {
    const status = await client.getStatus(instanceId);
    return status?.runtimeStatus ?? 'Unknown';
  } catch (e) {
    if (e instanceof Error && /HTTP 404\b/.test(e.message)) return 'Unknown';
    throw e;
  }
}

/**
 * docs/product.md §6 "never stuck in `Pending`": when `benefit` is `Pending` for an orchestration instance
 * that has ended (terminated, failed, completed without settling it) or is unknown past the start grace,
 * records `ActivationFailed` with the reason (`endedActivationFailure`) by a conditional write — nothing if
 * another writer settled it first — and audits it. Returns the benefit as it now is, or undefined when the
 * instance may still settle it. Round trips: one durable status call; when settling, one read + one write +
 * the audit write.
 */
async function settleEndedActivation(
  services: Services,
  client: Client,
  benefit: Benefit,
): Promise<Benefit | undefined> {
  const a = benefit.activation;
  if (benefit.status !== 'Pending' || !a) return undefined;
  const runtimeStatus = await runtimeStatusOf(client, a.instanceId);
  const failure = endedActivationFailure(runtimeStatus, a.requestedAt, services.clock.now());
  if (!failure) return undefined;
  const out = await services.store.updateBenefitIfChanged(benefit.partnerId, benefit.id, (b) =>
    b.status === 'Pending' && b.activation?.instanceId === a.instanceId
      ? {
          value: {
            ...b,
            status: 'ActivationFailed',
            activation: { ...b.activation, status: 'ActivationFailed', failure },
          },
        }
      : undefined,
  );
  if (out.changed) {
    await audit(services, {
      partnerId: benefit.partnerId,
      caller: 'system',
      action: 'benefit.activationFailed',
      target: { type: 'benefit', id: benefit.id },
      outcome: 'Rejected',
      detail: { instanceId: a.instanceId, code: failure.code, runtimeStatus },
    });
  }
  return out.value;
}

/**
 * `POST …/benefits/{benefitId}/activation` → 202 + `Location`. Technical and Go-To-Market benefits only. A benefit
 * left `Pending` by an orchestration that ended outside our code is first settled `ActivationFailed` (with the
 * reason), and this request starts the next attempt (instance id from benefit id + attempt).
 * Errors: 409 `activation-in-progress`, `already-active`, `marketing-contact-required`, `benefit-cancelled`,
 * `membership-inactive`, `not-activatable`; 412 on If-Match mismatch.
 */
export const startActivation = defineRoute(
  {
    name: 'startActivation',
    method: 'POST',
    route: 'partners/{partnerId}/benefits/{benefitId}/activation',
    summary: 'Activate a technical benefit or Go-To-Market offer (runs the activation orchestration)',
    tags: ['activation'],
    access: { kind: 'partner', action: 'activateBenefit', benefits: true },
    params: BenefitParams,
    responses: { 202: { description: 'Activation started', schema: ActivationSchema } },
    handle: async ({ services, params, partner, caller, request, context }) => {
      const now = services.clock.now();
      assertMembershipActive(partner.value, now);
      let input: ActivationInput | undefined;
      const client = await getDurableClient(context);
      const reserve = () =>
        services.store.updateBenefit(
          params.partnerId,
          params.benefitId,
          (b) => {
            if (b.category !== 'technical' && b.category !== 'goToMarket') {
              throw new DomainError(
                'not-activatable',
                `${b.productName} is activated by keys or assignment, not here.`,
              );
            }
            if (b.status === 'Cancelled')
              throw new DomainError('benefit-cancelled', `${b.productName} is cancelled.`);
            if (b.status === 'Pending')
              throw new DomainError('activation-in-progress', 'An activation is already running.');
            if (b.status === 'Active')
              throw new DomainError('already-active', `${b.productName} is already active.`);
            if (b.status === 'Expired')
              throw new DomainError('benefit-not-active', `${b.productName} has expired.`);
            if (b.category === 'goToMarket' && !partner.value.marketingContact) {
              throw new DomainError(
                'marketing-contact-required',
                'Assign a marketing contact first (PUT …/marketing-contact); it receives the instructions.',
              );
            }
            const attempt = (b.activation?.attempt ?? 0) + 1;
            const instanceId = activationInstanceId(b.id, attempt);
            input = {
              partnerId: b.partnerId,
              benefitId: b.id,
              category: b.category,
              attempt,
              requestedBy: caller.objectId,
              requestedAt: now.toISOString(),
              processingTimeMs: Duration.fromISO(services.config.ACTIVATION_PROCESSING_TIME).toMillis(),
              contactTimeoutMs: Duration.fromISO(services.config.CONTACT_VERIFICATION_TIMEOUT).toMillis(),
            };
            return {
              value: {
                ...b,
                status: 'Pending',
                activation: {
                  instanceId,
                  attempt,
                  status: 'Pending',
                  requestedAt: input.requestedAt,
                  requestedBy: caller.objectId,
                },
              },
            };
          },
          { ifMatch: ifMatch(request) },
        );
      let saved;
      try {
        saved = await reserve();
      } catch (e) {
        // A Pending benefit whose orchestration ended outside our code (terminated, failed, lost): settle it as
        // ActivationFailed, then this request starts the next attempt (docs/product.md §6).
        if (!(isDomainError(e) && e.code === 'activation-in-progress')) throw e;
        const current = await services.store.getBenefit(params.partnerId, params.benefitId);
        if (!current || !(await settleEndedActivation(services, client, current.value))) throw e;
        saved = await reserve();
      }
      const instanceId = saved.value.activation!.instanceId;
      try {
        await client.startNew(ACTIVATION_ORCHESTRATOR, { instanceId, input });
      } catch (e) {
        // Never leave the benefit Pending without an orchestration.
        await services.store.updateBenefit(params.partnerId, params.benefitId, (b) =>
          b.activation?.instanceId === instanceId && b.status === 'Pending'
            ? {
                value: {
                  ...b,
                  status: 'ActivationFailed',
                  activation: {
                    ...b.activation,
                    status: 'ActivationFailed',
                    failure: {
                      code: 'start-failed',
                      detail: 'The activation could not be started; try again.',
                    },
                  },
                },
              }
            : { value: b },
        );
        throw e;
      }
      await audit(services, {
        partnerId: params.partnerId,
        caller,
        action: 'benefit.activationRequested',
        target: { type: 'benefit', id: params.benefitId },
        detail: { instanceId },
      });
      return {
        status: 202,
        body: activationView(saved.value),
        etag: saved.etag,
        headers: { Location: location(params.partnerId, params.benefitId), 'Retry-After': '5' },
      };
    },
  },
  durable,
);

/**
 * `GET …/benefits/{benefitId}/activation` → 200 the current activation (404 if never activated). While `Pending`,
 * an orchestration that has ended without settling it is recorded first, so the answer is `ActivationFailed` with the
 * reason rather than a `Pending` that never ends.
 */
export const getActivation = defineRoute(
  {
    name: 'getActivation',
    method: 'GET',
    route: 'partners/{partnerId}/benefits/{benefitId}/activation',
    summary: "Read a benefit's activation",
    tags: ['activation'],
    access: { kind: 'partner', action: 'read', benefits: true },
    params: BenefitParams,
    readWithAccess: { benefit: (params) => params.benefitId },
    responses: { 200: { description: 'The activation', schema: ActivationSchema } },
    handle: async ({ services, params, context, benefit: b }) => {
      if (!b?.value.activation) throw new DomainError('not-found', 'This benefit has no activation.');
      // While Pending, tell the truth about an orchestration that ended without settling it
      // (docs/product.md §6).
      if (b.value.status === 'Pending') {
        const settled = await settleEndedActivation(services, await getDurableClient(context), b.value);
        if (settled) {
          const fresh = await services.store.getBenefit(params.partnerId, params.benefitId);
          if (fresh) return { status: 200, body: activationView(fresh.value), etag: fresh.etag };
        }
      }
      return { status: 200, body: activationView(b.value), etag: b.etag };
    },
  },
  durable,
);

/**
 * Raises an operator event to the activation waiting on a benefit, audits it, and answers 202.
 * @throws DomainError `not-found` (benefit), `conflict` when no activation of it is waiting.
 */
async function operatorEvent(
  input: Pick<
    RouteInput<{ partnerId: string; benefitId: string }, unknown, unknown>,
    'services' | 'context' | 'caller' | 'params'
  >,
  event: string,
  data: unknown,
  action: string,
): Promise<RouteResult> {
  const { services, context, caller, params } = input;
  const b = await services.store.getBenefit(params.partnerId, params.benefitId);
  if (!b) throw new DomainError('not-found', `Benefit ${params.benefitId} was not found.`);
  if (b.value.status !== 'Pending' || !b.value.activation) {
    throw new DomainError('conflict', 'No activation of this benefit is waiting for the operator.');
  }
  const client = await getDurableClient(context);
  // An event to an instance that has ended would be dropped: settle the benefit instead (docs/product.md §6).
  const settled = await settleEndedActivation(services, client, b.value);
  if (settled) {
    throw new DomainError(
      'conflict',
      `No activation of this benefit is waiting: its orchestration had ended (${settled.activation?.failure?.code ?? 'ended'}); the benefit is now ${settled.status}.`,
    );
  }
  await client.raiseEvent(b.value.activation.instanceId, event, data);
  await audit(services, {
    partnerId: params.partnerId,
    caller,
    action,
    target: { type: 'benefit', id: params.benefitId },
    detail: { instanceId: b.value.activation.instanceId },
  });
  return {
    status: 202,
    body: activationView(b.value),
    headers: { Location: location(params.partnerId, params.benefitId) },
  };
}

/** Operator: `POST /api/operator/partners/{partnerId}/benefits/{benefitId}/activation/fulfilment` → 202. */
export const fulfilActivation = defineRoute(
  {
    name: 'fulfilActivation',
    method: 'POST',
    route: 'operator/partners/{partnerId}/benefits/{benefitId}/activation/fulfilment',
    summary: 'Fulfil a waiting activation early, optionally with Access ID and Contract ID (operator)',
    tags: ['operator'],
    access: { kind: 'operator' },
    params: BenefitParams,
    body: FulfilmentBody.optional(),
    responses: { 202: { description: 'Event raised', schema: ActivationSchema } },
    handle: (input) =>
      operatorEvent(input, EVENTS.fulfilled, input.body ?? {}, 'benefit.activationFulfilled'),
  },
  durable,
);

/** Operator: `POST …/activation/rejection { reason }` → 202; the benefit ends `ActivationFailed`. */
export const rejectActivation = defineRoute(
  {
    name: 'rejectActivation',
    method: 'POST',
    route: 'operator/partners/{partnerId}/benefits/{benefitId}/activation/rejection',
    summary: 'Reject a waiting activation (operator)',
    tags: ['operator'],
    access: { kind: 'operator' },
    params: BenefitParams,
    body: RejectionBody,
    responses: { 202: { description: 'Event raised', schema: ActivationSchema } },
    handle: (input) => operatorEvent(input, EVENTS.rejected, input.body, 'benefit.activationRejected'),
  },
  durable,
);
