/**
 * Makes `require('@azure/functions-core')` answer with the local stand-in, as the Functions worker does
 * (docs/platform-notes.md). Must run before any module that imports `@azure/functions` is loaded.
 */
import Module from 'node:module';
import * as core from './functionsCore';

let installed = false;

/** Installs the require hook once; returns the core module whose registry receives registrations. */
export function installFunctionsCore(): typeof core {
  if (installed) return core;
  const proto = (Module as unknown as { prototype: { require: (id: string) => unknown } }).prototype;
  const original = proto.require;
  proto.require = function (this: unknown, id: string) {
    if (id === '@azure/functions-core') return core;
    // eslint-disable-next-line prefer-rest-params
    return original.apply(this, arguments as unknown as [string]);
  };
  installed = true;
  return core;
}
