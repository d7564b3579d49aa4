/**
 * The steps of the activation orchestration (docs/product.md §6), as use cases the activities call. Each is
 * idempotent: a replayed or retried step leaves the benefit as one run would. A `Cancelled` benefit is never
 * overwritten (docs/product.md §4: a cancellation stops running activations without email). The transitions are the
 * domain's state machine (src/domain/activation.ts), shared with the starter (src/app/activation.ts).
 */
import {
  markActivationActive,
  markActivationCancelled,
  markActivationFailed,
  markActivationPending,
} from '../domain/activation';
import { getCatalogItem } from '../domain/catalog';
import { computeExpiresAt } from '../domain/rules';
import { DomainError, isDomainError } from '../domain/errors';
import { assertMembershipActive } from '../domain/provisioning';
import { recipientLocale } from '../domain/recipientLocale';
import type { Benefit, Partner } from '../domain/types';
import { EMAIL_FAILED_DETAIL, type StepOutcome } from './activationContract';
import type { AppDeps, OutboxRecord, Versioned } from './ports';
import { giveUpOwnedEmail, sendOwnedEmail } from './outbox';
import { outboxRecordId, runUnitOfWork, type OwedEmail } from './unitOfWork';

/** What every step receives: the benefit and the orchestration instance. */
export interface Base {
  partnerId: string;
  benefitId: string;
  instanceId: string;
}

/** Step 1: marks the benefit `Pending` for this instance. `proceed: false` when it was cancelled meanwhile. */
export async function markActivationRequested(
  deps: AppDeps,
  input: Base & { requestedBy: string; requestedAt: string },
): Promise<{ proceed: boolean }> {
  const { result } = await runUnitOfWork(deps, input.partnerId, async (uow) => {
    const current = await readBenefit(deps, input);
    const next = markActivationPending(current.value, input);
    if (!next) return false;
    // The starter's reservation wrote the same (and audited `benefit.activationRequested`): usually nothing to do.
    if (JSON.stringify(next) !== JSON.stringify(current.value)) uow.replace('benefit', current, next);
    return true;
  });
  return { proceed: result };
}

/** Step 3: whether the partner's marketing contact exists and is verified. */
export async function readMarketingContactStatus(
  deps: AppDeps,
  input: Base,
): Promise<{ present: boolean; verified: boolean }> {
  const partner = await deps.store.getPartner(input.partnerId);
  const contact = partner?.value.marketingContact;
  return { present: !!contact, verified: contact?.status === 'Verified' };
}

/** The technical ids and the instant of activation the orchestrator decided (deterministic). */
export type Completion = Base & { accessId?: string; contractId?: string; activatedAt: string };

/**
 * Step 4 ("email instructions", docs/product.md §6): owes the localized instructions email and sends it now,
 * exactly once per activation (idempotency key = instance id). First one unit of work, unless a previous run
 * committed it: the outbox record, owned by the orchestration (`owner`, so the relay leaves it alone), with the
 * audit event `benefit.activationInstructions`. Then that record goes through the relay's path
 * (src/app/outbox.ts `sendOwnedEmail`: claim, send with the idempotency key, settle `Sent`). Go-To-Market: to
 * the marketing contact in their preferred language; technical: to the technical contact's alternate AND account
 * email ("as a safeguard"), or to the requester when no contact is assigned. A replay or retry finds the record
 * and sends it only if it is not `Sent` (the provider delivers a key once).
 * @returns `Sent`; `Cancelled` when the benefit was cancelled meanwhile (nothing sent); `ActivationFailed`
 *   `membership-inactive` when the membership ended while the activation waited (nothing owed), `email-failed`
 *   when the provider refused the message for good (no retry helps).
 * @throws Error when the send failed and may succeed later (the orchestrator retries with back-off), when the
 *   benefit or the partner is gone, or the instructions have no recipient.
 */
export async function emailActivationInstructions(deps: AppDeps, input: Completion): Promise<StepOutcome> {
  const id = outboxRecordId(input.instanceId);
  type Owing = { outcome: StepOutcome } | { record: Versioned<OutboxRecord> } | { created: OutboxRecord };
  const { result, etags } = await runUnitOfWork<Owing>(deps, input.partnerId, async (uow) => {
    const [benefit, partner, owed] = await Promise.all([
      deps.store.getBenefit(input.partnerId, input.benefitId),
      deps.store.getPartner(input.partnerId),
      deps.store.findOutboxRecord(input.partnerId, id),
    ]);
    if (!benefit || !partner) throw new Error(`Benefit ${input.benefitId} or its partner is gone`);
    const b = benefit.value;
    const p = partner.value;
    // A cancellation stops the activation without email (docs/product.md §4), also between two attempts of the
    // send: the record is then left unsent (the relay never takes it).
    if (b.status === 'Cancelled') return { outcome: { status: 'Cancelled' } };
    if (owed) return { record: owed };
    // docs/product.md §2 "Membership": a membership that ended while the activation waited activates nothing.
    const refused = membershipRefusal(p, input.activatedAt);
    if (refused) return { outcome: { status: 'ActivationFailed', ...refused } };
    const expiresAt = expiryOf(b, input.activatedAt, p.membership.expiresAt);
    const email = await instructionsEmail(deps, b, p, { ...input, expiresAt });
    const record = uow.email({ ...email, owner: 'orchestration' });
    uow.audit({
      caller: 'system',
      action: 'benefit.activationInstructions',
      target: { type: 'benefit', id: input.benefitId },
      detail: { instanceId: input.instanceId, kind: email.kind },
    });
    return { created: record };
  });
  if ('outcome' in result) return result.outcome;
  const found = 'record' in result ? result.record : { value: result.created, etag: etags[id] };
  const sent = await sendOwnedEmail(deps, found);
  if (sent.sent) return { status: 'Sent' };
  if (sent.permanent) {
    // The provider's error stays on the outbox record (`lastError`), not in what the partner reads.
    return { status: 'ActivationFailed', code: 'email-failed', detail: EMAIL_FAILED_DETAIL };
  }
  throw new Error(`The instructions email was not sent (retried): ${sent.error}`);
}

/**
 * Step 5 ("mark Active", docs/product.md §6): marks the benefit `Active` with `activatedAt`, `expiresAt`
 * (docs/product.md §3) and the technical ids — one unit of work with the audit event `benefit.activate`
 * (src/app/unitOfWork.ts). No email: step 4 sent the instructions. Idempotent: a retried step whose first run
 * committed finds the benefit `Active` for this instance and writes nothing.
 * @returns `Active`; `ActivationFailed` (`membership-inactive`) when the membership ended while the activation
 *   waited (nothing written); `Cancelled` when the benefit was cancelled meanwhile.
 * @throws Error when the benefit or the partner is gone (retried, then the orchestration fails the attempt).
 */
export async function completeActivation(services: AppDeps, input: Completion): Promise<StepOutcome> {
  const { result } = await runUnitOfWork<StepOutcome>(services, input.partnerId, async (uow) => {
    const [benefit, partner] = await Promise.all([
      services.store.getBenefit(input.partnerId, input.benefitId),
      services.store.getPartner(input.partnerId),
    ]);
    if (!benefit || !partner) throw new Error(`Benefit ${input.benefitId} or its partner is gone`);
    const b = benefit.value;
    const p = partner.value;
    if (b.status === 'Cancelled') return { status: 'Cancelled' };
    if (b.status === 'Active' && b.activation?.instanceId === input.instanceId) return { status: 'Active' };
    // docs/product.md §2 "Membership": a membership that ended (or stopped being Active) while the activation
    // waited activates nothing, and no benefit gets an `expiresAt` before its `activatedAt`. A permanent
    // failure: no retry.
    const refused = membershipRefusal(p, input.activatedAt);
    if (refused) return { status: 'ActivationFailed', ...refused };
    const expiresAt = expiryOf(b, input.activatedAt, p.membership.expiresAt);
    const next = markActivationActive(b, { ...input, expiresAt });
    if (!next) return { status: 'Cancelled' };
    uow.replace('benefit', benefit, next);
    uow.audit({
      caller: 'system',
      action: 'benefit.activate',
      target: { type: 'benefit', id: input.benefitId },
      detail: { instanceId: input.instanceId, expiresAt },
    });
    return { status: 'Active' };
  });
  return result;
}

/** The instructions email of an activation (see {@link emailActivationInstructions}). */
async function instructionsEmail(
  services: AppDeps,
  b: Benefit,
  p: Partner,
  input: Base & { accessId?: string; contractId?: string; expiresAt: string },
): Promise<OwedEmail> {
  if (b.category === 'goToMarket') {
    const contact = p.marketingContact;
    if (!contact) throw new Error('The partner has no marketing contact');
    const user = await services.store.getUser(p.id, contact.userId);
    const name = user?.value.displayName ?? contact.email;
    return {
      kind: 'gtmInstructions',
      locale: contact.preferredLanguage,
      data: {
        recipientName: name,
        partnerName: p.name,
        offerType: b.offerType ?? b.productName,
        expiresAt: input.expiresAt,
      },
      to: [{ address: contact.email, displayName: name }],
      idempotencyKey: input.instanceId,
    };
  }
  // Technical: the technical contact's alternate AND account email ("as a safeguard"); with no contact, the person
  // who requested the activation — and the message says so. In the recipient's language (their own, else the
  // partner's), never the marketing contact's.
  const assignment = b.assignments.find((a) => !a.endedAt && a.alternateEmail);
  const userId = assignment?.userId ?? b.activation?.requestedBy;
  const user = userId ? await services.store.getUser(p.id, userId) : undefined;
  const to = [
    ...(assignment?.alternateEmail
      ? [{ address: assignment.alternateEmail, displayName: user?.value.displayName }]
      : []),
    ...(user ? [{ address: user.value.accountEmail, displayName: user.value.displayName }] : []),
  ];
  if (to.length === 0) throw new Error('No recipient for the technical instructions');
  return {
    kind: 'technicalInstructions',
    locale: recipientLocale(user?.value, p),
    data: {
      recipientName: user?.value.displayName ?? to[0].address,
      partnerName: p.name,
      productName: b.productName,
      accessId: input.accessId ?? '',
      contractId: input.contractId ?? '',
      sentTo: assignment ? 'contact' : 'requester',
    },
    to,
    idempotencyKey: input.instanceId,
  };
}

/**
 * A permanent failure: `ActivationFailed` with a reason code (may be activated again), audited. For
 * `email-failed`, the instructions email's record (owned by the orchestration) is settled `Failed` with its
 * `email.failed` audit event in the same unit of work, so nothing sends it later.
 */
export async function failActivation(
  services: AppDeps,
  input: Base & { code: string; detail: string },
): Promise<void> {
  const failure = { code: input.code, detail: input.detail };
  await runUnitOfWork(services, input.partnerId, async (uow) => {
    const [current, owed] = await Promise.all([
      readBenefit(services, input),
      input.code === 'email-failed'
        ? services.store.findOutboxRecord(input.partnerId, outboxRecordId(input.instanceId))
        : undefined,
    ]);
    if (owed) giveUpOwnedEmail(uow, owed, services.clock.now().toISOString());
    const next = markActivationFailed(current.value, failure);
    if (!next) return;
    uow.replace('benefit', current, next);
    uow.audit({
      caller: 'system',
      action: 'benefit.activationFailed',
      target: { type: 'benefit', id: input.benefitId },
      outcome: 'Rejected',
      detail: { instanceId: input.instanceId, code: input.code },
    });
  });
}

/**
 * The activation ended because the purchase was cancelled: no email, benefit stays `Cancelled`. The cancellation
 * marked the activation cancelled already (src/app/cancelPurchase.ts); when it had not, it is marked here, audited.
 */
export async function endCancelledActivation(deps: AppDeps, input: Base): Promise<void> {
  await runUnitOfWork(deps, input.partnerId, async (uow) => {
    const current = await readBenefit(deps, input);
    const next = markActivationCancelled(current.value);
    if (JSON.stringify(next) === JSON.stringify(current.value)) return;
    uow.replace('benefit', current, next);
    uow.audit({
      caller: 'system',
      action: 'benefit.activationCancelled',
      target: { type: 'benefit', id: input.benefitId },
      detail: { instanceId: input.instanceId },
    });
  });
}

/** The benefit of a step, with its ETag. @throws DomainError `not-found` when it is gone. */
async function readBenefit(deps: AppDeps, input: Base): Promise<Versioned<Benefit>> {
  const current = await deps.store.getBenefit(input.partnerId, input.benefitId);
  if (!current) throw new DomainError('not-found', `Benefit ${input.benefitId} does not exist`);
  return current;
}

/** The `membership-inactive` failure when the partner's membership does not allow activating at `at`, else undefined. */
function membershipRefusal(partner: Partner, at: string): { code: string; detail: string } | undefined {
  try {
    assertMembershipActive(partner, new Date(at));
    return undefined;
  } catch (e) {
    if (isDomainError(e)) return { code: e.code, detail: e.detail };
    throw e;
  }
}

function expiryOf(b: Benefit, activatedAt: string, membershipExpiresAt: string): string {
  return computeExpiresAt(
    b,
    new Date(activatedAt),
    membershipExpiresAt,
    getCatalogItem(b.packageId, b.catalogItemId),
  );
}
