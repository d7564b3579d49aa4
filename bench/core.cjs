/**
 * A minimal `@azure/functions-core`, the same for every app the benchmarks load (bench/load.cjs,
 * bench/first-request.cjs): what the Azure Functions Node worker answers to `require('@azure/functions-core')`
 * before it loads an app. It records registrations and the programming model; it does nothing else.
 */
'use strict';
const Module = require('node:module');

const registered = [];
let programmingModel;
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
  registerFunction(metadata, callback) {
    registered.push({ metadata, callback });
    return disposable;
  },
  setProgrammingModel(pm) {
    programmingModel = pm;
  },
  registerHook() {
    return disposable;
  },
  log() {},
};

/** Answers `require('@azure/functions-core')` from now on, as the worker does. */
function install() {
  const originalRequire = Module.prototype.require;
  Module.prototype.require = function (id) {
    if (id === '@azure/functions-core') return core;
    return originalRequire.apply(this, arguments);
  };
}

module.exports = { install, registered, programmingModel: () => programmingModel };
