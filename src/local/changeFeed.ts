/**
 * The local change feed (docs/decisions.md, "One unit of work per mutation"): the embedded Cosmos server has none,
 * so the local host records every document the app's container stores ({@link EmbeddedCosmos.watchDocuments}) and
 * hands them to the registered Cosmos DB trigger functions (the outbox relay, functions/outbox.ts) — right after
 * each invocation that wrote, before the host answers it, so that `npm start` and the tests find the email in the
 * outbox as soon as the request is answered. In Azure the same function is fed by the Cosmos DB extension's change
 * feed processor, a few seconds after the commit.
 *
 * Like Cosmos DB's latest-version change feed: creates and replaces (not deletes), the latest version of each
 * document once per delivery, in the order they were stored, deliveries one at a time.
 */
import type { EmbeddedCosmos } from './embeddedCosmos';

/** Receives one batch of changed documents (as stored, with `_etag`). */
export type ChangeFeedHandler = (documents: Array<Record<string, unknown>>) => Promise<void>;

/** Records a container's changes and delivers them in order; see the module comment. */
export class LocalChangeFeed {
  #pending = new Map<string, Record<string, unknown>>();
  #delivering: Promise<void> = Promise.resolve();
  readonly #stop: () => void;

  /**
   * Starts recording the changes of `databaseId/containerId` (which must exist).
   * @param deliver called with each batch; its errors are reported to `log`, and the batch is not delivered again
   *   (the relay's timer sends what is left, as in Azure after the trigger gives up).
   */
  constructor(
    cosmos: EmbeddedCosmos,
    databaseId: string,
    containerId: string,
    private readonly deliver: ChangeFeedHandler,
    private readonly log: (line: string) => void,
  ) {
    this.#stop = cosmos.watchDocuments(databaseId, containerId, (doc) => {
      const key = `${String(doc.partnerId)}\n${String(doc.id)}`;
      this.#pending.delete(key); // the latest version, in the order of its last change
      this.#pending.set(key, doc);
    });
  }

  /**
   * Delivers every change recorded so far, and those its delivery causes, and resolves once they are delivered.
   * Concurrent calls queue up: when one resolves, every change recorded before it was called has been delivered.
   */
  flush(): Promise<void> {
    const run = this.#delivering.then(async () => {
      while (this.#pending.size > 0) {
        const batch = [...this.#pending.values()];
        this.#pending.clear();
        try {
          await this.deliver(batch);
        } catch (e) {
          this.log(`Change feed delivery failed: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    });
    this.#delivering = run;
    return run;
  }

  /** Stops recording (pending changes are dropped). */
  stop(): void {
    this.#stop();
    this.#pending.clear();
  }
}
