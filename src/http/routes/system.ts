/** Public system routes: health (docs/product.md §9). */
import * as z from 'zod';
import { defineRoute } from '../route';

/** `GET /api/health` — liveness; does no I/O so it stays cheap. */
export const health = defineRoute({
  name: 'health',
  method: 'GET',
  route: 'health',
  summary: 'Liveness probe',
  tags: ['system'],
  access: { kind: 'public' },
  responses: {
    200: { description: 'The app is up', schema: z.object({ status: z.literal('ok'), time: z.string() }) },
  },
  handle: async ({ services }) => ({
    status: 200,
    body: { status: 'ok', time: services.clock.now().toISOString() },
  }),
});
