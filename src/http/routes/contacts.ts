/**
 * Marketing contact (docs/product.md §5, §7) and contact verification:
 * `PUT /api/partners/{partnerId}/marketing-contact` and the public `POST /api/contact-verifications`.
 */
import { EVENTS } from '../../orchestration/contract';
import { durableClientInput, getDurableClient } from '../../orchestration/durable';
import { DomainError } from '../../domain/errors';
import { assertContactEmailDiffers, normalizeEmail, verifyTechnicalContact } from '../../domain/rules';
import { ContactVerificationBody, MarketingContactBody, MarketingContactSchema } from '../../domain/schemas';
import type { MarketingContact } from '../../domain/types';
import { audit } from '../audit';
import { consumeContactToken, startContactVerification } from '../contactOnboarding';
import { defineRoute, ifMatch } from '../route';
import { PartnerParams } from './params';
import * as z from 'zod';

/**
 * `PUT /api/partners/{partnerId}/marketing-contact` `{ userId, email, phone, preferredLanguage }` → 200 the contact.
 * A new or changed email needs verification: status `PendingVerification` and a verification email.
 * Errors: 404 user, 400 `alternate-email-must-differ` / `validation-failed`, 412 on If-Match mismatch.
 */
export const setMarketingContact = defineRoute({
  name: 'setMarketingContact',
  method: 'PUT',
  route: 'partners/{partnerId}/marketing-contact',
  summary: 'Set or change the marketing contact (starts email verification)',
  tags: ['partners'],
  access: { kind: 'partner', action: 'setMarketingContact', benefits: true },
  params: PartnerParams,
  body: MarketingContactBody,
  responses: { 200: { description: 'The marketing contact', schema: MarketingContactSchema } },
  handle: async ({ services, params, body, caller, request, context }) => {
    const user = await services.store.getUser(params.partnerId, body.userId);
    if (!user) throw new DomainError('not-found', `User ${body.userId} is not a user of this partner.`);
    assertContactEmailDiffers(user.value, body.email);
    const now = services.clock.now().toISOString();
    const saved = await services.store.updatePartner<{ contact: MarketingContact; changed: boolean }>(
      params.partnerId,
      (p) => {
        const previous = p.marketingContact;
        const sameEmail = previous && normalizeEmail(previous.email) === normalizeEmail(body.email);
        const contact: MarketingContact = {
          userId: body.userId,
          email: body.email.trim(),
          phone: body.phone,
          preferredLanguage: body.preferredLanguage,
          status: sameEmail ? previous.status : 'PendingVerification',
          updatedAt: now,
          ...(sameEmail && previous.verifiedAt ? { verifiedAt: previous.verifiedAt } : {}),
        };
        return {
          value: { ...p, marketingContact: contact },
          result: { contact, changed: !sameEmail || previous.status !== 'Verified' },
        };
      },
      { ifMatch: ifMatch(request) },
    );
    const { contact, changed } = saved.result!;
    await audit(services, {
      partnerId: params.partnerId,
      caller,
      action: 'marketingContact.set',
      target: { type: 'partner', id: params.partnerId },
      detail: {
        userId: contact.userId,
        status: contact.status,
        preferredLanguage: contact.preferredLanguage,
      },
    });
    if (changed && contact.status === 'PendingVerification') {
      await startContactVerification(services, {
        partner: saved.value,
        contact: 'marketing',
        email: contact.email,
        recipientName: user.value.displayName,
        userId: user.value.id,
        locale: contact.preferredLanguage,
        log: (m) => context.warn(m),
      });
    }
    return { status: 200, body: contact, etag: saved.etag };
  },
});

/**
 * `POST /api/contact-verifications` `{ token }` (public: the token is the credential) → 200.
 * Marks the contact Verified and raises `ContactVerified` to activations waiting for it (docs/product.md §6
 * step 3). A used, expired or unknown token → 400 `invalid-token`, without saying which.
 */
export const verifyContact = defineRoute(
  {
    name: 'verifyContact',
    method: 'POST',
    route: 'contact-verifications',
    summary: 'Verify a contact email with the token it received',
    tags: ['contacts'],
    access: { kind: 'public' },
    body: ContactVerificationBody,
    responses: {
      200: {
        description: 'The contact is verified',
        schema: z.object({ status: z.literal('Verified'), contact: z.enum(['marketing', 'technical']) }),
      },
    },
    handle: async ({ services, body, context }) => {
      const record = await consumeContactToken(services, body.token);
      const now = services.clock.now().toISOString();
      // A token for an email (or a technical contact) that has since been replaced proves nothing about the
      // current contact: the same answer as any other invalid token.
      const superseded = () => new DomainError('invalid-token', 'The verification token is not valid.');
      if (record.contact === 'technical') {
        if (!record.benefitId || !record.assignmentId) throw superseded();
        const { assignmentId, email } = record;
        try {
          await services.store.updateBenefitIfChanged(record.homePartnerId, record.benefitId, (b) => {
            const verified = verifyTechnicalContact(b, { assignmentId, email }, now);
            return verified && { value: verified };
          });
        } catch (e) {
          if (e instanceof DomainError && e.code === 'not-found') throw superseded();
          throw e;
        }
      }
      if (record.contact === 'marketing') {
        const partner = await services.store.getPartner(record.homePartnerId);
        const current = partner?.value.marketingContact;
        if (!current || normalizeEmail(current.email) !== normalizeEmail(record.email)) throw superseded();
        if (current.status !== 'Verified') {
          await services.store.updatePartner(record.homePartnerId, (p) => {
            const c = p.marketingContact;
            if (!c || normalizeEmail(c.email) !== normalizeEmail(record.email)) throw superseded();
            return { value: { ...p, marketingContact: { ...c, status: 'Verified', verifiedAt: now } } };
          });
        }
      }
      await audit(services, {
        partnerId: record.homePartnerId,
        caller: 'system',
        action: 'contact.verify',
        target: {
          type: record.contact === 'marketing' ? 'partner' : 'benefit',
          id: record.benefitId ?? record.homePartnerId,
        },
        detail: { contact: record.contact, userId: record.userId },
      });
      // Wake activations waiting for this partner's contact (docs/product.md §6 step 3).
      const waiting = await services.store.listPendingBenefits(record.homePartnerId);
      const client = await getDurableClient(context);
      for (const b of waiting) {
        if (!b.activation?.instanceId) continue;
        if (record.contact === 'technical' && b.id !== record.benefitId) continue;
        await client
          .raiseEvent(b.activation.instanceId, EVENTS.contactVerified, { contact: record.contact, at: now })
          .catch((e: unknown) =>
            context.warn(`ContactVerified not delivered to ${b.activation?.instanceId}: ${String(e)}`),
          );
      }
      return { status: 200, body: { status: 'Verified', contact: record.contact } };
    },
  },
  { extraInputs: [durableClientInput()] },
);
