/** Vite build of the portal benchmark's baseline (bench/portal.ts): Vite's defaults, JSX as in the portal. */
import { defineConfig } from 'vite';

export default defineConfig({
  root: __dirname,
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic' } },
  build: { emptyOutDir: true, target: 'es2022', reportCompressedSize: false },
});
