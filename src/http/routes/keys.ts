/**
 * "Get keys" (docs/product.md §3): `POST /api/partners/{partnerId}/benefits/{benefitId}/keys`
 * `{ language, operatingSystem }` → 200 `{ keys, downloads, instructions }`: download links under
 * `DOWNLOADS_BASE_URL`, the product's special instructions from the catalog.
 * A software reveal is recorded on the purchase first, conditionally (ETag), so a reveal racing a
 * cancellation has exactly one winner (docs/product.md §4); then the key is stored on the benefit.
 */
import { downloadsBaseUrl } from '../../config';
import { DomainError } from '../../domain/errors';
import { assertMembershipActive } from '../../domain/provisioning';
import { assertPurchaseActive, recordKeyReveal, revealKeys } from '../../domain/rules';
import { KeysResponseSchema, RevealKeysBody } from '../../domain/schemas';
import { audit } from '../audit';
import { etagMatches } from '../../store/etag';
import { defineRoute, ifMatch } from '../route';
import { randomProductKey } from './assignments';
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
  handle: async ({ services, params, body, partner, caller, request }) => {
    const now = services.clock.now();
    const current = await services.store.getBenefit(params.partnerId, params.benefitId);
    if (!current) throw new DomainError('not-found', `Benefit ${params.benefitId} was not found.`);
    // docs/product.md §2 "Membership": only an Active membership, not past its end, reveals keys.
    assertMembershipActive(partner.value, now);
    // A stale If-Match writes nothing, not even the reveal mark on the purchase.
    const expected = ifMatch(request);
    if (expected !== undefined && !etagMatches(expected, current.etag)) {
      throw new DomainError(
        'precondition-failed',
        'If-Match does not match the current ETag of the benefit.',
      );
    }
    const reveal = (b: typeof current.value) =>
      revealKeys(b, {
        language: body.language,
        operatingSystem: body.operatingSystem,
        now,
        membershipExpiresAt: partner.value.membership.expiresAt,
        randomKey: randomProductKey,
        downloadBaseUrl: downloadsBaseUrl(services.config),
      });
    // Validate first: bad input writes nothing.
    reveal(current.value);
    // The purchase is the arbiter between a reveal and a cancellation (docs/product.md §4).
    const purchase = await services.store.getPurchase(params.partnerId, current.value.purchaseId);
    if (!purchase) throw new DomainError('not-found', 'The purchase of this benefit was not found.');
    assertPurchaseActive(purchase.value);
    if (recordKeyReveal(purchase.value, current.value, now) !== purchase.value) {
      await services.store.updatePurchase(params.partnerId, purchase.value.id, (p) => {
        assertPurchaseActive(p);
        return { value: recordKeyReveal(p, current.value, now) };
      });
    }
    const saved = await services.store.updateBenefit(
      params.partnerId,
      params.benefitId,
      (b) => {
        const out = reveal(b);
        return { value: out.benefit, result: out };
      },
      { ifMatch: ifMatch(request) },
    );
    const out = saved.result!;
    await audit(services, {
      partnerId: params.partnerId,
      caller,
      action: 'benefit.revealKeys',
      target: { type: 'benefit', id: params.benefitId },
      detail: {
        language: body.language,
        operatingSystem: body.operatingSystem,
        firstReveal: out.firstReveal,
      },
    });
    return {
      status: 200,
      body: { keys: out.keys, downloads: out.downloads, instructions: out.instructions },
      etag: saved.etag,
      headers: { 'Cache-Control': 'no-store' },
    };
  },
});
