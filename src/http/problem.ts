/**
 * `application/problem+json` responses (RFC 9457) with the docs/product.md §9 machine-readable `code`.
 */
import type { HttpResponseInit } from '@azure/functions';
import { ZodError } from 'zod';
import { DomainError, isDomainError, type ErrorCode, type FieldError } from '../domain/errors';

/** The problem document shape. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  errors?: FieldError[];
}

/**
 * The ONE code → HTTP status map (docs/product.md §9), transport-only codes (401, 405, 413, 415, 500)
 * included. Typed as a total record, so a new code without a status does not compile (and
 * test/http/problem.test.ts checks it at run time).
 */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
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
};

/** The HTTP status of a code. */
export const statusOf = (code: ErrorCode): number => HTTP_STATUS[code];

const TITLES: Partial<Record<ErrorCode, string>> = {
  'validation-failed': 'The request is not valid',
  unauthorized: 'Authentication required',
  forbidden: 'Not allowed',
  'not-found': 'Not found',
  'precondition-failed': 'The resource has changed',
  'internal-error': 'Something went wrong on our side',
};

/** Problem type URI for a code. */
const problemType = (code: ErrorCode): string => `urn:partner-benefits:problem:${code}`;

/**
 * Builds a problem response; `401` responses carry `WWW-Authenticate: Bearer` (docs/product.md §9).
 * `extensions` are extra members of the problem document (RFC 9457 §3.2, e.g. `opensAt` of
 * `renewal-not-open`).
 */
export function problemResponse(
  code: ErrorCode,
  detail: string,
  errors?: FieldError[],
  extraHeaders: Record<string, string> = {},
  extensions: Record<string, unknown> = {},
): HttpResponseInit {
  const status = HTTP_STATUS[code];
  const body: Problem = {
    // Extension members first: the standard members below always win a name clash.
    ...extensions,
    type: problemType(code),
    title: TITLES[code] ?? code.replace(/-/g, ' ').replace(/^./, (c) => c.toUpperCase()),
    status,
    detail,
    code,
    ...(errors && errors.length ? { errors } : {}),
  };
  const headers: Record<string, string> = { 'Content-Type': 'application/problem+json', ...extraHeaders };
  if (status === 401) headers['WWW-Authenticate'] = 'Bearer error="invalid_token"';
  return { status, body: JSON.stringify(body), headers };
}

/** Field errors of a zod error, prefixed with where the value came from (`body`, `query`, `params`). */
export function fieldErrors(error: ZodError, where: string): FieldError[] {
  return error.issues.map((i) => ({
    field: [where, ...i.path.map(String)].join('.'),
    message: i.message,
  }));
}

/** Maps any thrown value to a problem response; unknown errors become a logged 500 without details. */
export function toProblem(error: unknown, log?: (message: string) => void): HttpResponseInit {
  if (isDomainError(error)) {
    const e = error as DomainError;
    return problemResponse(e.code, e.detail, e.errors, {}, e.extensions);
  }
  if (error instanceof ZodError) {
    return problemResponse('validation-failed', 'The request is not valid', fieldErrors(error, 'body'));
  }
  log?.(`Unhandled error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return problemResponse('internal-error', 'An unexpected error occurred; it has been logged.');
}
