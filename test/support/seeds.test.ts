/**
 * The test seed (test/support/seeds.ts): fast-check runs and the injected jitter source replay the same values
 * for the same seed, and FC_SEED is the seed when set.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';
import { DEFAULT_SEED, FC_SEED, seeded, seededRandom } from './seeds';

test('seededRandom: the same seed gives the same numbers in [0, 1); another seed gives others', () => {
  const take = (r: () => number) => Array.from({ length: 200 }, r);
  const a = take(seededRandom(7));
  expect(take(seededRandom(7))).toEqual(a);
  expect(take(seededRandom(8))).not.toEqual(a);
  expect(a.every((x) => x >= 0 && x < 1)).toBe(true);
  expect(new Set(a).size).toBeGreaterThan(190); // not a constant or a short cycle
  const mean = a.reduce((s, x) => s + x, 0) / a.length;
  expect(mean).toBeGreaterThan(0.35); // roughly uniform, not biased towards 0 like fast-check's default numbers
  expect(mean).toBeLessThan(0.65);
});

test('every fast-check run uses the seed: explicitly (seeded) and by default (setupFiles)', () => {
  expect(seeded({ numRuns: 5 })).toEqual({ numRuns: 5, seed: FC_SEED });
  expect(fc.readConfigureGlobal().seed).toBe(FC_SEED);
  const values = (seed?: number) => {
    const out: number[] = [];
    fc.assert(
      fc.property(fc.integer(), (n) => {
        out.push(n);
      }),
      { numRuns: 20, ...(seed === undefined ? {} : { seed }) },
    );
    return out;
  };
  expect(values()).toEqual(values(FC_SEED));
});

test('FC_SEED sets the seed; unset, the fixed default applies; not an integer, loading fails', () => {
  const seedWith = (value: string | undefined) => {
    const env = { ...process.env };
    delete env.FC_SEED;
    if (value !== undefined) env.FC_SEED = value;
    return execFileSync(
      process.execPath,
      ['--import', 'tsx', '-e', "console.log(require('./test/support/seeds.ts').FC_SEED)"],
      { cwd: join(__dirname, '../..'), env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    ).trim();
  };
  expect(seedWith(undefined)).toBe(String(DEFAULT_SEED));
  expect(seedWith('42')).toBe('42');
  expect(() => seedWith('abc')).toThrow(/FC_SEED must be an integer/);
});
