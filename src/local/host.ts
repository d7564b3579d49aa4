/**
 * The local host used by `npm start` and the tests (SPEC §10): the very same `app.http` / `app.timer` /
 * `df.app.*` registrations, served without the Functions host.
 *
 * - HTTP functions on `http://127.0.0.1:<port>/api/<route>` (methods and route templates as registered).
 * - Timer functions on their NCRONTAB schedules (cron-parser), on the host's clock.
 * - `POST /admin/functions/<name>` runs a non-HTTP function now, as the Functions host does (`npm run sweep`).
 * - Orchestrations and activities through the durable-functions library's own replay (LocalDurableRuntime),
 *   whose client RPC routes live under `/runtime/webhooks/durabletask/`.
 * - The local token issuer's JWKS on `/.local-issuer/jwks.json`.
 * - The embedded Cosmos server, the email outbox under `DATA_DIR/outbox`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { HttpRequest, HttpResponse, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { CronExpressionParser } from 'cron-parser';
import { loadConfig, type Config } from '../config';
import { createServices, setServices, type Services } from '../services';
import { createEmailSender } from '../email';
import { createCosmosContainer, ensureContainer } from '../store/cosmos';
import { problemResponse } from '../http/problem';
import { getRegistrations, type RegisteredFunction } from './functionsCore';
import { startEmbeddedCosmos, type EmbeddedCosmos } from './embeddedCosmos';
import { loadLocalIssuer, LOCAL_AUDIENCE, LOCAL_ISSUER, LOCAL_JWKS_PATH, type LocalIssuer } from './issuer';
import { SystemSchedulingClock, type SchedulingClock } from './clock';
import { LocalDurableRuntime } from './durable';
import { seedDemoData, type DemoSeed } from './seed';
import { createLocalPortal } from './portal';

/** Options of {@link startLocalHost}. */
export interface LocalHostOptions {
  /** HTTP port; 0 picks a free one (tests). Default 7071. */
  port?: number;
  /** Local data folder (outbox, issuer key). Default `.data`. */
  dataDir?: string;
  /** The clock for timers, durable timers and rules; tests pass a ManualClock. */
  clock?: SchedulingClock;
  /** Seed the demo catalog, partners and users (default true). */
  seed?: boolean;
  /** Settings that override the environment (e.g. ACTIVATION_PROCESSING_TIME). */
  settings?: Record<string, string>;
  /** Run timer triggers on their schedules (default true). */
  timers?: boolean;
  /** Log one line per request and function run (default false). */
  verbose?: boolean;
  log?: (line: string) => void;
  /** Wraps every activity run (tests inject failures here). */
  activityMiddleware?: (name: string, input: unknown, next: () => Promise<unknown>) => Promise<unknown>;
  /**
   * Serve a built function app (e.g. `dist/index.js` from `npm run build`) instead of the sources. The
   * bundle carries its own copy of every module, so it builds its own services from the environment as in
   * Azure: the host then serves the embedded Cosmos over loopback HTTP and writes the local settings into
   * `process.env` before loading it. The clock option does not reach the bundle's rules.
   */
  functionsEntry?: string;
  /** Folder of the built portal served at `/` (default `dist-web/`; see ./portal.ts). */
  portalDir?: string;
}

/** A running local host. */
export interface LocalHost {
  /** Base URL without trailing slash, e.g. http://127.0.0.1:7071 */
  url: string;
  config: Config;
  services: Services;
  cosmos: EmbeddedCosmos;
  issuer: LocalIssuer;
  durable: LocalDurableRuntime;
  clock: SchedulingClock;
  functions: readonly RegisteredFunction[];
  seed?: DemoSeed;
  outboxDir: string;
  /** Signs a token for an object id (optionally with the operator app role). */
  token(objectId: string, options?: { operator?: boolean }): Promise<string>;
  /** Runs a non-HTTP function (e.g. the expiry sweep) now and waits for it. */
  runFunction(name: string, input?: unknown): Promise<unknown>;
  stop(): Promise<void>;
}

/** Local defaults that differ from production (documented in README). */
export const LOCAL_DEFAULT_SETTINGS: Record<string, string> = {
  ACTIVATION_PROCESSING_TIME: 'PT10S',
  CONTACT_VERIFICATION_TIMEOUT: 'P7D',
  EMAIL_PROVIDER: 'outbox',
  EXPIRY_SWEEP_SCHEDULE: '0 0 * * * *',
};

/** Loads the function app's registrations (once per module registry): the sources or a built entry. */
function loadFunctions(entry?: string): readonly RegisteredFunction[] {
  if (getRegistrations().length === 0) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    if (entry) require(resolve(entry));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    else require('../../functions');
  }
  return getRegistrations();
}

/** Starts everything; resolves once the HTTP server listens and the demo data is seeded. */
export async function startLocalHost(options: LocalHostOptions = {}): Promise<LocalHost> {
  const log = options.log ?? ((line: string) => console.log(line));
  const dataDir = resolve(options.dataDir ?? process.env.DATA_DIR ?? '.data');
  await mkdir(dataDir, { recursive: true });
  const clock = options.clock ?? new SystemSchedulingClock();
  const cosmos = await startEmbeddedCosmos(0, { tls: !options.functionsEntry });
  const issuer = await loadLocalIssuer(dataDir);

  const server = http.createServer();
  server.keepAliveTimeout = 5000;
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 7071, '127.0.0.1', () => ok());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  const env: Record<string, string | undefined> = {
    ...LOCAL_DEFAULT_SETTINGS,
    ...process.env,
    ...(options.settings ?? {}),
    COSMOS_ENDPOINT: cosmos.endpoint,
    COSMOS_KEY: cosmos.key,
    AUTH_ISSUER: LOCAL_ISSUER,
    AUTH_AUDIENCE: LOCAL_AUDIENCE,
    AUTH_JWKS_URI: `${url}${LOCAL_JWKS_PATH}`,
    DATA_DIR: dataDir,
    PUBLIC_BASE_URL: options.settings?.PUBLIC_BASE_URL ?? `http://localhost:${port}`,
  };
  const config = loadConfig(env);
  const container = createCosmosContainer(config, options.functionsEntry ? {} : { agent: cosmos.agent });
  await ensureContainer(container);
  const email = createEmailSender(config, { log });
  const services = createServices(config, { container, clock, email });
  setServices(services);

  if (options.functionsEntry) {
    for (const [k, v] of Object.entries(env)) if (v !== undefined) process.env[k] = v;
  }
  const functions = loadFunctions(options.functionsEntry);
  const durable = new LocalDurableRuntime({
    functions,
    clock,
    log: options.verbose ? log : undefined,
    activityMiddleware: options.activityMiddleware,
  });

  const seed = options.seed === false ? undefined : await seedDemoData(services);
  const portal = createLocalPortal({ services, issuer, distDir: options.portalDir });

  const invocationContext = (fn: RegisteredFunction): InvocationContext => {
    const extraBindings = Object.entries(fn.bindings)
      .filter(([, b]) => b.direction === 'in' && b !== fn.trigger)
      .map(([name, b]) => ({ ...b, name }));
    const context = new InvocationContext({
      invocationId: randomUUID(),
      functionName: fn.name,
      logHandler: (level, ...args) => {
        if (options.verbose || level === 'error' || level === 'warning')
          log(`[${fn.name}] ${args.map(String).join(' ')}`);
      },
      options: { trigger: { ...fn.trigger, name: 'trigger' } as never, extraInputs: extraBindings as never },
    });
    for (const b of extraBindings) {
      if (b.type === 'durableClient') context.extraInputs.set(b.name, durable.clientInput(url));
    }
    return context;
  };

  const runFunction = async (name: string, input?: unknown): Promise<unknown> => {
    const fn = functions.find((f) => f.name.toLowerCase() === name.toLowerCase());
    if (!fn) throw new Error(`No function named ${name}`);
    if (fn.trigger.type === 'timerTrigger') {
      const timer = input ?? {
        isPastDue: false,
        scheduleStatus: { last: clock.now().toISOString(), next: '', lastUpdated: clock.now().toISOString() },
      };
      return fn.callback(timer, invocationContext(fn));
    }
    return fn.callback(input, invocationContext(fn));
  };

  // ---- HTTP -------------------------------------------------------------------------------------
  const httpFunctions = functions.filter((f) => f.trigger.type === 'httpTrigger');
  const routes = httpFunctions.map((fn) => ({
    fn,
    methods: ((fn.trigger.methods as string[] | undefined) ?? ['GET', 'POST']).map((m) => m.toUpperCase()),
    matcher: compileRoute(String(fn.trigger.route ?? fn.name)),
  }));

  server.on('request', (req, res) => {
    const started = Date.now();
    void handle(req)
      .then(async (init) => {
        const response = new HttpResponse(init);
        const body = Buffer.from(await response.arrayBuffer());
        const headers: Record<string, string> = {};
        response.headers.forEach((v, k) => (headers[k] = v));
        res.writeHead(response.status, headers);
        res.end(body);
        if (options.verbose)
          log(`${req.method} ${req.url} → ${response.status} (${Date.now() - started} ms)`);
      })
      .catch((e: unknown) => {
        log(`Local host error: ${e instanceof Error ? e.stack : String(e)}`);
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end('local host error');
      });
  });

  async function handle(req: http.IncomingMessage): Promise<HttpResponseInit> {
    const reqUrl = new URL(req.url ?? '/', url);
    const body = await readBody(req);
    const path = reqUrl.pathname;
    if (path === LOCAL_JWKS_PATH) return { status: 200, jsonBody: issuer.jwks };
    if (path.startsWith('/runtime/webhooks/durabletask/')) {
      const r = await durable.handleRpc(req.method ?? 'GET', reqUrl, body);
      if (r)
        return {
          status: r.status,
          headers: r.headers,
          ...(r.body === undefined ? {} : { jsonBody: r.body }),
        };
      return { status: 404 };
    }
    const admin = /^\/admin\/functions\/([^/]+)$/.exec(path);
    if (admin && req.method === 'POST') {
      const fn = functions.find((f) => f.name.toLowerCase() === decodeURIComponent(admin[1]).toLowerCase());
      if (!fn || fn.trigger.type === 'httpTrigger')
        return problemResponse('not-found', 'No such non-HTTP function.');
      await runFunction(fn.name);
      return { status: 202 };
    }
    const page = await portal.handle(req.method ?? 'GET', reqUrl, req.headers, body);
    if (page) return page;
    if (!path.startsWith('/api/')) return problemResponse('not-found', `No route for ${path}.`);
    const segments = path
      .slice(5)
      .split('/')
      .filter((s, i, all) => s.length > 0 || i < all.length - 1);
    let pathMatched = false;
    for (const r of routes) {
      const params = r.matcher(segments);
      if (!params) continue;
      pathMatched = true;
      if (!r.methods.includes((req.method ?? 'GET').toUpperCase())) continue;
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      const request = new HttpRequest({
        method: (req.method ?? 'GET').toUpperCase() as never,
        url: reqUrl.toString(),
        headers,
        query: Object.fromEntries(reqUrl.searchParams.entries()),
        params,
        body: { string: body },
      });
      const out = (await r.fn.callback(request, invocationContext(r.fn))) as HttpResponseInit | undefined;
      return out ?? { status: 204 };
    }
    if (pathMatched) return problemResponse('method-not-allowed', `${req.method} is not allowed on ${path}.`);
    return problemResponse('not-found', `No route for ${path}.`);
  }

  // ---- timers -----------------------------------------------------------------------------------
  const cancels: Array<() => void> = [];
  if (options.timers !== false) {
    for (const fn of functions.filter((f) => f.trigger.type === 'timerTrigger')) {
      const schedule = resolveSetting(String(fn.trigger.schedule), env);
      const scheduleNext = (from: Date) => {
        const next = CronExpressionParser.parse(schedule, { currentDate: from, tz: 'UTC' }).next().toDate();
        cancels.push(
          clock.schedule(next, () => {
            void Promise.resolve(runFunction(fn.name))
              .catch((e: unknown) =>
                log(`[${fn.name}] failed: ${e instanceof Error ? e.message : String(e)}`),
              )
              .finally(() => scheduleNext(next));
          }),
        );
      };
      scheduleNext(clock.now());
    }
  }

  const outboxDir = join(dataDir, 'outbox');
  return {
    url,
    config,
    services,
    cosmos,
    issuer,
    durable,
    clock,
    functions,
    seed,
    outboxDir,
    token: (objectId, o) => issuer.sign({ objectId, operator: o?.operator }),
    runFunction,
    stop: async () => {
      cancels.forEach((c) => c());
      durable.dispose();
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
      await cosmos.close();
      (clock as { dispose?: () => void }).dispose?.();
      setServices(undefined);
    },
  };
}

/** `%NAME%` in a binding value is an app setting, as in the Functions host. */
function resolveSetting(value: string, env: Record<string, string | undefined>): string {
  return value.replace(/%([A-Za-z0-9_]+)%/g, (_, name: string) => {
    const v = env[name];
    if (v === undefined) throw new Error(`Setting ${name} used by a binding is not set`);
    return v;
  });
}

/**
 * Compiles a Functions route template (`partners/{partnerId}/benefits/{benefitId?}`, constraints like
 * `{id:int}` are accepted and ignored) into a matcher of URL path segments.
 */
export function compileRoute(template: string): (segments: string[]) => Record<string, string> | undefined {
  const parts = template.split('/').filter(Boolean);
  return (segments) => {
    const params: Record<string, string> = {};
    let i = 0;
    for (const part of parts) {
      const m = /^\{([A-Za-z0-9_]+)(?::[^}?]+)?(\?)?\}$/.exec(part);
      const seg = segments[i];
      if (m) {
        if (seg === undefined) {
          if (m[2]) continue;
          return undefined;
        }
        try {
          params[m[1]] = decodeURIComponent(seg);
        } catch {
          return undefined;
        }
        i++;
      } else {
        if (seg === undefined || seg.toLowerCase() !== part.toLowerCase()) return undefined;
        i++;
      }
    }
    return i === segments.length ? params : undefined;
  };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 1024 * 1024) chunks.push(c);
    });
    req.on('end', () => ok(Buffer.concat(chunks).toString('utf8')));
    req.on('error', fail);
  });
}
