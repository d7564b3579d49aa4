/**
 * Machine-readable error codes of the HTTP contract (docs/product.md §9) and the domain error that carries
 * them. `src/http/problem.ts` turns a DomainError into `application/problem+json` (RFC 9457).
 */

/** Every code the API answers with, and its HTTP status. */
export const ERROR_STATUS = {
  'validation-failed': 400,
  'alternate-email-must-differ': 400,
  'invalid-token': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  'method-not-allowed': 405,
  'managed-in-pmc': 409,
  'membership-inactive': 409,
  'not-eligible': 409,
  'seat-limit-reached': 409,
  'already-assigned': 409,
  'self-assignment-only': 409,
  'marketing-contact-required': 409,
  'activation-in-progress': 409,
  'already-active': 409,
  'benefit-cancelled': 409,
  'refund-window-elapsed': 409,
  'software-benefits-activated': 409,
  'insufficient-hours': 409,
  'no-incidents-left': 409,
  'not-activatable': 409,
  'benefit-not-active': 409,
  'purchase-cancelled': 409,
  'user-exists': 409,
  'last-global-admin': 409,
  'user-is-marketing-contact': 409,
  'renewal-not-open': 409,
  'idempotency-key-reused': 422,
  conflict: 409,
  'precondition-failed': 412,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  'internal-error': 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** A field-level validation error (`errors` member of a validation problem). */
export interface FieldError {
  /** JSON-pointer-like dotted path, e.g. `body.phone` or `query.pageSize`. */
  field: string;
  message: string;
}

/**
 * A rule was broken. Thrown by domain rules and mapped to problem+json by the HTTP layer.
 * `status` follows ERROR_STATUS unless given.
 */
export class DomainError extends Error {
  readonly status: number;
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
    this.status = ERROR_STATUS[code];
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
