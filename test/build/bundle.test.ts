/**
 * The deployed artifact is tested, not only the sources. `npm run build` (scripts/build.mjs) is run
 * into a temporary folder; the bundle is then served by the local host in a child process under the local
 * `@azure/functions-core` (test/build/bundleProbe.ts) and driven over real HTTP with real tokens.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { getRegistrations } from '../../src/local/functionsCore';

const run = promisify(execFile);
const root = resolve(__dirname, '..', '..');

let outdir: string;
let bundle: string;
let report: any;

beforeAll(async () => {
  outdir = await mkdtemp(join(tmpdir(), 'benefits-build-'));
  await run(process.execPath, [join(root, 'scripts', 'build.mjs'), '--outdir', outdir, '--quiet'], {
    cwd: root,
  });
  bundle = join(outdir, 'index.js');
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', join(__dirname, 'bundleProbe.ts'), bundle],
    {
      cwd: root,
      maxBuffer: 16 * 1024 * 1024,
      timeout: 120_000,
    },
  );
  // The bundle's outbox logs to stdout too; the report is the last line.
  report = JSON.parse(stdout.trim().split('\n').pop()!);
}, 180_000);

afterAll(async () => {
  if (outdir) await rm(outdir, { recursive: true, force: true });
});

test('package.json main is the file npm run build writes', async () => {
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
  expect(pkg.main).toBe('dist/index.js');
  expect(pkg.scripts.build).toBe('node scripts/build.mjs');
});

test('the build output is the whole deployment: bundle, host.json and a dependency-free package.json', async () => {
  const pkg = JSON.parse(await readFile(join(outdir, 'package.json'), 'utf8'));
  expect(pkg.main).toBe('index.js');
  expect(pkg.dependencies).toBeUndefined();
  expect(JSON.parse(await readFile(join(outdir, 'host.json'), 'utf8'))).toEqual(
    JSON.parse(await readFile(join(root, 'host.json'), 'utf8')),
  );
});

test('the bundle registers exactly the functions the sources register, with the same triggers', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('../../functions');
  const fromSources = getRegistrations().map((f) => ({
    name: f.name,
    trigger: f.trigger.type,
    route: f.trigger.route,
  }));
  expect(fromSources.length).toBeGreaterThan(30);
  expect(report.functions).toEqual(fromSources);
});

test('the bundle needs nothing from node_modules but the worker-provided @azure/functions-core', async () => {
  const text = await readFile(bundle, 'utf8');
  const required = new Set([...text.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]));
  const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
  const foreign = [...required].filter((m) => !builtins.has(m) && !m.startsWith('node:'));
  expect(foreign).toEqual(['@azure/functions-core']);
});

test('served from the bundle: routes, auth, problem+json and the Cosmos-backed benefit list work', () => {
  expect(report.health).toBe(200);
  expect(report.noToken).toEqual({ status: 401, type: 'application/problem+json' });
  expect(report.benefits).toEqual({
    status: 200,
    categories: ['cloud', 'goToMarket', 'software', 'technical', 'visualStudio'],
  });
});

test("served from the bundle: the bundle's orchestration, activities and durable client run an activation", () => {
  expect(report.activation).toEqual({
    start: 202,
    fulfilment: 202,
    final: 'Active',
    accessId: 'AID-0042-7781',
    contractId: 'CID-9930-1184',
  });
  expect(report.outbox).toContain('technicalInstructions');
});

test("served from the bundle: the timer function expires the demo data's past-due offer", () => {
  expect(report.sweep).toMatchObject({ expired: 1, notices: 1 });
  expect(report.outbox).toContain('expiryNotice');
});
