/**
 * Activation routes (docs/product.md §6, §9): start and read an activation, and the operator's early fulfilment or
 * rejection; thin adapters of src/app/activation.ts (the durable client port comes from `services.durableClient`).
 */
import {
  activationView,
  readBenefitActivation,
  signalActivation,
  startBenefitActivation,
} from '../../app/activation';
import { ActivationSchema, FulfilmentBody, RejectionBody } from '../../domain/schemas';
import { defineRoute, WITH_DURABLE_CLIENT, ifMatch, partnerCaller } from '../route';
import { BenefitParams } from './params';

const durable = WITH_DURABLE_CLIENT;

const location = (partnerId: string, benefitId: string) =>
  `/api/partners/${encodeURIComponent(partnerId)}/benefits/${encodeURIComponent(benefitId)}/activation`;

/**
 * `POST …/benefits/{benefitId}/activation` → 202 + `Location`. Technical and Go-To-Market benefits only.
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
    access: { kind: 'partner', actions: ['activateBenefit', 'activateGoToMarket'], benefits: true },
    params: BenefitParams,
    responses: { 202: { description: 'Activation started', schema: ActivationSchema } },
    handle: async (input) => {
      const { params } = input;
      const { benefit, etag } = await startBenefitActivation(
        input.services,
        input.services.durableClient(input.context),
        {
          ...partnerCaller(input),
          benefitId: params.benefitId,
          ifMatch: ifMatch(input.request),
        },
      );
      const headers = { Location: location(params.partnerId, params.benefitId), 'Retry-After': '5' };
      return { status: 202, body: activationView(benefit), etag, headers };
    },
  },
  durable,
);

/**
 * `GET …/benefits/{benefitId}/activation` → 200 the current activation (404 if never activated). While `Pending`,
 * an orchestration that has ended without settling it is recorded first.
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
    handle: async ({ services, context, benefit: read }) => {
      const { benefit, etag } = await readBenefitActivation(services, services.durableClient(context), read);
      return { status: 200, body: activationView(benefit), etag };
    },
  },
  durable,
);

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
    handle: async ({ services, context, caller, params, body }) => {
      const benefit = await signalActivation(services, services.durableClient(context), {
        actor: caller,
        ...params,
        decision: 'fulfil',
        data: body ?? {},
      });
      return {
        status: 202,
        body: activationView(benefit),
        headers: { Location: location(params.partnerId, params.benefitId) },
      };
    },
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
    handle: async ({ services, context, caller, params, body }) => {
      const benefit = await signalActivation(services, services.durableClient(context), {
        actor: caller,
        ...params,
        decision: 'reject',
        data: body,
      });
      return {
        status: 202,
        body: activationView(benefit),
        headers: { Location: location(params.partnerId, params.benefitId) },
      };
    },
  },
  durable,
);
