/**
 * `POST /api/contact-verifications/lookup { token }` (public: the token is the credential) → 200
 * `{ partnerName, email, contact }`. The verification page (docs/product.md §11) names the partner and the
 * address before the person confirms. Read-only: it neither uses up nor extends the token, so a mail
 * scanner opening the link changes nothing. A used, expired, unknown or superseded token → 400
 * `invalid-token`, like `POST /api/contact-verifications`.
 */
import * as z from 'zod';
import { DomainError } from '../../domain/errors';
import { normalizeEmail } from '../../domain/rules';
import { ContactVerificationBody } from '../../domain/schemas';
import { peekContactToken } from '../contactOnboarding';
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
  handle: async ({ services, body }) => {
    const record = await peekContactToken(services, body.token);
    const partner = await services.store.getPartner(record.homePartnerId);
    const invalid = () => new DomainError('invalid-token', 'The verification token is not valid.');
    if (!partner) throw invalid();
    if (record.contact === 'marketing') {
      const current = partner.value.marketingContact;
      if (!current || normalizeEmail(current.email) !== normalizeEmail(record.email)) throw invalid();
    }
    return {
      status: 200,
      body: { partnerName: partner.value.name, email: record.email, contact: record.contact },
      headers: { 'Cache-Control': 'no-store' },
    };
  },
});
