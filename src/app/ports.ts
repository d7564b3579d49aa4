/**
 * The ports of the application layer (docs/architecture.md): what the use cases in `src/app` need from the
 * outside, as interfaces. The composition root (`src/services.ts`) supplies the production parts; the local host
 * supplies its overrides; unit tests (test/app) supply in-memory fakes.
 *
 * The store port is the store's repositories (src/store/ports.ts, type-only): intention-named methods, no SQL, no
 * raw documents (docs/decisions.md, "Application layer").
 */
import type { Config } from '../config';
import type { Clock } from '../domain/clock';
import type { Partner, User } from '../domain/types';
import type { EmailKind, EmailRecipient, EmailSender } from '../email/port';
import type { EmailTemplateData } from '../email/templates';
import type {
  AuditRepository,
  BenefitRepository,
  IdempotencyRepository,
  NoticeRepository,
  OutboxRepository,
  PartnerRepository,
  ServiceRequestRepository,
  SettingsRepository,
  UnitOfWorkRepository,
  UserRepository,
  VerificationTokenRepository,
} from '../store/ports';

export type { EmailKind, EmailRecipient } from '../email/port';
export type { EmailTemplateData } from '../email/templates';
export type {
  OutboxRecord,
  Page,
  PageOptions,
  UnitOfWorkDocType,
  UnitOfWorkWrite,
  VerificationTokenRecord,
  Versioned,
} from '../store/ports';

/** The settings the use cases read (durations, budgets, public URLs). */
export type AppConfig = Config;

/**
 * The store port: the store's intention-named repositories (partition key /partnerId, ETags; errors are
 * DomainErrors with codes only — `not-found`, `precondition-failed`, `conflict`).
 */
export type StorePort = PartnerRepository &
  UserRepository &
  BenefitRepository &
  ServiceRequestRepository &
  AuditRepository &
  IdempotencyRepository &
  VerificationTokenRepository &
  NoticeRepository &
  SettingsRepository &
  UnitOfWorkRepository &
  OutboxRepository;

/**
 * Renders one email of `kind` in `locale` (undefined → en-US) and sends it; sending twice with one
 * `idempotencyKey` delivers once (docs/product.md §7).
 * @throws EmailSendError when the provider refuses or fails.
 */
export interface MailPort {
  send<K extends EmailKind>(message: {
    kind: K;
    locale: string | undefined;
    data: EmailTemplateData[K];
    to: EmailRecipient[];
    idempotencyKey: string;
  }): Promise<void>;
}

/** Who acts: a signed-in caller (user or operator) or the system (timer, orchestration). */
export interface Actor {
  objectId: string;
  isOperator: boolean;
}

/** Who calls a partner use case: the token's actor, the caller's user document in the partner, and the partner. */
export interface PartnerCaller {
  actor: Actor;
  user: User;
  partner: Partner;
}

/** The dependencies every use case may take: `(deps, command)`. */
export interface AppDeps {
  config: AppConfig;
  clock: Clock;
  store: StorePort;
  /** The raw sender (kept for the local host's outbox); use cases send through `mail`. */
  email: EmailSender;
  mail: MailPort;
  /** New resource ids (UUID v4). */
  newId: () => string;
  /**
   * Source of the jitter of retried units of work, numbers in [0, 1) (default `Math.random`; tests pass a seeded
   * one so that a race replays the same pauses).
   */
  random?: () => number;
}

/**
 * The durable client port (docs/product.md §6): start an orchestration, raise an event, read its status,
 * terminate it. The adapter in src/orchestration wraps `df.getClient`.
 */
export interface DurablePort {
  start(orchestrator: string, instanceId: string, input: unknown): Promise<string>;
  raiseEvent(instanceId: string, eventName: string, data: unknown): Promise<void>;
  /** The instance's runtime status (`Running`, `Completed`, `Failed`, `Terminated`, …), `Unknown` when there is none. */
  runtimeStatus(instanceId: string): Promise<string>;
  terminate(instanceId: string, reason: string): Promise<void>;
}
