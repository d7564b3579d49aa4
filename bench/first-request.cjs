#!/usr/bin/env node
/**
 * Cold start up to the first answer, for docs/benchmarks.md:
 * `node bench/first-request.cjs <app entry> <function name> <path> [--report]`.
 *
 * Does what the Azure Functions Node worker does for a new instance's first request: answers
 * `require('@azure/functions-core')` (bench/core.cjs), loads the entry, then invokes the named HTTP function
 * once through the app's own programming model — `getInvocationModel` → `getArguments` → `invokeFunction` →
 * `getResponse`, with the request in the worker's RPC shape — and exits with the answer. A token in
 * `BENCH_TOKEN` is sent as `Authorization: Bearer`; the app reads its settings from the environment
 * (bench/fixture.ts prints them). `--report` prints, as JSON: the status, the split load / first request (ms from
 * the start of this script), the process's CPU time so far and its RSS after the load and after the request.
 * Exits 1 unless the answer is 200.
 */
'use strict';
const { resolve } = require('node:path');
const { URL } = require('node:url');

const t0 = process.hrtime.bigint();
const core = require('./core.cjs');
core.install();

const [entry, functionName, path] = process.argv.slice(2);
if (!entry || !functionName || !path) {
  console.error('usage: node bench/first-request.cjs <app entry> <function name> <path> [--report]');
  process.exit(2);
}

/** Route template → params of `path` (`partners/{partnerId}/benefits` against `/api/partners/contoso/benefits`). */
function routeParams(template, urlPath) {
  const parts = template.split('/').filter(Boolean);
  const segments = urlPath
    .replace(/^\/api\//, '')
    .split('?')[0]
    .split('/')
    .filter(Boolean);
  const params = {};
  parts.forEach((part, i) => {
    const m = /^\{(\w+)(?::[^}?]+)?\??\}$/.exec(part);
    if (m && segments[i] !== undefined) params[m[1]] = decodeURIComponent(segments[i]);
  });
  return params;
}

async function main() {
  require(resolve(entry));
  const loaded = process.hrtime.bigint();
  const rssAfterLoad = process.memoryUsage().rss;
  const fn = core.registered.find((r) => r.metadata.name === functionName);
  if (!fn) throw new Error(`${entry} registered no function named ${functionName}`);
  const [triggerName, trigger] = Object.entries(fn.metadata.bindings).find(
    ([, b]) => b.type === 'httpTrigger',
  );
  const url = new URL(path, 'http://localhost:7071');
  const headers = { host: 'localhost:7071' };
  if (process.env.BENCH_TOKEN) headers.authorization = `Bearer ${process.env.BENCH_TOKEN}`;
  const model = core.programmingModel().getInvocationModel({
    invocationId: '00000000-0000-4000-8000-000000000001',
    metadata: fn.metadata,
    request: {
      invocationId: '00000000-0000-4000-8000-000000000001',
      functionId: functionName,
      triggerMetadata: {},
      inputData: [
        {
          name: triggerName,
          data: {
            http: {
              method: 'GET',
              url: url.toString(),
              headers,
              query: Object.fromEntries(url.searchParams),
              params: routeParams(String(trigger.route ?? functionName), url.pathname),
              body: { string: '' },
            },
          },
        },
      ],
    },
    log: () => undefined,
    state: undefined,
  });
  const { context, inputs } = await model.getArguments();
  const result = await model.invokeFunction(context, inputs, fn.callback);
  const response = await model.getResponse(context, result);
  const done = process.hrtime.bigint();
  const status = response.returnValue?.http?.statusCode ?? response.returnValue?.http?.status;
  if (process.argv.includes('--report')) {
    const cpu = process.cpuUsage();
    const mib = (bytes) => Math.round((bytes / 2 ** 20) * 10) / 10;
    console.log(
      JSON.stringify({
        entry,
        functionName,
        status: Number(status),
        loadMs: Math.round((Number(loaded - t0) / 1e6) * 10) / 10,
        firstRequestMs: Math.round((Number(done - loaded) / 1e6) * 10) / 10,
        cpuMs: Math.round((cpu.user + cpu.system) / 100) / 10,
        rssAfterLoadMiB: mib(rssAfterLoad),
        rssMiB: mib(process.memoryUsage().rss),
      }),
    );
  }
  process.exit(Number(status) === 200 ? 0 : 1);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
