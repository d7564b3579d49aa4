/**
 * Contract of src/orchestration/durable.ts, which registers the orchestration and activities without loading
 * durable-functions and wraps their handlers with two durable-functions internals on first use. These tests fail
 * when a durable-functions upgrade could break that: a version other than the pinned one, registration metadata
 * that differs from what `df.app.*` / `df.input.durableClient()` produce, or a wrapped handler that answers
 * differently from the one `df.app.*` registers. Real durable-functions replay; no mocks of our modules.
 */
import { jest } from '@jest/globals';
import { InvocationContext } from '@azure/functions';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import type { RegisteredFunction } from '../../src/local/functionsCore';

type Core = typeof import('../../src/local/functionsCore');

/** Registers in a fresh module registry (its own @azure/functions and functions-core) and returns what was registered. */
function registrations(register: () => void): RegisteredFunction[] {
  let out: RegisteredFunction[] = [];
  jest.isolateModules(() => {
    register();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    out = [...(require('@azure/functions-core') as Core).getRegistrations()];
  });
  return out;
}

// The same app twice: once through durable-functions' own API, once through the seam.
const orchestrator: OrchestrationHandler = function* (context: OrchestrationContext) {
  const greeting = yield context.df.callActivity('greet', 'Contoso');
  context.df.setCustomStatus({ step: 'greeted' });
  return greeting;
};
const greet = async (name: unknown) => `Hello ${String(name)}`;
const fails = async () => {
  throw new Error('activity failed on purpose');
};

/* eslint-disable @typescript-eslint/no-require-imports */
const viaDurableFunctions = () =>
  registrations(() => {
    const df = require('durable-functions') as typeof import('durable-functions');
    const { app } = require('@azure/functions') as typeof import('@azure/functions');
    df.app.orchestration('hello', orchestrator);
    df.app.activity('greet', { handler: greet });
    df.app.activity('fails', { handler: fails });
    app.http('start', { route: 'start', extraInputs: [df.input.durableClient()], handler: async () => ({}) });
  });
const viaSeam = () =>
  registrations(() => {
    jest.doMock('durable-functions', () => {
      throw new Error('durable-functions was loaded at registration');
    });
    const seam =
      require('../../src/orchestration/durable') as typeof import('../../src/orchestration/durable');
    const { app } = require('@azure/functions') as typeof import('@azure/functions');
    seam.registerOrchestration('hello', async () => orchestrator);
    seam.registerActivity('greet', async () => greet);
    seam.registerActivity('fails', async () => fails);
    app.http('start', {
      route: 'start',
      extraInputs: [seam.durableClientInput()],
      handler: async () => ({}),
    });
    jest.dontMock('durable-functions');
  });
/* eslint-enable @typescript-eslint/no-require-imports */

const metadata = (r: RegisteredFunction) => ({
  name: r.name,
  bindings: r.bindings,
  retryOptions: r.retryOptions,
});

test('the installed durable-functions is the pinned version whose internals the seam uses', () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));
  const installed = JSON.parse(
    readFileSync(join(__dirname, '..', '..', 'node_modules', 'durable-functions', 'package.json'), 'utf8'),
  ).version;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { DURABLE_FUNCTIONS_VERSION } = require('../../src/orchestration/durable');
  expect(pkg.dependencies['durable-functions']).toBe(DURABLE_FUNCTIONS_VERSION);
  expect(installed).toBe(DURABLE_FUNCTIONS_VERSION);
});

test('registration metadata is byte for byte what df.app.* and df.input.durableClient() register', () => {
  const expected = viaDurableFunctions().map(metadata);
  const actual = viaSeam().map(metadata);
  expect(expected.map((m) => m.name)).toEqual(['hello', 'greet', 'fails', 'start']);
  expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
});

const trigger = (history: unknown[]) =>
  JSON.parse(
    JSON.stringify({
      history,
      input: undefined,
      instanceId: 'seam-1',
      isReplaying: false,
      parentInstanceId: undefined,
      upperSchemaVersion: 3,
      maximumShortTimerDuration: '6.00:00:00',
      longRunningTimerIntervalDuration: '3.00:00:00',
      defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
    }),
  );
const at = '2026-06-01T12:00:00.000Z';
const started = [
  { EventType: 12, EventId: -1, IsPlayed: false, Timestamp: at },
  { EventType: 0, EventId: -1, IsPlayed: false, Timestamp: at, Name: 'hello', Input: 'null' },
];
const scheduled = [
  ...started,
  { EventType: 4, EventId: 0, IsPlayed: false, Timestamp: at, Name: 'greet', Input: '"Contoso"' },
  { EventType: 13, EventId: -1, IsPlayed: false, Timestamp: at },
  { EventType: 12, EventId: -1, IsPlayed: false, Timestamp: at },
  {
    EventType: 5,
    EventId: -1,
    IsPlayed: false,
    Timestamp: at,
    TaskScheduledId: 0,
    Result: '"Hello Contoso"',
  },
];

async function invoke(fn: RegisteredFunction, input: unknown): Promise<unknown> {
  const context = new InvocationContext({ invocationId: 'i', functionName: fn.name });
  try {
    return await fn.callback(input, context);
  } catch (e) {
    return { threw: e instanceof Error ? e.message : String(e) };
  }
}

test('the orchestration handler replays exactly as the one df.app.orchestration registers', async () => {
  const [dfOrchestration] = viaDurableFunctions();
  const [seamOrchestration] = viaSeam();
  for (const history of [started, scheduled]) {
    const expected = await invoke(dfOrchestration, trigger(history));
    // Twice: the first call builds the wrapper, the second reuses it.
    expect(await invoke(seamOrchestration, trigger(history))).toEqual(expected);
    expect(await invoke(seamOrchestration, trigger(history))).toEqual(expected);
  }
  expect(await invoke(seamOrchestration, trigger(scheduled))).toMatchObject({
    isDone: true,
    output: 'Hello Contoso',
    customStatus: { step: 'greeted' },
  });
});

test('activity handlers answer and fail exactly as the ones df.app.activity registers', async () => {
  const [, dfGreet, dfFails] = viaDurableFunctions();
  const [, seamGreet, seamFails] = viaSeam();
  expect(await invoke(seamGreet, 'Fabrikam')).toEqual(await invoke(dfGreet, 'Fabrikam'));
  expect(await invoke(seamGreet, 'Fabrikam')).toBe('Hello Fabrikam');
  const failure = await invoke(dfFails, null);
  expect(failure).toEqual({ threw: 'activity failed on purpose' });
  expect(await invoke(seamFails, null)).toEqual(failure);
});
