/**
 * Vite build of the benefits portal (docs/product.md §11).
 *
 * - `--mode localhost` (what `npm start` and the tests build, into `dist-web/`): local sign-in through the
 *   local host's `/.local/*` routes.
 * - `--mode production` (`npm run build:web`, into `dist-swa/`, deployed to Azure Static Web Apps): Microsoft
 *   Entra ID sign-in through MSAL; the local sign-in code is not in the bundle (`__LOCAL_SIGN_IN__` is a
 *   build-time constant, so the dead branch is dropped).
 *
 * After a build, `.source-hash` (from `PORTAL_SOURCE_HASH`, set by src/local/portal.ts) records which sources
 * it was built from, so the local host rebuilds only when they change.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

const root = __dirname;
const repo = resolve(root, '..', '..');

function sourceHashStamp(outDir: () => string): Plugin {
  return {
    name: 'portal-source-hash',
    apply: 'build',
    closeBundle() {
      const hash = process.env.PORTAL_SOURCE_HASH;
      if (hash) writeFileSync(join(outDir(), '.source-hash'), `${hash}\n`);
    },
  };
}

export default defineConfig(({ mode }) => {
  const production = mode === 'production';
  let outDir = resolve(repo, production ? 'dist-swa' : 'dist-web');
  return {
    root,
    base: '/',
    publicDir: resolve(root, 'public'),
    envDir: root,
    define: { __LOCAL_SIGN_IN__: JSON.stringify(!production) },
    oxc: { jsx: { runtime: 'automatic' } },
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: false,
      reportCompressedSize: false,
      chunkSizeWarningLimit: 1024,
      rolldownOptions: {
        // Fluent UI marks its modules 'use client' (a React Server Components hint, meaningless in an SPA).
        onLog(level, log, handler) {
          if (log.code === 'MODULE_LEVEL_DIRECTIVE') return;
          handler(level, log);
        },
      },
    },
    plugins: [
      {
        name: 'portal-out-dir',
        configResolved(config) {
          outDir = config.build.outDir;
        },
      },
      sourceHashStamp(() => outDir),
    ],
  };
});
