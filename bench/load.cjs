#!/usr/bin/env node
/**
 * Cold-load probe for docs/benchmarks.md: `node bench/load.cjs <app entry> [--report]`.
 *
 * Does what the Azure Functions Node worker does before it loads an app: answers
 * `require('@azure/functions-core')` with a core module (bench/core.cjs, the same for every app measured),
 * then requires the entry. Exits as soon as the entry has registered its functions, so timing the process
 * measures process start + module load + registration.
 * `--report` prints the registered function names, the load time, the heap used and the RSS, as JSON.
 */
'use strict';
const { resolve } = require('node:path');

const t0 = process.hrtime.bigint();
const core = require('./core.cjs');
core.install();

const entry = process.argv[2];
if (!entry) {
  console.error('usage: node bench/load.cjs <app entry> [--report]');
  process.exit(2);
}
require(resolve(entry));
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
if (core.registered.length === 0) {
  console.error(`${entry} registered no functions`);
  process.exit(1);
}
if (process.argv.includes('--report')) {
  const memory = process.memoryUsage();
  console.log(
    JSON.stringify({
      entry,
      functions: core.registered.length,
      names: core.registered.map((r) => r.metadata.name),
      requireMs: Math.round(ms * 10) / 10,
      heapUsedMiB: Math.round((memory.heapUsed / 2 ** 20) * 10) / 10,
      rssMiB: Math.round((memory.rss / 2 ** 20) * 10) / 10,
      modulesInRequireCache: Object.keys(require.cache).length,
    }),
  );
}
