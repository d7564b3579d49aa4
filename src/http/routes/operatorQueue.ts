/**
 * The operator's queue of activations waiting for processing (docs/product.md §6 step 2, §11 "Operator
 * console"): `GET /api/operator/activations?status=Pending` lists, across every partner, the benefits
 * whose activation waits for the processing time or an operator's Fulfil / Reject. Oldest request first,
 * so the operator works the queue in order. Paged like every list (`pageSize`, `continuationToken`). Adapter of
 * src/app/operatorQueue.ts.
 */
import * as z from 'zod';
import { ActivationSchema, ContinuationTokenSchema, PageSizeSchema, pageSchema } from '../../domain/schemas';
import { BenefitCategorySchema, OfferTypeSchema } from '../../domain/types';
import { pageOf } from '../paging';
import { defineRoute } from '../route';
import { listWaitingActivations } from '../../app/operatorQueue';

/** Query: `status` (only `Pending`: the activations an operator can act on), paging. */
const OperatorActivationsQuery = z.strictObject({
  status: z.literal('Pending').default('Pending'),
  pageSize: PageSizeSchema,
  continuationToken: ContinuationTokenSchema.optional(),
});

/** One waiting activation: the Activation resource plus what the operator needs to decide. */
const WaitingActivationSchema = ActivationSchema.extend({
  partnerId: z.string(),
  partnerName: z.string(),
  productName: z.string(),
  category: BenefitCategorySchema,
  offerType: OfferTypeSchema.optional(),
}).meta({ id: 'WaitingActivation' });

/** `GET /api/operator/activations?status=Pending` → 200 `{ items: WaitingActivation[], continuationToken }`. */
export const listOperatorActivations = defineRoute({
  name: 'listOperatorActivations',
  method: 'GET',
  route: 'operator/activations',
  summary: 'Activations waiting for processing, across partners, oldest first (operator)',
  tags: ['operator'],
  access: { kind: 'operator' },
  query: OperatorActivationsQuery,
  responses: {
    200: { description: 'A page of waiting activations', schema: pageSchema(WaitingActivationSchema) },
  },
  handle: async ({ services, query, caller }) => ({
    status: 200,
    // Continuation tokens are sealed for this list like every other (src/http/paging.ts).
    body: await pageOf(
      services,
      { route: 'listOperatorActivations', partnerId: '*', filters: { status: query.status } },
      query,
      (page) => listWaitingActivations(services, { actor: caller, status: query.status, page }),
    ),
  }),
});
