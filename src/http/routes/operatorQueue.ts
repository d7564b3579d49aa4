/**
 * The operator's queue of activations waiting for processing (docs/product.md §6 step 2, §11 "Operator
 * console"): `GET /api/operator/activations?status=Pending` lists, across every partner, the benefits
 * whose activation waits for the processing time or an operator's Fulfil / Reject. Oldest request first,
 * so the operator works the queue in order. Paged like every list (`pageSize`, `continuationToken`).
 */
import * as z from 'zod';
import type { Partner } from '../../domain/types';
import { ActivationSchema, ContinuationTokenSchema, PageSizeSchema, pageSchema } from '../../domain/schemas';
import { BenefitCategorySchema, OfferTypeSchema } from '../../domain/types';
import { pageOf } from '../paging';
import { defineRoute } from '../route';
import { activationView } from '../../app/activation';

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
  handle: async ({ services, query }) => {
    // Continuation tokens are sealed for this list like every other (src/http/paging.ts).
    const page = await pageOf(
      services,
      { route: 'listOperatorActivations', partnerId: '*', filters: { status: query.status } },
      query,
      (p) => services.store.listBenefitsAwaitingActivation(query.status, p),
    );
    const partnerIds = [...new Set(page.items.map((b) => b.partnerId))];
    const partners = await Promise.all(partnerIds.map((id) => services.store.getPartner(id)));
    const names = new Map(
      partners
        .filter((p): p is NonNullable<typeof p> => !!p)
        .map((p) => [p.value.id, (p.value as Partner).name]),
    );
    return {
      status: 200,
      body: {
        items: page.items.map((b) => ({
          ...activationView(b),
          partnerId: b.partnerId,
          partnerName: names.get(b.partnerId) ?? b.partnerId,
          productName: b.productName,
          category: b.category,
          ...(b.offerType ? { offerType: b.offerType } : {}),
        })),
        continuationToken: page.continuationToken,
      },
    };
  },
});
