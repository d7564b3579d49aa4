/**
 * The outbox relay (docs/architecture.md; docs/decisions.md, "One unit of work per mutation"): sends the emails
 * that committed units of work owe (src/app/unitOfWork.ts), after the commit, and records each outcome on its
 * outbox record. Two adapters call it (functions/outbox.ts): the container's change feed right after a commit
 * ({@link relayOutbox}), and a timer for what is left — a failed attempt whose back-off has passed, or a record the
 * change feed did not deliver ({@link retryOwedEmails}).
 *
 * Each record is sent at most once per idempotency key:
 * 1. the relay claims the record by a conditional replace (ETag) that moves `notBefore` to the end of a lease
 *    ({@link OUTBOX_LEASE_MS}) — of two relays that race, one gets it, the other writes and sends nothing;
 * 2. it sends through the mail port with the record's idempotency key (ACS `Operation-Id`, the local outbox's file
 *    name), so a resend after a crash between the send and step 3 is delivered once by the provider;
 * 3. it settles the record with a conditional replace of its claim: `Sent` (the template data, which may hold a
 *    verification token, is dropped); after a failure `Pending` again with a back-off, or — after
 *    {@link OUTBOX_MAX_ATTEMPTS} attempts or a permanent refusal — `Failed` together with an `email.failed` audit
 *    event, in one unit of work.
 */
import type { EmailKind, EmailTemplateData, OutboxRecord, Versioned } from './ports';
import type { AppDeps } from './ports';
import { DomainError } from '../domain/errors';
import { forEachLimited } from './expirySweep';
import { runUnitOfWork } from './unitOfWork';

/** How long a relay holds a record it claimed before another relay may take it over. 2 minutes. */
export const OUTBOX_LEASE_MS = 2 * 60_000;

/** Send attempts after which an email is given up (`Failed`, audited `email.failed`). */
export const OUTBOX_MAX_ATTEMPTS = 5;

/**
 * How long a new record is left to the change feed before the timer sends it (1 minute): the timer takes what is
 * `Pending` and due at least this long.
 */
export const OUTBOX_GRACE_MS = 60_000;

/** Back-off after the n-th failed attempt, ms: 1 minute, doubling, at most 1 hour. */
export function outboxBackoffMs(failedAttempts: number): number {
  return Math.min(60 * 60_000, 60_000 * 2 ** Math.max(0, failedAttempts - 1));
}

/** What one relay run did, by record. */
export interface RelayResult {
  /** Handed to the provider and recorded `Sent`. */
  sent: number;
  /** Failed this time, to be retried after the back-off. */
  retried: number;
  /** Given up (`Failed`, audited). */
  failed: number;
  /** Left alone: not `Pending`, not due, or claimed by another relay. */
  skipped: number;
}

/** Options of the relay's runs. */
export interface RelayOptions {
  /** Warnings: a failed send, a lost claim. */
  log?: (message: string) => void;
  /** Records sent at once (default 8). */
  concurrency?: number;
}

/**
 * Sends the due `Pending` records among `records` (e.g. the documents of the change feed, each with the ETag it
 * was read with); everything else is skipped. Never throws for one record (logged; the timer retries it).
 * Round trips per record sent: two conditional replaces (claim, settle).
 */
export async function relayOutbox(
  deps: AppDeps,
  records: ReadonlyArray<Versioned<OutboxRecord>>,
  options: RelayOptions = {},
): Promise<RelayResult> {
  const result: RelayResult = { sent: 0, retried: 0, failed: 0, skipped: 0 };
  const log = options.log ?? (() => undefined);
  await forEachLimited([...records], options.concurrency ?? 8, async (record) => {
    try {
      result[await deliver(deps, record, log)]++;
    } catch (e) {
      result.skipped++;
      log(`Outbox record ${record.value.id} (${record.value.partnerId}) not relayed: ${errorText(e)}`);
    }
  });
  return result;
}

/**
 * The timer's run: every `Pending` record due at least {@link OUTBOX_GRACE_MS} ago (a back-off that has passed, an
 * expired lease, a record the change feed missed), across partners, page by page, up to `budget` records.
 * Round trips: one query per page, plus the relay's per record.
 * @throws the store's error when a page cannot be read (the next run starts afresh).
 */
export async function retryOwedEmails(
  deps: AppDeps,
  options: RelayOptions & { budget?: number; pageSize?: number } = {},
): Promise<RelayResult & { pages: number }> {
  const due = new Date(deps.clock.now().getTime() - OUTBOX_GRACE_MS).toISOString();
  const total: RelayResult & { pages: number } = { sent: 0, retried: 0, failed: 0, skipped: 0, pages: 0 };
  const budget = options.budget ?? 1000;
  let examined = 0;
  let continuationToken: string | undefined;
  while (examined < budget) {
    const page = await deps.store.listDueOutboxRecords(due, {
      pageSize: Math.min(options.pageSize ?? 100, budget - examined),
      continuationToken,
    });
    total.pages++;
    examined += page.items.length;
    const done = await relayOutbox(deps, page.items, options);
    total.sent += done.sent;
    total.retried += done.retried;
    total.failed += done.failed;
    total.skipped += done.skipped;
    if (!page.continuationToken) break;
    continuationToken = page.continuationToken;
  }
  return total;
}

/** Claims, sends and settles one record (see the module comment). */
async function deliver(
  deps: AppDeps,
  found: Versioned<OutboxRecord>,
  log: (message: string) => void,
): Promise<keyof RelayResult> {
  const record = found.value;
  const now = deps.clock.now();
  const nowIso = now.toISOString();
  if (record.status !== 'Pending' || Date.parse(record.notBefore) > now.getTime()) return 'skipped';

  // 1. Claim (lease).
  const claimed: OutboxRecord = {
    ...record,
    notBefore: new Date(now.getTime() + OUTBOX_LEASE_MS).toISOString(),
    updatedAt: nowIso,
  };
  let etag: string;
  try {
    etag = await deps.store.replaceOutboxRecord(claimed, found.etag);
  } catch (e) {
    if (isLostRace(e)) return 'skipped';
    throw e;
  }

  // 2. Send.
  const { kind, locale, data, to } = record.message;
  let failure: unknown;
  try {
    await deps.mail.send({
      kind,
      locale,
      data: data as EmailTemplateData[EmailKind],
      to,
      idempotencyKey: record.idempotencyKey,
    });
  } catch (e) {
    failure = e;
  }

  // 3. Settle.
  const settled = { ...claimed, updatedAt: deps.clock.now().toISOString() };
  try {
    if (failure === undefined) {
      await deps.store.replaceOutboxRecord(
        { ...settled, status: 'Sent', message: { kind, ...(locale ? { locale } : {}), to } },
        etag,
      );
      return 'sent';
    }
    const attempts = record.attempts + 1;
    const lastError = errorText(failure).slice(0, 500);
    log(`Email ${kind} (${record.idempotencyKey}) was not sent (attempt ${attempts}): ${lastError}`);
    // A permanent refusal (bad recipient, too many recipients) is not retried.
    const permanent = (failure as { transient?: unknown }).transient === false;
    if (attempts < OUTBOX_MAX_ATTEMPTS && !permanent) {
      await deps.store.replaceOutboxRecord(
        {
          ...settled,
          attempts,
          lastError,
          notBefore: new Date(now.getTime() + outboxBackoffMs(attempts)).toISOString(),
        },
        etag,
      );
      return 'retried';
    }
    await runUnitOfWork(
      deps,
      record.partnerId,
      (uow) => {
        uow.replace(
          'outbox',
          { value: claimed, etag },
          {
            ...settled,
            status: 'Failed',
            attempts,
            lastError,
            message: { kind, ...(locale ? { locale } : {}), to },
          },
        );
        uow.audit({
          caller: 'system',
          action: 'email.failed',
          target: { type: 'email', id: record.idempotencyKey },
          outcome: 'Rejected',
          detail: { kind, attempts },
        });
      },
      { retryOnConflict: false },
    );
    log(`Email ${kind} (${record.idempotencyKey}) given up after ${attempts} attempts.`);
    return 'failed';
  } catch (e) {
    // Another relay took the record over after this one's lease ran out: it records the outcome.
    if (isLostRace(e)) return 'skipped';
    throw e;
  }
}

function isLostRace(e: unknown): boolean {
  return e instanceof DomainError && (e.code === 'precondition-failed' || e.code === 'not-found');
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
