#!/usr/bin/env node
/**
 * Cold-load probe for docs/benchmarks.md: `node bench/load.cjs <app entry> [--report]`.
 *
 * Does what the Azure Functions Node worker does before it loads an app: answers
 * `require('@azure/functions-core')` with a core module (here a minimal recorder, the same for every app
 * measured), then requires the entry. Exits as soon as the entry has registered its functions, so
 * `hyperfine 'node bench/load.cjs dist/index.js'` measures process start + module load + registration.
 * `--report` prints the registered function names, the load time and the heap used, as JSON.
 */
'use strict';
const Module = require('node:module');
const { resolve } = require('node:path');

const t0 = process.hrtime.bigint();
const registered = [];
const disposable = { dispose() {} };
const core = {
  version: '3.10.1',
  hostVersion: '4.1037.0',
  Disposable: class {
    constructor(fn) {
      this.fn = fn;
    }
    static from(...items) {
      return { dispose: () => items.forEach((i) => i.dispose()) };
    }
    dispose() {
      if (this.fn) this.fn();
    }
  },
  registerFunction(metadata) {
    registered.push(metadata);
    return disposable;
  },
  setProgrammingModel() {},
  registerHook() {
    return disposable;
  },
  log() {},
};
const originalRequire = Module.prototype.require;
Module.prototype.require = function (id) {
  if (id === '@azure/functions-core') return core;
  return originalRequire.apply(this, arguments);
};

const entry = process.argv[2];
if (!entry) {
  console.error('usage: node bench/load.cjs <app entry> [--report]');
  process.exit(2);
}
require(resolve(entry));
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
if (registered.length === 0) {
  console.error(`${entry} registered no functions`);
  process.exit(1);
}
if (process.argv.includes('--report')) {
  console.log(
    JSON.stringify({
      entry,
      functions: registered.length,
      names: registered.map((r) => r.name),
      requireMs: Math.round(ms * 10) / 10,
      heapUsedMiB: Math.round((process.memoryUsage().heapUsed / 2 ** 20) * 10) / 10,
      modulesInRequireCache: Object.keys(require.cache).length,
    }),
  );
}
