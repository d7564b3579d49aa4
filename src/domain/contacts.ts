/**
 * Contact rules: the marketing contact (docs/product.md §5) and the "different email" safeguard shared with
 * technical contacts (seeds, "Manage technical benefits" / "Manage Go-To-Market offers").
 */
import { isValidPhoneNumber } from 'libphonenumber-js';
import * as z from 'zod';
import { DomainError } from './errors';
import { IdSchema } from './ids';
import { LocaleSchema, type Benefit, type User } from './types';

/** E.164 shape: `+`, a non-zero country-code digit, at most 15 digits in all, nothing else. */
const E164_SHAPE = /^\+[1-9]\d{1,14}$/;

/**
 * A phone number in E.164 form, e.g. `+14255550100` (docs/product.md §5): must start with `+`, contain only
 * digits after it, and be a valid number for its country according to libphonenumber-js `isValidPhoneNumber`.
 */
export const PhoneE164Schema = z
  .string()
  .refine((v) => E164_SHAPE.test(v) && isValidPhoneNumber(v), {
    message: 'must be a valid phone number in E.164 form, e.g. +14255550100',
  })
  .meta({ description: 'Phone number in E.164 form', example: '+14255550100' });

/**
 * Body of `PUT …/marketing-contact` (docs/product.md §5):
 * `{ userId, email, phone (E.164), preferredLanguage (en-US | zh-TW | zh-CN | ru-RU) }`. Strict: unknown keys
 * are rejected. The email-differs rule needs the user, so it is checked by `assertContactEmailDiffers`, not
 * here.
 */
export const MarketingContactInputSchema = z
  .strictObject({
    userId: IdSchema,
    email: z.email().max(254),
    phone: PhoneE164Schema,
    preferredLanguage: LocaleSchema,
  })
  .meta({ id: 'MarketingContactInput' });

/** Trimmed, lower-cased email for case-insensitive comparison. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Throws when `email` equals the user's account email, ignoring case and surrounding spaces. Marketing and technical
 * contacts must "provide an email address for the user that's different from the email address associated with your
 * company's Partner Center account" (2019-10/2020-09 seeds; docs/product.md §3, §5).
 * @param field the field reported in `errors` (`body.email` for the marketing contact, `body.alternateEmail` for a
 *   technical contact).
 * @throws DomainError `alternate-email-must-differ` with a field error on `field`.
 */
export function assertContactEmailDiffers(
  user: Pick<User, 'accountEmail'>,
  email: string,
  field = 'body.email',
): void {
  if (normalizeEmail(email) === normalizeEmail(user.accountEmail)) {
    throw new DomainError(
      'alternate-email-must-differ',
      "The contact email must be different from the user's Partner Center account email.",
      [{ field, message: "must differ from the user's account email" }],
    );
  }
}

/**
 * Records the verification of a technical contact's alternate email on its benefit (docs/product.md §5, §7):
 * the assignment `assignmentId` gets `alternateEmailVerifiedAt` = `verifiedAt` (ISO 8601). Returns the new
 * benefit (no mutation), or `undefined` when it was verified already (nothing to write).
 * @throws DomainError `invalid-token` when the token no longer names the current contact: the assignment
 *   ended or its alternate email is not `email` (case-insensitive) — the same answer as for any bad token.
 */
export function verifyTechnicalContact(
  benefit: Benefit,
  token: { assignmentId: string; email: string },
  verifiedAt: string,
): Benefit | undefined {
  const held = benefit.assignments.find(
    (a) =>
      a.id === token.assignmentId &&
      a.endedAt === undefined &&
      a.alternateEmail !== undefined &&
      normalizeEmail(a.alternateEmail) === normalizeEmail(token.email),
  );
  if (!held) throw new DomainError('invalid-token', 'The verification token is not valid.');
  if (held.alternateEmailVerifiedAt) return undefined;
  return {
    ...benefit,
    assignments: benefit.assignments.map((a) =>
      a === held ? { ...a, alternateEmailVerifiedAt: verifiedAt } : a,
    ),
  };
}
