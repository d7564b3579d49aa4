/** `GET /api/openapi.json` — public (docs/product.md §9). Built once per process. */
import { defineRoute } from '../route';
import { buildOpenApiDocument } from '../openapi';

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
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { ALL_ROUTES } = require('./index') as typeof import('./index');
      cached = JSON.stringify(buildOpenApiDocument(ALL_ROUTES, process.env.npm_package_version ?? '0.1.0'));
    }
    return {
      status: 200,
      body: JSON.parse(cached) as unknown,
      headers: { 'Cache-Control': 'public, max-age=300' },
    };
  },
});
