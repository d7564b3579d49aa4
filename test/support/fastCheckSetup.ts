/**
 * jest `setupFiles`: every fast-check run in a test file uses the run's seed (test/support/seeds.ts), also one
 * that does not pass `seeded(…)` itself.
 */
import fc from 'fast-check';
import { FC_SEED } from './seeds';

fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: FC_SEED });
