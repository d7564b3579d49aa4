/**
 * Types of the two durable-functions 3.5.0 internals that src/orchestration/durable.ts uses (the library does not
 * export them publicly; test/orchestration/durableSeam.test.ts checks them against the installed version).
 */
declare module 'durable-functions/lib/src/util/testingUtils' {
  import type { FunctionHandler } from '@azure/functions';
  import type { OrchestrationHandler } from 'durable-functions';
  /** What `df.app.orchestration` registers as the handler of `fn`. */
  export function createOrchestrator(fn: OrchestrationHandler): FunctionHandler;
}

declare module 'durable-functions/lib/src/app' {
  import type { FunctionHandler } from '@azure/functions';
  import type { ActivityHandler } from 'durable-functions';
  /** What `df.app.activity` registers as the handler of `handler`. */
  export function wrapActivityHandler(handler: ActivityHandler): FunctionHandler;
}
