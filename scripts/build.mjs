#!/usr/bin/env node
/**
 * `npm run build`: the production bundle of the function app (docs/benchmarks.md, docs/decisions.md).
 *
 * `dist/index.js` from `functions/index.ts`, the Azure Functions Node v4 entry (`package.json` `main`), plus the
 * chunks it loads on demand under `dist/chunks/`, all CommonJS with linked source maps. Decisions:
 *
 * - Everything is bundled except `@azure/functions-core`, which the Functions worker answers itself (it
 *   hooks `Module.prototype.require`). Loading pre-linked files is faster than resolving and reading the
 *   several hundred node_modules files the SDKs consist of, and the deployment then needs no node_modules.
 * - Split at every dynamic `import()`: what the first HTTP request does not need (durable-functions and the
 *   orchestration code, the OpenAPI generator, email templates and the ACS SDK, `@azure/identity`) is in chunks
 *   that are read and compiled only when first used, so a cold start parses a fraction of the code. esbuild
 *   splits only ESM output, so the build runs twice: (1) bundle to ESM with `splitting`, (2) convert each
 *   output file to CommonJS (`bundle: false`; the source maps of pass 1 are chained). A dynamic import then
 *   becomes `require('./chunks/…')` on demand; chunks shared by several parts are ordinary requires, loaded once.
 * - A package required with `require()` from our sources is resolved with the `import` condition, like
 *   its static imports elsewhere, so the bundle holds one copy (the ESM build) rather than both the
 *   CommonJS and the ESM build of the same SDK and of the `@azure/core-*` packages below it.
 * - The output folder is the whole deployment (azure.yaml `dist: dist`, `remoteBuild: false`): the bundle and its
 *   chunks, a copy of `host.json` and a minimal `package.json` whose `main` is the bundle and which has no
 *   dependencies, because the bundle needs none.
 *
 * Flags: `--outdir <dir>` (default `dist`), `--metafile` (writes `<outdir>/meta.json` of pass 1 for
 * https://esbuild.github.io/analyze/), `--quiet`.
 */
import { build } from 'esbuild';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv) {
  const out = { outdir: join(root, 'dist'), metafile: false, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--outdir') out.outdir = resolve(argv[++i] ?? '');
    else if (a.startsWith('--outdir=')) out.outdir = resolve(a.slice('--outdir='.length));
    else if (a === '--metafile') out.metafile = true;
    else if (a === '--quiet') out.quiet = true;
    else throw new Error(`Unknown argument ${a} (use --outdir <dir>, --metafile, --quiet)`);
  }
  return out;
}

/** Provided by the Functions worker at run time; never bundled. */
export const EXTERNAL = ['@azure/functions-core'];

/**
 * Dual packages (an ESM and a CommonJS build) that packages also `require()`: their requires are resolved with
 * the `import` condition too, so the bundle holds one copy (luxon via cron-parser, the core packages via
 * durable-functions and the ACS SDK). Only packages that export names (no CommonJS `module.exports = fn`), for
 * which `require()` of the ESM build gives the same object.
 */
const ONE_FLAVOUR_EVERYWHERE = new Set(['luxon', '@azure/core-tracing', '@azure/core-client']);

/**
 * Resolves `require('<package>')` calls in our own sources with the `import` condition (see above). Only
 * bare specifiers from files outside node_modules, and those of {@link ONE_FLAVOUR_EVERYWHERE} from anywhere;
 * relative requires and packages' other requires are left to esbuild.
 */
const oneFlavourPerPackage = {
  name: 'one-flavour-per-package',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.kind !== 'require-call' || args.pluginData?.reresolved) return undefined;
      const fromPackage = args.importer.includes(`${'/'}node_modules${'/'}`);
      if ((fromPackage && !ONE_FLAVOUR_EVERYWHERE.has(args.path)) || EXTERNAL.includes(args.path))
        return undefined;
      const r = await b.resolve(args.path, {
        kind: 'import-statement',
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: { reresolved: true },
      });
      return r.errors.length ? undefined : r;
    });
  },
};

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;

/** Every `.js` file under `dir`, relative paths. */
async function jsFiles(dir) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.js'))
    .map((e) => relative(dir, join(e.parentPath ?? e.path, e.name)));
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const esmDir = await mkdtemp(join(tmpdir(), 'benefits-build-esm-'));
  const started = process.hrtime.bigint();
  try {
    // Pass 1: one ESM bundle, split at dynamic imports.
    const result = await build({
      absWorkingDir: root,
      entryPoints: { index: join(root, 'functions', 'index.ts') },
      outdir: esmDir,
      chunkNames: 'chunks/[name]-[hash]',
      bundle: true,
      splitting: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      sourcemap: 'linked',
      sourcesContent: false,
      minifySyntax: true,
      minifyWhitespace: true,
      minifyIdentifiers: true,
      keepNames: false,
      legalComments: 'none',
      external: EXTERNAL,
      tsconfig: join(root, 'tsconfig.json'),
      metafile: true,
      logLevel: opts.quiet ? 'error' : 'warning',
      plugins: [oneFlavourPerPackage],
    });
    // Pass 2: each output file to CommonJS, imports between them becoming requires.
    await rm(join(opts.outdir, 'chunks'), { recursive: true, force: true });
    for (const f of ['index.js', 'index.js.map', 'index.js.LEGAL.txt'])
      await rm(join(opts.outdir, f), { force: true });
    await mkdir(opts.outdir, { recursive: true });
    const files = await jsFiles(esmDir);
    await build({
      absWorkingDir: esmDir,
      entryPoints: files.map((f) => join(esmDir, f)),
      outbase: esmDir,
      outdir: opts.outdir,
      bundle: false,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      sourcemap: 'linked',
      sourcesContent: false,
      minifyWhitespace: true,
      // `import('./chunks/…')` becomes `Promise.resolve().then(() => require('./chunks/…'))`: the chunk is CommonJS.
      supported: { 'dynamic-import': false },
      logLevel: opts.quiet ? 'error' : 'warning',
      // Packages' guarded `import.meta.url` (the `open` package under @azure/identity): pass 1 keeps it for ESM,
      // pass 2 empties it as a CommonJS build always did; esbuild warns only because the files left node_modules.
      logOverride: { 'empty-import-meta': 'silent' },
    });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
    await copyFile(join(root, 'host.json'), join(opts.outdir, 'host.json'));
    await writeFile(
      join(opts.outdir, 'package.json'),
      `${JSON.stringify({ name: pkg.name, version: pkg.version, private: true, main: 'index.js', engines: pkg.engines }, null, 2)}\n`,
    );
    if (opts.metafile) await writeFile(join(opts.outdir, 'meta.json'), JSON.stringify(result.metafile));
    if (!opts.quiet) {
      const sizes = await Promise.all(files.map(async (f) => (await stat(join(opts.outdir, f))).size));
      const entry = sizes[files.indexOf('index.js')];
      const total = sizes.reduce((a, b) => a + b, 0);
      const packages = new Set(
        Object.keys(result.metafile.inputs)
          .map((p) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(p)?.[1])
          .filter(Boolean),
      );
      console.log(
        `${relative(root, join(opts.outdir, 'index.js'))}: ${kib(entry)} + ${files.length - 1} chunks, ${kib(total)} in all, ` +
          `from ${Object.keys(result.metafile.inputs).length} files (${packages.size} packages) in ${ms.toFixed(0)} ms; ` +
          `external: ${EXTERNAL.join(', ')}`,
      );
    }
  } finally {
    await rm(esmDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
