/**
 * The store's public surface, grouped by concern: interfaces that `BenefitsStore` implements, so that callers
 * (routes, use cases) can declare the narrow port they need. Methods are named for their intention; none takes
 * SQL or a raw document. Errors are DomainErrors with codes only (the HTTP layer picks statuses).
 */
import type {
  AuditEvent,
  Benefit,
  BenefitCategory,
  BenefitStatus,
  Partner,
  Purchase,
  ServiceRequest,
  User,
} from '../domain/types';
import type { EmailKind, EmailRecipient } from '../email/port';
import type { DocType, Page, Versioned } from './documents';

export type { DocType, Page, Versioned };

/**
 * Paging options of list methods (docs/product.md §9: pageSize 1–100; `continuationToken` is the SDK's own).
 */
export interface PageOptions {
  pageSize: number;
  continuationToken?: string;
}

/** The result of an optimistic read–modify–write: the value as written, its new ETag, and `mutate`'s result. */
export interface Updated<T, R> {
  value: T;
  etag: string;
  result: R | undefined;
}

/** objectId → partner look-up document. */
export interface DirectoryEntry {
  id: string;
  partnerId: string;
  homePartnerId: string;
  userId: string;
}

/**
 * How a Cosmos server departs from Cosmos DB. Production passes nothing (Cosmos DB: no workarounds); the local
 * runtime describes the embedded server's through its settings (`COSMOS_BATCH_ROLLBACK=false`, src/local/host.ts,
 * {@link cosmosQuirks}).
 */
export interface CosmosQuirks {
  /**
   * The server applies a transactional batch's operations in order and stops at the first refusal WITHOUT rolling
   * back the ones before it; the store then deletes what such a batch wrote. Cosmos DB: false.
   */
  batchesWithoutRollback?: boolean;
}

/** The quirks the settings declare (none unless `COSMOS_BATCH_ROLLBACK` is `false`). */
export function cosmosQuirks(config: { COSMOS_BATCH_ROLLBACK?: boolean }): CosmosQuirks {
  return config.COSMOS_BATCH_ROLLBACK === false ? { batchesWithoutRollback: true } : {};
}

/**
 * An `Idempotency-Key` record (docs/product.md §9), `idem:<sha256(caller, route, key)>` in the partner's
 * partition.
 */
export interface IdempotencyRecord {
  id: string;
  partnerId: string;
  /**
   * `in-progress` from the claim; `committed` once the request's unit of work was committed (the transition rides
   * in its batch, src/http/idempotency.ts); `completed` with the response to replay.
   */
  state: 'in-progress' | 'committed' | 'completed';
  /** SHA-256 of the request (URL and parsed body), hex. */
  fingerprint: string;
  /** ISO 8601. */
  createdAt: string;
  /** The response to replay, once completed. */
  response?: { status: number; headers: Record<string, string>; body?: string };
}

/** The stored form of a contact-verification token (docs/product.md §7; the token itself is never stored). */
export interface VerificationTokenRecord {
  /** SHA-256 of the token, hex. */
  id: string;
  /** The global `_tokens` partition. */
  partnerId: '_tokens';
  homePartnerId: string;
  contact: 'marketing' | 'technical';
  email: string;
  userId: string;
  benefitId?: string;
  assignmentId?: string;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601. */
  expiresAt: string;
  /** ISO 8601, once used. */
  usedAt?: string;
}

/**
 * An email owed by a committed change (docs/architecture.md, "One unit of work per mutation"): one document per
 * idempotency key (`outbox:<key>`) in the partition of the partner it concerns, written in the same transactional
 * batch as the change itself. The relay (src/app/outbox.ts) sends it after the commit and records the outcome.
 * Internal: never in a response.
 */
export interface OutboxRecord {
  /** `outbox:<idempotencyKey>`. */
  id: string;
  partnerId: string;
  /** Sending twice with this key delivers once (the provider's operation id; the local outbox's file name). */
  idempotencyKey: string;
  /** What to render and to whom. `data` is dropped once the record is settled (it may hold a verification token). */
  message: { kind: EmailKind; locale?: string; data?: unknown; to: EmailRecipient[] };
  /** `Pending` until sent; `Failed` after the last attempt (audited `email.failed`). */
  status: 'Pending' | 'Sent' | 'Failed';
  /** Send attempts that failed so far. */
  attempts: number;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601: the last change of this record. */
  updatedAt: string;
  /**
   * ISO 8601: no relay tries the record before this instant — the lease of the relay sending it, or the back-off
   * after a failed attempt. At creation, `createdAt`.
   */
  notBefore: string;
  /** The last failure's message. */
  lastError?: string;
  /**
   * Who sends it: absent → the relay (change feed, retry timer); `orchestration` → the activation orchestration's
   * email activity (docs/product.md §6), which retries it with its own back-off and settles a failure with the
   * attempt's; the relay leaves such a record alone (docs/decisions.md, "Activation orchestration").
   */
  owner?: 'orchestration';
}

/** The document types a unit of work may write. */
export type UnitOfWorkDocType = Extract<
  DocType,
  | 'benefit'
  | 'partner'
  | 'user'
  | 'purchase'
  | 'audit'
  | 'serviceRequest'
  | 'outbox'
  | 'notice'
  | 'idempotency'
>;

/**
 * One write of a unit of work, all in one partner's partition: a create (refused when the id exists), a replace
 * conditional on the ETag the value was read with (`previous` is that read value: the store puts it back should a
 * server without batch rollback apply part of the batch, {@link CosmosQuirks}), or a delete conditional on the ETag
 * `value` was read with (the store writes `value` again in that case). A user's create and delete carry its
 * account-email claim (docs/decisions.md, "Data"): the store adds it to the batch.
 */
export type UnitOfWorkWrite =
  | { op: 'create'; type: UnitOfWorkDocType; value: { id: string; partnerId: string } }
  | { op: 'delete'; type: UnitOfWorkDocType; value: { id: string; partnerId: string }; etag: string }
  | {
      op: 'replace';
      type: UnitOfWorkDocType;
      value: { id: string; partnerId: string };
      etag: string;
      previous: { id: string; partnerId: string };
    };

/** What a commit wrote: the new ETag of every document, by id. */
export interface CommitResult {
  etags: Record<string, string>;
}

/** The most operations Cosmos DB takes in one transactional batch. */
export const MAX_BATCH_OPERATIONS = 100;
/** The largest transactional batch request Cosmos DB takes, bytes (2 MB); the store keeps a margin below it. */
export const MAX_BATCH_BYTES = 2 * 1024 * 1024;

/** Commits a unit of work (src/app/unitOfWork.ts): its writes as ONE transactional batch. */
export interface UnitOfWorkRepository {
  commit(partnerId: string, writes: readonly UnitOfWorkWrite[]): Promise<CommitResult>;
}

/** The outbox's records: what the relay reads and settles (src/app/outbox.ts). */
export interface OutboxRepository {
  findOutboxRecord(partnerId: string, id: string): Promise<Versioned<OutboxRecord> | undefined>;
  replaceOutboxRecord(record: OutboxRecord, etag: string): Promise<string>;
  listDueOutboxRecords(dueBeforeIso: string, page: PageOptions): Promise<Page<Versioned<OutboxRecord>>>;
}

/** Partners (organizations) and their membership. */
export interface PartnerRepository {
  getPartner(partnerId: string): Promise<Versioned<Partner> | undefined>;
  createPartner(partner: Partner, firstAdmin: User): Promise<{ partner: Versioned<Partner>; admin: User }>;
  updatePartner<R = undefined>(
    partnerId: string,
    mutate: (p: Partner) => { value: Partner; result?: R },
    options?: { ifMatch?: string; maxAttempts?: number },
  ): Promise<Updated<Partner, R>>;
  replacePartner(value: Partner, etag: string): Promise<Versioned<Partner>>;
  listPartners(page: PageOptions): Promise<Page<Partner>>;
  listPartnersDueForNotice(nowIso: string, page: PageOptions): Promise<Page<Partner>>;
}

/** Users of a partner, the objectId directory and the per-request access read. */
export interface UserRepository {
  getUser(partnerId: string, userId: string): Promise<Versioned<User> | undefined>;
  readPartnerAccess<E = unknown>(
    partnerId: string,
    objectId: string,
    extra?: { type: DocType; id: string },
  ): Promise<{ user?: Versioned<User>; partner?: Versioned<Partner>; extra?: Versioned<E> }>;
  findDirectoryEntry(objectId: string): Promise<DirectoryEntry | undefined>;
  createUser(user: User): Promise<Versioned<User>>;
  claimDirectoryEntry(user: User): Promise<boolean>;
  releaseDirectoryEntry(objectId: string): Promise<void>;
  listUsers(partnerId: string, page: PageOptions): Promise<Page<User>>;
  listUsersWithRole(partnerId: string, role: User['roles'][number]): Promise<User[]>;
}

/** Purchases and the benefits they provision. */
export interface BenefitRepository {
  createPurchase(purchase: Purchase, benefits: Benefit[]): Promise<void>;
  getPurchase(partnerId: string, purchaseId: string): Promise<Versioned<Purchase> | undefined>;
  readPurchaseWithBenefits(
    partnerId: string,
    purchaseId: string,
  ): Promise<{
    partner?: Versioned<Partner>;
    purchase?: Versioned<Purchase>;
    benefits: Array<Versioned<Benefit>>;
  }>;
  listPurchases(partnerId: string, page: PageOptions): Promise<Page<Purchase>>;
  updatePurchase<R = undefined>(
    partnerId: string,
    purchaseId: string,
    mutate: (p: Purchase) => { value: Purchase; result?: R },
    options?: { ifMatch?: string },
  ): Promise<Updated<Purchase, R>>;
  getBenefit(partnerId: string, benefitId: string): Promise<Versioned<Benefit> | undefined>;
  listBenefits(
    partnerId: string,
    filter: {
      category?: BenefitCategory;
      status?: BenefitStatus;
      purchaseId?: string;
      q?: string;
      /** ISO 8601: only benefits whose `expiresAt` is at or before it. */
      expiresBefore?: string;
    },
    page: PageOptions,
  ): Promise<Page<Benefit>>;
  listBenefitsOfPurchase(partnerId: string, purchaseId: string): Promise<Benefit[]>;
  listBenefitsAssignedTo(partnerId: string, userId: string): Promise<Array<Versioned<Benefit>>>;
  listPendingBenefits(partnerId: string): Promise<Benefit[]>;
  listBenefitsAwaitingActivation(status: BenefitStatus, page: PageOptions): Promise<Page<Benefit>>;
  listBenefitsDueForNotice(nowIso: string, page: PageOptions): Promise<Page<Benefit>>;
  listExpiredBenefits(nowIso: string, page: PageOptions): Promise<Page<Versioned<Benefit>>>;
  updateBenefit<R = undefined>(
    partnerId: string,
    benefitId: string,
    mutate: (b: Benefit) => { value: Benefit; result?: R },
    options?: { ifMatch?: string; maxAttempts?: number },
  ): Promise<Updated<Benefit, R>>;
  replaceBenefit(value: Benefit, etag: string): Promise<Versioned<Benefit>>;
}

/** Service requests (cancellation, advisory hours, support incidents). */
export interface ServiceRequestRepository {
  listServiceRequests(partnerId: string, page: PageOptions): Promise<Page<ServiceRequest>>;
}

/** The audit trail (docs/product.md §9: every mutation writes one event). */
export interface AuditRepository {
  listAuditEvents(partnerId: string, page: PageOptions): Promise<Page<AuditEvent>>;
}

/** `Idempotency-Key` records (the replay logic stays in src/http/idempotency.ts). */
export interface IdempotencyRepository {
  findIdempotencyRecord(partnerId: string, id: string): Promise<Versioned<IdempotencyRecord> | undefined>;
  claimIdempotencyKey(record: IdempotencyRecord, replacing?: string): Promise<string>;
  completeIdempotencyRecord(record: IdempotencyRecord, etag: string): Promise<void>;
  releaseIdempotencyKey(partnerId: string, id: string, keepCommitted?: boolean): Promise<void>;
}

/** Contact-verification tokens (issuing and checking: the use cases of src/app/contactOnboarding.ts). */
export interface VerificationTokenRepository {
  saveVerificationToken(record: VerificationTokenRecord): Promise<void>;
  findVerificationToken(tokenHash: string): Promise<Versioned<VerificationTokenRecord> | undefined>;
  consumeVerificationToken(
    found: Versioned<VerificationTokenRecord>,
    usedAtIso: string,
  ): Promise<VerificationTokenRecord>;
}

/** Notice records: one per due notice, the claim that makes each notice go out once (docs/product.md §12). */
export interface NoticeRepository {
  createNoticeRecord<T extends { id: string; partnerId: string }>(record: T): Promise<string>;
  findNoticeRecord<T>(partnerId: string, id: string): Promise<Versioned<T> | undefined>;
  replaceNoticeRecord<T extends { id: string; partnerId: string }>(record: T, etag: string): Promise<string>;
}

/** Service-wide settings kept with the data. */
export interface SettingsRepository {
  sharedSecret(name: string): Promise<Buffer>;
}
