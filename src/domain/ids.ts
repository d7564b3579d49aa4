/**
 * The one schema of every id a caller sends (path ids, and ids in bodies that are looked up): docs/product.md §9
 * "Ids and tokens from the caller are validated: anything malformed — encoded `/ \ #`, blank, over-long — is
 * `validation-failed`, never an internal error". Cosmos DB refuses `/ \ # ?` in a document id; a blank or padded id is
 * never one this service issued.
 */
import * as z from 'zod';

/** Longest accepted id, UTF-16 code units (our ids are UUIDs or short slugs; object ids are GUIDs). */
const MAX_ID_LENGTH = 128;

/**
 * `/ \ # ?` (refused by Cosmos DB in ids and meaningful in URLs), control, format, private-use, unassigned and
 * surrogate code points (`\p{C}`), and line/paragraph separators.
 */
const FORBIDDEN = /[/\\#?\p{C}\p{Zl}\p{Zp}]/u;

/**
 * An id from the caller: 1–128 characters, printable, none of `/ \ # ?`, no whitespace at either end (so
 * not blank: `" "`, tab, no-break space), and not the dot segments `.` or `..`. Inner spaces are allowed.
 * Fails with one message per broken rule (zod issues → `errors` of the validation-failed problem).
 */
export const IdSchema = z
  .string()
  .min(1, { message: 'must not be empty' })
  .max(MAX_ID_LENGTH, { message: `must be at most ${MAX_ID_LENGTH} characters` })
  .refine((s) => !FORBIDDEN.test(s), {
    message: 'must not contain / \\ # ? or control characters',
  })
  .refine((s) => s.length === 0 || (s.trim() === s && s !== '.' && s !== '..'), {
    message: 'must not be blank, start or end with whitespace, or be . or ..',
  })
  .meta({ description: 'An id: 1–128 printable characters without / \\ # ? and without surrounding spaces' });
