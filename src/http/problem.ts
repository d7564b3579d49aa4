/**
 * `application/problem+json` responses (RFC 9457) with the docs/product.md §9 machine-readable `code`.
 */
import type { HttpResponseInit } from '@azure/functions';
import { ZodError } from 'zod';
import { DomainError, ERROR_STATUS, isDomainError, type ErrorCode, type FieldError } from '../domain/errors';

/** The problem document shape. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  errors?: FieldError[];
}

const TITLES: Partial<Record<ErrorCode, string>> = {
  'validation-failed': 'The request is not valid',
  unauthorized: 'Authentication required',
  forbidden: 'Not allowed',
  'not-found': 'Not found',
  'precondition-failed': 'The resource has changed',
  'internal-error': 'Something went wrong on our side',
};

/** Problem type URI for a code. */
export const problemType = (code: ErrorCode): string => `urn:partner-benefits:problem:${code}`;

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
  const status = ERROR_STATUS[code];
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
