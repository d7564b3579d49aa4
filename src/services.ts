/**
 * The app's dependencies, built once per process from the configuration (cold start builds nothing
 * until the first invocation needs it). The local host installs its own (embedded Cosmos, clock).
 */
import { randomUUID } from 'node:crypto';
import type { Container } from '@azure/cosmos';
import { getConfig, type Config } from './config';
import { systemClock, type Clock } from './domain/clock';
import type { EmailSender } from './email/port';
import { TokenValidator } from './http/auth';
import { createCosmosContainer } from './store/cosmos';
import { cosmosQuirks } from './store/ports';
import { BenefitsStore } from './store/store';

/** Everything a handler needs. */
export interface Services {
  config: Config;
  clock: Clock;
  store: BenefitsStore;
  email: EmailSender;
  tokens: TokenValidator;
  /** New resource ids (UUID v4). */
  newId: () => string;
}

/** Parts the local host may supply instead of the production defaults. */
export interface ServiceOverrides {
  container?: Container;
  clock?: Clock;
  email?: EmailSender;
  /** Source of the store's retry jitter, numbers in [0, 1) (default Math.random; tests pass a seeded one). */
  random?: () => number;
}

/** Builds services from settings; production passes no overrides. */
export function createServices(config: Config, overrides: ServiceOverrides = {}): Services {
  const container = overrides.container ?? createCosmosContainer(config);
  return {
    config,
    clock: overrides.clock ?? systemClock,
    store: new BenefitsStore(container, cosmosQuirks(config), overrides.random),
    email: overrides.email ?? lazyEmailSender(config),
    tokens: new TokenValidator({
      issuer: config.AUTH_ISSUER,
      audience: config.AUTH_AUDIENCE,
      jwksUri: config.AUTH_JWKS_URI,
    }),
    newId: randomUUID,
  };
}

/**
 * The configured sender (`createEmailSender`), built on the first send: the email module (templates, outbox, ACS
 * sender) is not loaded at cold start (docs/decisions.md, "Cold start").
 */
function lazyEmailSender(config: Config): EmailSender {
  let sender: Promise<EmailSender> | undefined;
  return {
    async send(message) {
      sender ??= import('./email').then(({ createEmailSender }) => createEmailSender(config));
      return (await sender).send(message);
    },
  };
}

let current: Services | undefined;

/** The process-wide services, built from the environment on first use. */
export function getServices(): Services {
  current ??= createServices(getConfig());
  return current;
}

/** Installs services (local host, tests). */
export function setServices(services: Services | undefined): void {
  current = services;
}
