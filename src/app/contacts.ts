/**
 * Contacts (docs/product.md §5, §7): set the marketing contact (a new or changed email is verified by email), verify a
 * contact with its token (and wake activations waiting for it, docs/product.md §6 step 3), and look a token up.
 */
import { DomainError } from '../domain/errors';
import { assertContactEmailDiffers, normalizeEmail, verifyTechnicalContact } from '../domain/rules';
import type { MarketingContact, Role } from '../domain/types';
import { EVENTS } from './activationContract';
import { consumeContactToken, issueContactVerification, peekContactToken } from './contactOnboarding';
import { etagMatches } from './etag';
import { assertCan } from './policy';
import type { Actor, AppDeps as Services, DurablePort } from './ports';
import { runUnitOfWork, type OwedEmail } from './unitOfWork';

/** Input of {@link setMarketingContact}. */
export interface SetMarketingContactCommand {
  caller: Actor;
  roles: readonly Role[];
  partnerId: string;
  userId: string;
  email: string;
  phone: string;
  preferredLanguage: MarketingContact['preferredLanguage'];
  ifMatch?: string;
  log: (message: string) => void;
}

/**
 * Sets or changes the marketing contact; a new or changed email becomes `PendingVerification` and is emailed a
 * verification link. One unit of work: the partner, the audit event `marketingContact.set` and the verification
 * email owed (its token record is written first, ./contactOnboarding.ts). Returns the contact and the partner's new
 * ETag.
 * @throws DomainError `forbidden` · `not-found` (user) · `alternate-email-must-differ` · `precondition-failed`.
 */
export async function setMarketingContact(services: Services, cmd: SetMarketingContactCommand) {
  assertCan({ roles: cmd.roles }, 'setMarketingContact');
  const user = await services.store.getUser(cmd.partnerId, cmd.userId);
  if (!user) throw new DomainError('not-found', `User ${cmd.userId} is not a user of this partner.`);
  assertContactEmailDiffers(user.value, cmd.email);
  const now = services.clock.now().toISOString();
  // The verification token is issued once, whatever the number of attempts (./contactOnboarding.ts).
  let verification: Promise<OwedEmail> | undefined;
  const { result: contact, etags } = await runUnitOfWork(
    services,
    cmd.partnerId,
    async (uow) => {
      const current = await services.store.getPartner(cmd.partnerId);
      if (!current) throw new DomainError('not-found', `partner ${cmd.partnerId} does not exist`);
      if (cmd.ifMatch !== undefined && !etagMatches(cmd.ifMatch, current.etag)) {
        throw new DomainError(
          'precondition-failed',
          `If-Match does not match the current ETag of partner ${cmd.partnerId}`,
        );
      }
      const p = current.value;
      const previous = p.marketingContact;
      const sameEmail = previous && normalizeEmail(previous.email) === normalizeEmail(cmd.email);
      const contact: MarketingContact = {
        userId: cmd.userId,
        email: cmd.email.trim(),
        phone: cmd.phone,
        preferredLanguage: cmd.preferredLanguage,
        status: sameEmail ? previous.status : 'PendingVerification',
        updatedAt: now,
        ...(sameEmail && previous.verifiedAt ? { verifiedAt: previous.verifiedAt } : {}),
      };
      const changed = !sameEmail || previous.status !== 'Verified';
      uow.replacePartner(current, { ...p, marketingContact: contact });
      uow.audit({
        caller: cmd.caller,
        action: 'marketingContact.set',
        target: { type: 'partner', id: cmd.partnerId },
        detail: {
          userId: contact.userId,
          status: contact.status,
          preferredLanguage: contact.preferredLanguage,
        },
      });
      if (changed && contact.status === 'PendingVerification') {
        verification ??= issueContactVerification(services, {
          partner: p,
          contact: 'marketing',
          email: contact.email,
          recipientName: user.value.displayName,
          userId: user.value.id,
          locale: contact.preferredLanguage,
        });
        uow.email(await verification);
      }
      return contact;
    },
    { retryOnConflict: cmd.ifMatch === undefined },
  );
  return { contact, etag: etags[cmd.partnerId] };
}

/**
 * Verifies a contact with its token (the token is the credential): marks it Verified and raises `ContactVerified`
 * to the activations waiting for it. Returns `{ status: 'Verified', contact }`.
 * @throws DomainError `invalid-token` (used, expired, unknown or superseded: without saying which).
 */
export async function verifyContact(
  services: Services,
  durable: DurablePort,
  cmd: { token: string; log: (message: string) => void },
): Promise<{ status: 'Verified'; contact: 'marketing' | 'technical' }> {
  const record = await peekContactToken(services, cmd.token);
  const now = services.clock.now().toISOString();
  // A token for an email (or a technical contact) that has since been replaced proves nothing about the
  // current contact: the same answer as any other invalid token.
  const superseded = () => new DomainError('invalid-token', 'The verification token is not valid.');
  // The contact's change and its audit event first, as one unit of work; then the token is used (another
  // partition). A crash in between leaves the token usable once more, and its second use changes nothing.
  await runUnitOfWork(services, record.homePartnerId, async (uow) => {
    if (record.contact === 'technical') {
      if (!record.benefitId || !record.assignmentId) throw superseded();
      const current = await services.store.getBenefit(record.homePartnerId, record.benefitId);
      if (!current) throw superseded();
      const verified = verifyTechnicalContact(
        current.value,
        { assignmentId: record.assignmentId, email: record.email },
        now,
      );
      if (!verified) return;
      uow.replace('benefit', current, verified);
    } else {
      const current = await services.store.getPartner(record.homePartnerId);
      const c = current?.value.marketingContact;
      if (!current || !c || normalizeEmail(c.email) !== normalizeEmail(record.email)) throw superseded();
      if (c.status === 'Verified') return;
      const next = {
        ...current.value,
        marketingContact: { ...c, status: 'Verified' as const, verifiedAt: now },
      };
      uow.replacePartner(current, next);
    }
    uow.audit({
      caller: 'system',
      action: 'contact.verify',
      target: {
        type: record.contact === 'marketing' ? 'partner' : 'benefit',
        id: record.benefitId ?? record.homePartnerId,
      },
      detail: { contact: record.contact, userId: record.userId },
    });
  });
  await consumeContactToken(services, cmd.token);
  // Wake activations waiting for this partner's contact (docs/product.md §6 step 3).
  const waiting = await services.store.listPendingBenefits(record.homePartnerId);
  for (const b of waiting) {
    if (!b.activation?.instanceId) continue;
    if (record.contact === 'technical' && b.id !== record.benefitId) continue;
    await durable
      .raiseEvent(b.activation.instanceId, EVENTS.contactVerified, { contact: record.contact, at: now })
      .catch((e: unknown) =>
        cmd.log(`ContactVerified not delivered to ${b.activation?.instanceId}: ${String(e)}`),
      );
  }
  return { status: 'Verified', contact: record.contact };
}

/**
 * What a token is for, without using it (docs/product.md §11): the partner's name, the email and the kind of contact.
 * @throws DomainError `invalid-token` (used, expired, unknown or superseded).
 */
export async function lookupContactToken(
  services: Services,
  token: string,
): Promise<{ partnerName: string; email: string; contact: 'marketing' | 'technical' }> {
  const record = await peekContactToken(services, token);
  const partner = await services.store.getPartner(record.homePartnerId);
  const invalid = () => new DomainError('invalid-token', 'The verification token is not valid.');
  if (!partner) throw invalid();
  if (record.contact === 'marketing') {
    const current = partner.value.marketingContact;
    if (!current || normalizeEmail(current.email) !== normalizeEmail(record.email)) throw invalid();
  }
  return { partnerName: partner.value.name, email: record.email, contact: record.contact };
}
