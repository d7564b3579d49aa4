/**
 * Documents.update: a conditional write that loses to another writer (412) is retried after a jittered pause
 * drawn from the injected `random`; a client's If-Match is never retried. Real `@azure/cosmos` against the
 * embedded server, real concurrent writers.
 */
import { startEmbeddedCosmos, type EmbeddedCosmos } from '../../src/local/embeddedCosmos';
import { createCosmosContainer, ensureContainer } from '../../src/store/cosmos';
import { Documents } from '../../src/store/documents';

type Counter = { id: string; partnerId: string; n: number };

let cosmos: EmbeddedCosmos;
let container: ReturnType<typeof createCosmosContainer>;
let plain: Documents; // the competing writer
let k = 0;

beforeAll(async () => {
  cosmos = await startEmbeddedCosmos();
  container = createCosmosContainer(
    {
      COSMOS_ENDPOINT: cosmos.endpoint,
      COSMOS_KEY: cosmos.key,
      COSMOS_DATABASE: 'db',
      COSMOS_CONTAINER: 'c',
    },
    { agent: cosmos.agent },
  );
  await ensureContainer(container);
  plain = new Documents(container);
});
afterAll(async () => cosmos?.close());

async function counter(): Promise<Counter> {
  const doc = { id: `counter-${++k}`, partnerId: 'p', n: 0 };
  await plain.create('config', doc);
  return doc;
}

/** A `random` that records its calls and answers `value`. */
function recordingRandom(value: number) {
  const calls: number[] = [];
  return { calls, random: () => (calls.push(value), value) };
}

test('10 concurrent increments: none lost, and every lost write paused once, drawn from the injected random', async () => {
  const doc = await counter();
  const { calls, random } = recordingRandom(0.5);
  const docs = new Documents(container, random);
  cosmos.resetCounts();
  await Promise.all(
    Array.from({ length: 10 }, () =>
      docs.update<Counter>('config', 'p', doc.id, (c) => ({ value: { ...c, n: c.n + 1 } })),
    ),
  );
  expect((await plain.read<Counter>('p', doc.id))?.value.n).toBe(10);
  const lost = cosmos.counts().writes - 10; // every write request beyond the 10 that landed was refused (412)
  expect(lost).toBeGreaterThan(0); // ten writers that read the same ETag cannot all win
  expect(calls).toHaveLength(lost);
});

test('If-Match is final: a mismatch is precondition-failed without a retry or a pause', async () => {
  const doc = await counter();
  const { calls, random } = recordingRandom(0.5);
  const docs = new Documents(container, random);
  const current = (await plain.read<Counter>('p', doc.id))!;
  await plain.update<Counter>('config', 'p', doc.id, (x) => ({ value: { ...x, n: 7 } }));
  await expect(
    docs.update<Counter>('config', 'p', doc.id, (c) => ({ value: { ...c, n: 1 } }), {
      ifMatch: current.etag,
    }),
  ).rejects.toMatchObject({ code: 'precondition-failed' });
  expect(calls).toEqual([]);
  expect((await plain.read<Counter>('p', doc.id))?.value.n).toBe(7);
});
