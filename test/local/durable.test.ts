/**
 * The local durable runtime drives real durable-functions 3.5 orchestrations (registered here with
 * df.app.*) through the library's own replay; time comes from a ManualClock.
 */
import {
  app,
  HttpRequest,
  HttpResponse,
  type HttpResponseInit,
  type InvocationContext,
} from '@azure/functions';
import * as df from 'durable-functions';
import { getRegistrations } from '../../src/local/functionsCore';
import { ManualClock } from '../../src/local/clock';
import {
  createInvocationContext,
  DurableRuntimeError,
  LocalDurableRuntime,
  type ActivityMiddleware,
  type HistoryEvent,
} from '../../src/local/durable';
import { runToCompletion, startDurableRpcServer } from '../support/durableHarness';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const T0 = new Date('2026-03-02T09:00:00.000Z');

// ---------------------------------------------------------------- functions under test

const activityCalls: { name: string; input: unknown }[] = [];

df.app.activity('TestAppend', {
  handler: (input: { text: string; suffix: string }) => {
    activityCalls.push({ name: 'TestAppend', input });
    return `${input.text}${input.suffix}`;
  },
});

df.app.activity('TestFlaky', {
  handler: (input: string) => {
    activityCalls.push({ name: 'TestFlaky', input });
    return `ok:${input}`;
  },
});

df.app.orchestration('TestChain', function* (context: df.OrchestrationContext) {
  const start = context.df.getInput<string>();
  const a: string = yield context.df.callActivity('TestAppend', { text: start, suffix: '-a' });
  const b: string = yield context.df.callActivity('TestAppend', { text: a, suffix: '-b' });
  const c: string = yield context.df.callActivity('TestAppend', { text: b, suffix: '-c' });
  return c;
});

df.app.orchestration('TestRetry', function* (context: df.OrchestrationContext) {
  const options = new df.RetryOptions(1000, context.df.getInput<number>());
  options.backoffCoefficient = 2;
  try {
    const result: string = yield context.df.callActivityWithRetry('TestFlaky', options, 'x');
    return { ok: true, result };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
});

df.app.orchestration('TestRace', function* (context: df.OrchestrationContext) {
  const deadline = new Date(context.df.currentUtcDateTime.getTime() + 3 * DAY);
  const go = context.df.waitForExternalEvent('Go');
  const timer = context.df.createTimer(deadline);
  const winner: unknown = yield context.df.Task.any([go, timer]);
  if (winner === go) {
    timer.cancel();
    return { via: 'event', data: go.result as unknown, at: context.df.currentUtcDateTime.toISOString() };
  }
  return { via: 'timer', at: context.df.currentUtcDateTime.toISOString() };
});

df.app.orchestration('TestBuffered', function* (context: df.OrchestrationContext) {
  yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + HOUR));
  const data: unknown = yield context.df.waitForExternalEvent('Go');
  return { data, at: context.df.currentUtcDateTime.toISOString() };
});

df.app.orchestration('TestLongTimer', function* (context: df.OrchestrationContext) {
  const startedAt = context.df.currentUtcDateTime.toISOString();
  yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 7 * DAY));
  return { startedAt, firedAt: context.df.currentUtcDateTime.toISOString() };
});

df.app.orchestration('TestClock', function* (context: df.OrchestrationContext) {
  const seen: string[] = [context.df.currentUtcDateTime.toISOString()];
  context.df.setCustomStatus({ step: 'waiting' });
  yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 90 * MINUTE));
  seen.push(context.df.currentUtcDateTime.toISOString());
  yield context.df.callActivity('TestAppend', { text: 'x', suffix: 'y' });
  seen.push(context.df.currentUtcDateTime.toISOString());
  return seen;
});

df.app.orchestration('TestWaitForever', function* (context: df.OrchestrationContext) {
  yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 30 * DAY));
  const data: unknown = yield context.df.waitForExternalEvent('Go');
  return data;
});

df.app.orchestration('TestThrows', function* (context: df.OrchestrationContext) {
  yield context.df.callActivity('TestAppend', { text: 'x', suffix: 'y' });
  throw new Error('orchestrator exploded');
});

df.app.orchestration('TestCounter', function* (context: df.OrchestrationContext) {
  const n = context.df.getInput<number>();
  yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + MINUTE));
  if (n < 3) {
    context.df.continueAsNew(n + 1);
    return undefined;
  }
  return n;
});

df.app.orchestration('TestFanOut', function* (context: df.OrchestrationContext) {
  const retry = new df.RetryOptions(1000, 3);
  const results: unknown[] = yield context.df.Task.all([
    context.df.callActivityWithRetry('TestFlaky', retry, 'p'),
    context.df.callActivity('TestAppend', { text: 'q', suffix: '!' }),
    context.df.callActivityWithRetry('TestFlaky', retry, 'r'),
  ]);
  yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + MINUTE));
  const last: string = yield context.df.callActivity('TestAppend', { text: 'end', suffix: '.' });
  return [...results, last];
});

df.app.orchestration('TestReawait', function* (context: df.OrchestrationContext) {
  const slow = context.df.callActivity('TestAppend', { text: 'slow', suffix: '' });
  const first: unknown = yield context.df.Task.any([
    slow,
    context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + HOUR)),
  ]);
  if (first === slow) return 'fast';
  // the same pending activity raced again: it must not be scheduled a second time
  const second: unknown = yield context.df.Task.any([
    slow,
    context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + HOUR)),
  ]);
  return second === slow ? `late:${String(slow.result)}` : 'timeout';
});

// A production-style HTTP function using the real durable client.
app.http('TestDurableOps', {
  methods: ['POST'],
  route: 'ops',
  extraInputs: [df.input.durableClient()],
  handler: async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const client = df.getClient(context);
    const body = (await request.json()) as { op: string; instanceId: string; data?: unknown };
    switch (body.op) {
      case 'start': {
        const id = await client.startNew('TestWaitForever', {
          instanceId: body.instanceId,
          input: body.data,
        });
        return { status: 202, jsonBody: { id } };
      }
      case 'status': {
        const status = await client.getStatus(body.instanceId);
        return { status: 200, jsonBody: status };
      }
      case 'raise':
        await client.raiseEvent(body.instanceId, 'Go', body.data);
        return { status: 202 };
      case 'terminate':
        await client.terminate(body.instanceId, 'operator said so');
        return { status: 202 };
      case 'check':
        return client.createCheckStatusResponse(request, body.instanceId);
      default:
        return { status: 400 };
    }
  },
});

// ---------------------------------------------------------------- setup

let clock: ManualClock;
let runtime: LocalDurableRuntime;
let logLines: string[];
let middleware: ActivityMiddleware | undefined;

beforeEach(() => {
  clock = new ManualClock(T0);
  logLines = [];
  middleware = undefined;
  activityCalls.length = 0;
  runtime = new LocalDurableRuntime({
    functions: getRegistrations,
    clock,
    log: (line) => logLines.push(line),
    activityMiddleware: (name, input, next) => (middleware ? middleware(name, input, next) : next()),
  });
});

afterEach(() => runtime.dispose());

function events(instanceId: string): HistoryEvent[] {
  return runtime.getStatus(instanceId, { showHistory: true })?.history ?? [];
}

const EV = {
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  TimerCreated: 10,
  TimerFired: 11,
  EventRaised: 15,
};

// ---------------------------------------------------------------- tests

describe('LocalDurableRuntime', () => {
  it('registers through the functions-core stand-in', () => {
    const kinds = getRegistrations().map((r) => `${r.name}:${r.trigger.type}`);
    expect(kinds).toEqual(
      expect.arrayContaining(['TestChain:orchestrationTrigger', 'TestAppend:activityTrigger']),
    );
  });

  it('runs an activity chain, passing outputs along', async () => {
    const id = await runtime.startNew('TestChain', { input: 'start' });
    expect(runtime.getStatus(id)?.runtimeStatus).toBe('Pending');
    await runtime.whenIdle();
    const status = runtime.getStatus(id);
    expect(status?.runtimeStatus).toBe('Completed');
    expect(status?.output).toBe('start-a-b-c');
    expect(status?.input).toBe('start');
    expect(activityCalls.map((c) => c.input)).toEqual([
      { text: 'start', suffix: '-a' },
      { text: 'start-a', suffix: '-b' },
      { text: 'start-a-b', suffix: '-c' },
    ]);
    const scheduled = events(id).filter((e) => e.EventType === EV.TaskScheduled);
    expect(scheduled.map((e) => [e.EventId, e.Name])).toEqual([
      [0, 'TestAppend'],
      [1, 'TestAppend'],
      [2, 'TestAppend'],
    ]);
    const completed = events(id).filter((e) => e.EventType === EV.TaskCompleted);
    expect(completed.map((e) => [e.TaskScheduledId, e.Result])).toEqual([
      [0, '"start-a"'],
      [1, '"start-a-b"'],
      [2, '"start-a-b-c"'],
    ]);
  });

  it('retries a failing activity with exponential back-off until it succeeds', async () => {
    let failuresLeft = 2;
    middleware = async (name, input, next) => {
      if (name === 'TestFlaky' && failuresLeft-- > 0) {
        activityCalls.push({ name, input });
        throw new Error('transient');
      }
      return next();
    };
    const id = await runtime.startNew('TestRetry', { input: 5 });
    await runtime.whenIdle();
    expect(activityCalls).toHaveLength(1);

    clock.advance(999); // first retry after 1000 ms
    await runtime.whenIdle();
    expect(activityCalls).toHaveLength(1);
    clock.advance(1);
    await runtime.whenIdle();
    expect(activityCalls).toHaveLength(2);

    clock.advance(1999); // second retry after 1000 * 2 ms
    await runtime.whenIdle();
    expect(activityCalls).toHaveLength(2);
    clock.advance(1);
    await runtime.whenIdle();

    const status = runtime.getStatus(id);
    expect(status?.runtimeStatus).toBe('Completed');
    expect(status?.output).toEqual({ ok: true, result: 'ok:x' });
    expect(activityCalls).toHaveLength(3);
    // TaskScheduled 0, TaskFailed 0, TimerCreated 1, TimerFired 1, TaskScheduled 2, …, TaskCompleted 4
    const h = events(id).filter((e) =>
      [EV.TaskScheduled, EV.TaskFailed, EV.TimerCreated, EV.TimerFired, EV.TaskCompleted].includes(
        e.EventType,
      ),
    );
    expect(
      h.map(
        (e) => `${e.EventType}:${String(e.EventId === -1 ? (e.TaskScheduledId ?? e.TimerId) : e.EventId)}`,
      ),
    ).toEqual(['4:0', '6:0', '10:1', '11:1', '4:2', '6:2', '10:3', '11:3', '4:4', '5:4']);
    const timers = h.filter((e) => e.EventType === EV.TimerCreated).map((e) => e.FireAt);
    expect(timers).toEqual([
      new Date(T0.getTime() + 1000).toISOString(),
      new Date(T0.getTime() + 3000).toISOString(),
    ]);
  });

  it('fails the task after the last attempt; the orchestrator can catch it', async () => {
    middleware = async (name, input, next) => {
      if (name === 'TestFlaky') {
        activityCalls.push({ name, input });
        throw new Error('permanent boom');
      }
      return next();
    };
    const id = await runtime.startNew('TestRetry', { input: 2 });
    expect(await runToCompletion(runtime, clock, id)).toBe('Completed');
    expect(activityCalls).toHaveLength(2);
    const output = runtime.getStatus(id)?.output as { ok: boolean; message: string };
    expect(output.ok).toBe(false);
    expect(output.message).toContain('permanent boom');
    // the library fails the task at the TimerFired after the last failure (delay 1000 * 2)
    expect(clock.now().getTime()).toBe(T0.getTime() + 1000 + 2000);
  });

  it('Task.any: the event wins when raised on day 1, and the losing timer is cancelled', async () => {
    const id = await runtime.startNew('TestRace', { instanceId: 'race-1' });
    await runtime.whenIdle();
    expect(id).toBe('race-1');
    expect(clock.pendingCount).toBe(1);

    clock.advance(DAY);
    await runtime.raiseEvent(id, 'Go', { accessId: 'A-1' });
    await runtime.whenIdle();

    const status = runtime.getStatus(id);
    expect(status?.runtimeStatus).toBe('Completed');
    expect(status?.output).toEqual({
      via: 'event',
      data: { accessId: 'A-1' },
      at: new Date(T0.getTime() + DAY).toISOString(),
    });
    expect(clock.pendingCount).toBe(0);
  });

  it('Task.any: the timer wins after exactly 3 days', async () => {
    const id = await runtime.startNew('TestRace');
    await runtime.whenIdle();
    clock.advance(3 * DAY - 1);
    await runtime.whenIdle();
    expect(runtime.getStatus(id)?.runtimeStatus).toBe('Running');
    clock.advance(1);
    await runtime.whenIdle();
    expect(runtime.getStatus(id)?.output).toEqual({
      via: 'timer',
      at: new Date(T0.getTime() + 3 * DAY).toISOString(),
    });
    // an event after completion is refused
    await expect(runtime.raiseEvent(id, 'Go', 1)).rejects.toMatchObject({ code: 'not-running' });
  });

  it('buffers an event raised before the orchestrator waits for it', async () => {
    const id = await runtime.startNew('TestBuffered');
    await runtime.whenIdle();
    clock.advance(10 * MINUTE);
    await runtime.raiseEvent(id, 'Go', 'early');
    await runtime.whenIdle();
    expect(runtime.getStatus(id)?.runtimeStatus).toBe('Running');
    clock.advance(50 * MINUTE);
    await runtime.whenIdle();
    const status = runtime.getStatus(id);
    expect(status?.runtimeStatus).toBe('Completed');
    expect(status?.output).toEqual({ data: 'early', at: new Date(T0.getTime() + HOUR).toISOString() });
    expect(events(id).filter((e) => e.EventType === EV.EventRaised)).toHaveLength(1);
  });

  it('fires a 7-day timer (beyond the 6-day maximum short timer) at exactly the right time', async () => {
    const id = await runtime.startNew('TestLongTimer');
    await runtime.whenIdle();
    const created = events(id).filter((e) => e.EventType === EV.TimerCreated);
    expect(created.map((e) => e.FireAt)).toEqual([new Date(T0.getTime() + 7 * DAY).toISOString()]);

    for (let day = 1; day < 7; day++) {
      clock.advance(DAY);
      await runtime.whenIdle();
    }
    clock.advance(DAY - 1);
    await runtime.whenIdle();
    expect(runtime.getStatus(id)?.runtimeStatus).toBe('Running');
    clock.advance(1);
    await runtime.whenIdle();
    expect(runtime.getStatus(id)?.output).toEqual({
      startedAt: T0.toISOString(),
      firedAt: new Date(T0.getTime() + 7 * DAY).toISOString(),
    });
  });

  it('context.df.currentUtcDateTime follows the manual clock; custom status is reported', async () => {
    clock.advance(5 * MINUTE);
    const id = await runtime.startNew('TestClock');
    await runtime.whenIdle();
    expect(runtime.getStatus(id)?.customStatus).toEqual({ step: 'waiting' });
    clock.advance(2 * HOUR); // the timer fires at +90 min, the activity result arrives at +2 h
    await runtime.whenIdle();
    const base = T0.getTime() + 5 * MINUTE;
    expect(runtime.getStatus(id)?.output).toEqual([
      new Date(base).toISOString(),
      new Date(base + 90 * MINUTE).toISOString(),
      new Date(base + 2 * HOUR).toISOString(),
    ]);
    expect(runtime.getStatus(id)?.createdTime).toBe(new Date(base).toISOString());
  });

  it('terminates an instance, refuses duplicates while running, and allows a restart afterwards', async () => {
    const id = await runtime.startNew('TestWaitForever', { instanceId: 'benefit-1:1' });
    await runtime.whenIdle();
    await expect(runtime.startNew('TestWaitForever', { instanceId: id })).rejects.toMatchObject({
      code: 'instance-exists',
    });
    await runtime.terminate(id, 'cancelled by test');
    const status = runtime.getStatus(id);
    expect(status?.runtimeStatus).toBe('Terminated');
    expect(status?.output).toBe('cancelled by test');
    expect(clock.pendingCount).toBe(0);
    await expect(runtime.raiseEvent(id, 'Go', 1)).rejects.toBeInstanceOf(DurableRuntimeError);
    await expect(runtime.raiseEvent('nope', 'Go', 1)).rejects.toMatchObject({ code: 'not-found' });
    await expect(runtime.terminate('nope', 'x')).rejects.toMatchObject({ code: 'not-found' });

    await runtime.startNew('TestWaitForever', { instanceId: id, input: 2 });
    await runtime.whenIdle();
    expect(runtime.getStatus(id)?.runtimeStatus).toBe('Running');
    expect(runtime.listInstances().map((s) => s.instanceId)).toEqual([id]);
  });

  it('marks an orchestrator exception as Failed with its message', async () => {
    const id = await runtime.startNew('TestThrows');
    await runtime.whenIdle();
    const status = runtime.getStatus(id);
    expect(status?.runtimeStatus).toBe('Failed');
    expect(status?.output).toBe('orchestrator exploded');
  });

  it('fails the orchestration when an activity fails without retry and is not caught', async () => {
    middleware = async () => {
      throw new Error('db down');
    };
    const id = await runtime.startNew('TestChain', { input: 's' });
    await runtime.whenIdle();
    const status = runtime.getStatus(id);
    expect(status?.runtimeStatus).toBe('Failed');
    expect(String(status?.output)).toContain('db down');
    expect(events(id).find((e) => e.EventType === EV.TaskFailed)).toMatchObject({ TaskScheduledId: 0 });
  });

  it('supports continueAsNew', async () => {
    const id = await runtime.startNew('TestCounter', { input: 1 });
    expect(await runToCompletion(runtime, clock, id)).toBe('Completed');
    expect(runtime.getStatus(id)?.output).toBe(3);
    expect(clock.now().getTime()).toBe(T0.getTime() + 3 * MINUTE);
  });

  it('numbers parallel tasks and retries like the library (Task.all with retries, then more work)', async () => {
    const failed = new Set<string>();
    middleware = async (name, input, next) => {
      // each retryable input fails once
      if (name === 'TestFlaky' && typeof input === 'string' && !failed.has(input)) {
        failed.add(input);
        throw new Error(`first ${input} fails`);
      }
      return next();
    };
    const id = await runtime.startNew('TestFanOut');
    expect(await runToCompletion(runtime, clock, id)).toBe('Completed');
    expect(runtime.getStatus(id)?.output).toEqual(['ok:p', 'q!', 'ok:r', 'end.']);
    const scheduled = events(id).filter(
      (e) => e.EventType === EV.TaskScheduled || e.EventType === EV.TimerCreated,
    );
    const ids = scheduled.map((e) => e.EventId);
    expect(new Set(ids).size).toBe(ids.length); // every id used once
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('does not schedule an activity twice when a pending task is raced again', async () => {
    let release: (() => void) | undefined;
    middleware = async (name, _input, next) => {
      if (name === 'TestAppend') await new Promise<void>((resolve) => (release = resolve));
      return next();
    };
    const id = await runtime.startNew('TestReawait');
    const settle = async (): Promise<void> => {
      for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    };
    await settle();
    clock.advance(HOUR); // first race lost by the activity
    await settle();
    expect(runtime.getStatus(id)?.runtimeStatus).toBe('Running');
    release?.();
    await runtime.whenIdle();
    expect(runtime.getStatus(id)?.output).toBe('late:slow');
    expect(events(id).filter((e) => e.EventType === EV.TaskScheduled)).toHaveLength(1);
    expect(
      events(id)
        .filter((e) => e.EventType === EV.TimerCreated)
        .map((e) => e.EventId),
    ).toEqual([1, 2]);
  });

  it('rejects unknown orchestrations', async () => {
    await expect(runtime.startNew('NoSuchOrchestration')).rejects.toMatchObject({ code: 'unknown-function' });
  });
});

describe('durable client over HTTP (real df.getClient)', () => {
  let server: Awaited<ReturnType<typeof startDurableRpcServer>>;

  beforeEach(async () => {
    server = await startDurableRpcServer(runtime);
  });
  afterEach(async () => {
    await server.close();
  });

  async function call(
    op: string,
    instanceId: string,
    data?: unknown,
  ): Promise<{ status: number; body: unknown }> {
    const fn = getRegistrations().find((r) => r.name === 'TestDurableOps');
    if (!fn) throw new Error('TestDurableOps not registered');
    const request = new HttpRequest({
      method: 'POST',
      url: `${server.baseUrl}/api/ops`,
      body: { string: JSON.stringify({ op, instanceId, data }) },
      headers: { 'content-type': 'application/json' },
    });
    const context = createInvocationContext(fn, { durableClient: runtime.clientInput(server.baseUrl) });
    const result = (await fn.callback(request, context)) as HttpResponseInit | HttpResponse;
    if (result instanceof HttpResponse) return { status: result.status, body: await result.json() };
    return { status: result.status ?? 200, body: result.jsonBody };
  }

  it('startNew, getStatus, raiseEvent and terminate work through the HTTP API', async () => {
    const started = await call('start', 'http-1', { benefitId: 'b1' });
    expect(started).toEqual({ status: 202, body: { id: 'http-1' } });
    await runtime.whenIdle();

    const running = await call('status', 'http-1');
    expect(running.body).toMatchObject({
      name: 'TestWaitForever',
      instanceId: 'http-1',
      runtimeStatus: 'Running',
      input: { benefitId: 'b1' },
      output: null,
    });

    clock.advance(30 * DAY);
    await runtime.whenIdle();
    expect(await call('raise', 'http-1', { accessId: 'X' })).toEqual({ status: 202, body: undefined });
    await runtime.whenIdle();
    const done = await call('status', 'http-1');
    expect(done.body).toMatchObject({ runtimeStatus: 'Completed', output: { accessId: 'X' } });

    await call('start', 'http-2');
    await runtime.whenIdle();
    await call('terminate', 'http-2');
    expect(runtime.getStatus('http-2')?.runtimeStatus).toBe('Terminated');
    const terminated = await call('status', 'http-2');
    expect(terminated.body).toMatchObject({ runtimeStatus: 'Terminated', output: 'operator said so' });

    expect(server.requests).toEqual([
      'POST /runtime/webhooks/durabletask/orchestrators/TestWaitForever/http-1',
      'GET /runtime/webhooks/durabletask/instances/http-1',
      'POST /runtime/webhooks/durabletask/instances/http-1/raiseEvent/Go',
      'GET /runtime/webhooks/durabletask/instances/http-1',
      'POST /runtime/webhooks/durabletask/orchestrators/TestWaitForever/http-2',
      'POST /runtime/webhooks/durabletask/instances/http-2/terminate?reason=operator%20said%20so',
      'GET /runtime/webhooks/durabletask/instances/http-2',
    ]);
  });

  it('reports client errors: unknown instance, duplicate start', async () => {
    await expect(call('status', 'missing')).rejects.toThrow(/404/);
    await expect(call('raise', 'missing')).rejects.toThrow(/No instance with ID 'missing'/);
    await call('start', 'dup');
    await expect(call('start', 'dup')).rejects.toThrow(/409/);
  });

  it('createCheckStatusResponse links point at this host and are served', async () => {
    await call('start', 'links-1');
    await runtime.whenIdle();
    const check = await call('check', 'links-1');
    const links = check.body as { statusQueryGetUri: string; sendEventPostUri: string };
    expect(
      links.statusQueryGetUri.startsWith(`${server.baseUrl}/runtime/webhooks/durabletask/instances/links-1`),
    ).toBe(true);
    const response = await fetch(links.statusQueryGetUri);
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ instanceId: 'links-1', runtimeStatus: 'Running' });
  });

  it('handleRpc ignores paths outside the durable webhook prefix', async () => {
    expect(await runtime.handleRpc('GET', new URL(`${server.baseUrl}/api/ops`), '')).toBeUndefined();
    expect(
      (
        await runtime.handleRpc(
          'POST',
          new URL(`${server.baseUrl}/runtime/webhooks/durabletask/instances/x/suspend`),
          '',
        )
      )?.status,
    ).toBe(501);
  });
});
