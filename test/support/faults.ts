/**
 * Fault injection into the real `@azure/cosmos` client (its documented `httpClient` option, under the store's own
 * query-plan skipping client): the n-th write request from the moment a fault is armed fails. Nothing of ours is
 * mocked; the host's store is replaced by a store over a client of the same embedded server with this HTTP client
 * ({@link installFaultyStore}).
 *
 * A write is any document request that may change data: creates, replaces, upserts, deletes, and transactional
 * batches holding at least one non-read operation. Reads, queries and batches of reads pass untouched.
 */
import { createDefaultHttpClient, type HttpClient, type PipelineRequest } from '@azure/core-rest-pipeline';
import { createCosmosContainer } from '../../src/store/cosmos';
import { cosmosQuirks } from '../../src/store/ports';
import { BenefitsStore } from '../../src/store/store';
import type { LocalHost } from '../../src/local/host';
import { seededRandom } from './seeds';

/**
 * How the armed write fails:
 * - `before`: it is never sent (a crash or a network failure before the server saw it);
 * - `after`: the server applies it, the response is lost (a crash or a timeout after the commit);
 * - `operation`: (a transactional batch) its operation `operation` is refused by the server — the operations before
 *   it are applied first on a server without batch rollback (the embedded one), all or none on Cosmos DB.
 */
export type FaultMode = 'before' | 'after' | { operation: number };

/** One write request as the fault injector saw it. */
export interface SeenWrite {
  method: string;
  path: string;
  /** Operation types of a batch (e.g. `['Replace', 'Create', 'Create']`). */
  operations?: string[];
}

/** Arms faults and records the write requests (see the module comment). */
export class WriteFaults {
  private armed: { at: number; mode: FaultMode } | undefined;
  private count = 0;
  /** Every write request since the last {@link arm} or {@link record}. */
  readonly seen: SeenWrite[] = [];
  readonly client: HttpClient;

  constructor(inner: HttpClient = createDefaultHttpClient()) {
    this.client = {
      sendRequest: async (request) => {
        const write = describeWrite(request);
        if (!write) return inner.sendRequest(request);
        this.seen.push(write);
        this.count++;
        const fault = this.armed?.at === this.count ? this.armed.mode : undefined;
        if (fault === undefined) return inner.sendRequest(request);
        this.armed = undefined;
        if (fault === 'before') throw new Error(`injected fault: write ${this.count} not sent`);
        if (fault === 'after') {
          await inner.sendRequest(request);
          throw new Error(`injected fault: the response of write ${this.count} was lost`);
        }
        refuseOperation(request, fault.operation);
        return inner.sendRequest(request);
      },
    };
  }

  /** From now on, the `at`-th write request (1-based) fails as `mode`; the record of writes starts afresh. */
  arm(at: number, mode: FaultMode): void {
    this.armed = { at, mode };
    this.count = 0;
    this.seen.length = 0;
  }

  /** No fault; the record of writes starts afresh. */
  record(): void {
    this.armed = undefined;
    this.count = 0;
    this.seen.length = 0;
  }

  /** Whether the armed fault has fired. */
  get fired(): boolean {
    return this.armed === undefined;
  }
}

function describeWrite(request: PipelineRequest): SeenWrite | undefined {
  const path = new URL(request.url).pathname;
  if (!/\/docs(\/[^/]+)?$/.test(path)) return undefined;
  if (!['POST', 'PUT', 'DELETE', 'PATCH'].includes(request.method)) return undefined;
  if (request.headers.get('x-ms-documentdb-isquery') === 'True') return undefined;
  if ((request.headers.get('content-type') ?? '').includes('query+json')) return undefined;
  if (request.headers.get('x-ms-cosmos-is-query-plan-request')) return undefined;
  if (request.headers.get('x-ms-cosmos-is-batch-request')) {
    const operations = (JSON.parse(String(request.body)) as Array<{ operationType: string }>).map(
      (o) => o.operationType,
    );
    if (operations.every((o) => o === 'Read')) return undefined;
    return { method: request.method, path, operations };
  }
  return { method: request.method, path };
}

/**
 * Makes the server refuse operation `index` of a batch: a create or replace with 400 (its document has no id), a
 * delete with 412 (a condition no document meets: the unit of work reads and decides again).
 */
function refuseOperation(request: PipelineRequest, index: number): void {
  const operations = JSON.parse(String(request.body)) as Array<{
    operationType: string;
    ifMatch?: string;
    resourceBody?: Record<string, unknown>;
  }>;
  const operation = operations[index];
  if (operation?.operationType === 'Delete') operation.ifMatch = 'injected-fault';
  else if (operation?.resourceBody) delete operation.resourceBody.id;
  else throw new Error(`batch operation ${index} has no document to refuse`);
  request.body = JSON.stringify(operations);
}

/**
 * Replaces the host's store by one over a client with `faults.client` (the same embedded server and data).
 * Everything that uses the host's services — routes, activities, the timers, the outbox relay — then writes
 * through it.
 */
export function installFaultyStore(host: LocalHost, faults: WriteFaults): void {
  const container = createCosmosContainer(host.config, {
    agent: host.cosmos.agent,
    httpClient: faults.client,
  });
  host.services.store = new BenefitsStore(container, cosmosQuirks(host.config), seededRandom());
}
