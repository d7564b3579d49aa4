/**
 * The embedded Cosmos DB–compatible server (`@vercel/cosmosdb-server`, in-process, in memory) and a
 * client agent whose TLS exception (the bundled certificate is self-signed) is scoped to that agent only.
 * Counts round trips by kind so tests can assert costs (docs/platform-notes.md).
 *
 * The server keeps everything in memory. So that `npm start` keeps its data across restarts, this module can
 * take a {@link CosmosSnapshot} of the server's state and load one back ({@link EmbeddedCosmos.snapshot},
 * {@link EmbeddedCosmos.restore}); `persistence.ts` writes it to the data folder. The package exposes no API
 * for that: the server builds its `Account` (databases → collections → documents) when it starts listening,
 * from the `default` export of `lib/account`, and keeps it private. {@link registerAccounts} subclasses that
 * export once per module registry, so every account created afterwards is recorded by port. The package is
 * pinned (1.0.1); `startEmbeddedCosmos` fails loudly if the internals it relies on change.
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { createHttpServer, createHttpsServer } from '@vercel/cosmosdb-server';

/**
 * Settings that describe how this server departs from Cosmos DB (docs/decisions.md, "Emulator quirks"): one
 * endpoint, no regions to discover; a transactional batch applied up to its first refusal without rollback (the
 * store compensates). Every local configuration that talks to this server spreads them in.
 */
export const EMBEDDED_COSMOS_SETTINGS = {
  COSMOS_ENDPOINT_DISCOVERY: 'false',
  COSMOS_BATCH_ROLLBACK: 'false',
} as const;

/** Round trips seen by the server since the last reset. */
export interface CosmosRequestCounts {
  /** Point reads (GET of one document). */
  reads: number;
  /** Query pages (POST …/docs with a query, excluding query-plan look-ups). */
  queries: number;
  /** Query-plan look-ups the SDK makes before a query (gateway metadata). */
  queryPlans: number;
  /** Creates, replaces, upserts and deletes, one request each (a batch counts in `batches`). */
  writes: number;
  /** Transactional batches (reads and/or writes in one partition, one round trip each). */
  batches: number;
  /**
   * Point replaces of outbox records (`outbox:…`): the relay's claim and settlement of an email. In Azure the relay
   * is an invocation of its own (the change-feed trigger); locally it runs right after the invocation that
   * committed the record, so its round trips are counted apart from that invocation's `writes`.
   */
  outbox: number;
  /** Everything else (metadata: databases, collections, partition key ranges). */
  other: number;
  total: number;
}

/** A running embedded server. */
export interface EmbeddedCosmos {
  endpoint: string;
  /** Any key is accepted. */
  key: string;
  /** Use for this server's clients only. */
  agent: https.Agent;
  counts(): CosmosRequestCounts;
  resetCounts(): void;
  /** A deep copy of every database, container, document and UDF, taken synchronously (consistent). */
  snapshot(): CosmosSnapshot;
  /**
   * Loads a snapshot into this server: creates missing databases and containers, then every document with
   * its `_etag` and `_ts` (so ETags a client holds stay valid). Throws if a document already exists.
   */
  restore(snapshot: CosmosSnapshot): void;
  /** Calls `listener` after every request that may have changed data (writes, batches, DDL). */
  onWrite(listener: () => void): () => void;
  /**
   * Calls `listener` with a copy of every document created or replaced in one container from now on, as it is
   * stored (with `_etag`, `_ts`), synchronously as the server stores it: the source of the local change feed
   * (./changeFeed.ts). Deletes are not reported (nor are they by Cosmos DB's latest-version change feed).
   * @returns a function that stops the listener.
   * @throws Error when the container does not exist.
   */
  watchDocuments(
    databaseId: string,
    containerId: string,
    listener: (document: Record<string, unknown>) => void,
  ): () => void;
  close(): Promise<void>;
}

/** The embedded server's data as plain JSON (format 1). */
export interface CosmosSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  databases: Array<{
    id: string;
    containers: Array<{
      /** The container's definition as created (id, partitionKey, indexingPolicy, uniqueKeyPolicy…). */
      definition: Record<string, unknown> & { id: string };
      documents: Array<Record<string, unknown>>;
      udfs: Array<{ id: string; body: string }>;
    }>;
  }>;
}

/** Marks the snapshot layout; bump when it changes. */
export const SNAPSHOT_FORMAT = 'partner-benefits/embedded-cosmos@1';

// ---- the package's internals this module relies on (lib/account, 1.0.1) ------------------------
interface ItemsInternal<T> {
  _data: Map<string, { read(): T }>;
  /** Stores a created or replaced item (every write of the package goes through it). */
  _set(data: T): T;
  /** Changes so far (creates, replaces, deletes); added by patches/@vercel+cosmosdb-server. */
  _version?: number;
  create(data: Record<string, unknown>): T;
}
interface DocumentData extends Record<string, unknown> {
  id: string;
  _etag?: string;
  _ts?: number;
}
interface CollectionInternal {
  read(): (Record<string, unknown> & { id: string }) | undefined;
  documents: ItemsInternal<DocumentData>;
  userDefinedFunctions: ItemsInternal<{ id: string; body: string }>;
}
interface DatabaseInternal {
  read(): { id: string } | undefined;
  collections: ItemsInternal<Record<string, unknown>>;
  collection(id: string): CollectionInternal;
}
interface AccountInternal {
  databases: ItemsInternal<{ id: string }>;
  database(id: string): DatabaseInternal;
}
type AccountClass = new (host: string, port: number) => AccountInternal;

const accountsByPort = new Map<number, AccountInternal>();
const REGISTERED = Symbol.for('partner-benefits.embedded-cosmos.accounts');

/** Makes the package record every account it creates (by port) in {@link accountsByPort}. Idempotent. */
function registerAccounts(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const accountModule = require('@vercel/cosmosdb-server/lib/account') as { default: AccountClass };
  const Base = accountModule.default;
  if ((Base as unknown as Record<symbol, boolean>)[REGISTERED]) return;
  class RecordedAccount extends Base {
    constructor(host: string, port: number) {
      super(host, port);
      accountsByPort.set(port, this);
    }
  }
  (RecordedAccount as unknown as Record<symbol, boolean>)[REGISTERED] = true;
  accountModule.default = RecordedAccount;
}

const SYSTEM_FIELDS = [
  '_rid',
  '_self',
  '_etag',
  '_ts',
  '_docs',
  '_sprocs',
  '_triggers',
  '_udfs',
  '_conflicts',
];
const withoutSystemFields = <T extends Record<string, unknown>>(value: T): T => {
  const copy: Record<string, unknown> = { ...value };
  for (const f of SYSTEM_FIELDS) delete copy[f];
  return copy as T;
};
const values = <T>(items: ItemsInternal<T>): T[] => [...items._data.values()].map((i) => i.read());

/**
 * The sum of every container's document change counter, or undefined when the server lacks it (unpatched): tells a
 * transactional batch that only read (the access check's) from one that wrote, which the headers do not.
 */
function documentsVersion(account: AccountInternal): number | undefined {
  let version = 0;
  for (const db of values(account.databases)) {
    const database = account.database(db.id);
    for (const c of values(database.collections)) {
      const v = database.collection(String(c.id)).documents._version;
      if (typeof v !== 'number') return undefined;
      version += v;
    }
  }
  return version;
}

function takeSnapshot(account: AccountInternal): CosmosSnapshot {
  const snapshot: CosmosSnapshot = {
    format: SNAPSHOT_FORMAT,
    databases: values(account.databases).map((db) => {
      const database = account.database(db.id);
      return {
        id: db.id,
        containers: values(database.collections).map((definition) => {
          const collection = database.collection(String(definition.id));
          return {
            definition: withoutSystemFields(definition) as Record<string, unknown> & { id: string },
            documents: values(collection.documents),
            udfs: values(collection.userDefinedFunctions).map(({ id, body }) => ({ id, body })),
          };
        }),
      };
    }),
  };
  // A deep copy: the server replaces documents rather than mutating them, but callers may hold it a while.
  return JSON.parse(JSON.stringify(snapshot)) as CosmosSnapshot;
}

function restoreSnapshot(account: AccountInternal, snapshot: CosmosSnapshot): void {
  if (snapshot.format !== SNAPSHOT_FORMAT) {
    throw new Error(`Unknown snapshot format ${String(snapshot.format)} (expected ${SNAPSHOT_FORMAT})`);
  }
  for (const db of snapshot.databases) {
    if (!account.database(db.id).read()) account.databases.create({ id: db.id });
    const database = account.database(db.id);
    for (const c of db.containers) {
      if (!database.collection(c.definition.id).read()) database.collections.create(c.definition);
      const collection = database.collection(c.definition.id);
      for (const udf of c.udfs) collection.userDefinedFunctions.create(udf);
      for (const doc of c.documents) {
        const created = collection.documents.create(withoutSystemFields(doc));
        // Keep the ETag and timestamp the client saw; the stored object is the one returned.
        if (typeof doc._etag === 'string') created._etag = doc._etag;
        if (typeof doc._ts === 'number') created._ts = doc._ts;
      }
    }
  }
}

const zero = (): CosmosRequestCounts => ({
  reads: 0,
  queries: 0,
  queryPlans: 0,
  writes: 0,
  batches: 0,
  outbox: 0,
  other: 0,
  total: 0,
});

/**
 * Starts the server on 127.0.0.1 (port 0 = any free port). `tls: false` serves plain HTTP on loopback, for
 * clients that cannot be given a scoped agent (the production client under `func start`).
 */
export async function startEmbeddedCosmos(
  port = 0,
  options: { tls?: boolean } = {},
): Promise<EmbeddedCosmos> {
  const tls = options.tls !== false;
  registerAccounts();
  const server = tls
    ? createHttpsServer({ keepAlive: true } as https.ServerOptions)
    : createHttpServer({ keepAlive: true });
  // Idle keep-alive sockets are never closed by the server (Node's default closes them after 5 s): the SDK's
  // agent may pick such a socket in the very moment the server closes it, and the request fails with
  // ECONNRESET — seen when a busy machine stretches the gap between two requests past 5 s. `close()` ends
  // every connection itself.
  server.keepAliveTimeout = 0;
  let counts = zero();
  const writeListeners = new Set<() => void>();
  /** This server's account (registered when it starts listening). */
  const ownAccount = () => accountsByPort.get((server.address() as AddressInfo | null)?.port ?? -1);
  server.on('request', (req, res) => {
    counts.total++;
    const isDocs = /\/docs(\/[^/]+)?$/.test((req.url ?? '').split('?')[0]);
    const isQuery =
      req.headers['x-ms-documentdb-isquery'] === 'True' ||
      req.headers['content-type'] === 'application/query+json';
    if (req.headers['x-ms-cosmos-is-query-plan-request']) counts.queryPlans++;
    else if (req.headers['x-ms-cosmos-is-batch-request']) counts.batches++;
    else if (isDocs && req.method === 'POST' && isQuery) counts.queries++;
    else if (isDocs && req.method === 'GET' && /\/docs\/[^/]+$/.test(req.url ?? '')) counts.reads++;
    else if (isDocs && req.method === 'PUT' && /\/docs\/outbox(:|%3A)/i.test(req.url ?? '')) counts.outbox++;
    else if (isDocs && ['POST', 'PUT', 'DELETE', 'PATCH'].includes(req.method ?? '')) counts.writes++;
    else counts.other++;
    const reads =
      req.method === 'GET' ||
      req.method === 'HEAD' ||
      isQuery ||
      !!req.headers['x-ms-cosmos-is-query-plan-request'];
    if (!reads && writeListeners.size > 0) {
      // A batch may only read (the access check): listeners hear of it only when documents changed.
      const account = req.headers['x-ms-cosmos-is-batch-request'] ? ownAccount() : undefined;
      const before = account ? documentsVersion(account) : undefined;
      res.once('finish', () => {
        if (account && before !== undefined && documentsVersion(account) === before) return;
        writeListeners.forEach((listener) => listener());
      });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const found = accountsByPort.get(address.port);
  if (!found || !(found.databases?._data instanceof Map)) {
    server.close();
    throw new Error(
      'The embedded Cosmos server did not expose its account: @vercel/cosmosdb-server internals changed (expected 1.0.1).',
    );
  }
  // The bundled certificate is self-signed and expired: trust it for this agent only.
  const agent = new https.Agent({ rejectUnauthorized: false, keepAlive: true });
  return {
    endpoint: `${tls ? 'https' : 'http'}://127.0.0.1:${address.port}/`,
    key: 'local-embedded-cosmos-key',
    agent,
    counts: () => ({ ...counts }),
    resetCounts: () => {
      counts = zero();
    },
    snapshot: () => takeSnapshot(found),
    restore: (snapshot) => restoreSnapshot(found, snapshot),
    onWrite: (listener) => {
      writeListeners.add(listener);
      return () => writeListeners.delete(listener);
    },
    watchDocuments: (databaseId, containerId, listener) => {
      const collection = found.database(databaseId).collection(containerId);
      if (!collection.read()) throw new Error(`No container ${databaseId}/${containerId} to watch`);
      const documents = collection.documents;
      // An own property over the prototype's method: this container's documents only.
      const previous = Object.prototype.hasOwnProperty.call(documents, '_set') ? documents._set : undefined;
      const inner = previous ?? Object.getPrototypeOf(documents)._set;
      documents._set = function (this: ItemsInternal<DocumentData>, data: DocumentData) {
        const stored = inner.call(this, data) as DocumentData;
        listener(JSON.parse(JSON.stringify(stored)) as Record<string, unknown>);
        return stored;
      };
      return () => {
        if (previous) documents._set = previous;
        else delete (documents as Partial<ItemsInternal<DocumentData>>)._set;
      };
    },
    close: async () => {
      accountsByPort.delete(address.port);
      agent.destroy();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
