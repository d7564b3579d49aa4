/**
 * The parts of durable-functions that src/orchestration/durable.ts loads on first use, re-exported from one ES
 * module so a dynamic `import()` of this module gets named exports under every loader (durable-functions is
 * CommonJS: a bundler's or Node's `import()` of it exposes only `default` reliably).
 * The two internal paths are pinned and contract-tested (test/orchestration/durableSeam.test.ts).
 */
export { getClient } from 'durable-functions';
export { createOrchestrator } from 'durable-functions/lib/src/util/testingUtils';
export { wrapActivityHandler } from 'durable-functions/lib/src/app';
