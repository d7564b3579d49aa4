/**
 * "Get keys" (docs/product.md §3): `POST /api/partners/{partnerId}/benefits/{benefitId}/keys`
 * `{ language, operatingSystem }` → 200 `{ keys, downloads, instructions }`: download links under
 * `DOWNLOADS_BASE_URL`, the product's special instructions from the catalog.
 * The use case: src/app/revealKeys.ts.
 */
import { revealBenefitKeys as revealKeysUseCase } from '../../app/revealKeys';
import { KeysResponseSchema, RevealKeysBody } from '../../domain/schemas';
import { defineRoute, ifMatch, partnerCaller } from '../route';
import { BenefitParams } from './params';

export const revealBenefitKeys = defineRoute({
  name: 'revealBenefitKeys',
  method: 'POST',
  route: 'partners/{partnerId}/benefits/{benefitId}/keys',
  summary: 'Reveal product keys and download links (software, license-based cloud)',
  tags: ['benefits'],
  access: { kind: 'partner', action: 'revealKeys', benefits: true },
  params: BenefitParams,
  body: RevealKeysBody,
  responses: { 200: { description: 'Keys and download links', schema: KeysResponseSchema } },
  handle: async (input) => {
    const { etag, ...keys } = await revealKeysUseCase(input.services, {
      ...partnerCaller(input),
      benefitId: input.params.benefitId,
      language: input.body.language,
      operatingSystem: input.body.operatingSystem,
      ifMatch: ifMatch(input.request),
    });
    return { status: 200, body: keys, etag, headers: { 'Cache-Control': 'no-store' } };
  },
});
