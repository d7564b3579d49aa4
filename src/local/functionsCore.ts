/**
 * A stand-in for the `@azure/functions-core` module that the Azure Functions Node worker provides.
 * `@azure/functions` v4 calls `registerFunction(metadata, callback)` for every `app.*` registration;
 * here we keep them in a registry so the local host can serve them (docs/platform-notes.md).
 * Node: installed by `installFunctionsCore()`; jest: `moduleNameMapper` in jest.config.js.
 */

/** A binding as the programming model describes it (`type`, `direction`, plus trigger options). */
export interface BindingMetadata {
  type: string;
  direction: 'in' | 'out';
  [key: string]: unknown;
}

/** One captured registration: name, bindings keyed by their (random) names, and the user's handler. */
export interface RegisteredFunction {
  name: string;
  bindings: Record<string, BindingMetadata>;
  retryOptions?: unknown;
  /** The trigger binding (the one whose type ends in `Trigger`). */
  trigger: BindingMetadata;
  callback: (...args: unknown[]) => unknown;
}

/** Mirrors the core module's Disposable. */
export class Disposable {
  #fn: (() => void) | undefined;
  constructor(fn: () => void) {
    this.#fn = fn;
  }
  static from(...items: { dispose(): void }[]): Disposable {
    return new Disposable(() => items.forEach((i) => i.dispose()));
  }
  dispose(): void {
    this.#fn?.();
    this.#fn = undefined;
  }
}

const registry: RegisteredFunction[] = [];

export const version = '3.10.1';
export const hostVersion = '4.1037.0';

/** Called by `@azure/functions` for each `app.*` registration. */
export function registerFunction(
  metadata: { name: string; bindings: Record<string, BindingMetadata>; retryOptions?: unknown },
  callback: (...args: unknown[]) => unknown,
): Disposable {
  const trigger = Object.values(metadata.bindings).find((b) => /trigger$/i.test(b.type));
  if (!trigger) throw new Error(`Function ${metadata.name} has no trigger binding`);
  if (registry.some((r) => r.name === metadata.name)) {
    throw new Error(`A function named "${metadata.name}" is already registered`);
  }
  const entry: RegisteredFunction = { ...metadata, trigger, callback };
  registry.push(entry);
  return new Disposable(() => {
    const i = registry.indexOf(entry);
    if (i >= 0) registry.splice(i, 1);
  });
}

let programmingModel: unknown;
export function setProgrammingModel(pm: unknown): void {
  programmingModel = pm;
}
export function getProgrammingModel(): unknown {
  return programmingModel;
}

/** Hooks (appStart, preInvocation, …) are accepted and not run by the local host. */
export function registerHook(_name: string, _callback: unknown): Disposable {
  return new Disposable(() => undefined);
}

/** System log from the programming model; only warnings and errors are shown locally. */
export function log(level: string, _category: string, message: string): void {
  if (level === 'error' || level === 'critical' || level === 'warning')
    console.warn(`[functions] ${message}`);
}

/** Every registration captured so far, in registration order. */
export function getRegistrations(): readonly RegisteredFunction[] {
  return registry;
}
