/**
 * Machine-readable error codes of the contract (docs/product.md §9) and the domain error that carries them.
 * No transport here: `src/http/problem.ts` maps codes to HTTP statuses and turns a DomainError into
 * `application/problem+json` (RFC 9457).
 */

/**
 * Every machine-readable code the API answers with (docs/product.md §9). Transport only: codes carry no HTTP
 * status here; the one code → status map is `HTTP_STATUS` in src/http/problem.ts (a test checks it covers
 * every code).
 */
export const ERROR_CODES = [
  'validation-failed',
  'alternate-email-must-differ',
  'invalid-token',
  'unauthorized',
  'forbidden',
  'not-found',
  'method-not-allowed',
  'managed-in-pmc',
  'membership-inactive',
  'not-eligible',
  'seat-limit-reached',
  'already-assigned',
  'self-assignment-only',
  'marketing-contact-required',
  'activation-in-progress',
  'already-active',
  'benefit-cancelled',
  'refund-window-elapsed',
  'software-benefits-activated',
  'insufficient-hours',
  'no-incidents-left',
  'not-activatable',
  'benefit-not-active',
  'purchase-cancelled',
  'user-exists',
  'last-global-admin',
  'user-is-marketing-contact',
  'renewal-not-open',
  'idempotency-key-reused',
  'conflict',
  'precondition-failed',
  'payload-too-large',
  'unsupported-media-type',
  'internal-error',
] as const;

/** One of {@link ERROR_CODES}. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** A field-level validation error (`errors` member of a validation problem). */
export interface FieldError {
  /** JSON-pointer-like dotted path, e.g. `body.phone` or `query.pageSize`. */
  field: string;
  message: string;
}

/**
 * A rule was broken. Thrown by domain rules and the store with a code only; the HTTP layer (src/http/problem.ts)
 * chooses the status and writes problem+json.
 */
export class DomainError extends Error {
  /**
   * Extension members of the problem document (RFC 9457 §3.2), machine-readable facts behind `detail`, e.g.
   * `{ opensAt }` on `renewal-not-open`. Never secrets.
   */
  extensions?: Record<string, unknown>;
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly errors?: FieldError[],
  ) {
    super(`${code}: ${detail}`);
    this.name = 'DomainError';
  }

  /** Adds problem extension members (see {@link DomainError.extensions}); returns this error. */
  with(extensions: Record<string, unknown>): this {
    this.extensions = { ...(this.extensions ?? {}), ...extensions };
    return this;
  }
}

/** True for DomainError instances (also across module copies in tests). */
export function isDomainError(e: unknown): e is DomainError {
  return e instanceof Error && e.name === 'DomainError' && typeof (e as DomainError).code === 'string';
}
