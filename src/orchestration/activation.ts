/**
 * The activation lifecycle orchestration (docs/product.md §6), one instance per activation attempt:
 *
 * 1. Request — `activationRequest` marks the benefit `Pending` (idempotent).
 * 2. Wait — a durable timer of the processing time raced against `ActivationFulfilled` (may carry Access ID /
 *    Contract ID), `ActivationRejected` and `PurchaseCancelled`.
 * 3. Contact — Go-To-Market only: if the marketing contact is not verified, wait for `ContactVerified` up to
 *    the verification timeout, else fail with `contact-unverified`.
 * 4. Email instructions — `activationEmailInstructions` owes the localized instructions email (an outbox record
 *    owned by the orchestration, with its audit event: one unit of work) and sends it through the relay's path,
 *    exactly once per activation (idempotency key = instance id); a failed send is retried with exponential
 *    back-off ({@link EMAIL_RETRY}); when the retries run out, or the provider refuses for good, `email-failed`.
 * 5. Mark Active — `activationComplete` sets `Active`, `activatedAt`, `expiresAt` (and the technical ids) with its
 *    audit event, one unit of work (src/app/unitOfWork.ts).
 *
 * Any permanent failure ends in `activationFail` (status `ActivationFailed` with a reason code), never stuck in
 * `Pending` — including a membership that ended while the activation waited (`membership-inactive`, decided by the
 * email and completion activities, so no benefit gets an `expiresAt` before its `activatedAt`). Deterministic:
 * time only from `context.df.currentUtcDateTime`, ids from `context.df.newGuid`, no I/O here.
 */
import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler, Task } from 'durable-functions';
import {
  ACTIVITIES,
  EVENTS,
  type ActivationInput,
  type ActivationOutcome,
  type FulfilmentEvent,
  type StepOutcome,
  EMAIL_FAILED_DETAIL,
} from './contract';

export * from './contract';

/** Retry of I/O activities: 4 attempts, 2 s then ×2 (2 s, 4 s, 8 s). */
export const IO_RETRY = { firstRetryIntervalMs: 2000, maxAttempts: 4, backoffCoefficient: 2 };

/**
 * Retry of the instructions email (step 4): 5 attempts, 1 minute then ×2 (1, 2, 4, 8 minutes) — the outbox relay's
 * attempts and back-off (src/app/outbox.ts), for a provider that is down for minutes rather than seconds.
 */
export const EMAIL_RETRY = { firstRetryIntervalMs: 60_000, maxAttempts: 5, backoffCoefficient: 2 };
function retry(o: {
  firstRetryIntervalMs: number;
  maxAttempts: number;
  backoffCoefficient: number;
  maxIntervalMs?: number;
}) {
  const r = new df.RetryOptions(o.firstRetryIntervalMs, o.maxAttempts);
  r.backoffCoefficient = o.backoffCoefficient;
  if (o.maxIntervalMs) r.maxRetryIntervalInMilliseconds = o.maxIntervalMs;
  return r;
}

/** The orchestrator function (registered in functions/activation.ts). */
export const activationOrchestrator: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput<ActivationInput>();
  const io = retry(IO_RETRY);
  const base = { partnerId: input.partnerId, benefitId: input.benefitId, instanceId: context.df.instanceId };

  const fail = function* (code: string, detail: string): Generator<Task, ActivationOutcome, unknown> {
    context.df.setCustomStatus({ step: 'failed', code });
    yield context.df.callActivityWithRetry(ACTIVITIES.fail, io, { ...base, code, detail });
    return { status: 'ActivationFailed', code };
  };
  const cancelled = function* (): Generator<Task, ActivationOutcome, unknown> {
    context.df.setCustomStatus({ step: 'cancelled' });
    yield context.df.callActivityWithRetry(ACTIVITIES.cancel, io, base);
    return { status: 'Cancelled' };
  };

  try {
    // 1. Request
    context.df.setCustomStatus({ step: 'request' });
    const requested = (yield context.df.callActivityWithRetry(ACTIVITIES.request, io, {
      ...base,
      requestedBy: input.requestedBy,
      requestedAt: input.requestedAt,
    })) as { proceed: boolean };
    if (!requested.proceed) return yield* cancelled();

    // 2. Wait: processing time vs operator events vs cancellation.
    context.df.setCustomStatus({ step: 'processing' });
    const processingDone = new Date(context.df.currentUtcDateTime.getTime() + input.processingTimeMs);
    const timer = context.df.createTimer(processingDone);
    const fulfilled = context.df.waitForExternalEvent(EVENTS.fulfilled);
    const rejected = context.df.waitForExternalEvent(EVENTS.rejected);
    const purchaseCancelled = context.df.waitForExternalEvent(EVENTS.purchaseCancelled);
    const first = (yield context.df.Task.any([timer, fulfilled, rejected, purchaseCancelled])) as Task;
    if (first !== timer) timer.cancel();
    if (first === purchaseCancelled) return yield* cancelled();
    if (first === rejected) {
      const reason =
        (rejected.result as { reason?: string } | undefined)?.reason ?? 'Rejected by the program operator.';
      return yield* fail('activation-rejected', reason);
    }
    const fulfilment = first === fulfilled ? ((fulfilled.result as FulfilmentEvent | undefined) ?? {}) : {};

    // 3. Contact (Go-To-Market): the marketing contact must be verified.
    if (input.category === 'goToMarket') {
      context.df.setCustomStatus({ step: 'contact' });
      const contact = (yield context.df.callActivityWithRetry(ACTIVITIES.contactStatus, io, base)) as {
        verified: boolean;
        present: boolean;
      };
      if (!contact.present)
        return yield* fail('marketing-contact-required', 'The partner has no marketing contact.');
      if (!contact.verified) {
        const deadline = new Date(context.df.currentUtcDateTime.getTime() + input.contactTimeoutMs);
        const contactTimer = context.df.createTimer(deadline);
        const verified = context.df.waitForExternalEvent(EVENTS.contactVerified);
        const winner = (yield context.df.Task.any([contactTimer, verified, purchaseCancelled])) as Task;
        if (winner !== contactTimer) contactTimer.cancel();
        if (winner === purchaseCancelled) return yield* cancelled();
        if (winner === contactTimer) {
          return yield* fail(
            'contact-unverified',
            'The marketing contact did not verify their email in time.',
          );
        }
      }
    }

    // Ids for technical benefits: the operator's, or generated deterministically.
    const ids =
      input.category === 'technical'
        ? {
            accessId:
              fulfilment.accessId ??
              `AID-${context.df.newGuid(`${context.df.instanceId}:access`).slice(0, 13).toUpperCase()}`,
            contractId:
              fulfilment.contractId ??
              `CID-${context.df.newGuid(`${context.df.instanceId}:contract`).slice(0, 13).toUpperCase()}`,
          }
        : {};
    const activatedAt = context.df.currentUtcDateTime.toISOString();

    // 4. Email instructions: owed and sent by one activity, retried with back-off; exactly once per activation
    //    (idempotency key = instance id).
    context.df.setCustomStatus({ step: 'email' });
    const completion = { ...base, ...ids, activatedAt };
    let emailed: StepOutcome;
    try {
      emailed = (yield context.df.callActivityWithRetry(
        ACTIVITIES.email,
        retry(EMAIL_RETRY),
        completion,
      )) as StepOutcome;
    } catch {
      // The provider's last error stays on the outbox record (`lastError`), not in what the partner reads.
      return yield* fail('email-failed', EMAIL_FAILED_DETAIL);
    }
    if (emailed.status === 'ActivationFailed') return yield* fail(emailed.code, emailed.detail);
    if (emailed.status === 'Cancelled') return yield* cancelled();

    // 5. Mark Active.
    context.df.setCustomStatus({ step: 'complete' });
    const done = (yield context.df.callActivityWithRetry(ACTIVITIES.complete, io, completion)) as StepOutcome;
    if (done.status === 'ActivationFailed') return yield* fail(done.code, done.detail);
    return done.status === 'Cancelled' ? yield* cancelled() : ({ status: 'Active' } as ActivationOutcome);
  } catch (e) {
    return yield* fail(
      'activation-error',
      e instanceof Error ? e.message.slice(0, 500) : 'The activation failed.',
    );
  }
};
