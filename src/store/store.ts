/**
 * Repositories of the partner-benefits service over one Cosmos DB container (partition key `/partnerId`).
 *
 * Layout (docs/decisions.md): a partner's documents share the partition `partnerId`:
 * the partner (`id` = partnerId), users (`user:<objectId>`), account-email claims (`email:<lowercased>`),
 * purchases, benefits, service requests, audit events and idempotency records (`idem:<hash>`).
 * Two global partitions hold look-ups that start without a partner: `_directory` (objectId → partnerId,
 * for `GET /api/me`) and `_tokens` (contact-verification token hash → contact).
 */
import { randomBytes } from 'node:crypto';
import type { Container, JSONObject, SqlParameter } from '@azure/cosmos';
import { DomainError } from '../domain/errors';
import { withBenefitNoticeSchedule, withMembershipNoticeSchedule } from '../domain/notices';
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
import { Documents, strip, type DocType, type Page, type Versioned } from './documents';
import {
  MAX_BATCH_BYTES,
  MAX_BATCH_OPERATIONS,
  type BenefitRepository,
  type CommitResult,
  type OutboxRecord,
  type OutboxRepository,
  type UnitOfWorkRepository,
  type UnitOfWorkWrite,
  type CosmosQuirks,
  type DirectoryEntry,
  type IdempotencyRecord,
  type IdempotencyRepository,
  type NoticeRepository,
  type PageOptions,
  type PartnerRepository,
  type ServiceRequestRepository,
  type AuditRepository,
  type SettingsRepository,
  type UserRepository,
  type VerificationTokenRecord,
  type VerificationTokenRepository,
} from './ports';

const DIRECTORY_PARTITION = '_directory';
const TOKENS_PARTITION = '_tokens';
/** Service-wide settings kept with the data (e.g. the continuation-token key), shared by every instance. */
const CONFIG_PARTITION = '_config';

export type { DirectoryEntry, PageOptions } from './ports';

const userDocId = (objectId: string) => `user:${objectId}`;
const emailClaimId = (email: string) => `email:${email.trim().toLowerCase()}`;

type Stored<T> = T & { partnerId: string; id: string };

/**
 * Typed repositories with intention-named methods (the interfaces of ./ports.ts); see the module comment for the
 * document layout. The raw document layer (./documents.ts) is private: only src/local and tests reach it, through
 * `rawDocuments` (./raw.ts).
 */
export class BenefitsStore
  implements
    PartnerRepository,
    UserRepository,
    BenefitRepository,
    ServiceRequestRepository,
    AuditRepository,
    IdempotencyRepository,
    VerificationTokenRepository,
    NoticeRepository,
    SettingsRepository,
    UnitOfWorkRepository,
    OutboxRepository
{
  private readonly docs: Documents;
  private readonly quirks: Required<CosmosQuirks>;

  /**
   * @param container the app's container (partition key `/partnerId`).
   * @param quirks how the Cosmos server departs from Cosmos DB; the default is Cosmos DB itself (no workarounds).
   *   Only the local runtime (src/local) passes the embedded server's quirks.
   * @param random source of the retry jitter of conditional updates, numbers in [0, 1) (default `Math.random`;
   *   tests pass a seeded one so that a race replays the same pauses).
   */
  constructor(container: Container, quirks: CosmosQuirks = {}, random: () => number = Math.random) {
    this.docs = new Documents(container, random);
    this.quirks = { batchesWithoutRollback: false, ...quirks };
  }

  // ---- partners -------------------------------------------------------------------------------

  /** Point read of a partner; undefined when absent. */
  async getPartner(partnerId: string): Promise<Versioned<Partner> | undefined> {
    if (partnerId.startsWith('_')) return undefined;
    return this.readTyped<Partner>('partner', partnerId, partnerId);
  }

  /**
   * Creates a partner with its first GlobalAdmin (docs/product.md §9 `POST /api/operator/partners`).
   * @throws DomainError `conflict` when the partner id exists, `user-exists` when the admin's objectId
   *   already belongs to a partner. Nothing is left behind on failure.
   */
  async createPartner(
    partner: Partner,
    firstAdmin: User,
  ): Promise<{ partner: Versioned<Partner>; admin: User }> {
    partner = withMembershipNoticeSchedule(partner);
    const created = await this.docs.create('partner', { ...partner, partnerId: partner.id });
    try {
      await this.createUser(firstAdmin);
    } catch (e) {
      await this.docs.delete(partner.id, partner.id);
      throw e;
    }
    return { partner: { value: partner, etag: created.etag }, admin: firstAdmin };
  }

  /**
   * Optimistic read–modify–write of a partner (see Documents.update). The membership notice schedule
   * (`nextNoticeAt`, docs/product.md §12) is recomputed from the written value.
   */
  async updatePartner<R = undefined>(
    partnerId: string,
    mutate: (p: Partner) => { value: Partner; result?: R },
    options: { ifMatch?: string; maxAttempts?: number } = {},
  ) {
    return this.docs.update<Stored<Partner>, R>(
      'partner',
      partnerId,
      partnerId,
      (p) => {
        const out = mutate(p);
        return { value: { ...withMembershipNoticeSchedule(out.value), partnerId }, result: out.result };
      },
      options,
    );
  }

  /**
   * One page of the partners whose next membership notice is due (`nextNoticeAt <= now`,
   * docs/product.md §12), across partners. A range filter on one indexed field: its cost grows with the
   * partners due, not with all partners.
   */
  async listPartnersDueForNotice(nowIso: string, page: PageOptions): Promise<Page<Partner>> {
    return this.docs.queryPage<Partner>(
      'SELECT * FROM c WHERE c.type = @t AND c.nextNoticeAt <= @now',
      [
        { name: '@t', value: 'partner' },
        { name: '@now', value: nowIso },
      ],
      page,
    );
  }

  /**
   * One page of the `Active` benefits whose next notice is due (`nextNoticeAt <= now`, docs/product.md §12),
   * across partners. A range filter on one indexed field: its cost grows with the benefits due, not with all
   * benefits.
   */
  async listBenefitsDueForNotice(nowIso: string, page: PageOptions): Promise<Page<Benefit>> {
    return this.docs.queryPage<Benefit>(
      'SELECT * FROM c WHERE c.type = @t AND c.nextNoticeAt <= @now AND c.status = @s',
      [
        { name: '@t', value: 'benefit' },
        { name: '@now', value: nowIso },
        { name: '@s', value: 'Active' },
      ],
      page,
    );
  }

  // ---- users ----------------------------------------------------------------------------------

  /** Point read of a user by id (= objectId) within a partner. */
  async getUser(partnerId: string, userId: string): Promise<Versioned<User> | undefined> {
    return this.readTyped<User>('user', partnerId, userDocId(userId));
  }

  /**
   * What every partner route needs before its own work, in ONE round trip (a transactional batch of reads in the
   * partner's partition): the caller's user document, the partner, and optionally one more document of that
   * partition the route reads anyway (e.g. the benefit of `GET …/benefits/{id}`). Strongly consistent, no cache.
   * When Cosmos DB stops the batch at a missing `extra` (a 404 makes it answer 424 for the reads after it), the
   * user and the partner are read again without it: two round trips, on that path only.
   * @returns `user` / `partner` undefined when absent (or `partnerId` is a global partition); `extra` undefined
   *   when absent or not requested.
   */
  async readPartnerAccess<E = unknown>(
    partnerId: string,
    objectId: string,
    extra?: { type: DocType; id: string },
  ): Promise<{ user?: Versioned<User>; partner?: Versioned<Partner>; extra?: Versioned<E> }> {
    if (partnerId.startsWith('_')) return {};
    const access = [
      { id: userDocId(objectId), type: 'user' as const },
      { id: partnerId, type: 'partner' as const },
    ];
    // The extra document first: when it is missing, the user and the partner come back 424 — from Cosmos DB and
    // from the embedded server alike — and are read again, so that path is the same (and tested) on both.
    const read = await this.docs.readMany(partnerId, extra ? [extra, ...access] : access);
    const other = extra ? read[0] : undefined;
    let [user, partner] = read.slice(extra ? 1 : 0);
    const decided = user.state === 'absent' || partner.state === 'absent';
    if (!decided && (user.state === 'unknown' || partner.state === 'unknown')) {
      [user, partner] = await this.docs.readMany(partnerId, access);
    }
    const found = <T>(r: typeof user | undefined) =>
      r?.state === 'found' ? (r.value as Versioned<T>) : undefined;
    const userDoc = found<User>(user);
    return {
      user: userDoc && { value: fromUserDoc(userDoc.value), etag: userDoc.etag },
      partner: found<Partner>(partner),
      extra: found<E>(other),
    };
  }

  /** objectId → its partner (one point read in the directory partition). */
  async findDirectoryEntry(objectId: string): Promise<DirectoryEntry | undefined> {
    const entry = await this.readTyped<DirectoryEntry>('directory', DIRECTORY_PARTITION, objectId);
    return entry?.value;
  }

  /**
   * Creates a user (docs/product.md §5: accountEmail unique in the partner; one objectId belongs to one
   * partner). Claims the email, then the objectId in the directory, then writes the user; undoes the claims
   * on failure.
   * @throws DomainError `user-exists`.
   */
  async createUser(user: User): Promise<Versioned<User>> {
    const claim = { id: emailClaimId(user.accountEmail), partnerId: user.partnerId, userId: user.id };
    await this.docs.create(
      'emailClaim',
      claim,
      () => new DomainError('user-exists', `A user with account email ${user.accountEmail} already exists`),
    );
    try {
      await this.docs.create<DirectoryEntry>(
        'directory',
        { id: user.objectId, partnerId: DIRECTORY_PARTITION, homePartnerId: user.partnerId, userId: user.id },
        () => new DomainError('user-exists', `A user with object id ${user.objectId} already exists`),
      );
      try {
        const created = await this.docs.create(
          'user',
          { ...user, id: userDocId(user.id) },
          () => new DomainError('user-exists', `A user with object id ${user.objectId} already exists`),
        );
        return { value: user, etag: created.etag };
      } catch (e) {
        await this.docs.delete(DIRECTORY_PARTITION, user.objectId);
        throw e;
      }
    } catch (e) {
      await this.docs.delete(user.partnerId, claim.id);
      throw e;
    }
  }

  /**
   * Claims `user.objectId` in the directory (the global `_directory` partition: one object id belongs to one partner,
   * docs/decisions.md "Data") before the unit of work that creates the user commits; a unit that does not commit
   * leaves an entry without its user, which the next claim takes over. An entry for the same partner and user is
   * taken as is (a retry; the unit of work's user create decides whether the user exists). An entry whose user does
   * not exist in its home partner (a claim whose unit did not commit, or a removal that stopped before its release)
   * is taken over by a conditional replace. Round trips: one create (+ a read of the entry and of its user, and a
   * replace, when it exists).
   * @returns true when this call wrote the entry (the caller releases it should its unit of work fail).
   * @throws DomainError `user-exists` when the object id belongs to a user (of another partner).
   */
  async claimDirectoryEntry(user: User): Promise<boolean> {
    const entry: DirectoryEntry = {
      id: user.objectId,
      partnerId: DIRECTORY_PARTITION,
      homePartnerId: user.partnerId,
      userId: user.id,
    };
    const taken = () =>
      new DomainError('user-exists', `A user with object id ${user.objectId} already exists`);
    try {
      await this.docs.create('directory', entry, taken);
      return true;
    } catch (e) {
      if (!(e instanceof DomainError && e.code === 'user-exists')) throw e;
    }
    const found = await this.readTyped<DirectoryEntry>('directory', DIRECTORY_PARTITION, user.objectId);
    if (!found) return this.claimDirectoryEntry(user);
    const { homePartnerId, userId } = found.value;
    if (homePartnerId === user.partnerId && userId === user.id) return false;
    if (await this.getUser(homePartnerId, userId)) throw taken();
    try {
      await this.docs.replace('directory', entry, found.etag);
    } catch (e) {
      if (e instanceof DomainError && (e.code === 'precondition-failed' || e.code === 'not-found'))
        throw taken();
      throw e;
    }
    return true;
  }

  /**
   * Releases `objectId` in the directory, after the unit of work that removed its user (or that failed to create
   * it). Absent is fine. One round trip.
   */
  async releaseDirectoryEntry(objectId: string): Promise<void> {
    await this.docs.delete(DIRECTORY_PARTITION, objectId);
  }

  /**
   * Every benefit of a partner with an assignment (active or ended) of `userId`, with its ETag (one query; what a
   * user's removal replaces conditionally, and `GET /api/me` lists).
   */
  async listBenefitsAssignedTo(partnerId: string, userId: string): Promise<Array<Versioned<Benefit>>> {
    return this.docs.queryAllVersioned<Benefit>(
      'SELECT * FROM c WHERE c.type = @t AND ARRAY_CONTAINS(c.assignments, { "userId": @u }, true)',
      [
        { name: '@t', value: 'benefit' },
        { name: '@u', value: userId },
      ],
      partnerId,
    );
  }

  /** A page of a partner's users, by display name (one query request). */
  async listUsers(partnerId: string, page: PageOptions): Promise<Page<User>> {
    const res = await this.pageOfType<User>('user', partnerId, page, 'c.displayName ASC');
    return { ...res, items: res.items.map(fromUserDoc) };
  }

  // ---- purchases and benefits -------------------------------------------------------------------

  /**
   * Writes a purchase and the benefits it provisions as one transactional batch per 100 documents (all in the
   * partner's partition): in Cosmos DB a batch is all or nothing and one round trip. A purchase has far fewer
   * than 100 benefits, so in practice it is one atomic batch. Should a later chunk fail, the chunks written before
   * are deleted again; on a server without batch rollback ({@link CosmosQuirks}, the embedded server) so are the
   * operations of the refused batch that it applied — a purchase is all or nothing either way.
   * @throws Error naming the failing status when a write is refused (the caller answers 5xx; nothing is left).
   */
  async createPurchase(purchase: Purchase, benefits: Benefit[]): Promise<void> {
    const docs: Array<{ type: DocType; value: { id: string; partnerId: string } }> = [
      ...benefits.map((b) => ({ type: 'benefit' as const, value: withBenefitNoticeSchedule(b) })),
      { type: 'purchase', value: purchase },
    ];
    const written: string[] = [];
    try {
      for (let i = 0; i < docs.length; i += 100) {
        const chunk = docs.slice(i, i + 100);
        const response = await this.docs.container.items.batch(
          chunk.map((d) => ({
            operationType: 'Create' as const,
            resourceBody: { ...d.value, type: d.type },
          })),
          purchase.partnerId,
        );
        const results = response.result ?? [];
        // The operation that failed (the others of a rolled-back batch answer 424 Failed Dependency).
        const failed = results.find((r) => r.statusCode >= 300 && r.statusCode !== 424);
        const refused = !!failed || (response.code ?? 200) >= 300 || results.length !== chunk.length;
        // Cosmos DB wrote all of an accepted batch and nothing of a refused one; a server without rollback
        // (quirk) wrote the operations that succeeded.
        if (!refused || this.quirks.batchesWithoutRollback) {
          chunk.forEach((d, j) => {
            const status = results[j]?.statusCode ?? 0;
            if (status >= 200 && status < 300) written.push(d.value.id);
          });
        }
        if (refused)
          throw new Error(`batch create failed with status ${failed?.statusCode ?? response.code ?? 'none'}`);
      }
    } catch (e) {
      await Promise.all(written.map((id) => this.docs.delete(purchase.partnerId, id)));
      throw e;
    }
  }

  async getPurchase(partnerId: string, purchaseId: string): Promise<Versioned<Purchase> | undefined> {
    return this.readTyped<Purchase>('purchase', partnerId, purchaseId);
  }

  /**
   * A purchase, its benefits and its partner, each with its ETag, in ONE query of the partner's partition: what a
   * cancellation decides on and writes conditionally (src/app/cancelPurchase.ts). A purchase has few benefits.
   */
  async readPurchaseWithBenefits(
    partnerId: string,
    purchaseId: string,
  ): Promise<{
    partner?: Versioned<Partner>;
    purchase?: Versioned<Purchase>;
    benefits: Array<Versioned<Benefit>>;
  }> {
    const docs = await this.docs.queryAllVersioned<Record<string, unknown>>(
      'SELECT * FROM c WHERE (c.type = @purchase AND c.id = @id) OR (c.type = @benefit AND c.purchaseId = @id) ' +
        'OR (c.type = @partner AND c.id = @partnerId)',
      [
        { name: '@purchase', value: 'purchase' },
        { name: '@benefit', value: 'benefit' },
        { name: '@partner', value: 'partner' },
        { name: '@id', value: purchaseId },
        { name: '@partnerId', value: partnerId },
      ],
      partnerId,
    );
    // `type` is stripped on read: the kinds are told apart by their ids and fields.
    const partner = docs.find((d) => d.value.id === partnerId) as Versioned<Partner> | undefined;
    const purchase = docs.find((d) => d.value.id === purchaseId && d.value.id !== partnerId) as
      Versioned<Purchase> | undefined;
    const benefits = docs.filter(
      (d) => d.value.purchaseId === purchaseId && d.value.id !== purchaseId,
    ) as unknown as Array<Versioned<Benefit>>;
    return { partner, purchase, benefits };
  }

  /** A page of a partner's purchases, newest first (docs/product.md §9; one query request). */
  async listPurchases(partnerId: string, page: PageOptions): Promise<Page<Purchase>> {
    return this.pageOfType<Purchase>('purchase', partnerId, page, 'c.purchasedAt DESC');
  }

  async updatePurchase<R = undefined>(
    partnerId: string,
    purchaseId: string,
    mutate: (p: Purchase) => { value: Purchase; result?: R },
    options: { ifMatch?: string } = {},
  ) {
    return this.docs.update<Purchase, R>('purchase', partnerId, purchaseId, mutate, {
      ...options,
      notFound: () => new DomainError('not-found', `Purchase ${purchaseId} does not exist`),
    });
  }

  /** Point read of a benefit (one round trip). */
  async getBenefit(partnerId: string, benefitId: string): Promise<Versioned<Benefit> | undefined> {
    return this.readTyped<Benefit>('benefit', partnerId, benefitId);
  }

  /**
   * One page of a partner's benefits by category, then product name (docs/product.md §9), optionally filtered
   * (one query request). `q` matches the product or offer name case-insensitively
   * (`CONTAINS(LOWER(…), lower(q))`: the embedded server has no 3-argument CONTAINS, and LOWER needs no
   * stored search field). The order needs the composite index (category, productName) that `ensureContainer`
   * and infra/ define.
   */
  async listBenefits(
    partnerId: string,
    filter: {
      category?: BenefitCategory;
      status?: BenefitStatus;
      purchaseId?: string;
      q?: string;
      /** ISO 8601: only benefits whose `expiresAt` is at or before it (docs/product.md §12 "Expiring soon"). */
      expiresBefore?: string;
    },
    page: PageOptions,
  ): Promise<Page<Benefit>> {
    const where = ['c.type = @t'];
    const parameters: SqlParameter[] = [{ name: '@t', value: 'benefit' }];
    if (filter.category) {
      where.push('c.category = @category');
      parameters.push({ name: '@category', value: filter.category });
    }
    if (filter.status) {
      where.push('c.status = @status');
      parameters.push({ name: '@status', value: filter.status });
    }
    if (filter.purchaseId) {
      where.push('c.purchaseId = @purchase');
      parameters.push({ name: '@purchase', value: filter.purchaseId });
    }
    if (filter.expiresBefore) {
      // Stored instants are `Date#toISOString` shaped, so they compare as strings.
      where.push('IS_DEFINED(c.expiresAt) AND c.expiresAt <= @before');
      parameters.push({ name: '@before', value: new Date(filter.expiresBefore).toISOString() });
    }
    if (filter.q) {
      where.push(
        '(CONTAINS(LOWER(c.productName), @q) OR (IS_DEFINED(c.offerType) AND CONTAINS(LOWER(c.offerType), @q)))',
      );
      parameters.push({ name: '@q', value: filter.q.toLowerCase() });
    }
    return this.docs.queryPage<Benefit>(
      `SELECT * FROM c WHERE ${where.join(' AND ')} ORDER BY c.category ASC, c.productName ASC`,
      parameters,
      { partitionKey: partnerId, ...page },
    );
  }

  /** Every benefit of a purchase (bounded by the package size). */
  async listBenefitsOfPurchase(partnerId: string, purchaseId: string): Promise<Benefit[]> {
    return this.docs.queryAll<Benefit>(
      'SELECT * FROM c WHERE c.type = @t AND c.purchaseId = @purchase',
      [
        { name: '@t', value: 'benefit' },
        { name: '@purchase', value: purchaseId },
      ],
      partnerId,
    );
  }

  /**
   * Optimistic read–modify–write of one benefit (the seat invariant lives on this one document). The notice
   * schedule (`nextNoticeAt`, the last-seat episode; docs/product.md §12) is recomputed from the written
   * value.
   */
  async updateBenefit<R = undefined>(
    partnerId: string,
    benefitId: string,
    mutate: (b: Benefit) => { value: Benefit; result?: R },
    options: { ifMatch?: string; maxAttempts?: number } = {},
  ) {
    const scheduled = (b: Benefit) => {
      const out = mutate(b);
      return { value: withBenefitNoticeSchedule(out.value), result: out.result };
    };
    return this.docs.update<Benefit, R>('benefit', partnerId, benefitId, scheduled, {
      ...options,
      notFound: () => new DomainError('not-found', `Benefit ${benefitId} does not exist`),
    });
  }

  /**
   * One page of the expiry sweep's work, across partners (docs/product.md §8): `Active` benefits with
   * `expiresAt <= now`, with their ETags (the sweep's unit of work replaces them conditionally without reading them
   * again). The query is selective, so its cost grows with the due count, not with all benefits.
   */
  async listExpiredBenefits(nowIso: string, page: PageOptions): Promise<Page<Versioned<Benefit>>> {
    return this.docs.queryVersionedPage<Benefit>(
      'SELECT * FROM c WHERE c.type = @t AND c.status = @s AND c.expiresAt <= @now',
      [
        { name: '@t', value: 'benefit' },
        { name: '@s', value: 'Active' },
        { name: '@now', value: nowIso },
      ],
      page,
    );
  }

  /**
   * Replaces a benefit only if its ETag still matches (one round trip); the notice schedule is recomputed.
   * @throws DomainError `precondition-failed` when it changed, `not-found` when it is gone.
   */
  async replaceBenefit(value: Benefit, etag: string): Promise<Versioned<Benefit>> {
    return this.docs.replace('benefit', withBenefitNoticeSchedule(value), etag);
  }

  // ---- service requests, audit -------------------------------------------------------------------

  /** A page of a partner's audit events, newest first (docs/product.md §9; one query request). */
  async listAuditEvents(partnerId: string, page: PageOptions): Promise<Page<AuditEvent>> {
    return this.pageOfType<AuditEvent>('audit', partnerId, page, 'c.at DESC');
  }

  // ---- service-wide secrets ---------------------------------------------------------------------

  /**
   * A random 256-bit secret named `name`, kept in the `_config` partition and created on first use, so every
   * instance of the app (and every restart) uses the same one. Concurrent first uses agree: the create is
   * conditional (409 → read the winner's). Round trips: one read; on first use one create (+ one read on a race).
   * @returns the secret's bytes.
   */
  async sharedSecret(name: string): Promise<Buffer> {
    const read = async () =>
      (await this.docs.read<{ secret: string }>(CONFIG_PARTITION, name, 'config'))?.value.secret;
    let secret = await read();
    if (secret === undefined) {
      const fresh = randomBytes(32).toString('base64');
      try {
        await this.docs.create('config', { id: name, partnerId: CONFIG_PARTITION, secret: fresh });
        secret = fresh;
      } catch (e) {
        if (!(e instanceof DomainError && e.code === 'conflict')) throw e;
        secret = await read();
      }
    }
    if (secret === undefined) throw new Error(`The shared secret ${name} could not be read or created`);
    return Buffer.from(secret, 'base64');
  }

  // ---- helpers ----------------------------------------------------------------------------------

  /**
   * One page of a partner's documents of one type (one query request, its partition only), ordered by `orderBy`
   * (e.g. `c.createdAt DESC`; a single property, served by the default range index).
   */
  private pageOfType<T>(
    type: DocType,
    partnerId: string,
    page: PageOptions,
    orderBy: string,
  ): Promise<Page<T>> {
    return this.docs.queryPage<T>(
      `SELECT * FROM c WHERE c.type = @t ORDER BY ${orderBy}`,
      [{ name: '@t', value: type }],
      { partitionKey: partnerId, ...page },
    );
  }

  /** Point read that also checks the document's type (ids are unique per partition, not per type). */
  async readTyped<T>(type: DocType, partnerId: string, id: string): Promise<Versioned<T> | undefined> {
    const res = await this.docs.read<T>(partnerId, id, type);
    if (!res || type !== 'user') return res;
    return { value: fromUserDoc(res.value as unknown as User) as T, etag: res.etag };
  }

  // ---- users by role ------------------------------------------------------------------------

  /** Every user of a partner holding `role` (one query; a partner has few admins). */
  async listUsersWithRole(partnerId: string, role: User['roles'][number]): Promise<User[]> {
    const users = await this.docs.queryAll<User>(
      'SELECT * FROM c WHERE c.type = @t AND ARRAY_CONTAINS(c.roles, @r)',
      [
        { name: '@t', value: 'user' },
        { name: '@r', value: role },
      ],
      partnerId,
    );
    return users.map(fromUserDoc);
  }

  /** A page of a partner's service requests, newest first (docs/product.md §9; one query request). */
  async listServiceRequests(partnerId: string, page: PageOptions): Promise<Page<ServiceRequest>> {
    const res = await this.pageOfType<ServiceRequest & { requestType?: ServiceRequest['type'] }>(
      'serviceRequest',
      partnerId,
      page,
      'c.createdAt DESC',
    );
    return {
      ...res,
      items: res.items.map(
        ({ requestType, ...r }) => ({ ...r, type: requestType ?? r.type }) as ServiceRequest,
      ),
    };
  }

  // ---- look-ups that routes ran as raw SQL ---------------------------------------------------------------

  /**
   * One page of every partner organization, by name (operator list, docs/product.md §9; one query request).
   */
  async listPartners(page: PageOptions): Promise<Page<Partner>> {
    return this.docs.queryPage<Partner>(
      'SELECT * FROM c WHERE c.type = @t ORDER BY c.name ASC',
      [{ name: '@t', value: 'partner' }],
      page,
    );
  }

  /**
   * Replaces a partner only if its ETag is still `etag` (one round trip); the membership notice schedule is
   * recomputed from the written value.
   * @throws DomainError `precondition-failed` when it changed, `not-found` when it is gone.
   */
  async replacePartner(value: Partner, etag: string): Promise<Versioned<Partner>> {
    const saved = await this.docs.replace(
      'partner',
      { ...withMembershipNoticeSchedule(value), partnerId: value.id },
      etag,
    );
    return { value: saved.value, etag: saved.etag };
  }

  /**
   * One page of the benefits in `status` that carry an activation, across partners, oldest request first (the
   * operator's activation queue; one query request).
   */
  async listBenefitsAwaitingActivation(status: BenefitStatus, page: PageOptions): Promise<Page<Benefit>> {
    return this.docs.queryPage<Benefit>(
      'SELECT * FROM c WHERE c.type = @t AND c.status = @s AND IS_DEFINED(c.activation) ORDER BY c.activation.requestedAt ASC',
      [
        { name: '@t', value: 'benefit' },
        { name: '@s', value: status },
      ],
      page,
    );
  }

  /** Every `Pending` benefit of a partner (activations that may wait for a contact; one query, bounded). */
  async listPendingBenefits(partnerId: string): Promise<Benefit[]> {
    return this.docs.queryAll<Benefit>(
      'SELECT * FROM c WHERE c.type = @t AND c.status = @s',
      [
        { name: '@t', value: 'benefit' },
        { name: '@s', value: 'Pending' },
      ],
      partnerId,
    );
  }

  // ---- idempotency records (docs/product.md §9 Idempotency-Key)
  // ------------------------------------------------------

  /** Point read of an idempotency record (`idem:<hash>` in the partner's partition); undefined when absent. */
  async findIdempotencyRecord(
    partnerId: string,
    id: string,
  ): Promise<Versioned<IdempotencyRecord> | undefined> {
    return this.docs.read<IdempotencyRecord>(partnerId, id, 'idempotency');
  }

  /**
   * Claims a key: creates the `in-progress` record, or — with `replacing`, the ETag of an expired record read
   * before — replaces that record conditionally. One round trip.
   * @returns the new record's ETag.
   * @throws DomainError `conflict` (create) or `precondition-failed` (replace) when another request claimed it
   *   first.
   */
  async claimIdempotencyKey(record: IdempotencyRecord, replacing?: string): Promise<string> {
    const saved =
      replacing !== undefined
        ? await this.docs.replace('idempotency', record, replacing)
        : await this.docs.create('idempotency', record);
    return saved.etag;
  }

  /**
   * Stores the completed record (with the response to replay) if the claim's ETag still matches.
   * @throws DomainError `precondition-failed`, `not-found`.
   */
  async completeIdempotencyRecord(record: IdempotencyRecord, etag: string): Promise<void> {
    await this.docs.replace('idempotency', record, etag);
  }

  /**
   * Forgets a key (the request failed; a retry runs it again). Absent is fine. With `keepCommitted`, a record whose
   * request committed its unit of work (`committed`, src/http/idempotency.ts) is kept: one read, then a delete
   * conditional on what was read.
   */
  async releaseIdempotencyKey(partnerId: string, id: string, keepCommitted = false): Promise<void> {
    if (!keepCommitted) return this.docs.delete(partnerId, id);
    const found = await this.findIdempotencyRecord(partnerId, id);
    if (!found || found.value.state === 'committed') return;
    try {
      await this.docs.deleteIfMatch(partnerId, id, found.etag, 'idempotency');
    } catch (e) {
      if (!(e instanceof DomainError && (e.code === 'precondition-failed' || e.code === 'not-found')))
        throw e;
    }
  }

  // ---- contact-verification tokens (docs/product.md §7)
  // -------------------------------------------------------------

  /**
   * Stores a token record (only the token's hash, in the `_tokens` partition). One round trip.
   * @throws DomainError `conflict` when the hash exists.
   */
  async saveVerificationToken(record: VerificationTokenRecord): Promise<void> {
    await this.docs.create('contactToken', record);
  }

  /** Point read of a token record by the token's hash; undefined when absent. */
  async findVerificationToken(tokenHash: string): Promise<Versioned<VerificationTokenRecord> | undefined> {
    return this.docs.read<VerificationTokenRecord>(TOKENS_PARTITION, tokenHash, 'contactToken');
  }

  /**
   * Marks a token used at `usedAtIso` if its ETag is still `etag` (single use under concurrency).
   * @returns the used record.
   * @throws DomainError `precondition-failed` when another request used it first, `not-found` when it is gone.
   */
  async consumeVerificationToken(
    found: Versioned<VerificationTokenRecord>,
    usedAtIso: string,
  ): Promise<VerificationTokenRecord> {
    const used = await this.docs.replace('contactToken', { ...found.value, usedAt: usedAtIso }, found.etag);
    return used.value;
  }

  // ---- notice records (docs/product.md §12)
  // ---------------------------------------------------------------------------

  /**
   * Creates a notice record (the claim of one notice).
   * @returns its ETag.
   * @throws DomainError `conflict` when it exists.
   */
  async createNoticeRecord<T extends { id: string; partnerId: string }>(record: T): Promise<string> {
    return (await this.docs.create('notice', record)).etag;
  }

  /** Point read of a notice record; undefined when absent. */
  async findNoticeRecord<T>(partnerId: string, id: string): Promise<Versioned<T> | undefined> {
    return this.docs.read<T>(partnerId, id, 'notice');
  }

  /**
   * Replaces a notice record if its ETag is still `etag`.
   * @returns the new ETag.
   * @throws DomainError `precondition-failed`, `not-found`.
   */
  async replaceNoticeRecord<T extends { id: string; partnerId: string }>(
    record: T,
    etag: string,
  ): Promise<string> {
    return (await this.docs.replace('notice', record, etag)).etag;
  }

  // ---- units of work (src/app/unitOfWork.ts) and the outbox
  // ---------------------------------------------------------------------------

  /**
   * Commits a unit of work: its writes as ONE transactional batch in the partner's partition — the conditional
   * replaces first (each `IfMatch` its read ETag), then the creates — so the state change, its audit event and the
   * outbox records of its emails are written all together or not at all (docs/decisions.md, "One unit of work per
   * mutation"). Cosmos DB applies a batch all or nothing. A server that applies a batch in order up to its first
   * refusal without rollback ({@link CosmosQuirks}, the embedded server) has what it applied undone here: the
   * creates deleted, the replaced documents put back (conditionally on the ETag the batch gave them). The derived
   * fields are written as by the other methods (a benefit's and a partner's notice schedule, a service request's
   * `requestType`). One round trip (plus the compensation on that server, on failure only).
   * @returns the new ETag of every written document, by id.
   * @throws DomainError `precondition-failed` when a replaced document changed since it was read,
   *   `not-found` when one is gone, `conflict` when a created id exists (nothing is written in each case);
   *   Error when the unit holds more than 100 operations or about 2 MB (nothing is sent), or the server refuses
   *   the batch otherwise.
   */
  async commit(partnerId: string, unit: readonly UnitOfWorkWrite[]): Promise<CommitResult> {
    if (unit.length === 0) return { etags: {} };
    for (const w of unit) {
      if (w.value.partnerId !== partnerId)
        throw new Error(`A unit of work writes one partition: ${w.value.id} is not in ${partnerId}`);
    }
    const writes = withEmailClaims(unit);
    if (writes.length > MAX_BATCH_OPERATIONS) {
      throw new Error(
        `A unit of work holds at most ${MAX_BATCH_OPERATIONS} writes (a transactional batch); this one has ${writes.length}`,
      );
    }
    // Conditions first: a stale ETag then stops the batch before anything is applied, on every server.
    const ordered = [
      ...writes.filter((w) => w.op !== 'create' && w.etag !== undefined),
      ...writes.filter((w) => w.op === 'delete' && w.etag === undefined),
      ...writes.filter((w) => w.op === 'create'),
    ];
    const operations = ordered.map((w) => {
      const stored = storedForm(w.type, w.value);
      const resourceBody = { ...stored, type: w.type } as unknown as JSONObject;
      // The embedded server reads the key of a replace or delete from the operation (Cosmos DB takes the batch's).
      if (w.op === 'delete')
        return {
          operationType: 'Delete' as const,
          id: stored.id,
          partitionKey: partnerId,
          ...(w.etag !== undefined ? { ifMatch: w.etag } : {}),
        };
      return w.op === 'create'
        ? { operationType: 'Create' as const, resourceBody }
        : {
            operationType: 'Replace' as const,
            id: stored.id,
            partitionKey: partnerId,
            resourceBody,
            ifMatch: w.etag!,
          };
    });
    // 2 MB is the request's limit; a margin is left for the envelope and the headers.
    const bytes = Buffer.byteLength(JSON.stringify(operations));
    if (bytes > MAX_BATCH_BYTES - 64 * 1024) {
      throw new Error(
        `A unit of work must stay below 2 MB (a transactional batch); this one has ${bytes} bytes`,
      );
    }
    const response = await this.docs.container.items.batch(operations, partnerId);
    const results = response.result ?? [];
    const ok = (i: number) => (results[i]?.statusCode ?? 0) >= 200 && (results[i]?.statusCode ?? 0) < 300;
    if (results.length === ordered.length && results.every((_, i) => ok(i)) && (response.code ?? 200) < 300) {
      const etags: Record<string, string> = {};
      ordered.forEach((w, i) => {
        if (w.op !== 'delete') etags[w.value.id] = String(results[i].eTag ?? '');
      });
      return { etags };
    }
    // Cosmos DB applied nothing; a server without batch rollback (quirk) applied what came before the refusal.
    if (this.quirks.batchesWithoutRollback) await this.undoApplied(partnerId, ordered, results);
    const index = results.findIndex((r) => r.statusCode >= 300 && r.statusCode !== 424);
    const failed = index >= 0 ? ordered[index] : undefined;
    const status = index >= 0 ? results[index].statusCode : response.code;
    if (failed && status === 412)
      throw new DomainError(
        'precondition-failed',
        `${failed.type} ${failed.value.id} was changed by someone else`,
      );
    if (failed && status === 404)
      throw new DomainError('not-found', `${failed.type} ${failed.value.id} does not exist`);
    if (failed && status === 409 && failed.type === 'user')
      throw new DomainError('user-exists', `A user with object id ${failed.value.id} already exists`);
    if (failed && status === 409 && failed.type === 'emailClaim')
      throw new DomainError(
        'user-exists',
        `A user with account email ${(failed.value as unknown as { email: string }).email} already exists`,
      );
    if (failed && status === 409)
      throw new DomainError('conflict', `${failed.type} ${failed.value.id} already exists`);
    throw new Error(`unit of work batch failed with status ${status ?? 'none'}`);
  }

  /**
   * Undoes the writes a refused batch applied on a server without batch rollback ({@link CosmosQuirks}): deletes
   * its creates, puts its replaced documents back (conditionally on the ETag the batch gave them), writes its
   * deleted documents again.
   */
  private async undoApplied(
    partnerId: string,
    ordered: readonly BatchWrite[],
    results: Array<{ statusCode: number; eTag?: string }>,
  ): Promise<void> {
    await Promise.all(
      ordered.map(async (w, i) => {
        const status = results[i]?.statusCode ?? 0;
        if (status < 200 || status >= 300) return;
        if (w.op === 'create') return this.docs.delete(partnerId, storedForm(w.type, w.value).id);
        if (w.op === 'delete') {
          await this.docs.create(w.type, { ...storedForm(w.type, w.value), partnerId });
          return;
        }
        await this.docs.replace(
          w.type,
          { ...storedForm(w.type, w.previous!), partnerId },
          String(results[i].eTag ?? ''),
        );
      }),
    );
  }

  /** Point read of an outbox record; undefined when absent. */
  async findOutboxRecord(partnerId: string, id: string): Promise<Versioned<OutboxRecord> | undefined> {
    return this.docs.read<OutboxRecord>(partnerId, id, 'outbox');
  }

  /**
   * Replaces an outbox record if its ETag is still `etag` (the relay's claim and settlement). One round trip.
   * @returns the new ETag.
   * @throws DomainError `precondition-failed` when another relay changed it first, `not-found` when it is gone.
   */
  async replaceOutboxRecord(record: OutboxRecord, etag: string): Promise<string> {
    return (await this.docs.replace('outbox', record, etag)).etag;
  }

  /**
   * One page of the `Pending` outbox records due at `dueBeforeIso` (`notBefore <= dueBeforeIso`), across partners,
   * with their ETags: the retry timer's work (src/app/outbox.ts). Records an orchestration sends itself (`owner`)
   * are not the timer's. A range filter on one field: its cost grows with
   * what is pending, not with all documents.
   */
  async listDueOutboxRecords(
    dueBeforeIso: string,
    page: PageOptions,
  ): Promise<Page<Versioned<OutboxRecord>>> {
    return this.docs.queryVersionedPage<OutboxRecord>(
      'SELECT * FROM c WHERE c.type = @t AND c.status = @s AND c.notBefore <= @due AND NOT IS_DEFINED(c.owner)',
      [
        { name: '@t', value: 'outbox' },
        { name: '@s', value: 'Pending' },
        { name: '@due', value: dueBeforeIso },
      ],
      page,
    );
  }
}

/** One operation of a unit of work's batch: a write of the unit, or one the store derives (an email claim). */
interface BatchWrite {
  op: UnitOfWorkWrite['op'];
  type: DocType;
  value: { id: string; partnerId: string };
  /** The condition of a replace or delete; none for a claim's delete. */
  etag?: string;
  previous?: { id: string; partnerId: string };
}

/**
 * A unit's writes with the account-email claim of every user it creates or deletes (docs/decisions.md, "Data": the
 * claim makes the email unique in the partner; it goes and comes with its user, in the same batch).
 */
function withEmailClaims(writes: readonly UnitOfWorkWrite[]): BatchWrite[] {
  return writes.flatMap((w): BatchWrite[] => {
    if (w.type !== 'user' || w.op === 'replace') return [w];
    const user = w.value as unknown as User;
    const claim = {
      id: emailClaimId(user.accountEmail),
      partnerId: user.partnerId,
      userId: user.id,
      email: user.accountEmail,
    };
    return [w, { op: w.op, type: 'emailClaim', value: claim }];
  });
}

/**
 * The stored form of a document a unit of work writes: the fields the store derives on every write (a benefit's and
 * a partner's notice schedule, docs/product.md §12; a service request's type under `requestType`; a user's document
 * id `user:<objectId>`).
 */
function storedForm(
  type: DocType,
  value: { id: string; partnerId: string },
): { id: string; partnerId: string } {
  switch (type) {
    case 'benefit':
      return withBenefitNoticeSchedule(value as unknown as Benefit);
    case 'partner':
      return { ...withMembershipNoticeSchedule(value as unknown as Partner), partnerId: value.id };
    case 'serviceRequest':
      return { ...value, requestType: (value as ServiceRequest).type } as { id: string; partnerId: string };
    case 'user':
      return { ...value, id: userDocId((value as unknown as User).objectId) };
    default:
      return value;
  }
}

/**
 * The outbox records among documents of the container's change feed (the relay's trigger, functions/outbox.ts),
 * with their ETags; every other document is left out.
 */
export function outboxRecordsOf(documents: readonly unknown[]): Array<Versioned<OutboxRecord>> {
  return documents
    .filter(
      (d): d is Record<string, unknown> =>
        typeof d === 'object' && d !== null && (d as { type?: unknown }).type === 'outbox',
    )
    .map((d) => ({ value: strip<OutboxRecord>(d), etag: String(d._etag) }));
}

function fromUserDoc(u: User): User {
  return { ...u, id: u.objectId };
}
