/**
 * durable-functions on first use (docs/decisions.md, "Cold start"). Importing durable-functions costs ~100 ms
 * (axios, moment, lodash, validator, mime-db) and no HTTP request but the activation ones needs it, so nothing
 * here imports it at load:
 *
 * - Registration goes through `@azure/functions` with exactly the metadata `df.app.orchestration`,
 *   `df.app.activity` and `df.input.durableClient()` produce (an `orchestrationTrigger` / `activityTrigger` /
 *   `durableClient` binding; durable-functions 3.5.0 does nothing else at registration). The handler registered
 *   loads durable-functions and the user's handler on its first invocation and wraps it as durable-functions does.
 * - The wrappers are durable-functions' own (`createOrchestrator`, `wrapActivityHandler`), which it does not
 *   export publicly: these two internal paths are used behind the exact version pin in package.json, and
 *   test/orchestration/durableSeam.test.ts fails when the installed version moves, when the metadata differs
 *   from what `df.app.*` registers, or when a wrapped handler answers differently from df's own.
 */
import {
  app,
  input,
  trigger,
  type FunctionHandler,
  type FunctionInput,
  type InvocationContext,
} from '@azure/functions';
import type { ActivityHandler, DurableClient, OrchestrationHandler } from 'durable-functions';

/** The durable-functions version whose internals this module uses (also pinned in package.json). */
export const DURABLE_FUNCTIONS_VERSION = '3.5.0';

/**
 * The durable client input binding: what `df.input.durableClient()` returns, without loading durable-functions.
 * @public test/orchestration/durableSeam.test.ts reads it through a lazy require (knip does not follow it); routes
 * bind the same input as `WITH_DURABLE_CLIENT` (src/http/route.ts).
 */
export function durableClientInput(): FunctionInput {
  return input.generic({ type: 'durableClient' });
}

/**
 * `df.getClient(context)`, loading durable-functions on first use.
 * @throws as `df.getClient` does (no durable client input bound to the function).
 */
export async function getDurableClient(context: InvocationContext): Promise<DurableClient> {
  const { getClient } = await import('./durableLibrary');
  return getClient(context);
}

/**
 * Registers an orchestration as `df.app.orchestration(name, handler)` does; `load` supplies the orchestrator
 * function (typically a dynamic import of its module) on the first invocation.
 */
export function registerOrchestration(name: string, load: () => Promise<OrchestrationHandler>): void {
  app.generic(name, {
    trigger: trigger.generic({ type: 'orchestrationTrigger' }),
    handler: onFirstUse(async () => {
      const [{ createOrchestrator }, handler] = await Promise.all([import('./durableLibrary'), load()]);
      return createOrchestrator(handler);
    }),
  });
}

/**
 * Registers an activity as `df.app.activity(name, { handler })` does; `load` supplies the activity function on
 * the first invocation.
 */
export function registerActivity(name: string, load: () => Promise<ActivityHandler>): void {
  app.generic(name, {
    trigger: trigger.generic({ type: 'activityTrigger' }),
    handler: onFirstUse(async () => {
      const [{ wrapActivityHandler }, handler] = await Promise.all([import('./durableLibrary'), load()]);
      return wrapActivityHandler(handler);
    }),
  });
}

/** A handler that builds the real one once, on its first call (a failed build is retried on the next call). */
function onFirstUse(build: () => Promise<FunctionHandler>): FunctionHandler {
  let real: Promise<FunctionHandler> | undefined;
  return async (triggerInput, context) => {
    real ??= build().catch((e: unknown) => {
      real = undefined;
      throw e;
    });
    return (await real)(triggerInput, context);
  };
}
