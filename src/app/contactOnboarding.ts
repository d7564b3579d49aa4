/**
 * Contact onboarding by email (docs/product.md §7): a single-use verification token (256 random bits, only
 * its SHA-256 stored, valid 7 days) is emailed to a new marketing contact or technical contact's alternate
 * email (owed by the unit of work of the change that names the contact, src/app/unitOfWork.ts);
 * `POST /api/contact-verifications { token }` proves the address.
 */
import { createHash, randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import { DomainError } from '../domain/errors';
import type { Partner } from '../domain/types';
import type { AppDeps as Services, VerificationTokenRecord } from './ports';
import type { OwedEmail } from './unitOfWork';

/** How long a verification token is valid, milliseconds (docs/product.md §7: 7 days). */
const VERIFICATION_TOKEN_TTL_MS = 7 * 24 * 3600 * 1000;

/** The stored form of a token (the token itself is never stored). */
export type ContactTokenRecord = VerificationTokenRecord;

const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/**
 * Issues a verification token for a contact: stores its record (only the token's hash, in the global `_tokens`
 * partition; one round trip) and returns the email that carries it, for the caller's unit of work
 * (src/app/unitOfWork.ts) to owe with its change. The record is written first because it lives in another
 * partition than the change: should the change not commit, the token was never sent, so nobody can use it (it
 * expires after 7 days).
 */
export async function issueContactVerification(
  services: Pick<Services, 'clock' | 'config' | 'store'>,
  input: {
    partner: Partner;
    contact: ContactTokenRecord['contact'];
    email: string;
    recipientName: string;
    userId: string;
    locale: string | undefined;
    benefitId?: string;
    assignmentId?: string;
  },
): Promise<OwedEmail<'contactVerification'>> {
  const token = randomBytes(32).toString('base64url');
  const now = services.clock.now();
  const record: ContactTokenRecord = {
    id: hashToken(token),
    // The global token partition (the store's `_tokens`; the record type names it).
    partnerId: '_tokens',
    homePartnerId: input.partner.id,
    contact: input.contact,
    email: input.email,
    userId: input.userId,
    ...(input.benefitId ? { benefitId: input.benefitId, assignmentId: input.assignmentId } : {}),
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + VERIFICATION_TOKEN_TTL_MS).toISOString(),
  };
  await services.store.saveVerificationToken(record);
  // The portal's verification page (docs/product.md §11); the token rides in the fragment, so it never
  // reaches a server log, and opening the page changes nothing until the person selects Confirm.
  const verifyUrl = `${services.config.PUBLIC_BASE_URL.replace(/\/$/, '')}/verify-contact#token=${token}`;
  return {
    kind: 'contactVerification',
    locale: input.locale,
    data: {
      recipientName: input.recipientName,
      partnerName: input.partner.name,
      token,
      verifyUrl,
      expiresAt: DateTime.fromISO(record.expiresAt).toUTC().toISO()!,
    },
    to: [{ address: input.email, displayName: input.recipientName }],
    idempotencyKey: `verify-${record.id.slice(0, 32)}`,
  };
}

/**
 * Consumes a token: marks it used (conditionally, so it is single-use under concurrency).
 * @throws DomainError `invalid-token` for an unknown, used or expired token, without saying which.
 */
export async function consumeContactToken(services: Services, token: string): Promise<ContactTokenRecord> {
  const invalid = () => new DomainError('invalid-token', 'The verification token is not valid.');
  const now = services.clock.now();
  const found = await services.store.findVerificationToken(hashToken(token));
  if (!found || found.value.usedAt || Date.parse(found.value.expiresAt) <= now.getTime()) throw invalid();
  try {
    return await services.store.consumeVerificationToken(found, now.toISOString());
  } catch (e) {
    if (e instanceof DomainError && (e.code === 'precondition-failed' || e.code === 'not-found'))
      throw invalid();
    throw e;
  }
}

/**
 * Reads a token without using it (the verification page's look-up): the same validity rules as
 * {@link consumeContactToken}, and nothing is written.
 * @throws DomainError `invalid-token` for an unknown, used or expired token, without saying which.
 */
export async function peekContactToken(services: Services, token: string): Promise<ContactTokenRecord> {
  const found = await services.store.findVerificationToken(hashToken(token));
  if (!found || found.value.usedAt || Date.parse(found.value.expiresAt) <= services.clock.now().getTime())
    throw new DomainError('invalid-token', 'The verification token is not valid.');
  return found.value;
}
