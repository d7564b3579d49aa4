/**
 * In-memory fakes of the application layer's ports (src/app/ports.ts), for use-case unit tests (test/app). Only the
 * store methods the tested use cases call are implemented; each keeps an ETag per document and honours `ifMatch`
 * (and the conditional replace / delete ETags), as the real store does. The end-to-end tests use the real store against the embedded Cosmos DB server.
 */
import type { AppDeps, DurablePort, OutboxRecord, StorePort, UnitOfWorkWrite } from '../../src/app/ports';
import { DomainError } from '../../src/domain/errors';
import type {
  AuditEvent,
  Benefit,
  Partner,
  Purchase,
  Role,
  ServiceRequest,
  User,
} from '../../src/domain/types';
import { loadConfig } from '../../src/config';

type Mutate<T, R> = (value: T) => { value: T; result?: R };

/** A document map keyed `partnerId/id`, with ETags. */
class Docs<T extends { id: string }> {
  constructor(
    private readonly partitionOf: (value: T) => string = (v) =>
      (v as unknown as { partnerId: string }).partnerId,
  ) {}
  readonly map = new Map<string, { value: T; etag: string }>();
  private n = 0;
  put(value: T) {
    const etag = `"e${++this.n}"`;
    this.map.set(`${this.partitionOf(value)}/${value.id}`, { value: structuredClone(value), etag });
    return { value, etag };
  }
  get(partnerId: string, id: string) {
    const d = this.map.get(`${partnerId}/${id}`);
    return d && { value: structuredClone(d.value), etag: d.etag };
  }
  update<R>(partnerId: string, id: string, mutate: Mutate<T, R>, ifMatch?: string) {
    const d = this.get(partnerId, id);
    if (!d) throw new DomainError('not-found', `${id} does not exist`);
    this.check(d.etag, ifMatch);
    const out = mutate(d.value);
    const saved = this.put(out.value);
    return { value: saved.value, etag: saved.etag, result: out.result };
  }
  /** A conditional replace (or delete): `precondition-failed` when `ifMatch` is not the stored ETag. */
  check(etag: string, ifMatch: string | undefined) {
    if (ifMatch !== undefined && ifMatch.replace(/"/g, '') !== etag.replace(/"/g, '')) {
      throw new DomainError('precondition-failed', 'If-Match does not match.');
    }
  }
  values(): T[] {
    return [...this.map.values()].map((d) => structuredClone(d.value));
  }
}

/** The fake store: partners, users, benefits, purchases, service requests and the audit trail. */
class FakeStore {
  /** A partner write that fails once with `precondition-failed`, as if another request had renewed first. */
  loseNextPartnerRace = false;
  readonly partners = new Docs<Partner>((p) => p.id);
  readonly users = new Docs<User>();
  readonly benefits = new Docs<Benefit>();
  readonly purchases = new Docs<Purchase>();
  readonly serviceRequests: ServiceRequest[] = [];
  readonly audit: AuditEvent[] = [];
  readonly outbox = new Docs<OutboxRecord>();

  /** The real store's unit-of-work commit, all or nothing: every replace's ETag is checked before anything is applied. */
  async commit(partnerId: string, writes: readonly UnitOfWorkWrite[]) {
    const docsOf = (type: string): Docs<any> | undefined =>
      (
        ({
          benefit: this.benefits,
          partner: this.partners,
          purchase: this.purchases,
          outbox: this.outbox,
          user: this.users,
        }) as Record<string, Docs<any>>
      )[type];
    if (this.loseNextPartnerRace && writes.some((w) => w.type === 'partner' && w.op === 'replace')) {
      this.loseNextPartnerRace = false;
      throw new DomainError('precondition-failed', 'partner changed');
    }
    for (const w of writes) {
      if (w.value.partnerId !== partnerId) throw new Error('one partition per unit of work');
      const docs = docsOf(w.type);
      if (w.op !== 'create') {
        const current = docs?.get(partnerId, w.value.id);
        if (!current) throw new DomainError('not-found', `${w.value.id} does not exist`);
        if (current.etag !== w.etag) throw new DomainError('precondition-failed', `${w.value.id} changed`);
      } else if (docs?.get(partnerId, w.value.id)) {
        throw new DomainError(w.type === 'user' ? 'user-exists' : 'conflict', `${w.value.id} exists`);
      }
    }
    const etags: Record<string, string> = {};
    for (const w of writes) {
      if (w.op === 'delete') docsOf(w.type)!.map.delete(`${partnerId}/${w.value.id}`);
      else if (w.type === 'audit') this.audit.push(w.value as AuditEvent);
      else if (w.type === 'serviceRequest') this.serviceRequests.push(w.value as ServiceRequest);
      else {
        const { partnerId: _p, ...rest } = w.value as { partnerId: string; id: string };
        const value = w.type === 'partner' ? rest : w.value;
        etags[w.value.id] = docsOf(w.type)!.put(value as any).etag;
      }
    }
    return { etags };
  }

  /** The emails owed so far (outbox records), in the order they were committed. */
  owed() {
    return [...this.outbox.map.values()].map(({ value }) => ({
      kind: value.message.kind,
      to: value.message.to,
      idempotencyKey: value.idempotencyKey,
    }));
  }

  async getPartner(partnerId: string) {
    return this.partners.get(partnerId, partnerId);
  }
  async updatePartner<R>(partnerId: string, mutate: Mutate<Partner, R>, o: { ifMatch?: string } = {}) {
    return this.partners.update(partnerId, partnerId, mutate, o.ifMatch);
  }
  async createPurchase(purchase: Purchase, benefits: Benefit[]) {
    this.purchases.put(purchase);
    for (const b of benefits) this.benefits.put(b);
  }
  async getUser(partnerId: string, userId: string) {
    return this.users.get(partnerId, userId);
  }
  async createUser(user: User) {
    if (this.users.get(user.partnerId, user.id)) throw new DomainError('user-exists', `${user.id} exists`);
    return this.users.put(user);
  }
  async listUsersWithRole(partnerId: string, role: Role) {
    return this.users.values().filter((u) => u.partnerId === partnerId && u.roles.includes(role));
  }
  async listBenefitsAssignedTo(partnerId: string, userId: string) {
    return [...this.benefits.map.values()]
      .filter(({ value: b }) => b.partnerId === partnerId && b.assignments.some((a) => a.userId === userId))
      .map((d) => ({ value: structuredClone(d.value), etag: d.etag }));
  }
  /** The directory: object id → partner (the real store's `_directory` partition). */
  readonly directory = new Map<string, { homePartnerId: string; userId: string }>();
  async claimDirectoryEntry(user: User) {
    const entry = this.directory.get(user.objectId);
    if (entry && (entry.homePartnerId !== user.partnerId || entry.userId !== user.id)) {
      if (this.users.get(entry.homePartnerId, entry.userId))
        throw new DomainError('user-exists', `${user.objectId} exists`);
    }
    this.directory.set(user.objectId, { homePartnerId: user.partnerId, userId: user.id });
    return !entry;
  }
  async releaseDirectoryEntry(objectId: string) {
    this.directory.delete(objectId);
  }
  /** One page holding every due benefit (Active past `expiresAt`, or Expired with a notice Pending past the lease). */
  /** The sweep's page: `Active` benefits with `expiresAt <= now`, with their ETags (one page, like the store's query). */
  async listExpiredBenefits(nowIso: string) {
    const items = [...this.benefits.map.values()]
      .filter(({ value: b }) => b.status === 'Active' && b.expiresAt !== undefined && b.expiresAt <= nowIso)
      .map((d) => ({ value: structuredClone(d.value), etag: d.etag }));
    return { items, continuationToken: null };
  }
  async replaceBenefit(value: Benefit, etag: string) {
    const stored = this.benefits.get(value.partnerId, value.id);
    if (!stored) throw new DomainError('not-found', `${value.id} does not exist`);
    this.benefits.check(stored.etag, etag);
    return this.benefits.put(value);
  }
  async getBenefit(partnerId: string, benefitId: string) {
    return this.benefits.get(partnerId, benefitId);
  }
  async updateBenefit<R>(
    partnerId: string,
    benefitId: string,
    mutate: Mutate<Benefit, R>,
    o: { ifMatch?: string; maxAttempts?: number } = {},
  ) {
    return this.benefits.update(partnerId, benefitId, mutate, o.ifMatch);
  }
  async listBenefitsOfPurchase(partnerId: string, purchaseId: string) {
    return [...this.benefits.map.values()]
      .map((d) => d.value)
      .filter((b) => b.partnerId === partnerId && b.purchaseId === purchaseId);
  }
  async readPurchaseWithBenefits(partnerId: string, purchaseId: string) {
    return {
      partner: this.partners.get(partnerId, partnerId),
      purchase: this.purchases.get(partnerId, purchaseId),
      benefits: [...this.benefits.map.values()]
        .filter((d) => d.value.partnerId === partnerId && d.value.purchaseId === purchaseId)
        .map((d) => structuredClone(d)),
    };
  }
  async getPurchase(partnerId: string, purchaseId: string) {
    return this.purchases.get(partnerId, purchaseId);
  }
  async updatePurchase<R>(
    partnerId: string,
    purchaseId: string,
    mutate: Mutate<Purchase, R>,
    o: { ifMatch?: string } = {},
  ) {
    return this.purchases.update(partnerId, purchaseId, mutate, o.ifMatch);
  }
  async listServiceRequests(partnerId: string) {
    return { items: this.serviceRequests.filter((r) => r.partnerId === partnerId), continuationToken: null };
  }
}

/** Fake dependencies: the fake store, a fixed clock, counted ids, and a mail port that records what it sent. */
export function fakeDeps(now: Date) {
  const store = new FakeStore();
  const sent: { kind: string; to: { address: string }[]; idempotencyKey: string }[] = [];
  /** Set to make the mail port fail (the provider refuses), as a real outage would. */
  const mail = { failing: false };
  let id = 0;
  const deps: AppDeps = {
    config: loadConfig({
      COSMOS_ENDPOINT: 'https://cosmos.invalid',
      AUTH_ISSUER: 'https://issuer.invalid',
      AUTH_AUDIENCE: 'api',
      AUTH_JWKS_URI: 'https://issuer.invalid/keys',
      PUBLIC_BASE_URL: 'https://portal.example',
    }),
    clock: { now: () => new Date(now) },
    store: store as unknown as StorePort,
    email: { send: async () => ({ messageId: 'm', duplicate: false }) },
    mail: {
      async send(m) {
        if (mail.failing) throw new Error('the email provider is unavailable');
        sent.push({ kind: m.kind, to: m.to, idempotencyKey: m.idempotencyKey });
      },
    },
    newId: () => `id-${++id}`,
  };
  return { deps, store, sent, mail };
}

/** A durable client fake: records raised events; every instance reports `runtimeStatus`. */
export function fakeDurable(runtimeStatus = 'Running') {
  const events: { instanceId: string; eventName: string; data: unknown }[] = [];
  const started: { orchestrator: string; instanceId: string; input: unknown }[] = [];
  const durable: DurablePort = {
    async start(orchestrator, instanceId, input) {
      started.push({ orchestrator, instanceId, input });
      return instanceId;
    },
    async raiseEvent(instanceId, eventName, data) {
      events.push({ instanceId, eventName, data });
    },
    async runtimeStatus() {
      return runtimeStatus;
    },
    async terminate() {},
  };
  return { durable, events, started };
}
