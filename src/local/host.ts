/**
 * The local host used by `npm start` and the tests (docs/product.md §10): the very same `app.http` /
 * `app.timer` / `df.app.*` registrations, served without the Functions host.
 *
 * - HTTP functions on `http://127.0.0.1:<port>/api/<route>` (methods and route templates as registered).
 * - Timer functions on their NCRONTAB schedules (cron-parser), on the host's clock.
 * - `POST /admin/functions/<name>` runs a non-HTTP function now, as the Functions host does (`npm run sweep`).
 * - Orchestrations and activities through the durable-functions library's own replay (LocalDurableRuntime),
 *   whose client routes live under `/runtime/webhooks/durabletask/`.
 * - `/admin/*` and `/runtime/*` need the per-start runtime key (`x-functions-key` header or `code` query
 *   parameter, like the Functions host's master/system key), recorded in `DATA_DIR/runtime.json` for the CLIs
 *   and given to the durable client inside the functions. Without it: `401` problem+json.
 * - The local token issuer's JWKS on `/.local-issuer/jwks.json`.
 * - The embedded Cosmos server (kept in `DATA_DIR/store/` with `persist`), the email outbox under
 *   `DATA_DIR/outbox`.
 * - The port answers from the moment it listens: `503` with `Retry-After: 1` until the host is ready.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { resolve } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { HttpRequest, HttpResponse, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { CronExpressionParser } from 'cron-parser';
import { loadConfig, type Config } from '../config';
import { createServices, setServices, type Services } from '../services';
import { createEmailSender } from '../email';
import { createCosmosContainer, ensureContainer } from '../store/cosmos';
import { problemResponse } from '../http/problem';
import { getRegistrations, type RegisteredFunction } from './functionsCore';
import { startEmbeddedCosmos, type EmbeddedCosmos, EMBEDDED_COSMOS_SETTINGS } from './embeddedCosmos';
import { loadLocalIssuer, LOCAL_AUDIENCE, LOCAL_ISSUER, LOCAL_JWKS_PATH, type LocalIssuer } from './issuer';
import { SystemSchedulingClock, type SchedulingClock } from './clock';
import { DURABLE_WEBHOOK_PREFIX, LocalDurableRuntime } from './durable';
import { seedDemoData, type DemoSeed } from './seed';
import { LocalChangeFeed } from './changeFeed';
import { createLocalPortal } from './portal';
import {
  dataPaths,
  DEFAULT_DATA_DIR,
  DEFAULT_PORT,
  findRunningHost,
  removeRuntimeInfo,
  writeRuntimeInfo,
} from './localData';
import { documentCount, loadSnapshot, StorePersister } from './persistence';

/** Options of {@link startLocalHost}. */
export interface LocalHostOptions {
  /** HTTP port; 0 picks a free one (tests). Default 7071. */
  port?: number;
  /** Local data folder (outbox, issuer key, runtime file, stored data). Default `DATA_DIR`, else `.data`. */
  dataDir?: string;
  /**
   * Keep the embedded Cosmos data in `dataDir/store/cosmos.json` and load it at start (`npm start`). Default
   * false: the store lives in memory and starts empty (tests).
   */
  persist?: boolean;
  /** The clock for timers, durable timers and rules; tests pass a ManualClock. */
  clock?: SchedulingClock;
  /** Source of the store's retry jitter, numbers in [0, 1) (default Math.random; tests pass a seeded one). */
  random?: () => number;
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
  /**
   * Called once the port listens, before anything else starts; the host waits for it. Requests made meanwhile
   * get `503` (tests probe the starting state with it).
   */
  whileStarting?: (url: string) => Promise<void> | void;
  /** Folder of the built portal served at `/` (default `dist-web/`; see ./portal.ts). */
  portalDir?: string;
}

/** A running local host. */
export interface LocalHost {
  /** Base URL without trailing slash, e.g. http://127.0.0.1:7071 */
  url: string;
  /** Absolute path of the data folder. */
  dataDir: string;
  /**
   * This start's runtime key: `/admin/*` and `/runtime/*` need it as the `x-functions-key` header or the
   * `code` query parameter. Also in `dataDir/runtime.json`.
   */
  runtimeKey: string;
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
  /**
   * Runs a non-HTTP function (e.g. the expiry sweep) now and waits for it, and for the change feed's delivery of
   * what it wrote (the outbox relay).
   */
  runFunction(name: string, input?: unknown): Promise<unknown>;
  /**
   * Delivers the changes recorded so far to the Cosmos DB trigger functions (the outbox relay) and waits for them:
   * what the host does after every invocation, for code a test runs directly (e.g. `runExpirySweep`).
   */
  flushChangeFeed(): Promise<void>;
  stop(): Promise<void>;
}

/** Local defaults that differ from production (documented in README). */
const LOCAL_DEFAULT_SETTINGS: Record<string, string> = {
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

/**
 * Starts everything; resolves once the host is ready: data loaded (with `persist`) or the demo data seeded
 * into the empty store, functions registered, `runtime.json` written. Throws (and releases the port) when
 * another host is running on the same data folder, the port is taken (`EADDRINUSE`), or the stored data is
 * unreadable.
 */
export async function startLocalHost(options: LocalHostOptions = {}): Promise<LocalHost> {
  const log = options.log ?? ((line: string) => console.log(line));
  const dataDir = resolve(options.dataDir ?? process.env.DATA_DIR ?? DEFAULT_DATA_DIR);
  await mkdir(dataDir, { recursive: true });
  const other = await findRunningHost(dataDir);
  if (other) {
    throw new Error(
      `Another local host (process ${other.pid}, ${other.url}) is running on ${dataDir}. Stop it, or give this one its own DATA_DIR. (If process ${other.pid} is not a local host, delete ${dataPaths(dataDir).runtime}.)`,
    );
  }
  const runtimeKey = randomBytes(32).toString('base64url');

  // The port answers from the first moment: 503 until ready, never a hanging request.
  let serve: ((req: http.IncomingMessage, res: http.ServerResponse) => void) | undefined;
  const server = http.createServer((req, res) => (serve ? serve(req, res) : answerStarting(res)));
  server.keepAliveTimeout = 5000;
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? DEFAULT_PORT, '127.0.0.1', () => ok());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  // stop() (or a failed start) first closes the HTTP server, then undoes each started part in reverse order.
  const stack: Array<() => Promise<void> | void> = [];
  const stop = async () => {
    server.closeAllConnections();
    await new Promise<void>((ok) => server.close(() => ok()));
    for (const step of stack.splice(0).reverse()) await step();
  };
  try {
    await options.whileStarting?.(url);
    const started = await startServices();
    serve = started.serve;
    await writeRuntimeInfo({
      url,
      port,
      pid: process.pid,
      key: runtimeKey,
      dataDir,
      startedAt: new Date().toISOString(),
    });
    stack.push(() => removeRuntimeInfo(dataDir, process.pid));
    return { ...started.host, stop };
  } catch (e) {
    await stop();
    throw e;
  }

  async function startServices() {
    const clock = options.clock ?? new SystemSchedulingClock();
    stack.push(() => (clock as { dispose?: () => void }).dispose?.());
    const cosmos = await startEmbeddedCosmos(0, { tls: !options.functionsEntry });
    stack.push(() => cosmos.close());
    // Saves the last writes once everything that could write (HTTP, timers, orchestrations) has stopped.
    let persister: StorePersister | undefined;
    stack.push(() => persister?.stop());
    const issuer = await loadLocalIssuer(dataDir);

    const env: Record<string, string | undefined> = {
      ...LOCAL_DEFAULT_SETTINGS,
      ...process.env,
      ...(options.settings ?? {}),
      COSMOS_ENDPOINT: cosmos.endpoint,
      COSMOS_KEY: cosmos.key,
      ...EMBEDDED_COSMOS_SETTINGS,
      AUTH_ISSUER: LOCAL_ISSUER,
      AUTH_AUDIENCE: LOCAL_AUDIENCE,
      AUTH_JWKS_URI: `${url}${LOCAL_JWKS_PATH}`,
      DATA_DIR: dataDir,
      PUBLIC_BASE_URL: options.settings?.PUBLIC_BASE_URL ?? `http://localhost:${port}`,
    };
    const config = loadConfig(env);
    // Binding expressions (`%NAME%`) resolve against the settings with their defaults, as the app reads them.
    const bindingSettings: Record<string, string | undefined> = { ...env };
    for (const [k, v] of Object.entries(config))
      bindingSettings[k] ??= v === undefined ? undefined : String(v);

    // Stored data first (it creates its database and container), then whatever is still missing.
    const storeFile = dataPaths(dataDir).store;
    const stored = options.persist ? await loadSnapshot(storeFile) : undefined;
    if (stored) cosmos.restore(stored);
    const container = createCosmosContainer(config, options.functionsEntry ? {} : { agent: cosmos.agent });
    await ensureContainer(container);
    const email = createEmailSender(config, { log });
    const services = createServices(config, { container, clock, email, random: options.random });
    setServices(services);
    stack.push(() => setServices(undefined));

    if (options.functionsEntry) {
      for (const [k, v] of Object.entries(env)) if (v !== undefined) process.env[k] = v;
    }
    const functions = loadFunctions(options.functionsEntry);
    // As Core Tools does: without WEBSITE_HOSTNAME, df.getClient rewrites the client's URLs (which carry the
    // runtime key) to http://localhost:7071. Only presence matters to it, so one value serves every host.
    if (!process.env.WEBSITE_HOSTNAME || process.env.WEBSITE_HOSTNAME.includes('0.0.0.0')) {
      process.env.WEBSITE_HOSTNAME = `localhost:${port}`;
    }
    // The change feed (./changeFeed.ts) starts after the seed; every invocation that may write is followed by its
    // delivery, before the host answers or the orchestration goes on.
    let changeFeed: LocalChangeFeed | undefined;
    const flushChangeFeed = () => changeFeed?.flush() ?? Promise.resolve();
    const durable = new LocalDurableRuntime({
      functions,
      clock,
      log: options.verbose ? log : undefined,
      activityMiddleware: async (name, input, next) => {
        try {
          return await (options.activityMiddleware ? options.activityMiddleware(name, input, next) : next());
        } finally {
          await flushChangeFeed();
        }
      },
      systemKey: runtimeKey,
    });
    stack.push(() => durable.dispose());

    const empty = !stored || documentCount(stored) === 0;
    const seed = options.seed === false || !empty ? undefined : await seedDemoData(services);
    const feedTriggers = functions.filter(
      (f) =>
        f.trigger.type === 'cosmosDBTrigger' &&
        resolveSetting(String(f.trigger.databaseName), bindingSettings) === config.COSMOS_DATABASE &&
        resolveSetting(String(f.trigger.containerName), bindingSettings) === config.COSMOS_CONTAINER,
    );
    if (feedTriggers.length > 0) {
      changeFeed = new LocalChangeFeed(
        cosmos,
        config.COSMOS_DATABASE,
        config.COSMOS_CONTAINER,
        async (documents) => {
          for (const fn of feedTriggers) await fn.callback(documents, invocationContext(fn));
        },
        log,
      );
      stack.push(() => changeFeed?.stop());
    }
    const portal = createLocalPortal({ services, issuer, distDir: options.portalDir });
    if (options.persist) {
      persister = new StorePersister(cosmos, storeFile, { log });
      await persister.start();
    }

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
        options: {
          trigger: { ...fn.trigger, name: 'trigger' } as never,
          extraInputs: extraBindings as never,
        },
      });
      for (const b of extraBindings) {
        if (b.type === 'durableClient') context.extraInputs.set(b.name, durable.clientInput(url));
      }
      return context;
    };

    const runFunction = async (name: string, input?: unknown): Promise<unknown> => {
      const fn = functions.find((f) => f.name.toLowerCase() === name.toLowerCase());
      if (!fn) throw new Error(`No function named ${name}`);
      try {
        if (fn.trigger.type === 'timerTrigger') {
          const timer = input ?? {
            isPastDue: false,
            scheduleStatus: {
              last: clock.now().toISOString(),
              next: '',
              lastUpdated: clock.now().toISOString(),
            },
          };
          return await fn.callback(timer, invocationContext(fn));
        }
        return await fn.callback(input, invocationContext(fn));
      } finally {
        await flushChangeFeed();
      }
    };

    // ---- HTTP -----------------------------------------------------------------------------------
    const httpFunctions = functions.filter((f) => f.trigger.type === 'httpTrigger');
    const routes = httpFunctions.map((fn) => ({
      fn,
      methods: ((fn.trigger.methods as string[] | undefined) ?? ['GET', 'POST']).map((m) => m.toUpperCase()),
      matcher: compileRoute(String(fn.trigger.route ?? fn.name)),
    }));

    const serve = (req: http.IncomingMessage, res: http.ServerResponse): void => {
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
            log(
              `${req.method} ${redactKey(req.url ?? '')} → ${response.status} (${Date.now() - started} ms)`,
            );
        })
        .catch((e: unknown) => {
          log(`Local host error: ${e instanceof Error ? e.stack : String(e)}`);
          if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
          res.end('local host error');
        });
    };

    /**
     * One request: the issuer's JWKS, the key-guarded runtime routes, a function's route, or the portal
     * (its pages and the local sign-in routes `/.local/*`; ./portal.ts).
     */
    async function handle(req: http.IncomingMessage): Promise<HttpResponseInit> {
      const reqUrl = new URL(req.url ?? '/', url);
      const path = reqUrl.pathname;
      if (path === LOCAL_JWKS_PATH) return { status: 200, jsonBody: issuer.jwks };
      if (/^\/(admin|runtime)(\/|$)/.test(path)) {
        if (!hasRuntimeKey(req, reqUrl, runtimeKey)) return runtimeKeyRequired();
        return handleRuntime(req, reqUrl);
      }
      if (path.startsWith('/api/')) return handleApi(req, reqUrl);
      const page = await portal.handle(req.method ?? 'GET', reqUrl, req.headers, await readBody(req));
      if (page) return page;
      return problemResponse('not-found', `No route for ${path}.`);
    }

    /** `/runtime/webhooks/durabletask/*` (the durable client's API) and `/admin/functions/{name}`. */
    async function handleRuntime(req: http.IncomingMessage, reqUrl: URL): Promise<HttpResponseInit> {
      const body = await readBody(req);
      const path = reqUrl.pathname;
      if (path.startsWith(DURABLE_WEBHOOK_PREFIX)) {
        const r = await durable.handleRpc(req.method ?? 'GET', reqUrl, body);
        if (r)
          return {
            status: r.status,
            headers: r.headers,
            ...(r.body === undefined ? {} : { jsonBody: r.body }),
          };
      }
      const admin = /^\/admin\/functions\/([^/]+)$/.exec(path);
      if (admin && req.method === 'POST') {
        const fn = functions.find((f) => f.name.toLowerCase() === decodeURIComponent(admin[1]).toLowerCase());
        if (!fn || fn.trigger.type === 'httpTrigger')
          return problemResponse('not-found', 'No such non-HTTP function.');
        await runFunction(fn.name);
        return { status: 202 };
      }
      return problemResponse('not-found', `No route for ${path}.`);
    }

    /** `/api/*`: the registered HTTP functions by route template and method. */
    async function handleApi(req: http.IncomingMessage, reqUrl: URL): Promise<HttpResponseInit> {
      const body = await readBody(req);
      const path = reqUrl.pathname;
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
        let out: HttpResponseInit | undefined;
        try {
          out = (await r.fn.callback(request, invocationContext(r.fn))) as HttpResponseInit | undefined;
        } finally {
          await flushChangeFeed();
        }
        return out ?? { status: 204 };
      }
      if (pathMatched)
        return problemResponse('method-not-allowed', `${req.method} is not allowed on ${path}.`);
      return problemResponse('not-found', `No route for ${path}.`);
    }

    // ---- timers ---------------------------------------------------------------------------------
    const cancels: Array<() => void> = [];
    stack.push(() => cancels.forEach((c) => c()));
    if (options.timers !== false) {
      for (const fn of functions.filter((f) => f.trigger.type === 'timerTrigger')) {
        const schedule = resolveSetting(String(fn.trigger.schedule), bindingSettings);
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

    const host: Omit<LocalHost, 'stop'> = {
      url,
      dataDir,
      runtimeKey,
      config,
      services,
      cosmos,
      issuer,
      durable,
      clock,
      functions,
      seed,
      outboxDir: dataPaths(dataDir).outbox,
      token: (objectId, o) => issuer.sign({ objectId, operator: o?.operator }),
      runFunction,
      flushChangeFeed,
    };
    return { host, serve };
  }
}

/** Problem+json built here: the local runtime's own answers, outside the API's error codes. */
function runtimeProblem(
  status: number,
  code: string,
  title: string,
  detail: string,
  headers: Record<string, string> = {},
): HttpResponseInit {
  return {
    status,
    headers: { 'Content-Type': 'application/problem+json', ...headers },
    body: JSON.stringify({ type: `urn:partner-benefits:problem:${code}`, title, status, detail, code }),
  };
}

/** The answer while the host starts: `503` problem+json with `Retry-After: 1`. */
function answerStarting(res: http.ServerResponse): void {
  const init = runtimeProblem(503, 'starting', 'Starting', 'The local host is starting; retry in a second.', {
    'Retry-After': '1',
  });
  res.writeHead(init.status!, init.headers as Record<string, string>);
  res.end(init.body as string);
}

/** A request URL for the log: the runtime key (`code=`) never appears in it. */
function redactKey(requestUrl: string): string {
  return requestUrl.replace(/([?&]code=)[^&]*/gi, '$1***');
}

/** Whether the request carries the runtime key (`x-functions-key` header or `code` query parameter). */
function hasRuntimeKey(req: http.IncomingMessage, reqUrl: URL, key: string): boolean {
  const header = req.headers['x-functions-key'];
  const given = (typeof header === 'string' ? header : undefined) ?? reqUrl.searchParams.get('code');
  if (!given) return false;
  const digest = (v: string) => createHash('sha256').update(v).digest();
  return timingSafeEqual(digest(given), digest(key));
}

function runtimeKeyRequired(): HttpResponseInit {
  return runtimeProblem(
    401,
    'unauthorized',
    'Runtime key required',
    'The local runtime endpoints need the key of this host start (x-functions-key header or code query parameter); it is in runtime.json in the data folder.',
  );
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
