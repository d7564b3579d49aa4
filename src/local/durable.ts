/**
 * A local stand-in for the Durable Task extension (docs/platform-notes.md, "durable-functions 3.5
 * outside the host"). It keeps orchestration history in memory, calls the orchestration callbacks
 * registered through `df.app.orchestration` with that history — the durable-functions library
 * replays it itself — and turns the returned actions into activity calls, durable timers and
 * external-event waits. It also serves the extension's HTTP API (the `rpcBaseUrl` routes) so that
 * production code keeps using the real `df.getClient(context)`.
 *
 * Event ids: the library numbers tasks with a counter in yield order (activities, timers, and the
 * retry timer/re-attempt of `callActivityWithRetry`; external events use their name). This runtime
 * hands out the same numbers by walking new actions in order, and by delivering exactly one
 * completion per episode so that ids it allocates while recording a completion (retry timers)
 * interleave with the orchestrator's own allocations exactly as in the library.
 */
import { randomUUID } from 'node:crypto';
import { InvocationContext } from '@azure/functions';
import type { BindingMetadata, RegisteredFunction } from './functionsCore';
import type { SchedulingClock } from './clock';

/** Runtime status of an orchestration instance (a subset of the extension's). */
export type RuntimeStatus = 'Pending' | 'Running' | 'Completed' | 'Failed' | 'Terminated';

/** One history event as the library reads it (plain object; see docs/platform-notes.md for the fields). */
export interface HistoryEvent {
  EventType: number;
  EventId: number;
  IsPlayed: boolean;
  /** ISO 8601. */
  Timestamp: string;
  [field: string]: unknown;
}

/** What `getStatus` answers; also the JSON body of `GET …/instances/{id}`. */
export interface InstanceStatus {
  name: string;
  instanceId: string;
  runtimeStatus: RuntimeStatus;
  /** The orchestration input (`null` when none). */
  input: unknown;
  /** Return value when Completed, error message when Failed, reason when Terminated, else `null`. */
  output: unknown;
  /** Last value passed to `context.df.setCustomStatus` (`null` when none). */
  customStatus: unknown;
  /** ISO 8601, by the runtime's clock. */
  createdTime: string;
  /** ISO 8601, by the runtime's clock. */
  lastUpdatedTime: string;
  /** Raw history events (copies), only with `showHistory: true`. */
  history?: HistoryEvent[];
}

/** Error codes thrown by {@link LocalDurableRuntime} (on `error.code`). */
export type DurableRuntimeErrorCode = 'instance-exists' | 'not-found' | 'not-running' | 'unknown-function';

/** An error with a machine-readable `code`; thrown by the runtime's public methods. */
export class DurableRuntimeError extends Error {
  constructor(
    readonly code: DurableRuntimeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DurableRuntimeError';
  }
}

/** Wraps an activity call; call `next()` to run the real activity, or throw to simulate a failure. */
export type ActivityMiddleware = (
  name: string,
  input: unknown,
  next: () => Promise<unknown>,
) => Promise<unknown>;

/** Options of {@link LocalDurableRuntime}. */
export interface LocalDurableRuntimeOptions {
  /** Registrations (or a getter, read at each lookup): `orchestrationTrigger` and `activityTrigger` ones are used. */
  functions: readonly RegisteredFunction[] | (() => readonly RegisteredFunction[]);
  /** Source of time for `currentUtcDateTime`, timers and retry delays. */
  clock: SchedulingClock;
  /**
   * Receives one line per lifecycle step and every `context.log/info/warn/error` of orchestrations
   * and activities. Default: silent, except warnings, errors and failed orchestrations (console.warn).
   */
  log?: (line: string) => void;
  /** Optional wrapper around every activity call (tests inject failures here). */
  activityMiddleware?: ActivityMiddleware;
  /** Task hub name reported to the client. Default `LocalTaskHub`. */
  taskHubName?: string;
  /**
   * The host's runtime key, when its webhook routes require one (the local host always does). The client
   * input and every management link then carry it as `code=`, as the Functions host's system key, and
   * {@link LocalDurableRuntime.clientInput} leaves out `rpcBaseUrl` (the client builds those URLs with
   * `new URL(path, rpcBaseUrl)`, which drops any query string, so a key could not ride along).
   */
  systemKey?: string;
}

/** Path prefix of the extension's HTTP API; the host forwards every request under it to {@link LocalDurableRuntime.handleRpc}. */
export const DURABLE_WEBHOOK_PREFIX = '/runtime/webhooks/durabletask/';

/** Answer of {@link LocalDurableRuntime.handleRpc}; `body` is JSON-serialisable (absent = empty body). */
export interface RpcResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

const EventType = {
  ExecutionStarted: 0,
  ExecutionCompleted: 1,
  ExecutionFailed: 2,
  ExecutionTerminated: 3,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
  EventRaised: 15,
  ContinueAsNew: 16,
} as const;

const ActionType = {
  CallActivity: 0,
  CallActivityWithRetry: 1,
  CallSubOrchestrator: 2,
  CallSubOrchestratorWithRetry: 3,
  ContinueAsNew: 4,
  CreateTimer: 5,
  WaitForExternalEvent: 6,
  CallEntity: 7,
  CallHttp: 8,
  SignalEntity: 9,
  WhenAny: 11,
  WhenAll: 12,
} as const;

const OUT_OF_PROC_LABEL = '$OutOfProcData$:';

interface RetryPolicy {
  firstRetryIntervalMs: number;
  maxNumberOfAttempts: number;
  backoffCoefficient: number;
  maxRetryIntervalMs: number;
  retryTimeoutMs: number;
}

interface RetryState {
  name: string;
  input: unknown;
  policy: RetryPolicy;
  /** 1-based number of the attempt in flight (or whose timer is pending). */
  attempt: number;
  firstAttemptMs: number;
}

interface Failure {
  reason: string;
  details: string;
  failureDetails?: Record<string, unknown>;
}

type WorkItem =
  | { kind: 'start' }
  | { kind: 'activityDone'; taskId: number; ok: true; result: unknown }
  | { kind: 'activityDone'; taskId: number; ok: false; failure: Failure }
  | { kind: 'timerFired'; timerId: number; fireAtMs: number }
  | { kind: 'event'; name: string; input: unknown };

interface PendingActivity {
  taskId: number;
  name: string;
  input: unknown;
}

interface Instance {
  name: string;
  instanceId: string;
  input: unknown;
  status: RuntimeStatus;
  output: unknown;
  customStatus: unknown;
  createdTime: Date;
  lastUpdatedTime: Date;
  history: HistoryEvent[];
  /** Work not yet recorded, each with the clock time it arrived at (ms). */
  inbox: { item: WorkItem; atMs: number }[];
  pumping: boolean;
  nextEventId: number;
  lastTimestampMs: number;
  /** Top-level actions already turned into work. */
  processedActions: number;
  /** Per processed top-level action: the ids of its CreateTimer leaves (in walk order, -1 for other leaves). */
  actionLeafIds: number[][];
  /** Durable timers pending on the clock: timer id → canceller. */
  timers: Map<number, () => void>;
  /** Retryable activity attempts in flight, by task id. */
  retryingTasks: Map<number, RetryState>;
  /** Retry timers pending, by timer id. */
  retryTimers: Map<number, RetryState>;
}

/** Extras for {@link createInvocationContext}. */
export interface InvocationExtras {
  /** Value for the function's `durableClient` binding (use {@link LocalDurableRuntime.clientInput}). */
  durableClient?: Record<string, unknown>;
  /** Default: a random UUID. */
  invocationId?: string;
  /** Receives `context.log/info/warn/…` calls. Default: `@azure/functions`' fallback (console). */
  logHandler?: (level: string, ...args: unknown[]) => void;
}

/**
 * Builds the `InvocationContext` the Functions worker would build for `fn`: `options.trigger`,
 * `options.extraInputs` and `options.extraOutputs` carry the registration's bindings with their
 * (random) binding names, as `fromRpcBindings` does in `@azure/functions`. When `extras.durableClient`
 * is given, it is set as the value of every `durableClient` (or `orchestrationClient`) input, so
 * `df.getClient(context)` works unchanged inside the handler.
 *
 * Recipe for an HTTP host: `const ctx = createInvocationContext(fn, { durableClient: runtime.clientInput(baseUrl) });`
 * then `await fn.callback(new HttpRequest({...}), ctx)`. (Setting the value by binding name —
 * `ctx.extraInputs.set(bindingName, value)` — only works because `options.extraInputs` holds
 * `{ ...binding, name: bindingName }`; `getClient` finds the input by `type` and reads it by `name`.)
 */
export function createInvocationContext(
  fn: RegisteredFunction,
  extras: InvocationExtras = {},
): InvocationContext {
  const named = (name: string, b: BindingMetadata): BindingMetadata & { name: string } => ({ ...b, name });
  let trigger: (BindingMetadata & { name: string }) | undefined;
  let returnBinding: (BindingMetadata & { name: string }) | undefined;
  const extraInputs: (BindingMetadata & { name: string })[] = [];
  const extraOutputs: (BindingMetadata & { name: string })[] = [];
  for (const [name, binding] of Object.entries(fn.bindings)) {
    if (/trigger$/i.test(binding.type)) trigger = named(name, binding);
    else if (name === '$return') returnBinding = named(name, binding);
    else if (binding.direction === 'in') extraInputs.push(named(name, binding));
    else extraOutputs.push(named(name, binding));
  }
  const context = new InvocationContext({
    invocationId: extras.invocationId ?? randomUUID(),
    functionName: fn.name,
    logHandler: extras.logHandler,
    options: {
      trigger: trigger ?? named('trigger', fn.trigger),
      return: returnBinding,
      extraInputs,
      extraOutputs,
    },
  });
  if (extras.durableClient) {
    for (const input of extraInputs) {
      if (input.type === 'durableClient' || input.type === 'orchestrationClient') {
        context.extraInputs.set(input.name, extras.durableClient);
      }
    }
  }
  return context;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function jsonClone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** The library JSON-encodes string inputs of actions (`Utils.processInput`); other values are raw. */
function decodeActionInput(value: unknown): unknown {
  if (typeof value === 'string') {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }
  return jsonClone(value);
}

function toJsonString(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function retryPolicyOf(options: unknown): RetryPolicy {
  const o = isRecord(options) ? options : {};
  return {
    firstRetryIntervalMs: numberOr(o.firstRetryIntervalInMilliseconds, 1000),
    maxNumberOfAttempts: numberOr(o.maxNumberOfAttempts, 1),
    backoffCoefficient: numberOr(o.backoffCoefficient, 1),
    maxRetryIntervalMs: o.maxRetryIntervalInMilliseconds
      ? numberOr(o.maxRetryIntervalInMilliseconds, Infinity)
      : Infinity,
    retryTimeoutMs: o.retryTimeoutInMilliseconds
      ? numberOr(o.retryTimeoutInMilliseconds, Infinity)
      : Infinity,
  };
}

function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'string' || typeof value === 'number') return new Date(value);
  throw new Error(`Invalid timer fireAt: ${String(value)}`);
}

/** Converts a thrown activity error into TaskFailed fields. */
function failureOf(activityName: string, error: unknown): Failure {
  const err =
    error instanceof Error ? error : new Error(typeof error === 'string' ? error : JSON.stringify(error));
  // With an exception-properties provider registered, the library puts a JSON payload in the message.
  if (err.message.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(err.message);
      if (isRecord(parsed) && typeof parsed.errorMessage === 'string') {
        return {
          reason: `Activity function '${activityName}' failed: ${parsed.errorMessage}`,
          details: typeof parsed.stackTrace === 'string' ? parsed.stackTrace : '',
          failureDetails: {
            ErrorType: typeof parsed.errorType === 'string' ? parsed.errorType : 'Error',
            ErrorMessage: parsed.errorMessage,
            StackTrace: parsed.stackTrace,
            IsNonRetriable: parsed.isNonRetriable === true,
            Properties: parsed.properties,
          },
        };
      }
    } catch {
      // not a payload: fall through
    }
  }
  return { reason: `Activity function '${activityName}' failed: ${err.message}`, details: err.stack ?? '' };
}

interface ParsedState {
  isDone: boolean;
  actions: unknown[];
  output: unknown;
  customStatus: unknown;
  error?: string;
}

function parseState(value: unknown): ParsedState {
  if (!isRecord(value) || typeof value.isDone !== 'boolean' || !Array.isArray(value.actions)) {
    throw new Error(`Orchestrator returned an unexpected value: ${JSON.stringify(value)}`);
  }
  const actions: unknown[] = [];
  for (const group of value.actions) {
    if (Array.isArray(group)) actions.push(...(group as unknown[]));
    else actions.push(group);
  }
  return {
    isDone: value.isDone,
    actions,
    output: value.output,
    customStatus: value.customStatus,
    error: typeof value.error === 'string' ? value.error : undefined,
  };
}

function isTerminal(status: RuntimeStatus): boolean {
  return status === 'Completed' || status === 'Failed' || status === 'Terminated';
}

/**
 * In-memory Durable Functions runtime driving the registered orchestrations and activities.
 *
 * Typical test loop: `await runtime.startNew('orch', { input })`, `await runtime.whenIdle()`,
 * `clock.advance(ms)`, `await runtime.whenIdle()`, `runtime.getStatus(id)`.
 */
export class LocalDurableRuntime {
  readonly #options: LocalDurableRuntimeOptions;
  readonly #clock: SchedulingClock;
  readonly #log: (line: string) => void;
  readonly #warn: (line: string) => void;
  readonly #taskHubName: string;
  readonly #systemKey: string | undefined;
  readonly #instances = new Map<string, Instance>();
  #busy = 0;
  #idleWaiters: (() => void)[] = [];
  #disposed = false;

  constructor(options: LocalDurableRuntimeOptions) {
    this.#options = options;
    this.#clock = options.clock;
    this.#log = options.log ?? (() => undefined);
    this.#warn = options.log ?? ((line) => console.warn(line));
    this.#taskHubName = options.taskHubName ?? 'LocalTaskHub';
    this.#systemKey = options.systemKey;
  }

  // ---------------------------------------------------------------- public API

  /**
   * Starts an orchestration and returns its instance id (given, or a random 32-hex id). The first
   * episode runs asynchronously. Throws {@link DurableRuntimeError} `unknown-function` when no
   * orchestration of that name is registered, `instance-exists` when the id is Pending or Running
   * (a Completed/Failed/Terminated instance is replaced by a fresh one).
   */
  async startNew(name: string, options: { instanceId?: string; input?: unknown } = {}): Promise<string> {
    this.#findFunction(name, 'orchestrationTrigger');
    const instanceId = options.instanceId ?? randomUUID().replace(/-/g, '');
    const existing = this.#instances.get(instanceId);
    if (existing && !isTerminal(existing.status)) {
      throw new DurableRuntimeError('instance-exists', `An instance with ID '${instanceId}' already exists.`);
    }
    if (existing) this.#cancelTimers(existing);
    const instance = this.#newInstance(name, instanceId, jsonClone(options.input));
    this.#instances.set(instanceId, instance);
    this.#log(`[durable] ${name} ${instanceId} scheduled`);
    this.#enqueue(instance, { kind: 'start' });
    return instanceId;
  }

  /**
   * Delivers an external event (`data` is JSON round-tripped). Events are recorded as they arrive;
   * the library buffers one the orchestrator has not waited for yet. Throws `not-found` for an
   * unknown instance, `not-running` for a Completed/Failed/Terminated one.
   */
  async raiseEvent(instanceId: string, eventName: string, data?: unknown): Promise<void> {
    const instance = this.#require(instanceId);
    if (isTerminal(instance.status)) {
      throw new DurableRuntimeError('not-running', `Instance '${instanceId}' is ${instance.status}.`);
    }
    this.#enqueue(instance, { kind: 'event', name: eventName, input: jsonClone(data) });
  }

  /**
   * Terminates a Pending/Running instance at once: status Terminated, output = reason, timers
   * cancelled, results of activities still running ignored. Throws `not-found` / `not-running`.
   */
  async terminate(instanceId: string, reason?: string): Promise<void> {
    const instance = this.#require(instanceId);
    if (isTerminal(instance.status)) {
      throw new DurableRuntimeError('not-running', `Instance '${instanceId}' is ${instance.status}.`);
    }
    const now = this.#clock.now();
    this.#finish(instance, 'Terminated', reason ?? null, now);
    instance.history.push(
      this.#event(EventType.ExecutionTerminated, -1, now, { Input: toJsonString(reason ?? null) }),
    );
    this.#log(`[durable] ${instance.name} ${instanceId} Terminated: ${reason ?? ''}`);
  }

  /** Removes an instance's state. Returns whether it existed. (Served as `DELETE …/instances/{id}`.) */
  purge(instanceId: string): boolean {
    const instance = this.#instances.get(instanceId);
    if (!instance) return false;
    this.#cancelTimers(instance);
    instance.inbox.length = 0;
    return this.#instances.delete(instanceId);
  }

  /** Status of an instance, or `undefined` when unknown. `showHistory` adds the raw history. */
  getStatus(instanceId: string, options: { showHistory?: boolean } = {}): InstanceStatus | undefined {
    const instance = this.#instances.get(instanceId);
    return instance ? this.#statusOf(instance, options.showHistory === true) : undefined;
  }

  /** Status of every instance (without history), in creation order. */
  listInstances(): InstanceStatus[] {
    return [...this.#instances.values()].map((i) => this.#statusOf(i, false));
  }

  /**
   * Resolves once no episode is running or queued and no activity is in flight. Pending durable
   * timers do not count: advance the clock, then await this again.
   */
  whenIdle(): Promise<void> {
    if (this.#busy === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Cancels every pending timer; later timer callbacks and work are ignored. */
  dispose(): void {
    this.#disposed = true;
    for (const instance of this.#instances.values()) this.#cancelTimers(instance);
  }

  /**
   * The value of a `durableClient` input binding for a host reachable at `baseUrl` (origin, e.g.
   * `http://127.0.0.1:7071`): `{ taskHubName, creationUrls, managementUrls, baseUrl, rpcBaseUrl,
   * requiredQueryStringParameters }` with `rpcBaseUrl = {baseUrl}/runtime/webhooks/durabletask/`, so
   * the real DurableClient talks HTTP to routes served by {@link handleRpc}. With a `systemKey` there is
   * no `rpcBaseUrl`: the client then fills the creation/management URL templates, which carry `code=<key>`
   * as in Azure.
   */
  clientInput(baseUrl: string): Record<string, unknown> {
    const hook = `${baseUrl.replace(/\/+$/, '')}${DURABLE_WEBHOOK_PREFIX.replace(/\/$/, '')}`;
    const qs = this.#queryString();
    return {
      taskHubName: this.#taskHubName,
      creationUrls: {
        createNewInstancePostUri: `${hook}/orchestrators/{functionName}[/{instanceId}]?${qs}`,
        createAndWaitOnNewInstancePostUri: `${hook}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&${qs}`,
      },
      managementUrls: this.#managementUrls(hook, 'INSTANCEID'),
      baseUrl: hook,
      requiredQueryStringParameters: qs,
      ...(this.#systemKey === undefined ? { rpcBaseUrl: `${hook}/` } : {}),
    };
  }

  /**
   * Serves the extension's HTTP API under {@link DURABLE_WEBHOOK_PREFIX} (returns `undefined` for
   * any other path, so the host can fall through to its own routes):
   * - `POST orchestrators/{name}[/{id}]` body = JSON input (may be empty) → 202 `{ id, …management urls }`;
   *   400 unknown orchestrator, 409 instance exists;
   * - `GET instances/{id}[?showHistory=true]` → 200 Completed, 202 Pending/Running, 400 Failed/Terminated
   *   (body = {@link InstanceStatus}, `input`/`output`/`customStatus` null when absent), 404;
   * - `GET instances` → 200 array of statuses (filters ignored);
   * - `POST instances/{id}/raiseEvent/{event}` body = JSON data → 202, 404, 410 when not running;
   * - `POST instances/{id}/terminate?reason=…` → 202, 404, 410;
   * - `DELETE instances/{id}` → 200 `{ instancesDeleted: 1 }`, 404;
   * - anything else under the prefix → 501 (suspend, resume, rewind, entities, …); wrong method → 405.
   */
  async handleRpc(method: string, url: URL, body: string): Promise<RpcResponse | undefined> {
    if (!url.pathname.startsWith(DURABLE_WEBHOOK_PREFIX)) return undefined;
    const segments = url.pathname
      .slice(DURABLE_WEBHOOK_PREFIX.length)
      .split('/')
      .filter((s) => s.length > 0)
      .map((s) => decodeURIComponent(s));
    const verb = method.toUpperCase();
    const json = (status: number, payload: unknown, headers?: Record<string, string>): RpcResponse => ({
      status,
      headers: { 'Content-Type': 'application/json', ...headers },
      body: payload,
    });
    const error = (status: number, message: string): RpcResponse => json(status, { message });
    let payload: unknown;
    try {
      payload = body.trim() === '' ? undefined : (JSON.parse(body) as unknown);
    } catch {
      return error(400, 'The request body is not valid JSON.');
    }
    const hook = `${url.origin}${DURABLE_WEBHOOK_PREFIX.replace(/\/$/, '')}`;

    const [head, id, action, eventName] = segments;
    if (head === 'orchestrators' && id !== undefined && segments.length <= 3) {
      if (verb !== 'POST') return error(405, 'Use POST.');
      try {
        const instanceId = await this.startNew(id, { instanceId: action, input: payload });
        const links = this.#managementUrls(hook, instanceId);
        return json(202, { ...links }, { Location: links.statusQueryGetUri, 'Retry-After': '10' });
      } catch (err) {
        if (err instanceof DurableRuntimeError) {
          return error(err.code === 'instance-exists' ? 409 : 400, err.message);
        }
        throw err;
      }
    }
    if (head === 'instances' && id === undefined) {
      if (verb !== 'GET') return error(405, 'Use GET.');
      return json(200, this.listInstances());
    }
    if (head === 'instances' && id !== undefined) {
      const instance = this.#instances.get(id);
      if (action === undefined) {
        if (verb === 'DELETE') {
          return this.purge(id)
            ? json(200, { instancesDeleted: 1 })
            : error(404, `No instance with ID '${id}' found.`);
        }
        if (verb !== 'GET') return error(405, 'Use GET or DELETE.');
        const status = this.getStatus(id, { showHistory: url.searchParams.get('showHistory') === 'true' });
        if (!status) return error(404, `No instance with ID '${id}' found.`);
        const code =
          status.runtimeStatus === 'Completed' ? 200 : isTerminal(status.runtimeStatus) ? 400 : 202;
        const headers: Record<string, string> =
          code === 202
            ? { Location: this.#managementUrls(hook, id).statusQueryGetUri, 'Retry-After': '10' }
            : {};
        return json(code, status, headers);
      }
      if (
        (action === 'raiseEvent' && eventName !== undefined && segments.length === 4) ||
        action === 'terminate'
      ) {
        if (verb !== 'POST') return error(405, 'Use POST.');
        if (!instance) return error(404, `No instance with ID '${id}' found.`);
        if (isTerminal(instance.status)) return error(410, `Instance '${id}' is ${instance.status}.`);
        if (action === 'terminate') await this.terminate(id, url.searchParams.get('reason') ?? undefined);
        else await this.raiseEvent(id, eventName ?? '', payload);
        return { status: 202 };
      }
    }
    return error(501, `The local durable runtime does not implement ${verb} ${url.pathname}.`);
  }

  // ---------------------------------------------------------------- instances

  #newInstance(name: string, instanceId: string, input: unknown): Instance {
    const now = this.#clock.now();
    return {
      name,
      instanceId,
      input,
      status: 'Pending',
      output: undefined,
      customStatus: undefined,
      createdTime: now,
      lastUpdatedTime: now,
      history: [],
      inbox: [],
      pumping: false,
      nextEventId: 0,
      lastTimestampMs: -Infinity,
      processedActions: 0,
      actionLeafIds: [],
      timers: new Map(),
      retryingTasks: new Map(),
      retryTimers: new Map(),
    };
  }

  #require(instanceId: string): Instance {
    const instance = this.#instances.get(instanceId);
    if (!instance) throw new DurableRuntimeError('not-found', `No instance with ID '${instanceId}' found.`);
    return instance;
  }

  #isLive(instance: Instance): boolean {
    return (
      !this.#disposed && this.#instances.get(instance.instanceId) === instance && !isTerminal(instance.status)
    );
  }

  #statusOf(instance: Instance, withHistory: boolean): InstanceStatus {
    const status: InstanceStatus = {
      name: instance.name,
      instanceId: instance.instanceId,
      runtimeStatus: instance.status,
      input: jsonClone(instance.input) ?? null,
      output: jsonClone(instance.output) ?? null,
      customStatus: jsonClone(instance.customStatus) ?? null,
      createdTime: instance.createdTime.toISOString(),
      lastUpdatedTime: instance.lastUpdatedTime.toISOString(),
    };
    if (withHistory) status.history = jsonClone(instance.history);
    return status;
  }

  /** `taskHub=…&connection=Storage`, plus `&code=<key>` when the host requires its runtime key. */
  #queryString(): string {
    const code = this.#systemKey === undefined ? '' : `&code=${encodeURIComponent(this.#systemKey)}`;
    return `taskHub=${encodeURIComponent(this.#taskHubName)}&connection=Storage${code}`;
  }

  #managementUrls(hook: string, instanceId: string): Record<string, string> & { statusQueryGetUri: string } {
    const qs = this.#queryString();
    const base = `${hook}/instances/${instanceId === 'INSTANCEID' ? instanceId : encodeURIComponent(instanceId)}`;
    return {
      id: instanceId,
      statusQueryGetUri: `${base}?${qs}`,
      sendEventPostUri: `${base}/raiseEvent/{eventName}?${qs}`,
      terminatePostUri: `${base}/terminate?reason={text}&${qs}`,
      rewindPostUri: `${base}/rewind?reason={text}&${qs}`,
      purgeHistoryDeleteUri: `${base}?${qs}`,
      restartPostUri: `${base}/restart?${qs}`,
      suspendPostUri: `${base}/suspend?reason={text}&${qs}`,
      resumePostUri: `${base}/resume?reason={text}&${qs}`,
    };
  }

  #findFunction(name: string, triggerType: 'orchestrationTrigger' | 'activityTrigger'): RegisteredFunction {
    const list =
      typeof this.#options.functions === 'function' ? this.#options.functions() : this.#options.functions;
    const fn = list.find((f) => f.name === name && f.trigger.type === triggerType);
    if (!fn) {
      const kind = triggerType === 'orchestrationTrigger' ? 'orchestration' : 'activity';
      throw new DurableRuntimeError('unknown-function', `No ${kind} function named '${name}' is registered.`);
    }
    return fn;
  }

  #logHandler(prefix: string): (level: string, ...args: unknown[]) => void {
    return (level, ...args) => {
      const text = args
        .map((a) =>
          typeof a === 'string' ? a : a instanceof Error ? (a.stack ?? a.message) : JSON.stringify(a),
        )
        .join(' ');
      (level === 'error' || level === 'warning' || level === 'critical' ? this.#warn : this.#log)(
        `${prefix} ${level}: ${text}`,
      );
    };
  }

  #event(type: number, eventId: number, at: Date, fields: Record<string, unknown> = {}): HistoryEvent {
    return { EventType: type, EventId: eventId, IsPlayed: false, Timestamp: at.toISOString(), ...fields };
  }

  #cancelTimers(instance: Instance): void {
    for (const cancel of instance.timers.values()) cancel();
    instance.timers.clear();
  }

  #finish(instance: Instance, status: RuntimeStatus, output: unknown, at: Date): void {
    instance.status = status;
    instance.output = output;
    instance.lastUpdatedTime = at;
    instance.inbox.length = 0;
    instance.retryingTasks.clear();
    instance.retryTimers.clear();
    this.#cancelTimers(instance);
  }

  // ---------------------------------------------------------------- scheduling

  #enter(): void {
    this.#busy++;
  }

  #leave(): void {
    this.#busy--;
    if (this.#busy === 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  #enqueue(instance: Instance, item: WorkItem): void {
    if (!this.#isLive(instance)) return;
    instance.inbox.push({ item, atMs: this.#clock.now().getTime() });
    if (instance.pumping) return;
    instance.pumping = true;
    this.#enter();
    // Start on a later turn so that callers (startNew, clock callbacks, HTTP handlers) never
    // re-enter an episode, and a just-started instance is observably Pending.
    setImmediate(() => void this.#pump(instance));
  }

  async #pump(instance: Instance): Promise<void> {
    try {
      while (instance.inbox.length > 0 && this.#isLive(instance)) {
        const next = instance.inbox.shift();
        if (next) await this.#episode(instance, next.item, next.atMs);
      }
    } finally {
      instance.pumping = false;
      this.#leave();
    }
  }

  #scheduleTimer(instance: Instance, timerId: number, fireAt: Date): void {
    if (this.#disposed) return;
    const fire = (): void => {
      instance.timers.delete(timerId);
      this.#enqueue(instance, { kind: 'timerFired', timerId, fireAtMs: fireAt.getTime() });
    };
    if (fireAt.getTime() <= this.#clock.now().getTime()) {
      fire();
      return;
    }
    instance.timers.set(timerId, this.#clock.schedule(fireAt, fire));
  }

  #runActivity(instance: Instance, activity: PendingActivity): void {
    this.#enter();
    const { taskId, name, input } = activity;
    const invoke = async (): Promise<unknown> => {
      const fn = this.#findFunction(name, 'activityTrigger');
      const context = createInvocationContext(fn, {
        logHandler: this.#logHandler(`[${name}]`),
      });
      return await fn.callback(jsonClone(input), context);
    };
    const middleware = this.#options.activityMiddleware;
    Promise.resolve()
      .then(() => (middleware ? middleware(name, jsonClone(input), invoke) : invoke()))
      .then(
        (result) =>
          this.#enqueue(instance, { kind: 'activityDone', taskId, ok: true, result: jsonClone(result) }),
        (error: unknown) => {
          const failure = failureOf(name, error);
          this.#log(`[durable] ${instance.instanceId} activity ${name}#${taskId} failed: ${failure.reason}`);
          this.#enqueue(instance, { kind: 'activityDone', taskId, ok: false, failure });
        },
      )
      .finally(() => this.#leave());
  }

  // ---------------------------------------------------------------- episodes

  /**
   * Records one work item, replays the orchestrator, and acts on its new actions. The episode's
   * time (OrchestratorStarted Timestamp = `currentUtcDateTime`) is the clock time the item arrived
   * at — a timer's fire time under ManualClock.advance — never earlier than the previous episode
   * or a fired timer's FireAt.
   */
  async #episode(instance: Instance, item: WorkItem, arrivedAtMs: number): Promise<void> {
    const tsMs = Math.max(
      arrivedAtMs,
      instance.lastTimestampMs,
      item.kind === 'timerFired' ? item.fireAtMs : -Infinity,
    );
    instance.lastTimestampMs = tsMs;
    const ts = new Date(tsMs);
    const episodeStart = instance.history.length;
    const history = instance.history;
    const activities: PendingActivity[] = [];
    history.push(this.#event(EventType.OrchestratorStarted, -1, ts));
    if (instance.status === 'Pending') instance.status = 'Running';

    switch (item.kind) {
      case 'start':
        history.push(
          this.#event(EventType.ExecutionStarted, -1, ts, {
            Name: instance.name,
            Input: instance.input === undefined ? undefined : toJsonString(instance.input),
            OrchestrationInstance: {
              InstanceId: instance.instanceId,
              ExecutionId: randomUUID().replace(/-/g, ''),
            },
            ParentInstance: null,
          }),
        );
        break;
      case 'event':
        history.push(
          this.#event(EventType.EventRaised, -1, ts, {
            Name: item.name,
            Input: item.input === undefined ? undefined : toJsonString(item.input),
          }),
        );
        break;
      case 'activityDone':
        this.#recordActivityDone(instance, item, ts);
        break;
      case 'timerFired': {
        const fireAt = new Date(item.fireAtMs).toISOString();
        history.push(this.#event(EventType.TimerFired, -1, ts, { TimerId: item.timerId, FireAt: fireAt }));
        const retry = instance.retryTimers.get(item.timerId);
        if (retry) {
          instance.retryTimers.delete(item.timerId);
          const taskId = instance.nextEventId++;
          history.push(
            this.#event(EventType.TaskScheduled, taskId, ts, {
              Name: retry.name,
              Input: toJsonString(retry.input),
            }),
          );
          instance.retryingTasks.set(taskId, retry);
          activities.push({ taskId, name: retry.name, input: retry.input });
        }
        break;
      }
    }

    let state: ParsedState;
    let failedWith: string | undefined;
    try {
      const fn = this.#findFunction(instance.name, 'orchestrationTrigger');
      const trigger = jsonClone({
        history: history.map((e, i) => ({ ...e, IsPlayed: i < episodeStart })),
        input: instance.input,
        instanceId: instance.instanceId,
        isReplaying: episodeStart > 0,
        parentInstanceId: null,
        upperSchemaVersion: 3,
        maximumShortTimerDuration: '6.00:00:00',
        longRunningTimerIntervalDuration: '3.00:00:00',
        defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
      });
      const context = createInvocationContext(fn, {
        logHandler: this.#logHandler(`[${instance.name} ${instance.instanceId}]`),
      });
      state = parseState(await fn.callback(trigger, context));
    } catch (err) {
      // durable-functions 3.5 builds this error as `${JSON.stringify(orchestratorReturned)}\n\n$OutOfProcData$:${state}`:
      // the text before the label is just "false"; the orchestrator's error message is `state.error`.
      const message = err instanceof Error ? err.message : String(err);
      const at = message.indexOf(OUT_OF_PROC_LABEL);
      failedWith = (at >= 0 ? message.slice(0, at) : message).trim();
      state = { isDone: false, actions: [], output: undefined, customStatus: undefined };
      if (at >= 0) {
        try {
          const parsed = parseState(JSON.parse(message.slice(at + OUT_OF_PROC_LABEL.length)));
          state.customStatus = parsed.customStatus;
          if (parsed.error !== undefined) failedWith = parsed.error;
        } catch {
          // keep the message only
        }
      }
    }

    if (!this.#isLive(instance)) return; // terminated (or purged/restarted) while replaying
    const end = this.#clock.now();
    instance.customStatus = state.customStatus;
    instance.lastUpdatedTime = end;

    if (failedWith !== undefined) {
      this.#complete(instance, 'Failed', failedWith, ts);
      return;
    }

    let unsupported: string | undefined;
    try {
      this.#cancelDroppedTimers(instance, state.actions);
      this.#processNewActions(instance, state.actions, ts, activities);
    } catch (err) {
      unsupported = err instanceof Error ? err.message : String(err);
    }
    if (unsupported !== undefined) {
      this.#complete(instance, 'Failed', unsupported, ts);
      return;
    }

    if (state.isDone) {
      const last = state.actions[state.actions.length - 1];
      if (isRecord(last) && last.actionType === ActionType.ContinueAsNew) {
        this.#continueAsNew(instance, decodeActionInput(last.input), ts);
        return;
      }
      history.push(this.#event(EventType.OrchestratorCompleted, -1, ts));
      this.#complete(instance, 'Completed', jsonClone(state.output), ts);
      for (const activity of activities) this.#runActivity(instance, activity); // fire-and-forget: results ignored
      return;
    }
    history.push(this.#event(EventType.OrchestratorCompleted, -1, ts));
    for (const activity of activities) this.#runActivity(instance, activity);
  }

  #recordActivityDone(instance: Instance, item: Extract<WorkItem, { kind: 'activityDone' }>, ts: Date): void {
    const history = instance.history;
    const retry = instance.retryingTasks.get(item.taskId);
    instance.retryingTasks.delete(item.taskId);
    if (item.ok) {
      history.push(
        this.#event(EventType.TaskCompleted, -1, ts, {
          TaskScheduledId: item.taskId,
          Result: toJsonString(item.result),
        }),
      );
      return;
    }
    history.push(this.#taskFailed(item.taskId, item.failure, ts));
    if (!retry) return;
    // DTFx RetryInterceptor: after every failure a timer of the next delay, then either a new
    // attempt or (after the last one) the failure. The library needs that timer even after the last attempt.
    const { policy } = retry;
    const delayMs = Math.min(
      policy.firstRetryIntervalMs * Math.pow(policy.backoffCoefficient, retry.attempt - 1),
      policy.maxRetryIntervalMs,
    );
    const expired = ts.getTime() >= retry.firstAttemptMs + policy.retryTimeoutMs;
    if (!expired) {
      const timerId = instance.nextEventId++;
      const fireAt = new Date(ts.getTime() + delayMs);
      history.push(this.#event(EventType.TimerCreated, timerId, ts, { FireAt: fireAt.toISOString() }));
      if (retry.attempt < policy.maxNumberOfAttempts) {
        instance.retryTimers.set(timerId, { ...retry, attempt: retry.attempt + 1 });
      }
      this.#scheduleTimer(instance, timerId, fireAt);
      return;
    }
    // Retry timeout passed: DTFx gives up at once, but the library only fails the task after
    // `maxNumberOfAttempts` failures, so record the remaining attempts as failed without running them.
    for (let attempt = retry.attempt; ; attempt++) {
      const timerId = instance.nextEventId++;
      history.push(this.#event(EventType.TimerCreated, timerId, ts, { FireAt: ts.toISOString() }));
      history.push(this.#event(EventType.TimerFired, -1, ts, { TimerId: timerId, FireAt: ts.toISOString() }));
      if (attempt >= policy.maxNumberOfAttempts) break;
      const taskId = instance.nextEventId++;
      history.push(
        this.#event(EventType.TaskScheduled, taskId, ts, {
          Name: retry.name,
          Input: toJsonString(retry.input),
        }),
      );
      history.push(this.#taskFailed(taskId, item.failure, ts));
    }
  }

  #taskFailed(taskId: number, failure: Failure, ts: Date): HistoryEvent {
    return this.#event(EventType.TaskFailed, -1, ts, {
      TaskScheduledId: taskId,
      ...(failure.failureDetails
        ? { FailureDetails: failure.failureDetails }
        : { Reason: failure.reason, Details: failure.details }),
    });
  }

  /**
   * Walks the action tree like the library numbers tasks: leaves in order, each action object once
   * (a task already scheduled re-appears inside a later Task.any/all without a new id).
   */
  #walk(
    actions: readonly unknown[],
    from: number,
    visit: (index: number, leaf: Record<string, unknown>) => void,
  ): void {
    const seen = new Set<unknown>();
    const walkOne = (index: number, action: unknown): void => {
      if (!isRecord(action) || seen.has(action)) return;
      seen.add(action);
      if (action.actionType === ActionType.WhenAny || action.actionType === ActionType.WhenAll) {
        const children = Array.isArray(action.compoundActions) ? (action.compoundActions as unknown[]) : [];
        for (const child of children) walkOne(index, child);
        return;
      }
      if (index >= from) visit(index, action);
    };
    actions.forEach((action, index) => walkOne(index, action));
  }

  #processNewActions(
    instance: Instance,
    actions: readonly unknown[],
    ts: Date,
    activities: PendingActivity[],
  ): void {
    const history = instance.history;
    const from = instance.processedActions;
    this.#walk(actions, from, (index, action) => {
      const leafIds = (instance.actionLeafIds[index] ??= []);
      switch (action.actionType) {
        case ActionType.CallActivity:
        case ActionType.CallActivityWithRetry: {
          const name = typeof action.functionName === 'string' ? action.functionName : '';
          this.#findFunction(name, 'activityTrigger'); // unknown activity → orchestration fails
          const input = decodeActionInput(action.input);
          const taskId = instance.nextEventId++;
          leafIds.push(-1);
          history.push(
            this.#event(EventType.TaskScheduled, taskId, ts, { Name: name, Input: toJsonString(input) }),
          );
          if (action.actionType === ActionType.CallActivityWithRetry) {
            instance.retryingTasks.set(taskId, {
              name,
              input,
              policy: retryPolicyOf(action.retryOptions),
              attempt: 1,
              firstAttemptMs: ts.getTime(),
            });
          }
          activities.push({ taskId, name, input });
          break;
        }
        case ActionType.CreateTimer: {
          const timerId = instance.nextEventId++;
          const fireAt = toDate(action.fireAt);
          leafIds.push(timerId);
          history.push(this.#event(EventType.TimerCreated, timerId, ts, { FireAt: fireAt.toISOString() }));
          if (action.isCanceled !== true) this.#scheduleTimer(instance, timerId, fireAt);
          break;
        }
        case ActionType.WaitForExternalEvent:
          break;
        case ActionType.ContinueAsNew:
          break;
        default:
          throw new Error(
            `The local durable runtime does not support action type ${String(action.actionType)} (sub-orchestrations, entities and callHttp are not implemented).`,
          );
      }
    });
    instance.processedActions = actions.length;
  }

  /** Cancels clock timers of CreateTimer actions the orchestrator has since cancelled (`timer.cancel()`). */
  #cancelDroppedTimers(instance: Instance, actions: readonly unknown[]): void {
    const counters = new Map<number, number>();
    this.#walk(actions, 0, (index, action) => {
      if (index >= instance.processedActions) return;
      const position = counters.get(index) ?? 0;
      counters.set(index, position + 1);
      if (action.actionType !== ActionType.CreateTimer || action.isCanceled !== true) return;
      const timerId = instance.actionLeafIds[index]?.[position];
      if (timerId === undefined || timerId < 0) return;
      instance.timers.get(timerId)?.();
      instance.timers.delete(timerId);
    });
  }

  #complete(instance: Instance, status: 'Completed' | 'Failed', output: unknown, ts: Date): void {
    instance.history.push(
      this.#event(EventType.ExecutionCompleted, -1, ts, {
        OrchestrationStatus: status,
        Result: toJsonString(output ?? null),
      }),
    );
    this.#finish(instance, status, output, this.#clock.now());
    (status === 'Failed' ? this.#warn : this.#log)(
      `[durable] ${instance.name} ${instance.instanceId} ${status}${status === 'Failed' ? `: ${String(output)}` : ''}`,
    );
  }

  #continueAsNew(instance: Instance, input: unknown, ts: Date): void {
    this.#cancelTimers(instance);
    instance.inbox.length = 0;
    const next = this.#newInstance(instance.name, instance.instanceId, input);
    next.createdTime = instance.createdTime;
    next.status = 'Running';
    next.lastTimestampMs = ts.getTime();
    next.customStatus = instance.customStatus;
    this.#instances.set(instance.instanceId, next);
    instance.status = 'Completed'; // the old execution object is retired
    this.#log(`[durable] ${instance.name} ${instance.instanceId} continued as new`);
    this.#enqueue(next, { kind: 'start' });
  }
}
