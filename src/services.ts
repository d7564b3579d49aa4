/**
 * The app's dependencies, built once per process from the configuration (cold start builds nothing
 * until the first invocation needs it). The local host installs its own (embedded Cosmos, clock).
 */
import { randomUUID } from 'node:crypto';
import type { Container } from '@azure/cosmos';
import { getConfig, type Config } from './config';
import { systemClock, type Clock } from './domain/clock';
import type { InvocationContext } from '@azure/functions';
import type { AppDeps, DurablePort, MailPort } from './app/ports';
import { durablePort } from './orchestration/durableClient';
import type { EmailSender } from './email/port';
import { TokenValidator } from './http/auth';
import { createCosmosContainer } from './store/cosmos';
import { cosmosQuirks } from './store/ports';
import { BenefitsStore } from './store/store';

/**
 * Everything a handler needs: the use cases' dependencies (src/app/ports.ts) plus the HTTP adapter's token
 * validator. This module is the composition root: it alone builds the production parts.
 */
export interface Services extends AppDeps {
  config: Config;
  clock: Clock;
  store: BenefitsStore;
  email: EmailSender;
  tokens: TokenValidator;
  /** New resource ids (UUID v4). */
  newId: () => string;
  /** The durable client port of one invocation (its function binds the durable client input). */
  durableClient: (context: InvocationContext) => DurablePort;
}

/** Parts the local host may supply instead of the production defaults. */
export interface ServiceOverrides {
  container?: Container;
  clock?: Clock;
  email?: EmailSender;
  /**
   * Source of the retry jitter of the store and of units of work, numbers in [0, 1) (default Math.random; tests pass
   * a seeded one).
   */
  random?: () => number;
}

/** Builds services from settings; production passes no overrides. */
export function createServices(config: Config, overrides: ServiceOverrides = {}): Services {
  const container = overrides.container ?? createCosmosContainer(config);
  const email = overrides.email ?? lazyEmailSender(config);
  return {
    config,
    clock: overrides.clock ?? systemClock,
    store: new BenefitsStore(container, cosmosQuirks(config), overrides.random),
    email,
    mail: composingMailer(email),
    tokens: new TokenValidator({
      issuer: config.AUTH_ISSUER,
      audience: config.AUTH_AUDIENCE,
      jwksUri: config.AUTH_JWKS_URI,
    }),
    newId: randomUUID,
    ...(overrides.random ? { random: overrides.random } : {}),
    durableClient: durablePort,
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

/**
 * The mail port: renders with the email module's templates, then sends with `email`. Templates load with the
 * first email, not at cold start (docs/decisions.md, "Cold start").
 */
function composingMailer(email: EmailSender): MailPort {
  return {
    async send(m) {
      const { composeEmail } = await import('./email');
      await email.send(composeEmail(m.kind, m.locale, m.data, m.to, m.idempotencyKey));
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
