/**
 * Marketing contact (docs/product.md §5, §7) and contact verification:
 * `PUT /api/partners/{partnerId}/marketing-contact` and the public `POST /api/contact-verifications`.
 */
import { setMarketingContact as setContact, verifyContact as verify } from '../../app/contacts';
import { ContactVerificationBody, MarketingContactBody, MarketingContactSchema } from '../../domain/schemas';
import { defineRoute, WITH_DURABLE_CLIENT, ifMatch } from '../route';
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
  handle: async ({ services, params, body, caller, user, request, context }) => {
    const { contact, etag } = await setContact(services, {
      caller,
      roles: user.roles,
      partnerId: params.partnerId,
      ...body,
      ifMatch: ifMatch(request),
      log: (m) => context.warn(m),
    });
    return { status: 200, body: contact, etag };
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
      const log = (m: string) => context.warn(m);
      return {
        status: 200,
        body: await verify(services, services.durableClient(context), { token: body.token, log }),
      };
    },
  },
  WITH_DURABLE_CLIENT,
);
