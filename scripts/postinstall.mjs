#!/usr/bin/env node
/**
 * `npm ci` / `npm install` postinstall: applies `patches/` with patch-package (pinned dev dependency).
 *
 * The patches fix the embedded Cosmos DB server used by `npm start` and the tests (docs/upstream/
 * cosmosdb-server.md): linear queries that honour the partition key. Both patched packages are dev
 * dependencies, so an install without them (`npm ci --omit=dev`) has nothing to patch and this script
 * only says so. A patch that no longer applies (a version moved) fails the install.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let bin;
try {
  bin = require.resolve('patch-package/index.js');
} catch {
  console.log('postinstall: patch-package is not installed (dev dependencies omitted); no patches applied.');
  process.exit(0);
}
const r = spawnSync(process.execPath, [bin, '--error-on-fail'], { stdio: 'inherit' });
process.exit(r.status ?? 1);
