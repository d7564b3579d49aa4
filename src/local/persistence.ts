/**
 * Keeps the embedded Cosmos server's data in the local data folder (`DATA_DIR/store/cosmos.json`) so that
 * `npm start` finds everything created through the API after a restart (docs/decisions.md, "Local data
 * survives a restart").
 *
 * After every write the server answers, a snapshot is scheduled (debounced: at most one file write per
 * {@link StorePersister} `debounceMs`, 200 ms by default); `flush()` writes at once and is called when the
 * host stops (Ctrl-C, SIGTERM). Each write replaces the file atomically (atomicFile.ts), so a host killed
 * mid-write (`kill -9`) leaves the previous complete file and at most a garbage `cosmos.json.tmp`, which
 * loading ignores. Writes made in the last `debounceMs` before a `kill -9` are lost; nothing else is.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from './atomicFile';
import { SNAPSHOT_FORMAT, type CosmosSnapshot, type EmbeddedCosmos } from './embeddedCosmos';

/**
 * Reads a stored snapshot. Returns undefined when there is none (first start, or after a reset). Throws an
 * Error naming the file and the way out when the file exists but is not a snapshot this version can read —
 * it is never silently replaced by demo data.
 */
export async function loadSnapshot(file: string): Promise<CosmosSnapshot | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let snapshot: Partial<CosmosSnapshot>;
  try {
    snapshot = JSON.parse(text) as Partial<CosmosSnapshot>;
  } catch (e) {
    throw new Error(
      `The stored local data in ${file} is not valid JSON (${(e as Error).message}). Move it away, or start over with npm run reset.`,
    );
  }
  if (snapshot?.format !== SNAPSHOT_FORMAT || !Array.isArray(snapshot.databases)) {
    throw new Error(
      `${file} is not local data this version can read (format ${JSON.stringify(snapshot?.format)}, expected ${SNAPSHOT_FORMAT}). Start over with npm run reset.`,
    );
  }
  return snapshot as CosmosSnapshot;
}

/** Number of documents in a snapshot (all containers). */
export function documentCount(snapshot: CosmosSnapshot): number {
  return snapshot.databases.reduce(
    (n, db) => n + db.containers.reduce((m, c) => m + c.documents.length, 0),
    0,
  );
}

/** Options of {@link StorePersister}. */
export interface StorePersisterOptions {
  /** Delay between a write and the snapshot it triggers, ms (default 200). */
  debounceMs?: number;
  /** Receives a line when a background save fails (the next write retries). */
  log?: (line: string) => void;
}

/** Writes snapshots of an embedded server to one file, debounced; see the module comment. */
export class StorePersister {
  readonly #cosmos: EmbeddedCosmos;
  readonly #file: string;
  readonly #debounceMs: number;
  readonly #log: (line: string) => void;
  #timer: NodeJS.Timeout | undefined;
  #saving: Promise<void> = Promise.resolve();
  #dirty = false;
  #unsubscribe: (() => void) | undefined;

  constructor(cosmos: EmbeddedCosmos, file: string, options: StorePersisterOptions = {}) {
    this.#cosmos = cosmos;
    this.#file = file;
    this.#debounceMs = options.debounceMs ?? 200;
    this.#log = options.log ?? ((line) => console.warn(line));
  }

  /** Starts watching writes, after writing the current state once (so a fresh seed is on disk at once). */
  async start(): Promise<void> {
    await mkdir(dirname(this.#file), { recursive: true });
    this.#unsubscribe = this.#cosmos.onWrite(() => this.#schedule());
    await this.flush();
  }

  /** Writes the current state now (waiting for a save in progress first). Rejects if the write fails. */
  async flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#dirty = false;
    const snapshot = this.#cosmos.snapshot();
    const next = this.#saving.catch(() => undefined).then(() => this.#write(snapshot));
    this.#saving = next;
    return next;
  }

  /** Stops watching and writes the final state. */
  async stop(): Promise<void> {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    await this.flush();
  }

  #schedule(): void {
    this.#dirty = true;
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#dirty) return;
      this.flush().catch((e: unknown) => {
        this.#dirty = true;
        this.#log(`Saving local data to ${this.#file} failed: ${e instanceof Error ? e.message : String(e)}`);
      });
    }, this.#debounceMs);
    this.#timer.unref();
  }

  #write(snapshot: CosmosSnapshot): Promise<void> {
    return writeFileAtomic(this.#file, JSON.stringify(snapshot));
  }
}
