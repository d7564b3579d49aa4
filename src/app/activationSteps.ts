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
import { isDomainError } from '../domain/errors';
import { assertMembershipActive } from '../domain/provisioning';
import { recipientLocale } from '../domain/recipientLocale';
import type { Benefit, Partner } from '../domain/types';
import { audit } from './audit';
import type { AppDeps } from './ports';

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
  const saved = await deps.store.updateBenefit<boolean>(input.partnerId, input.benefitId, (b) => {
    const next = markActivationPending(b, input);
    return next ? { value: next, result: true } : { value: b, result: false };
  });
  return { proceed: saved.result === true };
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

/**
 * Step 4: emails the instructions (idempotency key = instance id). Go-To-Market: to the marketing contact in
 * their preferred language; technical: to the technical contact's alternate AND account email ("as a
 * safeguard"), or to the requester when no contact is assigned.
 * @throws when the email provider fails (the orchestration retries with back-off).
 */
export async function sendActivationInstructions(
  services: AppDeps,
  input: Base & { accessId?: string; contractId?: string; activatedAt: string },
): Promise<{ sent: boolean; cancelled?: boolean; failure?: { code: string; detail: string } }> {
  const [benefit, partner] = await Promise.all([
    services.store.getBenefit(input.partnerId, input.benefitId),
    services.store.getPartner(input.partnerId),
  ]);
  if (!benefit || !partner) throw new Error(`Benefit ${input.benefitId} or its partner is gone`);
  if (benefit.value.status === 'Cancelled') return { sent: false, cancelled: true };
  const b = benefit.value;
  const p = partner.value;
  // docs/product.md §2 "Membership": a membership that ended (or stopped being Active) while the activation
  // waited activates nothing, and no benefit gets an `expiresAt` before its `activatedAt`. A permanent
  // failure: no retry, no email.
  const refused = membershipRefusal(p, input.activatedAt);
  if (refused) return { sent: false, failure: refused };
  const expiresAt = expiryOf(b, input.activatedAt, p.membership.expiresAt);

  if (b.category === 'goToMarket') {
    const contact = p.marketingContact;
    if (!contact) throw new Error('The partner has no marketing contact');
    const user = await services.store.getUser(p.id, contact.userId);
    const name = user?.value.displayName ?? contact.email;
    await services.mail.send({
      kind: 'gtmInstructions',
      locale: contact.preferredLanguage,
      data: { recipientName: name, partnerName: p.name, offerType: b.offerType ?? b.productName, expiresAt },
      to: [{ address: contact.email, displayName: name }],
      idempotencyKey: input.instanceId,
    });
    return { sent: true };
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
  await services.mail.send({
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
  });
  return { sent: true };
}

/**
 * Step 5: marks the benefit `Active` with `activatedAt`, `expiresAt` (docs/product.md §3) and the technical
 * ids.
 */
export async function completeActivation(
  services: AppDeps,
  input: Base & { accessId?: string; contractId?: string; activatedAt: string },
): Promise<
  { status: 'Active' | 'Cancelled' } | { status: 'ActivationFailed'; code: string; detail: string }
> {
  const partner = await services.store.getPartner(input.partnerId);
  if (!partner) throw new Error(`Partner ${input.partnerId} is gone`);
  const refused = membershipRefusal(partner.value, input.activatedAt);
  if (refused) return { status: 'ActivationFailed', ...refused };
  const saved = await services.store.updateBenefit<'Active' | 'Cancelled'>(
    input.partnerId,
    input.benefitId,
    (b) => {
      if (b.status === 'Cancelled') return { value: b, result: 'Cancelled' };
      const expiresAt = expiryOf(b, input.activatedAt, partner.value.membership.expiresAt);
      const next = markActivationActive(b, { ...input, expiresAt });
      return next ? { value: next, result: 'Active' } : { value: b, result: 'Cancelled' };
    },
  );
  if (saved.result === 'Active') {
    await audit(services, {
      partnerId: input.partnerId,
      caller: 'system',
      action: 'benefit.activate',
      target: { type: 'benefit', id: input.benefitId },
      detail: { instanceId: input.instanceId, expiresAt: saved.value.expiresAt },
    });
  }
  return { status: saved.result ?? 'Active' };
}

/** A permanent failure: `ActivationFailed` with a reason code (may be activated again). */
export async function failActivation(
  services: AppDeps,
  input: Base & { code: string; detail: string },
): Promise<void> {
  const failure = { code: input.code, detail: input.detail };
  const saved = await services.store.updateBenefit<boolean>(input.partnerId, input.benefitId, (b) => {
    const next = markActivationFailed(b, failure);
    return next ? { value: next, result: true } : { value: b, result: false };
  });
  if (saved.result) {
    await audit(services, {
      partnerId: input.partnerId,
      caller: 'system',
      action: 'benefit.activationFailed',
      target: { type: 'benefit', id: input.benefitId },
      outcome: 'Rejected',
      detail: { instanceId: input.instanceId, code: input.code },
    });
  }
}

/** The activation ended because the purchase was cancelled: no email, benefit stays `Cancelled`. */
export async function endCancelledActivation(deps: AppDeps, input: Base): Promise<void> {
  await deps.store.updateBenefit(input.partnerId, input.benefitId, (b) => ({
    value: markActivationCancelled(b),
  }));
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
