/**
 * Activation use cases (docs/product.md §6, §9): start and read an activation, and the operator's early fulfilment
 * or rejection. The starter reserves the attempt on the benefit document (conditional write) before starting the
 * orchestration, so a double click starts one instance. The state machine is the domain's (src/domain/activation.ts),
 * shared with the orchestration's steps (src/app/activationSteps.ts).
 */
import { Duration } from 'luxon';
import { endedActivationFailure, markActivationFailed, reserveActivation } from '../domain/activation';
import { DomainError, isDomainError } from '../domain/errors';
import { assertMembershipActive } from '../domain/provisioning';
import type { Benefit } from '../domain/types';
import { ACTIVATION_ORCHESTRATOR, EVENTS, type ActivationInput } from './activationContract';
import { etagMatches } from './etag';
import { activationAction, assertCan, assertOperator } from './policy';
import type { Actor, AppDeps, DurablePort, PartnerCaller } from './ports';
import { giveUpOwnedEmail } from './outbox';
import { outboxRecordId, runUnitOfWork } from './unitOfWork';

/** The Activation resource (docs/product.md §9). */
export function activationView(b: Benefit) {
  const a = b.activation!;
  return {
    benefitId: b.id,
    instanceId: a.instanceId,
    status: a.status,
    requestedAt: a.requestedAt,
    requestedBy: a.requestedBy,
    ...(a.activatedAt ? { activatedAt: a.activatedAt } : {}),
    ...(a.expiresAt ? { expiresAt: a.expiresAt } : {}),
    ...(a.failure ? { failure: a.failure } : {}),
  };
}

/**
 * docs/product.md §6 "never stuck in `Pending`": when `benefit` is `Pending` for an orchestration instance that has
 * ended (terminated, failed, completed without settling it) or is unknown past the start grace, records
 * `ActivationFailed` with the reason by a conditional write — nothing if another writer settled it first — and
 * audits it; an instructions email the instance owed but had not sent is given up (`Failed`, `email.failed`) in
 * the same unit of work. Returns the benefit as it now is, or undefined when the instance may still settle it.
 */
async function settleEndedActivation(
  deps: AppDeps,
  durable: DurablePort,
  benefit: Benefit,
): Promise<Benefit | undefined> {
  const a = benefit.activation;
  if (benefit.status !== 'Pending' || !a) return undefined;
  const runtimeStatus = await durable.runtimeStatus(a.instanceId);
  const failure = endedActivationFailure(runtimeStatus, a.requestedAt, deps.clock.now());
  if (!failure) return undefined;
  const { result } = await runUnitOfWork(deps, benefit.partnerId, async (uow) => {
    const [current, owed] = await Promise.all([
      deps.store.getBenefit(benefit.partnerId, benefit.id),
      deps.store.findOutboxRecord(benefit.partnerId, outboxRecordId(a.instanceId)),
    ]);
    if (!current) throw new DomainError('not-found', `Benefit ${benefit.id} does not exist`);
    const next = markActivationFailed(current.value, failure, a.instanceId);
    if (!next) return current.value; // settled by another writer first
    // Its instructions email, owed but not sent (the orchestration owned it), will never be sent: given up.
    if (owed) giveUpOwnedEmail(uow, owed, deps.clock.now().toISOString());
    uow.replace('benefit', current, next);
    uow.audit({
      caller: 'system',
      action: 'benefit.activationFailed',
      target: { type: 'benefit', id: benefit.id },
      outcome: 'Rejected',
      detail: { instanceId: a.instanceId, code: failure.code, runtimeStatus },
    });
    return next;
  });
  return result;
}

/** Input of {@link startBenefitActivation}. */
export interface StartActivationCommand extends PartnerCaller {
  benefitId: string;
  ifMatch?: string;
}

/**
 * Starts an activation of a technical benefit or Go-To-Market offer: reserves attempt n+1 (`Pending`), then starts
 * the orchestration. A benefit left `Pending` by an orchestration that ended outside our code is first settled
 * `ActivationFailed`, and this request starts the next attempt. Returns the benefit as saved and its ETag.
 * @throws DomainError `forbidden` · `membership-inactive` · `activation-in-progress` · `already-active` ·
 *   `marketing-contact-required` · `benefit-cancelled` · `not-activatable` · `precondition-failed`; whatever the
 *   durable client throws when the start fails (the benefit is then `ActivationFailed` `start-failed`).
 */
export async function startBenefitActivation(
  deps: AppDeps,
  durable: DurablePort,
  cmd: StartActivationCommand,
): Promise<{ benefit: Benefit; etag: string }> {
  const now = deps.clock.now();
  assertMembershipActive(cmd.partner, now);
  let input: ActivationInput | undefined;
  // The reservation of the attempt and its audit event, one unit of work (conditional on the benefit's ETag).
  const reserve = () =>
    runUnitOfWork(
      deps,
      cmd.partner.id,
      async (uow) => {
        const current = await deps.store.getBenefit(cmd.partner.id, cmd.benefitId);
        if (!current) throw new DomainError('not-found', `Benefit ${cmd.benefitId} does not exist`);
        if (cmd.ifMatch !== undefined && !etagMatches(cmd.ifMatch, current.etag)) {
          throw new DomainError(
            'precondition-failed',
            `If-Match does not match the current ETag of benefit ${cmd.benefitId}`,
          );
        }
        const b = current.value;
        // The policy, with the benefit in hand: a Go-To-Market offer is `activateGoToMarket` (docs/product.md §2).
        assertCan(cmd.user, activationAction(b));
        const out = reserveActivation(b, {
          hasMarketingContact: !!cmd.partner.marketingContact,
          requestedBy: cmd.actor.objectId,
          requestedAt: now.toISOString(),
        });
        input = {
          partnerId: b.partnerId,
          benefitId: b.id,
          category: b.category as ActivationInput['category'],
          attempt: out.attempt,
          requestedBy: cmd.actor.objectId,
          requestedAt: now.toISOString(),
          processingTimeMs: Duration.fromISO(deps.config.ACTIVATION_PROCESSING_TIME).toMillis(),
          contactTimeoutMs: Duration.fromISO(deps.config.CONTACT_VERIFICATION_TIMEOUT).toMillis(),
        };
        uow.replace('benefit', current, out.benefit);
        uow.audit({
          caller: cmd.actor,
          action: 'benefit.activationRequested',
          target: { type: 'benefit', id: cmd.benefitId },
          detail: { instanceId: out.instanceId },
        });
        return out.benefit;
      },
      { retryOnConflict: cmd.ifMatch === undefined },
    );
  let saved;
  try {
    saved = await reserve();
  } catch (e) {
    if (!(isDomainError(e) && e.code === 'activation-in-progress')) throw e;
    const current = await deps.store.getBenefit(cmd.partner.id, cmd.benefitId);
    if (!current || !(await settleEndedActivation(deps, durable, current.value))) throw e;
    saved = await reserve();
  }
  const instanceId = saved.result.activation!.instanceId;
  try {
    await durable.start(ACTIVATION_ORCHESTRATOR, instanceId, input);
  } catch (e) {
    // Never leave the benefit Pending without an orchestration: the attempt fails (audited), and may be retried.
    const failure = { code: 'start-failed', detail: 'The activation could not be started; try again.' };
    await runUnitOfWork(deps, cmd.partner.id, async (uow) => {
      const current = await deps.store.getBenefit(cmd.partner.id, cmd.benefitId);
      const next = current && markActivationFailed(current.value, failure, instanceId);
      if (!current || !next) return;
      uow.replace('benefit', current, next);
      uow.audit({
        caller: 'system',
        action: 'benefit.activationFailed',
        target: { type: 'benefit', id: cmd.benefitId },
        outcome: 'Rejected',
        detail: { instanceId, code: failure.code },
      });
    });
    throw e;
  }
  return { benefit: saved.result, etag: saved.etags[cmd.benefitId] };
}

/**
 * The current activation of `benefit` (read with the access check). While `Pending`, an orchestration that has
 * ended without settling it is recorded first, so the answer is `ActivationFailed` with the reason.
 * @throws DomainError `not-found` when the benefit does not exist or was never activated.
 */
export async function readBenefitActivation(
  deps: AppDeps,
  durable: DurablePort,
  benefit: { value: Benefit; etag: string } | undefined,
): Promise<{ benefit: Benefit; etag: string }> {
  if (!benefit?.value.activation) throw new DomainError('not-found', 'This benefit has no activation.');
  if (benefit.value.status === 'Pending') {
    const settled = await settleEndedActivation(deps, durable, benefit.value);
    if (settled) {
      const fresh = await deps.store.getBenefit(benefit.value.partnerId, benefit.value.id);
      if (fresh) return { benefit: fresh.value, etag: fresh.etag };
    }
  }
  return { benefit: benefit.value, etag: benefit.etag };
}

/**
 * Operator: raises `ActivationFulfilled` (optionally with Access ID / Contract ID) or `ActivationRejected` to the
 * activation waiting on a benefit, and audits it. Returns the benefit.
 * @throws DomainError `forbidden` (not the operator) · `not-found` (benefit) · `conflict` when no activation of it is waiting (or its orchestration
 *   had ended: the benefit is settled instead, docs/product.md §6).
 */
export async function signalActivation(
  deps: AppDeps,
  durable: DurablePort,
  cmd: { actor: Actor; partnerId: string; benefitId: string; decision: 'fulfil' | 'reject'; data: unknown },
): Promise<Benefit> {
  assertOperator(cmd.actor);
  const b = await deps.store.getBenefit(cmd.partnerId, cmd.benefitId);
  if (!b) throw new DomainError('not-found', `Benefit ${cmd.benefitId} was not found.`);
  if (b.value.status !== 'Pending' || !b.value.activation) {
    throw new DomainError('conflict', 'No activation of this benefit is waiting for the operator.');
  }
  const settled = await settleEndedActivation(deps, durable, b.value);
  if (settled) {
    throw new DomainError(
      'conflict',
      `No activation of this benefit is waiting: its orchestration had ended (${settled.activation?.failure?.code ?? 'ended'}); the benefit is now ${settled.status}.`,
    );
  }
  const fulfil = cmd.decision === 'fulfil';
  await durable.raiseEvent(
    b.value.activation.instanceId,
    fulfil ? EVENTS.fulfilled : EVENTS.rejected,
    cmd.data,
  );
  // The event is the operator's change (the orchestration's activities write the benefit, audited); its audit event
  // follows it: should it not be written, the operator's retry raises the event again (the orchestration has moved
  // on and ignores it) and writes it.
  const instanceId = b.value.activation.instanceId;
  await runUnitOfWork(deps, cmd.partnerId, (uow) => {
    uow.audit({
      caller: cmd.actor,
      action: fulfil ? 'benefit.activationFulfilled' : 'benefit.activationRejected',
      target: { type: 'benefit', id: cmd.benefitId },
      detail: { instanceId },
    });
  });
  return b.value;
}
