/**
 * `POST /api/contact-verifications/lookup { token }` (public: the token is the credential) → 200
 * `{ partnerName, email, contact }`. The verification page (docs/product.md §11) names the partner and the
 * address before the person confirms. Read-only: it neither uses up nor extends the token, so a mail
 * scanner opening the link changes nothing. A used, expired, unknown or superseded token → 400
 * `invalid-token`, like `POST /api/contact-verifications`.
 */
import * as z from 'zod';
import { lookupContactToken } from '../../app/contacts';
import { ContactVerificationBody } from '../../domain/schemas';
import { defineRoute } from '../route';

/** What the verification page shows. */
const ContactLookupSchema = z
  .object({
    partnerName: z.string(),
    email: z.string(),
    contact: z.enum(['marketing', 'technical']),
  })
  .meta({ id: 'ContactLookup' });

export const lookupContactVerification = defineRoute({
  name: 'lookupContactVerification',
  method: 'POST',
  route: 'contact-verifications/lookup',
  summary: 'Name the partner and email a verification token is for, without using the token',
  tags: ['contacts'],
  access: { kind: 'public' },
  body: ContactVerificationBody,
  responses: { 200: { description: 'The partner and email of the token', schema: ContactLookupSchema } },
  handle: async ({ services, body }) => ({
    status: 200,
    body: await lookupContactToken(services, body.token),
    headers: { 'Cache-Control': 'no-store' },
  }),
});
