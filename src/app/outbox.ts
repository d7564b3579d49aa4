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
 *
 * A record the activation orchestration owns (`owner: 'orchestration'`, its instructions email, docs/product.md §6)
 * is not the relay's: its activity sends it through the same steps ({@link sendOwnedEmail}) and the orchestration
 * retries and gives it up (docs/decisions.md, "Activation orchestration").
 */
import type { EmailKind, EmailTemplateData, OutboxRecord, Versioned } from './ports';
import type { AppDeps } from './ports';
import { DomainError } from '../domain/errors';
import { forEachLimited } from './expirySweep';
import { runUnitOfWork, type UnitOfWork } from './unitOfWork';

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

/**
 * Sends one record the activation orchestration owns (`owner: 'orchestration'`, docs/product.md §6) right away,
 * through the relay's path: claim (conditional replace; the lease is not waited for, the owner being the only
 * sender — a retry after a crash resends with the same idempotency key, which the provider delivers once), send,
 * settle `Sent`. A failed send is recorded on the record (`attempts`, `lastError`; it stays `Pending`, not due for
 * the relay) and returned: the orchestration's retry policy retries it, and the activation's failure settles it
 * `Failed` (src/app/activationSteps.ts). Round trips: two conditional replaces; none when it was sent before.
 * @returns `sent` (now or before); otherwise the failure, `permanent` for a refusal that no retry will change.
 * @throws DomainError `precondition-failed` / `not-found` when the record changed or vanished meanwhile (another
 *   run of the same activity), and the store's errors — the activity is retried.
 */
export async function sendOwnedEmail(
  deps: AppDeps,
  found: Versioned<OutboxRecord>,
): Promise<{ sent: true } | { sent: false; permanent: boolean; error: string }> {
  const record = found.value;
  if (record.status === 'Sent') return { sent: true };
  if (record.status === 'Failed') {
    return { sent: false, permanent: true, error: record.lastError ?? 'The email was given up.' };
  }
  const { claimed, etag } = await claim(deps, found);
  const failure = await send(deps, record);
  const settled = { ...claimed, updatedAt: deps.clock.now().toISOString() };
  if (failure === undefined) {
    await deps.store.replaceOutboxRecord(sentForm(settled), etag);
    return { sent: true };
  }
  const lastError = errorText(failure).slice(0, 500);
  await deps.store.replaceOutboxRecord(
    { ...settled, attempts: record.attempts + 1, lastError, notBefore: settled.updatedAt },
    etag,
  );
  return { sent: false, permanent: isPermanent(failure), error: lastError };
}

/** Claims, sends and settles one record (see the module comment). */
async function deliver(
  deps: AppDeps,
  found: Versioned<OutboxRecord>,
  log: (message: string) => void,
): Promise<keyof RelayResult> {
  const record = found.value;
  const now = deps.clock.now();
  // An orchestration's record is sent and settled by its activity, never by the relay.
  if (record.status !== 'Pending' || record.owner || Date.parse(record.notBefore) > now.getTime()) {
    return 'skipped';
  }

  // 1. Claim (lease).
  let claimed: OutboxRecord;
  let etag: string;
  try {
    ({ claimed, etag } = await claim(deps, found));
  } catch (e) {
    if (isLostRace(e)) return 'skipped';
    throw e;
  }

  // 2. Send.
  const failure = await send(deps, record);

  // 3. Settle.
  const { kind, locale, to } = record.message;
  const settled = { ...claimed, updatedAt: deps.clock.now().toISOString() };
  try {
    if (failure === undefined) {
      await deps.store.replaceOutboxRecord(sentForm(settled), etag);
      return 'sent';
    }
    const attempts = record.attempts + 1;
    const lastError = errorText(failure).slice(0, 500);
    log(`Email ${kind} (${record.idempotencyKey}) was not sent (attempt ${attempts}): ${lastError}`);
    // A permanent refusal (bad recipient, too many recipients) is not retried.
    if (attempts < OUTBOX_MAX_ATTEMPTS && !isPermanent(failure)) {
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

/**
 * Claims a record: a conditional replace that moves `notBefore` to the end of a lease.
 * @throws DomainError `precondition-failed` / `not-found` when another writer changed it first.
 */
async function claim(
  deps: AppDeps,
  found: Versioned<OutboxRecord>,
): Promise<{ claimed: OutboxRecord; etag: string }> {
  const now = deps.clock.now();
  const claimed: OutboxRecord = {
    ...found.value,
    notBefore: new Date(now.getTime() + OUTBOX_LEASE_MS).toISOString(),
    updatedAt: now.toISOString(),
  };
  return { claimed, etag: await deps.store.replaceOutboxRecord(claimed, found.etag) };
}

/** Sends a record's message with its idempotency key. @returns the failure, or undefined when it was handed over. */
async function send(deps: AppDeps, record: OutboxRecord): Promise<unknown> {
  const { kind, locale, data, to } = record.message;
  try {
    await deps.mail.send({
      kind,
      locale,
      data: data as EmailTemplateData[EmailKind],
      to,
      idempotencyKey: record.idempotencyKey,
    });
    return undefined;
  } catch (e) {
    return e ?? new Error('The email was not sent.');
  }
}

/** A record settled `Sent`: the template data (which may hold a verification token) is dropped. */
function sentForm(record: OutboxRecord): OutboxRecord {
  const { kind, locale, to } = record.message;
  return { ...record, status: 'Sent', message: { kind, ...(locale ? { locale } : {}), to } };
}

/**
 * Settles an orchestration's record that will not be sent (its activation failed for good): `Failed` with its
 * `email.failed` audit event, collected in the caller's unit of work. Nothing when it is not `Pending`.
 */
export function giveUpOwnedEmail(uow: UnitOfWork, found: Versioned<OutboxRecord>, now: string): void {
  const record = found.value;
  if (record.status !== 'Pending') return;
  const { kind, locale, to } = record.message;
  uow.replace('outbox', found, {
    ...record,
    status: 'Failed',
    updatedAt: now,
    message: { kind, ...(locale ? { locale } : {}), to },
  });
  uow.audit({
    caller: 'system',
    action: 'email.failed',
    target: { type: 'email', id: record.idempotencyKey },
    outcome: 'Rejected',
    detail: { kind, attempts: record.attempts },
  });
}

/** A refusal no retry will change (bad recipient, too many recipients): the mail port's `transient: false`. */
function isPermanent(failure: unknown): boolean {
  return (failure as { transient?: unknown } | undefined)?.transient === false;
}

function isLostRace(e: unknown): boolean {
  return e instanceof DomainError && (e.code === 'precondition-failed' || e.code === 'not-found');
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
