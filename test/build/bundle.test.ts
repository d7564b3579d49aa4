/**
 * The deployed artifact is tested, not only the sources. `npm run build` (scripts/build.mjs) is run
 * into a temporary folder; the bundle is then served by the local host in a child process under the local
 * `@azure/functions-core` (test/build/bundleProbe.ts) and driven over real HTTP with real tokens.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { getRegistrations } from '../../src/local/functionsCore';

const run = promisify(execFile);
const root = resolve(__dirname, '..', '..');

let outdir: string;
let bundle: string;
let report: any;
let meta: {
  outputs: Record<
    string,
    { inputs: Record<string, unknown>; imports?: Array<{ path: string; external?: boolean }> }
  >;
};

/** The source files (node_modules packages by name, our files by path) bundled into the given output files. */
function sourcesOf(outputFiles: string[]): Set<string> {
  const out = new Set<string>();
  for (const [path, output] of Object.entries(meta.outputs)) {
    if (!outputFiles.some((f) => path.endsWith(`/${f}`))) continue;
    for (const input of Object.keys(output.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
      out.add(pkg ? pkg[1] : input.replace(/^(\.\.\/)+/, ''));
    }
  }
  return out;
}

/** Every .js file of the build output, relative to it. */
async function outputJsFiles(): Promise<string[]> {
  const entries = await readdir(outdir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.js'))
    .map((e) => relative(outdir, join(e.parentPath, e.name)));
}

beforeAll(async () => {
  outdir = await mkdtemp(join(tmpdir(), 'benefits-build-'));
  await run(
    process.execPath,
    [join(root, 'scripts', 'build.mjs'), '--outdir', outdir, '--metafile', '--quiet'],
    {
      cwd: root,
    },
  );
  meta = JSON.parse(await readFile(join(outdir, 'meta.json'), 'utf8'));
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

test('the bundle registers exactly the functions the sources register, with the same metadata', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('../../functions');
  const fromSources = getRegistrations().map((f) => ({
    name: f.name,
    bindings: f.bindings,
    retryOptions: f.retryOptions,
  }));
  expect(fromSources.length).toBeGreaterThan(30);
  // Names, triggers, routes, methods, schedules, extra inputs and the bindings' (content-derived) names.
  expect(JSON.stringify(report.functions)).toBe(JSON.stringify(fromSources));
});

test('the bundle needs nothing from node_modules but the worker-provided @azure/functions-core', async () => {
  // Every import esbuild left outside the bundle (its metafile lists them all) is a Node built-in or the core.
  const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
  const external = new Set<string>();
  for (const output of Object.values(meta.outputs))
    for (const i of output.imports ?? []) if (i.external && !builtins.has(i.path)) external.add(i.path);
  expect([...external]).toEqual(['@azure/functions-core']);
  // The chunks each file requires (split at dynamic imports) are part of the output.
  const files = await outputJsFiles();
  expect(files).toContain('index.js');
  for (const file of files) {
    const text = await readFile(join(outdir, file), 'utf8');
    for (const [, m] of text.matchAll(/\brequire\("(\.\.?\/[^"]+)"\)/g))
      expect(files).toContain(join(dirname(file), m));
  }
});

/** What no HTTP request of a benefit list needs: loaded on first use, from chunks of their own. */
const NOT_AT_COLD_START = [
  'durable-functions',
  'axios',
  'moment',
  '@asteasolutions/zod-to-openapi',
  '@azure/identity',
  '@azure/msal-node',
  '@azure/communication-email',
  'src/orchestration/activation.ts',
  'src/orchestration/activities.ts',
  'src/http/openapi.ts',
  'src/email/templates.ts',
];

test('a cold start loads only what the first request needs: no durable-functions, OpenAPI, email or identity code', () => {
  const { afterLoad, afterFirstList, atEnd } = report.chunks as Record<string, string[]>;
  expect(afterLoad).toContain('index.js');
  const loaded = sourcesOf(afterFirstList);
  expect(loaded).toContain('@azure/cosmos');
  expect(loaded).toContain('src/store/store.ts');
  for (const lazy of NOT_AT_COLD_START)
    expect({ lazy, loaded: loaded.has(lazy) }).toEqual({ lazy, loaded: false });
  // … and they are in the bundle, loaded by the activation, the sweep's notice and the other requests.
  const all = sourcesOf(atEnd);
  for (const lazy of ['durable-functions', 'src/orchestration/activation.ts', 'src/email/templates.ts'])
    expect({ lazy, loaded: all.has(lazy) }).toEqual({ lazy, loaded: true });
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
