/**
 * `npm run bench`: prints the service's figures (docs/benchmarks.md explains them). Nothing here asserts a
 * time; tests assert behaviour and round-trip counts.
 *
 * 1. Cold load — `node bench/load.cjs <entry>` run repeatedly for the production bundle (`npm run build`,
 *    built if missing) and for a bare `@azure/functions` app with one HTTP function: process wall time and
 *    the time from first `require` to all functions registered.
 * 2. Requests — the local host (sources, embedded Cosmos, real JWTs) serving the demo data: latency of
 *    the benefit list and get, and Cosmos round trips per request.
 * 3. Concurrency — 50 concurrent assignments of a 10-seat Visual Studio benefit: wall time, outcome counts
 *    and Cosmos round trips.
 *
 * 4. Portal — headless Chromium against the local host: initial JavaScript (gzip) of the Benefits page and
 *    time to its first rendered table, with a bare Vite + React baseline built in the same run (bench/portal.ts).
 *
 * Options (environment): `BENCH_LOAD_RUNS` (default 15), `BENCH_REQUESTS` (default 300),
 * `BENCH_PORTAL_RUNS` (default 10).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { installFunctionsCore } from '../src/local/installFunctionsCore';
import { portalBench } from './portal';

installFunctionsCore();

const root = resolve(__dirname, '..');
const loadRuns = Number(process.env.BENCH_LOAD_RUNS ?? 15);
const requests = Number(process.env.BENCH_REQUESTS ?? 300);
const portalRuns = Number(process.env.BENCH_PORTAL_RUNS ?? 10);

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
const ms = (n: number) => `${n.toFixed(1)} ms`;

function coldLoad(): void {
  const bundle = join(root, 'dist', 'index.js');
  if (!existsSync(bundle)) execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--quiet']);
  console.log(`\n1. Cold load (${loadRuns} runs each; node ${process.version})`);
  console.log(
    '   entry                     functions  wall p50   wall p90   require→registered p50  heap MiB',
  );
  for (const entry of ['dist/index.js', 'bench/bare-app.cjs']) {
    const wall: number[] = [];
    const req: number[] = [];
    let last: { functions: number; heapUsedMiB: number } | undefined;
    for (let i = 0; i < loadRuns; i++) {
      const t = process.hrtime.bigint();
      const r = spawnSync(process.execPath, [join(root, 'bench', 'load.cjs'), entry, '--report'], {
        cwd: root,
        encoding: 'utf8',
      });
      wall.push(Number(process.hrtime.bigint() - t) / 1e6);
      if (r.status !== 0) throw new Error(`${entry}: ${r.stderr}`);
      last = JSON.parse(r.stdout);
      req.push((last as unknown as { requireMs: number }).requireMs);
    }
    console.log(
      `   ${entry.padEnd(25)} ${String(last!.functions).padStart(9)}  ${ms(quantile(wall, 0.5)).padStart(9)}  ${ms(quantile(wall, 0.9)).padStart(9)}  ${ms(quantile(req, 0.5)).padStart(22)}  ${String(last!.heapUsedMiB).padStart(8)}`,
    );
  }
}

async function requestsAndConcurrency(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startLocalHost } = require('../src/local/host') as typeof import('../src/local/host');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { demoObjectId } = require('../src/local/seed') as typeof import('../src/local/seed');
  const dataDir = mkdtempSync(join(tmpdir(), 'benefits-bench-'));
  const host = await startLocalHost({ port: 0, dataDir, timers: false, log: () => undefined });
  try {
    const token = await host.token(demoObjectId('admin@contoso.example'));
    const get = async (path: string) => {
      const res = await fetch(`${host.url}/api${path}`, { headers: { Authorization: `Bearer ${token}` } });
      const body = (await res.json()) as { items?: Array<{ id: string }> };
      if (res.status !== 200) throw new Error(`${path} → ${res.status}`);
      return body;
    };
    const list = await get('/partners/contoso/benefits');
    const benefitId = list.items![0].id;
    console.log(`\n2. Requests through the local host (${requests} sequential each, after warm-up)`);
    console.log(
      '   request                              p50        p90        p99   Cosmos round trips/request',
    );
    for (const [label, path] of [
      ['GET …/benefits (one page)', '/partners/contoso/benefits'],
      ['GET …/benefits/{id}', `/partners/contoso/benefits/${benefitId}`],
    ] as const) {
      for (let i = 0; i < 20; i++) await get(path);
      host.cosmos.resetCounts();
      const times: number[] = [];
      for (let i = 0; i < requests; i++) {
        const t = process.hrtime.bigint();
        await get(path);
        times.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
      const c = host.cosmos.counts();
      const per = (n: number) => (n / requests).toFixed(2);
      const perRequest = `${per(c.total)} (${per(c.reads)} point reads, ${per(c.queries)} query pages, ${per(c.queryPlans)} query plans)`;
      console.log(
        `   ${label.padEnd(30)} ${ms(quantile(times, 0.5)).padStart(9)}  ${ms(quantile(times, 0.9)).padStart(9)}  ${ms(quantile(times, 0.99)).padStart(9)}   ${perRequest}`,
      );
    }

    // 3. 50 concurrent assignments of one 10-seat benefit (a fresh purchase so seats are free).
    const users = [];
    for (let i = 0; i < 50; i++) {
      const objectId = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      const res = await fetch(`${host.url}/api/partners/contoso/users`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          objectId,
          displayName: `Bench user ${i}`,
          accountEmail: `bench${i}@contoso.example`,
          roles: [],
        }),
      });
      if (res.status !== 201) throw new Error(`create user → ${res.status}`);
      users.push(objectId);
    }
    const vs = (await get('/partners/contoso/benefits?category=visualStudio&pageSize=100')).items as Array<{
      id: string;
      seats?: number;
      assignments: unknown[];
    }>;
    const target = vs.find((b) => b.seats === 10 && b.assignments.length === 0) ?? vs[0];
    host.cosmos.resetCounts();
    const t = process.hrtime.bigint();
    const statuses = await Promise.all(
      users.map(async (userId) => {
        const res = await fetch(`${host.url}/api/partners/contoso/benefits/${target.id}/assignments`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ userId }),
        });
        await res.arrayBuffer();
        return res.status;
      }),
    );
    const wall = Number(process.hrtime.bigint() - t) / 1e6;
    const c = host.cosmos.counts();
    const tally = statuses.reduce<Record<number, number>>((a, s) => ({ ...a, [s]: (a[s] ?? 0) + 1 }), {});
    console.log(`\n3. 50 concurrent assignments of a ${target.seats ?? '?'}-seat benefit`);
    console.log(
      `   wall ${ms(wall)}; outcomes ${JSON.stringify(tally)}; Cosmos: ${c.reads} reads, ${c.writes} writes, ` +
        `${c.queries} queries, ${c.total} requests in all (412 retries included)`,
    );
  } finally {
    await host.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  coldLoad();
  await requestsAndConcurrency();
  await portalBench(portalRuns);
  console.log('');
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? e.stack : e);
    process.exit(1);
  },
);
