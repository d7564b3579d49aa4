/**
 * Activities of the activation orchestration (docs/product.md §6). Each is idempotent: a replayed or retried
 * activity leaves the benefit as one run would. A `Cancelled` benefit is never overwritten
 * (docs/product.md §4: a cancellation stops running activations without email).
 */
import type { InvocationContext } from '@azure/functions';
import { getCatalogItem } from '../domain/catalog';
import { computeExpiresAt } from '../domain/rules';
import { isDomainError } from '../domain/errors';
import { assertMembershipActive } from '../domain/provisioning';
import type { Benefit, Partner } from '../domain/types';
import { recipientLocale } from '../email/locale';
import { composeEmail } from '../email';
import { audit } from '../http/audit';
import { getServices } from '../services';

interface Base {
  partnerId: string;
  benefitId: string;
  instanceId: string;
}

/** Step 1: marks the benefit `Pending` for this instance. `proceed: false` when it was cancelled meanwhile. */
export async function activationRequest(
  input: Base & { requestedBy: string; requestedAt: string },
  _context: InvocationContext,
): Promise<{ proceed: boolean }> {
  const { store } = getServices();
  const saved = await store.updateBenefit<boolean>(input.partnerId, input.benefitId, (b) => {
    if (b.status === 'Cancelled') return { value: b, result: false };
    const activation = b.activation?.instanceId === input.instanceId ? b.activation : undefined;
    return {
      value: {
        ...b,
        status: 'Pending',
        activation: {
          instanceId: input.instanceId,
          attempt: activation?.attempt ?? (b.activation?.attempt ?? 0) + 1,
          status: 'Pending',
          requestedAt: activation?.requestedAt ?? input.requestedAt,
          requestedBy: activation?.requestedBy ?? input.requestedBy,
        },
      },
      result: true,
    };
  });
  return { proceed: saved.result === true };
}

/** Step 3: whether the partner's marketing contact exists and is verified. */
export async function activationContactStatus(input: Base): Promise<{ present: boolean; verified: boolean }> {
  const partner = await getServices().store.getPartner(input.partnerId);
  const contact = partner?.value.marketingContact;
  return { present: !!contact, verified: contact?.status === 'Verified' };
}

/**
 * Step 4: emails the instructions (idempotency key = instance id). Go-To-Market: to the marketing contact in
 * their preferred language; technical: to the technical contact's alternate AND account email ("as a
 * safeguard"), or to the requester when no contact is assigned.
 * @throws when the email provider fails (the orchestration retries with back-off).
 */
export async function activationSendInstructions(
  input: Base & { accessId?: string; contractId?: string; activatedAt: string },
): Promise<{ sent: boolean; cancelled?: boolean; failure?: { code: string; detail: string } }> {
  const services = getServices();
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
    await services.email.send(
      composeEmail(
        'gtmInstructions',
        contact.preferredLanguage,
        {
          recipientName: name,
          partnerName: p.name,
          offerType: b.offerType ?? b.productName,
          expiresAt,
        },
        [{ address: contact.email, displayName: name }],
        input.instanceId,
      ),
    );
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
  await services.email.send(
    composeEmail(
      'technicalInstructions',
      recipientLocale(user?.value, p),
      {
        recipientName: user?.value.displayName ?? to[0].address,
        partnerName: p.name,
        productName: b.productName,
        accessId: input.accessId ?? '',
        contractId: input.contractId ?? '',
        sentTo: assignment ? 'contact' : 'requester',
      },
      to,
      input.instanceId,
    ),
  );
  return { sent: true };
}

/**
 * Step 5: marks the benefit `Active` with `activatedAt`, `expiresAt` (docs/product.md §3) and the technical
 * ids.
 */
export async function activationComplete(
  input: Base & { accessId?: string; contractId?: string; activatedAt: string },
): Promise<
  { status: 'Active' | 'Cancelled' } | { status: 'ActivationFailed'; code: string; detail: string }
> {
  const services = getServices();
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
      const ids =
        b.category === 'technical' ? { accessId: input.accessId, contractId: input.contractId } : {};
      return {
        value: {
          ...b,
          ...ids,
          status: 'Active',
          activatedAt: input.activatedAt,
          expiresAt,
          activation: b.activation && {
            ...b.activation,
            status: 'Active',
            activatedAt: input.activatedAt,
            expiresAt,
          },
        },
        result: 'Active',
      };
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
export async function activationFail(input: Base & { code: string; detail: string }): Promise<void> {
  const services = getServices();
  const saved = await services.store.updateBenefit<boolean>(input.partnerId, input.benefitId, (b) => {
    if (b.status === 'Cancelled' || b.status === 'Active') return { value: b, result: false };
    return {
      value: {
        ...b,
        status: 'ActivationFailed',
        activation: b.activation && {
          ...b.activation,
          status: 'ActivationFailed',
          failure: { code: input.code, detail: input.detail },
        },
      },
      result: true,
    };
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
export async function activationCancelled(input: Base): Promise<void> {
  await getServices().store.updateBenefit(input.partnerId, input.benefitId, (b) => ({
    value: {
      ...b,
      activation:
        b.activation && b.activation.status === 'Pending'
          ? { ...b.activation, status: 'Cancelled' }
          : b.activation,
    },
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
