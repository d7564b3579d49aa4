/**
 * Portal figures for `npm run bench` (docs/benchmarks.md "Portal"), measured in headless Chromium
 * (`/usr/bin/chromium` driven by playwright-core) against the real local host:
 *
 * - **Initial JavaScript for the Benefits page**: the bytes of every script the page loaded (as transferred:
 *   gzip, the local host compresses like Static Web Apps does; each URL is fetched again outside the browser
 *   with `Accept-Encoding: gzip` so the count is exact) from opening `/benefits/software` signed in as
 *   `admin@contoso.example` until its benefits table shows a row — what the page needed, lazy chunks
 *   included.
 * - **Time to the first rendered benefits table**: from navigation start (`performance.timeOrigin`) until a
 *   `<table>` with a data row is in the DOM (a MutationObserver installed before any page script records
 *   `performance.now()`), in a fresh browser context per run (cold HTTP cache).
 * - **Baseline, built in the same run**: a bare Vite + React app (`bench/bare-vite-react/`) that reads the same
 *   session token, fetches the same benefit list and renders it as a plain table, served by a second local
 *   host the same way (gzip, same headers).
 *
 * Budget (issue): initial JavaScript of the Benefits page ≤ 300 KB gzip.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';

const root = resolve(__dirname, '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Issue budget for the Benefits page's initial JavaScript (gzip), bytes. */
export const PORTAL_JS_BUDGET_BYTES = 300 * 1024;

interface PageFigures {
  /** Script bytes as transferred (gzip), summed. */
  jsTransferred: number;
  /** Script bytes decoded (what the browser parses). */
  jsDecoded: number;
  scripts: number;
  /** ms from navigation start to the first table with a data row. */
  tableMs: number;
}

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
const ms = (n: number) => `${n.toFixed(0)} ms`;
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Records when the first table with a data row appears (runs before any page script). */
const TABLE_WATCH = `(() => {
  const check = () => {
    const t = document.querySelector('table');
    if (t && t.querySelectorAll('tbody tr, tr').length > 1 && !window.__tableAt) {
      window.__tableAt = performance.now();
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true });
})();`;

/** The gzip body the host sends for `url` (Accept-Encoding: gzip), and its decoded length. */
function scriptSizes(url: string): Promise<{ transferred: number; decoded: number }> {
  return new Promise((ok, fail) => {
    get(url, { headers: { 'Accept-Encoding': 'gzip' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const gzip = res.headers['content-encoding'] === 'gzip';
        ok({ transferred: body.length, decoded: gzip ? gunzipSync(body).length : body.length });
      });
      res.on('error', fail);
    }).on('error', fail);
  });
}

async function measure(
  browser: Browser,
  url: string,
  session: { token: string; label: string },
): Promise<PageFigures> {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
  try {
    await context.addInitScript(TABLE_WATCH);
    // The portal's local sign-in keeps the session in sessionStorage (src/web/src/auth/session.ts).
    await context.addInitScript(
      `sessionStorage.setItem('portal.session', ${JSON.stringify(
        JSON.stringify({ token: session.token, label: session.label, operator: false }),
      )});`,
    );
    const page = await context.newPage();
    const scripts: string[] = [];
    page.on('response', (response) => {
      if (response.request().resourceType() === 'script') scripts.push(response.url());
    });
    await page.goto(url);
    // Functions, not strings: the portal's CSP forbids evaluating strings.
    const tableAt = () => (globalThis as unknown as { __tableAt?: number }).__tableAt;
    await page.waitForFunction(tableAt, undefined, { timeout: 30_000 });
    const tableMs = (await page.evaluate(tableAt)) as number;
    // Sizes as the host sends them (gzip), read again outside the browser so the figure is exact.
    const sizes = await Promise.all(scripts.map(scriptSizes));
    return {
      jsTransferred: sizes.reduce((a, s) => a + s.transferred, 0),
      jsDecoded: sizes.reduce((a, s) => a + s.decoded, 0),
      scripts: sizes.length,
      tableMs,
    };
  } finally {
    await context.close();
  }
}

/** Builds the bare Vite + React baseline into `outDir` (the same Vite as the portal, in a child process). */
function buildBaseline(outDir: string): void {
  const dir = join(root, 'bench', 'bare-vite-react');
  const r = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      dir,
      '--config',
      join(dir, 'vite.config.ts'),
      '--outDir',
      outDir,
    ],
    { cwd: root, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`Baseline build failed:\n${r.stdout}\n${r.stderr}`);
}

/** Section 4 of `npm run bench`. */
export async function portalBench(runs: number): Promise<void> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { existsSync } = require('node:fs') as typeof import('node:fs');
  const { chromium } = require('playwright-core') as typeof import('playwright-core');
  const { startLocalHost } = require('../src/local/host') as typeof import('../src/local/host');
  const { ensurePortalBuilt } = require('../src/local/portal') as typeof import('../src/local/portal');
  const { demoObjectId } = require('../src/local/seed') as typeof import('../src/local/seed');
  /* eslint-enable @typescript-eslint/no-require-imports */
  console.log(`\n(f) Portal in headless Chromium (${runs} cold loads each)`);
  if (!existsSync(CHROMIUM)) {
    console.log(`   SKIPPED: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
    return;
  }
  ensurePortalBuilt();
  const work = mkdtempSync(join(tmpdir(), 'benefits-bench-portal-'));
  const baselineDir = join(work, 'baseline');
  buildBaseline(baselineDir);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu'],
  });
  try {
    console.log(
      '   app                          JS gzip (decoded, files)           table p50   table p90   table min',
    );
    for (const [label, portalDir, path] of [
      ['portal /benefits/software', undefined, '/benefits/software'],
      ['bare Vite + React baseline', baselineDir, '/'],
    ] as const) {
      const host = await startLocalHost({
        port: 0,
        dataDir: join(work, `data-${portalDir ? 'baseline' : 'portal'}`),
        timers: false,
        log: () => undefined,
        portalDir,
      });
      try {
        // Both apps start signed in (the portal's session in sessionStorage), so the figure is the page itself.
        const token = await host.token(demoObjectId('admin@contoso.example'));
        const session = { token, label: 'admin@contoso.example' };
        await measure(browser, `${host.url}${path}`, session); // warm-up: the host's caches, not the browser's
        const figures: PageFigures[] = [];
        for (let i = 0; i < runs; i++) figures.push(await measure(browser, `${host.url}${path}`, session));
        const f = figures[figures.length - 1];
        const times = figures.map((x) => x.tableMs);
        const js = `${kib(f.jsTransferred)} (${kib(f.jsDecoded)}, ${f.scripts})`;
        const budget =
          portalDir === undefined
            ? f.jsTransferred <= PORTAL_JS_BUDGET_BYTES
              ? '  within the 300 KB budget'
              : '  OVER the 300 KB budget'
            : '';
        console.log(
          `   ${label.padEnd(28)} ${js.padEnd(34)} ${ms(quantile(times, 0.5)).padStart(9)}   ${ms(quantile(times, 0.9)).padStart(9)}   ${ms(Math.min(...times)).padStart(9)}${budget}`,
        );
      } finally {
        await host.stop();
      }
    }
  } finally {
    await browser.close();
    rmSync(work, { recursive: true, force: true });
  }
}
