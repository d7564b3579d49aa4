/**
 * `npm run bench`: every performance figure of docs/benchmarks.md in one run, each subject interleaved with its
 * baseline (subject, baseline, subject, …) and reported as the ratio of each pair — the machine's speed drifts,
 * a pair's ratio much less. Nothing here asserts a time; tests assert behaviour and round-trip counts.
 *
 * (a) Cold start: `node bench/first-request.cjs` — load the production bundle (`npm run build`, rebuilt first)
 *     the way the Functions worker does and answer one authenticated benefit list — against a bare
 *     `@azure/functions` app's load + first hello (bench/bare-app.cjs). Whole processes; wall and CPU time.
 * (b) Throughput: list and get through the local host vs a raw `@azure/cosmos` client issuing the same query page
 *     and point read against the same embedded Cosmos server (bench/throughputServer.ts, a child process);
 *     autocannon, 10 connections.
 * (c) Cosmos round trips per request, counted by the embedded server.
 * (d) The expiry sweep at 1 000 and at 20 000 benefits with the same 50 due (test/support/scaleSeed.ts):
 *     time, round trips, how many expired.
 * (e) RSS: the bundle's process after the load (idle) and after the first request; the local host's idle and
 *     after (b)'s load.
 *
 * Options (environment): `BENCH_PAIRS` (a, default 15), `BENCH_SECONDS` per autocannon run (b, default 5),
 * `BENCH_ROUNDS` (b, d: default 3), `BENCH_SCALE` (d: the large size, default 20000), `BENCH_ONLY` (a comma-separated
 * subset of `a,b,d,f` to run; default all — (c) and (e) come with (a) and (b)).
 * (f) Portal: headless Chromium against the local host — initial JavaScript (gzip) of the Benefits page and time to
 *     its first rendered table, with a bare Vite + React baseline built in the same run (bench/portal.ts);
 *     `BENCH_PORTAL_RUNS` (default 10).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { runExpirySweep } from '../src/app/expirySweep';
import { ManualClock } from '../src/local/clock';
import { installFunctionsCore } from '../src/local/installFunctionsCore';
import { rearmDue, seedScale } from '../test/support/scaleSeed';
import { portalBench } from './portal';

installFunctionsCore();

const root = resolve(__dirname, '..');
const pairs = Number(process.env.BENCH_PAIRS ?? 15);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const large = Number(process.env.BENCH_SCALE ?? 20_000);
const portalRuns = Number(process.env.BENCH_PORTAL_RUNS ?? 10);
const only = new Set((process.env.BENCH_ONLY ?? 'a,b,d,f').split(',').map((s) => s.trim()));

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (n: number) => `${n.toFixed(0)} ms`;
const x = (n: number) => `${n.toFixed(2)}×`;
const spread = (ratios: number[]) =>
  `${x(median(ratios))} (${x(Math.min(...ratios))}–${x(Math.max(...ratios))})`;
const pad = (s: string, n: number) => s.padEnd(n);

// ---- (a) cold start -----------------------------------------------------------------------------------------

/** bench/fixture.ts in a process of its own (its server must answer while this one waits for a child). */
async function startFixtureProcess(): Promise<{ env: Record<string, string>; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'benefits-bench-fixture-'));
  const file = join(dir, 'fixture.env');
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench', 'fixture.ts'), file], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ready = await createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next();
  if (!String(ready.value).startsWith('fixture ready')) throw new Error('bench/fixture.ts did not start');
  const values = Object.fromEntries(
    readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  return {
    env: values,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((ok) => child.once('exit', ok));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface FirstRequestReport {
  status: number;
  loadMs: number;
  firstRequestMs: number;
  cpuMs: number;
  rssAfterLoadMiB: number;
  rssMiB: number;
}

async function coldStart(): Promise<void> {
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--quiet'], { cwd: root });
  const fixture = await startFixtureProcess();
  // The children are plain Node, as the worker runs an app (no TypeScript loader inherited from this process).
  const env: NodeJS.ProcessEnv = { ...process.env, ...fixture.env };
  delete env.NODE_OPTIONS;
  const run = (entry: string, fn: string, path: string) => {
    const t = process.hrtime.bigint();
    const r = spawnSync(
      process.execPath,
      [join(root, 'bench', 'first-request.cjs'), entry, fn, path, '--report'],
      { cwd: root, env, encoding: 'utf8' },
    );
    const wall = Number(process.hrtime.bigint() - t) / 1e6;
    if (r.status !== 0) throw new Error(`${entry} ${fn}: exit ${r.status}\n${r.stderr}`);
    const report = JSON.parse(r.stdout.trim().split('\n').pop()!) as FirstRequestReport;
    return { wall, ...report };
  };
  const subject = () => run('dist/index.js', 'listBenefits', '/api/partners/contoso/benefits');
  const baseline = () => run('bench/bare-app.cjs', 'hello', '/api/hello');
  try {
    subject();
    baseline(); // warm-up: file cache
    const s: ReturnType<typeof subject>[] = [];
    const b: ReturnType<typeof baseline>[] = [];
    for (let i = 0; i < pairs; i++) {
      s.push(subject());
      b.push(baseline());
    }
    const row = (label: string, f: (r: FirstRequestReport & { wall: number }) => number) =>
      console.log(
        `   ${pad(label, 30)} ${pad(ms(median(s.map(f))), 12)} ${pad(ms(median(b.map(f))), 12)} ${spread(s.map((r, i) => f(r) / f(b[i])))}`,
      );
    console.log(
      `\n(a) Cold start: load + first authenticated benefit list (dist/index.js) vs a bare @azure/functions app's\n` +
        `    load + first hello (bench/bare-app.cjs); ${pairs} pairs, interleaved, whole processes`,
    );
    console.log(`   ${pad('', 30)} ${pad('subject', 12)} ${pad('baseline', 12)} ratio, median (min–max)`);
    row('wall, process start → answer', (r) => r.wall);
    row('CPU time (user + system)', (r) => r.cpuMs);
    row('  of which: load → registered', (r) => r.loadMs);
    row('  of which: first request', (r) => r.firstRequestMs);
    console.log(
      `   (e) RSS after the load (idle): ${median(s.map((r) => r.rssAfterLoadMiB)).toFixed(1)} MiB vs ` +
        `${median(b.map((r) => r.rssAfterLoadMiB)).toFixed(1)} MiB; after the first request: ` +
        `${median(s.map((r) => r.rssMiB)).toFixed(1)} MiB vs ${median(b.map((r) => r.rssMiB)).toFixed(1)} MiB`,
    );
  } finally {
    await fixture.stop();
  }
}

// ---- (b) throughput, (c) round trips ------------------------------------------------------------------------

interface ServerInfo {
  host: string;
  baseline: string;
  token: string;
  benefitId: string;
  rssIdleMiB: number;
}

/** bench/throughputServer.ts as a child process, with its stdin/stdout protocol. */
async function startServer() {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench', 'throughputServer.ts')], {
    cwd: root,
    env,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => JSON.parse(((await lines.next()).value as string) ?? 'null');
  const info = (await next()) as ServerInfo;
  const ask = async (command: string) => {
    child.stdin!.write(`${command}\n`);
    return next();
  };
  return {
    info,
    ask,
    stop: async () => {
      child.stdin!.write('stop\n');
      await new Promise((ok) => child.once('exit', ok));
    },
  };
}

async function throughputAndRoundTrips(): Promise<void> {
  const server = await startServer();
  const { info } = server;
  const auth = { Authorization: `Bearer ${info.token}` };
  const load = async (url: string, headers: Record<string, string>, duration = seconds) => {
    const r = await autocannon({ url, connections: 10, duration, headers });
    if (r.non2xx || r.errors || r.timeouts)
      throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
    return r.requests.average;
  };
  try {
    const targets = [
      {
        label: 'list (one page of 50)',
        subject: `${info.host}/api/partners/contoso/benefits`,
        baseline: `${info.baseline}/raw/list`,
      },
      {
        label: 'get',
        subject: `${info.host}/api/partners/contoso/benefits/${info.benefitId}`,
        baseline: `${info.baseline}/raw/get`,
      },
    ];
    console.log(
      `\n(b) Throughput through the local host vs a raw @azure/cosmos client on the same embedded server\n` +
        `    autocannon, 10 connections, ${rounds} × ${seconds} s per target, interleaved`,
    );
    console.log(
      `   ${pad('', 24)} ${pad('local host', 14)} ${pad('raw client', 14)} ratio, median (min–max)`,
    );
    for (const t of targets) {
      await load(t.subject, auth, 2);
      await load(t.baseline, {}, 2); // warm-up
      const s: number[] = [];
      const b: number[] = [];
      for (let i = 0; i < rounds; i++) {
        s.push(await load(t.subject, auth));
        b.push(await load(t.baseline, {}));
      }
      console.log(
        `   ${pad(t.label, 24)} ${pad(`${median(s).toFixed(0)} req/s`, 14)} ${pad(`${median(b).toFixed(0)} req/s`, 14)} ${spread(s.map((v, i) => v / b[i]))}`,
      );
    }
    const rssAfterLoad = ((await server.ask('rss')) as { rssMiB: number }).rssMiB;
    console.log(
      `   (e) local host RSS: ${info.rssIdleMiB.toFixed(1)} MiB idle, ${rssAfterLoad.toFixed(1)} MiB after this load`,
    );

    console.log('\n(c) Cosmos round trips per request (embedded server count, after warm-up)');
    const get = async (path: string) => {
      const res = await fetch(`${info.host}${path}`, { headers: auth });
      const body = (await res.json()) as { continuationToken?: string };
      if (res.status !== 200) throw new Error(`${path} → ${res.status}`);
      return body;
    };
    const first = await get('/api/partners/contoso/benefits?pageSize=5');
    const next = `/api/partners/contoso/benefits?pageSize=5&continuationToken=${encodeURIComponent(first.continuationToken!)}`;
    const routes: Array<[string, string]> = [
      ['GET …/benefits (first page)', '/api/partners/contoso/benefits'],
      ['GET …/benefits (next page)', next],
      ['GET …/benefits/{id}', `/api/partners/contoso/benefits/${info.benefitId}`],
      ['GET /api/me', '/api/me'],
      ['GET …/partners/{id}', '/api/partners/contoso'],
      ['GET …/users', '/api/partners/contoso/users'],
      ['GET …/purchases', '/api/partners/contoso/purchases'],
      ['GET …/service-requests', '/api/partners/contoso/service-requests'],
      ['GET …/audit-events', '/api/partners/contoso/audit-events'],
    ];
    for (const [label, path] of routes) {
      await get(path);
      await server.ask('reset');
      await get(path);
      const c = (await server.ask('counts')) as Record<string, number>;
      const parts = ['batches', 'reads', 'queries', 'queryPlans', 'writes', 'other']
        .filter((k) => c[k])
        .map((k) => `${c[k]} ${k === 'batches' ? 'batch of reads' : k}`);
      console.log(`   ${pad(label, 30)} ${c.total}  (${parts.join(', ')})`);
    }
  } finally {
    await server.stop();
  }
}

// ---- (d) the sweep at scale ---------------------------------------------------------------------------------

async function sweepAtScale(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startLocalHost } = require('../src/local/host') as typeof import('../src/local/host');
  const now = new Date('2026-06-01T12:00:00.000Z');
  const sizes = [1000, large];
  const hosts = [];
  for (const total of sizes) {
    const dataDir = mkdtempSync(join(tmpdir(), 'benefits-bench-sweep-'));
    const host = await startLocalHost({
      port: 0,
      dataDir,
      clock: new ManualClock(now),
      seed: false,
      timers: false,
      log: () => undefined,
    });
    const seed = await seedScale(host.services, { prefix: `s${total}`, total, now });
    hosts.push({
      total,
      host,
      seed,
      dataDir,
      times: [] as number[],
      trips: [] as number[],
      expired: [] as number[],
    });
  }
  const info = console.info;
  console.info = () => undefined; // the outbox logs one line per notice
  try {
    for (let i = 0; i < rounds; i++) {
      for (const h of hosts) {
        await rearmDue(h.host.services, h.seed);
        h.host.cosmos.resetCounts();
        const t = process.hrtime.bigint();
        await runExpirySweep(h.host.services, { budget: 10_000 });
        h.times.push(Number(process.hrtime.bigint() - t) / 1e6);
        h.trips.push(h.host.cosmos.counts().total);
        const states = await Promise.all(
          h.seed.due.map(
            async (b) => (await h.host.services.store.getBenefit(b.partnerId, b.id))!.value.status,
          ),
        );
        h.expired.push(states.filter((s) => s === 'Expired').length);
      }
    }
  } finally {
    console.info = info;
  }
  const [small, big] = hosts;
  console.log(
    `\n(d) Expiry sweep, 50 due, at ${small.total.toLocaleString('en-US')} and ${big.total.toLocaleString('en-US')} benefits ` +
      `(${rounds} runs each, interleaved; in-process, embedded server)`,
  );
  console.log(
    `   ${pad('', 24)} ${pad(small.total.toLocaleString('en-US'), 14)} ${pad(big.total.toLocaleString('en-US'), 14)} ratio`,
  );
  console.log(
    `   ${pad('time', 24)} ${pad(ms(median(small.times)), 14)} ${pad(ms(median(big.times)), 14)} ${spread(big.times.map((v, i) => v / small.times[i]))}`,
  );
  console.log(
    `   ${pad('round trips', 24)} ${pad(String(median(small.trips)), 14)} ${pad(String(median(big.trips)), 14)} ${x(median(big.trips) / median(small.trips))}`,
  );
  console.log(
    `   ${pad('expired of 50 due', 24)} ${pad(small.expired.join(', '), 14)} ${pad(big.expired.join(', '), 14)}`,
  );
  for (const h of hosts) {
    await h.host.stop();
    rmSync(h.dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(`npm run bench — node ${process.version}, ${cpus().length} CPUs, ${new Date().toISOString()}`);
  if (only.has('a')) await coldStart();
  if (only.has('b')) await throughputAndRoundTrips();
  if (only.has('d')) await sweepAtScale();
  if (only.has('f')) await portalBench(portalRuns);
  console.log('');
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? e.stack : e);
    process.exit(1);
  },
);
