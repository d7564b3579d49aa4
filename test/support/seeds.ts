/**
 * One seed for everything random in the tests, so that a failure can be replayed.
 *
 * - `FC_SEED` (an integer) overrides the fixed default `DEFAULT_SEED`: `FC_SEED=42 npx jest test/http/fuzz.test.ts`.
 * - Every fast-check run gets it: call sites pass `seeded({ numRuns })`, and `fastCheckSetup.ts` (jest
 *   `setupFiles`) makes it fast-check's global default as well. fast-check prints `{ seed, path }` of a failing
 *   run; rerun with that seed.
 * - `seededRandom()` is a source of numbers in [0, 1) drawn from the same seed, for code that takes
 *   `random: () => number` (the store's retry jitter, through `startTestHost`). Concurrent requests still
 *   interleave as the event loop schedules them, so a race is not fully deterministic; its pauses are.
 */
import fc from 'fast-check';

/** The seed when `FC_SEED` is unset. */
export const DEFAULT_SEED = 20261125;

/**
 * The seed of this run: `FC_SEED`, else `DEFAULT_SEED`.
 * @throws Error when `FC_SEED` is set but not an integer.
 */
export const FC_SEED: number = parseSeed(process.env.FC_SEED);

function parseSeed(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return DEFAULT_SEED;
  const seed = Number(raw);
  if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED must be an integer, got ${JSON.stringify(raw)}`);
  return seed;
}

/** fast-check parameters carrying the seed: `fc.assert(property, seeded({ numRuns: 100 }))`. */
export function seeded<T>(parameters: fc.Parameters<T> = {}): fc.Parameters<T> {
  return { ...parameters, seed: FC_SEED };
}

/**
 * A deterministic source of numbers in [0, 1) — uniform 32-bit fractions from fast-check's generator for
 * `seed` — for an injected `random: () => number`. Each call of `seededRandom` starts the same sequence again.
 */
export function seededRandom(seed: number = FC_SEED): () => number {
  const [stream] = fc.sample(
    fc.infiniteStream(fc.noBias(fc.integer({ min: 0, max: 2 ** 32 - 1 })), { noHistory: true }),
    { seed, numRuns: 1 },
  );
  const values = stream[Symbol.iterator]();
  return () => (values.next().value as number) / 2 ** 32;
}
