/**
 * `Idempotency-Key` on POST routes (docs/product.md §9): a repeat of the same request with the same key
 * within 24 h returns the first response and does nothing again. The record lives in the partner's partition
 * (`idem:<sha256(caller, route, key)>`), created before the work runs so that concurrent repeats see it.
 *
 * The request's unit of work (src/app/unitOfWork.ts) carries the record's move to `committed` in its batch, on the
 * claim's ETag: the change and "this key's request was applied" are written together. So a request that fails
 * after its commit (the response lost, a crash before the response is recorded) is never applied again: a repeat
 * is told it was applied (`409 conflict`) instead of running again; a failure before the commit releases the key,
 * and a repeat runs it (docs/decisions.md, "One unit of work per mutation").
 */
import { createHash } from 'node:crypto';
import type { HttpResponseInit } from '@azure/functions';
import { DomainError } from '../domain/errors';
import type { Services } from '../services';
import type { IdempotencyRecord, UnitOfWorkWrite } from '../store/ports';

/** How long a key is remembered, milliseconds (24 h). */
const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

/** What {@link withIdempotency} needs to know about the request. */
export interface IdempotentCall {
  key: string;
  /** The route's name: a key is scoped to one route and one caller. */
  scope: string;
  partnerId: string;
  callerId: string;
  /** URL and parsed body; a key reused for a different request is refused (422). */
  requestFingerprint: string;
  /** The work, given the services to use: their store's first commit in the partition carries the claim. */
  run: (services: Services) => Promise<HttpResponseInit>;
}

/**
 * Runs `call.run` once per key.
 * @throws DomainError `validation-failed` for a key longer than 255 chars, `idempotency-key-reused` (422)
 *   when the key was used for a different request, `conflict` while the first request is still running.
 */
export async function withIdempotency(services: Services, call: IdempotentCall): Promise<HttpResponseInit> {
  if (call.key.length > 255) {
    throw new DomainError('validation-failed', 'Idempotency-Key must be at most 255 characters.', [
      { field: 'headers.Idempotency-Key', message: 'at most 255 characters' },
    ]);
  }
  const store = services.store;
  const id = `idem:${sha256(`${call.callerId}\n${call.scope}\n${call.key}`)}`;
  const fingerprint = sha256(call.requestFingerprint);
  const now = services.clock.now();

  const existing = await store.findIdempotencyRecord(call.partnerId, id);
  const fresh = existing && now.getTime() - Date.parse(existing.value.createdAt) < IDEMPOTENCY_WINDOW_MS;
  if (existing && fresh) return replay(existing.value, fingerprint);

  const record: IdempotencyRecord = {
    id,
    partnerId: call.partnerId,
    state: 'in-progress',
    fingerprint,
    createdAt: now.toISOString(),
  };
  let etag: string;
  try {
    etag = await store.claimIdempotencyKey(record, existing?.etag);
  } catch (e) {
    if (e instanceof DomainError && (e.code === 'conflict' || e.code === 'precondition-failed')) {
      const winner = await store.findIdempotencyRecord(call.partnerId, id);
      if (winner) return replay(winner.value, fingerprint);
    } else if (!existing) {
      // The claim may have been written with its answer lost: nothing ran, so forget it (a repeat runs the work).
      await store.releaseIdempotencyKey(call.partnerId, id).catch(() => undefined);
    }
    throw e;
  }

  // The claim rides in the first unit of work committed in this partition (one batch, see the module comment).
  let claimEtag = etag;
  let committed = false;
  const claimed: IdempotencyRecord = { ...record, state: 'committed' };
  const claimingStore = Object.create(store, {
    commit: {
      value: async (partnerId: string, writes: readonly UnitOfWorkWrite[]) => {
        if (committed || partnerId !== call.partnerId) return store.commit(partnerId, writes);
        const out = await store.commit(partnerId, [
          ...writes,
          { op: 'replace', type: 'idempotency', value: claimed, etag: claimEtag, previous: record },
        ]);
        committed = true;
        claimEtag = out.etags[id];
        return out;
      },
    },
  }) as Services['store'];

  let response: HttpResponseInit;
  try {
    response = await call.run({ ...services, store: claimingStore });
  } catch (e) {
    await store.releaseIdempotencyKey(call.partnerId, id, true);
    throw e;
  }
  const status = response.status ?? 200;
  if (status >= 500) {
    await store.releaseIdempotencyKey(call.partnerId, id, true);
    return response;
  }
  const stored: IdempotencyRecord = {
    ...record,
    state: 'completed',
    response: {
      status,
      headers: (response.headers ?? {}) as Record<string, string>,
      ...(typeof response.body === 'string' ? { body: response.body } : {}),
    },
  };
  try {
    await store.completeIdempotencyRecord(stored, claimEtag);
  } catch {
    // The work is done: its answer is not withheld because it could not be recorded. A repeat is then told that
    // the request was applied (the record stays `committed`), or runs it (a refusal, which wrote nothing).
    if (!committed) await store.releaseIdempotencyKey(call.partnerId, id, true).catch(() => undefined);
    return response;
  }
  return response;
}

function replay(record: IdempotencyRecord, fingerprint: string): HttpResponseInit {
  if (record.fingerprint !== fingerprint) {
    throw new DomainError(
      'idempotency-key-reused',
      'This Idempotency-Key was used for a different request within the last 24 hours.',
    );
  }
  if (record.state === 'committed') {
    throw new DomainError(
      'conflict',
      'A request with this Idempotency-Key was applied, but its response was not recorded; read the resource for its result.',
    );
  }
  if (record.state !== 'completed' || !record.response) {
    throw new DomainError(
      'conflict',
      'A request with this Idempotency-Key is still being processed; retry shortly.',
    );
  }
  return {
    status: record.response.status,
    headers: { ...record.response.headers, 'Idempotent-Replayed': 'true' },
    body: record.response.body,
  };
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}
