/** `GET /api/catalog/packages` (docs/product.md §3, §9). */
import { CATALOG } from '../../domain/catalog';
import { CatalogPackageSchema, pageSchema } from '../../domain/schemas';
import { defineRoute } from '../route';

export const listPackages = defineRoute({
  name: 'listPackages',
  method: 'GET',
  route: 'catalog/packages',
  summary: 'The benefit packages partners can buy, with their items and eligible levels',
  tags: ['catalog'],
  access: { kind: 'authenticated' },
  responses: { 200: { description: 'Every package', schema: pageSchema(CatalogPackageSchema) } },
  handle: async () => ({ status: 200, body: { items: CATALOG, continuationToken: null } }),
});
