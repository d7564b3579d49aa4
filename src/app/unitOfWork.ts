/**
 * One unit of work per mutation (docs/architecture.md; docs/decisions.md, "One unit of work per mutation"): a use
 * case collects the state change, its audit event and an outbox record per email it owes in a {@link UnitOfWork},
 * and the store commits them as ONE transactional batch in the partner's partition (`StorePort.commit`) — all of it
 * or nothing. The emails leave after the commit, through the relay (src/app/outbox.ts); no use case sends email
 * itself.
 *
 * {@link runUnitOfWork} runs the read–decide–collect step and commits it; when a replaced document changed since
 * it was read (a concurrent writer), it reads and decides again, as the store's conditional updates do.
 */
import { DomainError } from '../domain/errors';
import type { AuditEvent, Partner } from '../domain/types';
import type { AuditInput } from './audit';
import type {
  AppDeps,
  EmailKind,
  EmailRecipient,
  EmailTemplateData,
  OutboxRecord,
  UnitOfWorkDocType,
  UnitOfWorkWrite,
  Versioned,
} from './ports';

/** The id of the outbox record of an email's idempotency key (one record per key, ever). */
export const outboxRecordId = (idempotencyKey: string): string => `outbox:${idempotencyKey}`;

/**
 * Most recipients one outbox record (one message) carries: the email provider's limit (ACS Email: 50 recipients per
 * message, docs/platform-notes.md). An email owed to more people is owed as several messages.
 */
const MAX_RECIPIENTS_PER_MESSAGE = 50;

/**
 * The idempotency key of part `part` (1-based) of an email split by {@link MAX_RECIPIENTS_PER_MESSAGE}: the first
 * part keeps the email's own key, the others get `~2`, `~3`, … appended.
 */
const partKey = (idempotencyKey: string, part: number): string =>
  part === 1 ? idempotencyKey : `${idempotencyKey}~${part}`;

/** An email a unit of work owes: rendered and sent by the relay after the commit (docs/product.md §7). */
export interface OwedEmail<K extends EmailKind = EmailKind> {
  kind: K;
  locale: string | undefined;
  data: EmailTemplateData[K];
  to: EmailRecipient[];
  /** Sending twice with this key delivers once; it also names the outbox record. */
  idempotencyKey: string;
  /** `orchestration`: the activation's email activity sends it, not the relay (see `OutboxRecord.owner`). */
  owner?: 'orchestration';
}

/** A document of the partner's partition: what a unit of work writes. */
type PartitionDoc = { id: string; partnerId: string };

/**
 * The writes of one mutation in one partner's partition, collected by a use case and committed together. Records
 * of the same document twice are refused (one write per document and unit).
 */
export class UnitOfWork {
  readonly writes: UnitOfWorkWrite[] = [];

  constructor(
    readonly partnerId: string,
    private readonly deps: Pick<AppDeps, 'clock' | 'newId'>,
  ) {}

  /** True when nothing was collected: committing writes nothing. */
  get isEmpty(): boolean {
    return this.writes.length === 0;
  }

  /**
   * Replaces `current.value` by `next` if the document still has `current.etag` when the unit commits.
   * @returns `next`.
   */
  replace<T extends PartitionDoc>(type: UnitOfWorkDocType, current: Versioned<T>, next: T): T {
    this.add({ op: 'replace', type, value: next, etag: current.etag, previous: current.value });
    return next;
  }

  /** {@link replace} for a partner: its document lives in its own partition (`partnerId` = its id). */
  replacePartner(current: Versioned<Partner>, next: Partner): Partner {
    this.add({
      op: 'replace',
      type: 'partner',
      value: { ...next, partnerId: next.id },
      etag: current.etag,
      previous: { ...current.value, partnerId: current.value.id },
    });
    return next;
  }

  /**
   * Creates a partner (its document lives in its own partition: `partnerId` = its id); the commit fails
   * (`conflict`) when its id exists.
   */
  createPartner(partner: Partner): Partner {
    this.add({ op: 'create', type: 'partner', value: { ...partner, partnerId: partner.id } });
    return partner;
  }

  /**
   * Deletes `current.value` if the document still has `current.etag` when the unit commits (`precondition-failed`
   * otherwise, `not-found` when it is gone). A user's delete takes its account-email claim with it (the store's).
   */
  remove<T extends PartitionDoc>(type: UnitOfWorkDocType, current: Versioned<T>): void {
    this.add({ op: 'delete', type, value: current.value, etag: current.etag });
  }

  /**
   * Creates `value`; the commit fails (`conflict`, nothing written) when its id exists — `user-exists` for a user
   * (its object id, or its account email: the store writes the user's email claim with it).
   */
  create<T extends PartitionDoc>(type: UnitOfWorkDocType, value: T): T {
    this.add({ op: 'create', type, value });
    return value;
  }

  /**
   * Records one audit event (docs/product.md §9: every mutation writes one), written with the change. Never put a
   * secret (keys, tokens) in `detail`.
   */
  audit(input: Omit<AuditInput, 'partnerId'>): AuditEvent {
    const event: AuditEvent = {
      id: this.deps.newId(),
      partnerId: this.partnerId,
      at: this.deps.clock.now().toISOString(),
      actor:
        input.caller === 'system'
          ? { objectId: 'system', kind: 'system' }
          : { objectId: input.caller.objectId, kind: input.caller.isOperator ? 'operator' : 'user' },
      action: input.action,
      target: input.target,
      outcome: input.outcome ?? 'Succeeded',
      ...(input.detail ? { detail: input.detail } : {}),
    };
    return this.create('audit', event);
  }

  /**
   * Owes an email: an outbox record (`Pending`) written with the change; the relay sends it after the commit. A
   * key already in the outbox makes the commit fail with `conflict` (the email was owed before). More than
   * {@link MAX_RECIPIENTS_PER_MESSAGE} recipients are owed as several records, one per part (keys by
   * {@link partKey}), each sent once.
   * @returns the (first part's) outbox record.
   */
  email<K extends EmailKind>(email: OwedEmail<K>): OutboxRecord {
    const parts = Math.max(1, Math.ceil(email.to.length / MAX_RECIPIENTS_PER_MESSAGE));
    const records = Array.from({ length: parts }, (_, i) =>
      this.emailPart(
        {
          ...email,
          to: email.to.slice(i * MAX_RECIPIENTS_PER_MESSAGE, (i + 1) * MAX_RECIPIENTS_PER_MESSAGE),
        },
        partKey(email.idempotencyKey, i + 1),
      ),
    );
    return records[0];
  }

  private emailPart<K extends EmailKind>(email: OwedEmail<K>, idempotencyKey: string): OutboxRecord {
    const now = this.deps.clock.now().toISOString();
    const record: OutboxRecord = {
      id: outboxRecordId(idempotencyKey),
      partnerId: this.partnerId,
      idempotencyKey,
      message: {
        kind: email.kind,
        ...(email.locale ? { locale: email.locale } : {}),
        data: email.data,
        to: email.to,
      },
      status: 'Pending',
      attempts: 0,
      createdAt: now,
      updatedAt: now,
      notBefore: now,
      ...(email.owner ? { owner: email.owner } : {}),
    };
    return this.create('outbox', record);
  }

  private add(write: UnitOfWorkWrite): void {
    if (this.writes.some((w) => w.value.id === write.value.id)) {
      throw new Error(`A unit of work writes ${write.value.id} twice`);
    }
    this.writes.push(write);
  }
}

/** Options of {@link runUnitOfWork}. */
export interface RunUnitOfWorkOptions {
  /**
   * Whether a commit refused because a replaced document changed meanwhile runs `work` again (default true). False
   * when the caller pinned a version (a client's `If-Match`): the refusal is then final.
   */
  retryOnConflict?: boolean;
  /** Most attempts (default 20, as the store's conditional updates). */
  maxAttempts?: number;
}

/**
 * Runs `work` on a fresh {@link UnitOfWork} and commits what it collected as one transactional batch. `work` reads
 * what it needs (with ETags), decides, and records the writes; it may throw (a DomainError) to write nothing. When
 * the commit is refused because a replaced document changed since `work` read it, `work` runs again after a short
 * jittered pause (0 to 3 × attempt ms), up to `maxAttempts` times. Round trips: `work`'s reads, plus one batch.
 * @returns `work`'s result and the new ETags of the written documents (by id); no ETags when nothing was collected.
 * @throws whatever `work` throws; DomainError `precondition-failed` when the retries run out (or at once without
 *   `retryOnConflict`), `conflict` when a created id exists, `not-found` when a replaced document is gone.
 */
export async function runUnitOfWork<R>(
  deps: Pick<AppDeps, 'store' | 'clock' | 'newId' | 'random'>,
  partnerId: string,
  work: (uow: UnitOfWork) => Promise<R> | R,
  options: RunUnitOfWorkOptions = {},
): Promise<{ result: R; etags: Record<string, string> }> {
  const maxAttempts = options.maxAttempts ?? 20;
  const random = deps.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    const uow = new UnitOfWork(partnerId, deps);
    const result = await work(uow);
    if (uow.isEmpty) return { result, etags: {} };
    try {
      const { etags } = await deps.store.commit(partnerId, uow.writes);
      return { result, etags };
    } catch (e) {
      const retry =
        e instanceof DomainError &&
        e.code === 'precondition-failed' &&
        options.retryOnConflict !== false &&
        attempt < maxAttempts;
      if (!retry) throw e;
      await new Promise((r) => setTimeout(r, Math.floor(random() * 3 * attempt)));
    }
  }
}
