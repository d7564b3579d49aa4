/**
 * A purchase and its benefits are written all or nothing (BenefitsStore.createPurchase: one transactional batch,
 * one round trip; documents deleted again where a server does not roll a failed batch back — the embedded one).
 * Real `@azure/cosmos` against the embedded server.
 */
import { getPackage } from '../../src/domain/catalog';
import { provisionBenefits } from '../../src/domain/provisioning';
import type { Purchase } from '../../src/domain/types';
import { startEmbeddedCosmos, type EmbeddedCosmos } from '../../src/local/embeddedCosmos';
import { createCosmosContainer, ensureContainer } from '../../src/store/cosmos';
import { rawDocuments } from '../../src/store/raw';
import { BenefitsStore } from '../../src/store/store';
import { partner } from '../domain/fixtures';

let cosmos: EmbeddedCosmos;
let store: BenefitsStore;
let n = 0;

beforeAll(async () => {
  cosmos = await startEmbeddedCosmos();
  const container = createCosmosContainer(
    {
      COSMOS_ENDPOINT: cosmos.endpoint,
      COSMOS_KEY: cosmos.key,
      COSMOS_ENDPOINT_DISCOVERY: false,
      COSMOS_DATABASE: 'db',
      COSMOS_CONTAINER: 'c',
    },
    { agent: cosmos.agent },
  );
  await ensureContainer(container);
  // The embedded server does not roll a refused batch back: the store compensates (src/store/ports.ts).
  store = new BenefitsStore(container, { batchesWithoutRollback: true });
});
afterAll(async () => cosmos?.close());

function goldPurchase() {
  const id = `purchase-${++n}`;
  const benefits = provisionBenefits({
    partner: partner(),
    pkg: getPackage('gold-competency')!,
    purchaseId: id,
    now: new Date('2025-11-25T00:00:00Z'),
    newId: (() => {
      let i = 0;
      return () => `${id}-b${i++}`;
    })(),
  });
  const purchase: Purchase = {
    id,
    partnerId: 'contoso',
    packageId: 'gold-competency',
    purchasedAt: '2026-11-25T00:00:00.000Z',
    purchasedBy: 'admin',
    status: 'Active',
    benefitIds: benefits.map((b) => b.id),
  };
  return { purchase, benefits };
}

test('a purchase with its benefits is one write request (a transactional batch)', async () => {
  const { purchase, benefits } = goldPurchase();
  expect(benefits.length).toBeGreaterThan(5);
  cosmos.resetCounts();
  await store.createPurchase(purchase, benefits);
  expect(cosmos.counts()).toMatchObject({ total: 1, batches: 1, writes: 0 });
  expect((await store.getPurchase('contoso', purchase.id))?.value.benefitIds).toEqual(
    benefits.map((b) => b.id),
  );
  expect(await store.listBenefitsOfPurchase('contoso', purchase.id)).toHaveLength(benefits.length);
});

test('one refused document (an id already taken) leaves nothing of the purchase behind', async () => {
  const { purchase, benefits } = goldPurchase();
  // The last benefit's id already exists, so its create is refused (409) after the others were applied.
  await rawDocuments(store).create('benefit', { ...benefits[benefits.length - 1] });
  await expect(store.createPurchase(purchase, benefits)).rejects.toThrow(/409/);
  expect(await store.getPurchase('contoso', purchase.id)).toBeUndefined();
  const left = await store.listBenefitsOfPurchase('contoso', purchase.id);
  // Only the pre-existing document remains.
  expect(left.map((b) => b.id)).toEqual([benefits[benefits.length - 1].id]);
});

test('the quirk is real: a store told the server rolls back (Cosmos DB) leaves what the embedded server applied', async () => {
  // Why `batchesWithoutRollback` exists for the embedded server. Should the server learn to roll a refused batch
  // back (e.g. in patches/), this test fails: drop the quirk and the compensation then (docs/decisions.md).
  const asCosmosDb = new BenefitsStore(rawDocuments(store).container);
  const { purchase, benefits } = goldPurchase();
  await rawDocuments(store).create('benefit', { ...benefits[benefits.length - 1] });
  await expect(asCosmosDb.createPurchase(purchase, benefits)).rejects.toThrow(/409/);
  const left = await asCosmosDb.listBenefitsOfPurchase('contoso', purchase.id);
  expect(left.length).toBeGreaterThan(1);
});
