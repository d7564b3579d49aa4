#!/usr/bin/env node
/**
 * `npm run build`: the production bundle of the function app (docs/benchmarks.md).
 *
 * One CommonJS file `dist/index.js` (+ `dist/index.js.map`) from `functions/index.ts`, the Azure Functions
 * Node v4 entry (`package.json` `main`). Decisions:
 *
 * - Everything is bundled except `@azure/functions-core`, which the Functions worker answers itself (it
 *   hooks `Module.prototype.require`). Loading one pre-linked file is faster than resolving and reading
 *   the several hundred node_modules files the SDKs consist of, and the deployment then needs no
 *   node_modules at all: `azd deploy` ships the output folder alone (see the last point).
 * - Lazy loads stay lazy: esbuild turns a module reached by `require()` / `import()` into an init function
 *   run on first use, so `@azure/identity` and `@azure/communication-email` (required only on the first
 *   token request / ACS send) are in the file but not executed at load time (test/build/bundle.test.ts).
 * - A package required with `require()` from our sources is resolved with the `import` condition, like
 *   its static imports elsewhere, so the bundle holds one copy (the ESM build) rather than both the
 *   CommonJS and the ESM build of the same SDK and of the `@azure/core-*` packages below it.
 *
 * - The output folder is the whole deployment (azure.yaml `dist: dist`, `remoteBuild: false`): the bundle, a
 *   copy of `host.json` and a minimal `package.json` whose `main` is the bundle and which has no
 *   dependencies, because the bundle needs none.
 *
 * Flags: `--outdir <dir>` (default `dist`), `--metafile` (writes `<outdir>/meta.json` for
 * https://esbuild.github.io/analyze/), `--quiet`.
 */
import { build } from 'esbuild';
import { copyFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
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
 * Resolves `require('<package>')` calls in our own sources with the `import` condition (see above). Only
 * bare specifiers from files outside node_modules; relative requires and packages' own requires are left
 * to esbuild.
 */
const oneFlavourPerPackage = {
  name: 'one-flavour-per-package',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.kind !== 'require-call' || args.pluginData?.reresolved) return undefined;
      if (args.importer.includes(`${'/'}node_modules${'/'}`) || EXTERNAL.includes(args.path))
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

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const outfile = join(opts.outdir, 'index.js');
  await rm(outfile, { force: true });
  await rm(`${outfile}.map`, { force: true });
  await mkdir(opts.outdir, { recursive: true });
  const started = process.hrtime.bigint();
  const result = await build({
    absWorkingDir: root,
    entryPoints: [join(root, 'functions', 'index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'linked',
    sourcesContent: false,
    minifySyntax: true,
    minifyWhitespace: true,
    minifyIdentifiers: true,
    keepNames: true,
    legalComments: 'linked',
    external: EXTERNAL,
    tsconfig: join(root, 'tsconfig.json'),
    metafile: true,
    logLevel: opts.quiet ? 'error' : 'warning',
    plugins: [oneFlavourPerPackage],
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
  await copyFile(join(root, 'host.json'), join(opts.outdir, 'host.json'));
  await writeFile(
    join(opts.outdir, 'package.json'),
    `${JSON.stringify({ name: pkg.name, version: pkg.version, private: true, main: 'index.js', engines: pkg.engines }, null, 2)}\n`,
  );
  if (opts.metafile) await writeFile(join(opts.outdir, 'meta.json'), JSON.stringify(result.metafile));
  const size = (await stat(outfile)).size;
  const inputs = Object.keys(result.metafile.inputs).length;
  if (!opts.quiet) {
    const packages = new Set(
      Object.keys(result.metafile.inputs)
        .map((p) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(p)?.[1])
        .filter(Boolean),
    );
    console.log(
      `${relative(root, outfile) || outfile}: ${kib(size)} (${size} bytes) from ${inputs} files ` +
        `(${packages.size} packages) in ${ms.toFixed(0)} ms; external: ${EXTERNAL.join(', ')}`,
    );
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
