/**
 * Generic document access over the app's single container (partition key `/partnerId`): point reads,
 * conditional writes with ETags, optimistic-concurrency updates, and continuation-token paging.
 * Every document carries a `type` discriminator. A partner's query is scoped by the `partitionKey` option alone
 * (Cosmos DB and the patched embedded server both honour it; docs/decisions.md, "Emulator quirks").
 */
import type { Container, OperationInput, SqlParameter } from '@azure/cosmos';
import { DomainError } from '../domain/errors';
import { singlePartitionQuery } from './cosmos';
import { bareEtag } from './etag';

/** Discriminator of stored documents. */
export type DocType =
  | 'partner'
  | 'user'
  | 'directory'
  | 'emailClaim'
  | 'purchase'
  | 'benefit'
  | 'audit'
  | 'serviceRequest'
  | 'idempotency'
  | 'contactToken'
  | 'notice'
  | 'outbox'
  | 'config';

/** A document as read: the domain value plus its ETag. */
export interface Versioned<T> {
  value: T;
  etag: string;
}

/**
 * A page of a list (docs/product.md §9 paging). At this layer `continuationToken` is the SDK's own token (or
 * null); the HTTP layer seals it before a caller sees it (src/http/paging.ts).
 */
export interface Page<T> {
  items: T[];
  continuationToken: string | null;
}

const SYSTEM_FIELDS = ['_rid', '_self', '_etag', '_attachments', '_ts', 'type'] as const;

/** A stored document without the server's system fields and the store's `type` discriminator. */
export function strip<T>(resource: Record<string, unknown>): T {
  const copy: Record<string, unknown> = { ...resource };
  for (const f of SYSTEM_FIELDS) delete copy[f];
  return copy as T;
}

function statusOf(e: unknown): number | undefined {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

/** Attempts of a batch of reads whose connection broke (the SDK's own policy retries point reads up to 10 times). */
const READ_BATCH_ATTEMPTS = 3;

/** True when `e` (or an error it wraps) is a broken connection: reset by the peer, or a write to a closed socket. */
function isBrokenConnection(e: unknown): boolean {
  for (let cause = e, depth = 0; cause && depth < 5; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (code === 'ECONNRESET' || code === 'EPIPE') return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Thin typed access to the container. All methods are one round trip unless stated.
 * `random` (numbers in [0, 1); default `Math.random`) draws the jitter of `update`'s retries; tests pass a seeded
 * one so that a race replays the same pauses.
 */
export class Documents {
  constructor(
    readonly container: Container,
    private readonly random: () => number = Math.random,
  ) {}

  /** Point read; undefined when absent or (with `type`) when the document is of another type. */
  async read<T>(partnerId: string, id: string, type?: DocType): Promise<Versioned<T> | undefined> {
    try {
      const res = await this.container.item(id, partnerId).read<Record<string, unknown>>();
      if (!res.resource || (type !== undefined && res.resource.type !== type)) return undefined;
      return { value: strip<T>(res.resource), etag: res.etag };
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      throw e;
    }
  }

  /**
   * Creates a document.
   * @throws DomainError `conflict` (or `onConflict`) when the id exists in the partition.
   */
  async create<T extends { id: string; partnerId: string }>(
    type: DocType,
    value: T,
    onConflict: () => Error = () => new DomainError('conflict', `${type} ${value.id} already exists`),
  ): Promise<Versioned<T>> {
    try {
      const res = await this.container.items.create({ ...value, type });
      return { value, etag: res.etag };
    } catch (e) {
      if (statusOf(e) === 409) throw onConflict();
      throw e;
    }
  }

  /** Creates or replaces a document unconditionally. */
  async upsert<T extends { id: string; partnerId: string }>(type: DocType, value: T): Promise<Versioned<T>> {
    const res = await this.container.items.upsert({ ...value, type });
    return { value, etag: res.etag };
  }

  /**
   * Replaces a document if its ETag still matches.
   * @throws DomainError `precondition-failed` on an ETag mismatch, `not-found` when it is gone.
   */
  async replace<T extends { id: string; partnerId: string }>(
    type: DocType,
    value: T,
    etag: string,
  ): Promise<Versioned<T>> {
    try {
      const res = await this.container
        .item(value.id, value.partnerId)
        .replace({ ...value, type }, { accessCondition: { type: 'IfMatch', condition: etag } });
      return { value, etag: res.etag };
    } catch (e) {
      const s = statusOf(e);
      if (s === 412)
        throw new DomainError('precondition-failed', `${type} ${value.id} was changed by someone else`);
      if (s === 404) throw new DomainError('not-found', `${type} ${value.id} does not exist`);
      throw e;
    }
  }

  /**
   * Deletes a document only if its ETag is still `etag`.
   * @throws DomainError `precondition-failed` when it changed, `not-found` when it is gone.
   */
  async deleteIfMatch(partnerId: string, id: string, etag: string, type: DocType): Promise<void> {
    try {
      await this.container
        .item(id, partnerId)
        .delete({ accessCondition: { type: 'IfMatch', condition: etag } });
    } catch (e) {
      const s = statusOf(e);
      if (s === 412)
        throw new DomainError('precondition-failed', `${type} ${id} was changed by someone else`);
      if (s === 404) throw new DomainError('not-found', `${type} ${id} does not exist`);
      throw e;
    }
  }

  /** Deletes a document; absent is fine. */
  async delete(partnerId: string, id: string): Promise<void> {
    try {
      await this.container.item(id, partnerId).delete();
    } catch (e) {
      if (statusOf(e) !== 404) throw e;
    }
  }

  /**
   * Read–modify–write with optimistic concurrency: reads the document, applies `mutate`, and replaces it
   * conditionally; on a 412 it re-reads and tries again, at most `maxAttempts` times (default 20).
   * With `ifMatch` (a client's If-Match) a mismatch is final: `precondition-failed`, no retry.
   * `mutate` may throw (a DomainError) to abort without writing.
   * @throws DomainError `not-found` when absent, `precondition-failed` when ifMatch differs or retries run out.
   */
  async update<T extends { id: string; partnerId: string }, R = undefined>(
    type: DocType,
    partnerId: string,
    id: string,
    mutate: (current: T) => { value: T; result?: R },
    options: { ifMatch?: string; maxAttempts?: number; notFound?: () => Error } = {},
  ): Promise<{ value: T; etag: string; result: R | undefined }> {
    const maxAttempts = options.maxAttempts ?? 20;
    for (let attempt = 1; ; attempt++) {
      const current = await this.read<T>(partnerId, id, type);
      if (!current)
        throw options.notFound?.() ?? new DomainError('not-found', `${type} ${id} does not exist`);
      if (options.ifMatch !== undefined && bareEtag(options.ifMatch) !== bareEtag(current.etag)) {
        throw new DomainError(
          'precondition-failed',
          `If-Match does not match the current ETag of ${type} ${id}`,
        );
      }
      const { value, result } = mutate(current.value);
      try {
        const saved = await this.replace(type, value, current.etag);
        return { value: saved.value, etag: saved.etag, result };
      } catch (e) {
        const retry =
          e instanceof DomainError &&
          e.code === 'precondition-failed' &&
          options.ifMatch === undefined &&
          attempt < maxAttempts;
        if (!retry) throw e;
        // A jittered pause (0 to 3 × attempt ms) spreads out competing writers.
        await new Promise((r) => setTimeout(r, Math.floor(this.random() * 3 * attempt)));
      }
    }
  }

  /**
   * One page of a query: one round trip with `partitionKey` (the SDK's query-plan request is skipped, see
   * `singlePartitionQuery`), two without it (plan + page). `partitionKey` scopes the query to that partition.
   */
  async queryPage<T>(
    query: string,
    parameters: SqlParameter[],
    options: { partitionKey?: string; pageSize: number; continuationToken?: string },
  ): Promise<Page<T>> {
    const iterator = this.container.items.query<Record<string, unknown>>(
      { query, parameters },
      {
        maxItemCount: options.pageSize,
        continuationToken: options.continuationToken,
        ...(options.partitionKey !== undefined ? singlePartitionQuery(options.partitionKey) : {}),
      },
    );
    const res = await iterator.fetchNext();
    return {
      items: res.resources.map((r) => strip<T>(r)),
      continuationToken: res.hasMoreResults && res.continuationToken ? res.continuationToken : null,
    };
  }

  /**
   * One page of a query whose items keep their ETags (for a conditional write that follows). Cross-partition
   * unless `partitionKey` is given (then no query-plan request, as {@link queryPage}).
   */
  async queryVersionedPage<T>(
    query: string,
    parameters: SqlParameter[],
    options: { partitionKey?: string; pageSize: number; continuationToken?: string },
  ): Promise<Page<Versioned<T>>> {
    const iterator = this.container.items.query<Record<string, unknown>>(
      { query, parameters },
      {
        maxItemCount: options.pageSize,
        continuationToken: options.continuationToken,
        ...(options.partitionKey !== undefined ? singlePartitionQuery(options.partitionKey) : {}),
      },
    );
    const res = await iterator.fetchNext();
    return {
      items: res.resources.map((r) => ({ value: strip<T>(r), etag: String(r._etag) })),
      continuationToken: res.hasMoreResults && res.continuationToken ? res.continuationToken : null,
    };
  }

  /** All results of a (small, bounded) single-partition query with their ETags; pages internally. */
  async queryAllVersioned<T>(
    query: string,
    parameters: SqlParameter[],
    partitionKey: string,
  ): Promise<Array<Versioned<T>>> {
    const { resources } = await this.container.items
      .query<Record<string, unknown>>({ query, parameters }, singlePartitionQuery(partitionKey))
      .fetchAll();
    return resources.map((r) => ({ value: strip<T>(r), etag: String(r._etag) }));
  }

  /** All results of a (small, bounded) query; pages internally. With `partitionKey`, no query-plan request. */
  async queryAll<T>(query: string, parameters: SqlParameter[], partitionKey?: string): Promise<T[]> {
    const { resources } = await this.container.items
      .query<Record<string, unknown>>(
        { query, parameters },
        partitionKey !== undefined ? singlePartitionQuery(partitionKey) : {},
      )
      .fetchAll();
    return resources.map((r) => strip<T>(r));
  }

  /**
   * Point reads of several documents of one partition in ONE round trip: a transactional batch of Read
   * operations. Per document: its value (`found`), `absent` (404, or another type than asked), or `unknown` —
   * not read because another operation of the batch failed first (Cosmos DB stops a batch at its first failure
   * and answers 424 for the rest; a 404 is such a failure). A broken connection is retried (up to 3 attempts): the
   * batch only reads.
   * @throws the SDK's error when the batch itself is refused (throttling, 5xx) or the connection keeps breaking.
   */
  async readMany(
    partnerId: string,
    refs: ReadonlyArray<{ id: string; type?: DocType }>,
  ): Promise<Array<{ state: 'found'; value: Versioned<unknown> } | { state: 'absent' | 'unknown' }>> {
    // Fresh operations for every attempt: the SDK rewrites each operation's partitionKey in place.
    const operations = (): OperationInput[] =>
      refs.map((r) => ({ operationType: 'Read', id: r.id, partitionKey: partnerId }));
    // The SDK retries a point read whose connection broke (a keep-alive socket closed by the server as it was
    // reused), but not a batch, which may write. This one only reads: retried the same way.
    let response;
    for (let attempt = 1; ; attempt++) {
      try {
        response = await this.container.items.batch(operations(), partnerId);
        break;
      } catch (e) {
        if (attempt >= READ_BATCH_ATTEMPTS || !isBrokenConnection(e)) throw e;
      }
    }
    const results = response.result ?? [];
    return refs.map((ref, i) => {
      const r = results[i];
      if (!r) return { state: 'unknown' };
      const resource = r.resourceBody as Record<string, unknown> | undefined;
      if (r.statusCode === 404) return { state: 'absent' };
      if (r.statusCode >= 300 || !resource) {
        if (r.statusCode === 424 || r.statusCode < 300) return { state: 'unknown' };
        throw new Error(`batch read of ${ref.id} failed with status ${r.statusCode}`);
      }
      if (ref.type !== undefined && resource.type !== ref.type) return { state: 'absent' };
      return { state: 'found', value: { value: strip(resource), etag: String(r.eTag ?? resource._etag) } };
    });
  }
}
