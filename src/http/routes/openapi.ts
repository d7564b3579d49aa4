/**
 * `GET /api/openapi.json` — public (docs/product.md §9). Built once per process, on its first request: the
 * generator and every route's schemas load then, not at cold start (docs/decisions.md, "Cold start").
 */
import { defineRoute } from '../route';

let cached: string | undefined;

export const getOpenApi = defineRoute({
  name: 'getOpenApi',
  method: 'GET',
  route: 'openapi.json',
  summary: 'This OpenAPI 3.1 document',
  tags: ['system'],
  access: { kind: 'public' },
  handle: async () => {
    if (!cached) {
      const [{ ALL_ROUTES }, { buildOpenApiDocument }] = await Promise.all([
        import('./index'),
        import('../openapi'),
      ]);
      cached = JSON.stringify(buildOpenApiDocument(ALL_ROUTES, process.env.npm_package_version ?? '0.1.0'));
    }
    return {
      status: 200,
      body: JSON.parse(cached) as unknown,
      headers: { 'Cache-Control': 'public, max-age=300' },
    };
  },
});
