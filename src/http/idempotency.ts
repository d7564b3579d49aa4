/**
 * `Idempotency-Key` on POST routes (docs/product.md §9): a repeat of the same request with the same key
 * within 24 h returns the first response and does nothing again. The record lives in the partner's partition
 * (`idem:<sha256(caller, route, key)>`), created before the work runs so that concurrent repeats see it.
 */
import { createHash } from 'node:crypto';
import type { HttpResponseInit } from '@azure/functions';
import { DomainError } from '../domain/errors';
import type { Services } from '../services';
import type { IdempotencyRecord } from '../store/ports';

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
  run: () => Promise<HttpResponseInit>;
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
    }
    throw e;
  }

  let response: HttpResponseInit;
  try {
    response = await call.run();
  } catch (e) {
    await store.releaseIdempotencyKey(call.partnerId, id);
    throw e;
  }
  const status = response.status ?? 200;
  if (status >= 500) {
    await store.releaseIdempotencyKey(call.partnerId, id);
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
  await store.completeIdempotencyRecord(stored, etag);
  return response;
}

function replay(record: IdempotencyRecord, fingerprint: string): HttpResponseInit {
  if (record.fingerprint !== fingerprint) {
    throw new DomainError(
      'idempotency-key-reused',
      'This Idempotency-Key was used for a different request within the last 24 hours.',
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
