/**
 * The baseline of docs/benchmarks.md: a bare `@azure/functions` v4 app with one HTTP function, loaded the
 * way the worker loads an app (`node bench/load.cjs bench/bare-app.cjs`). It resolves `@azure/functions`
 * from node_modules, unbundled, as a minimal app deployed with its node_modules would.
 */
'use strict';
const { app } = require('@azure/functions');

app.http('hello', {
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: async (request) => ({ jsonBody: { hello: request.query.get('name') ?? 'world' } }),
});
