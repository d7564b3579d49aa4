/**
 * Bearer-token authentication (docs/product.md §9): a JWT checked with `jose` — signature against the
 * issuer's JWKS, issuer, audience, expiry. The `oid` claim names the user; `roles` may hold
 * `Program.Operator`.
 */
import {
  createRemoteJWKSet,
  customFetch,
  jwtVerify,
  errors as joseErrors,
  type FetchImplementation,
  type JWTVerifyGetKey,
} from 'jose';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { DomainError } from '../domain/errors';
import { OPERATOR_APP_ROLE } from '../domain/types';

/** The authenticated caller. */
export interface Caller {
  /** The identity provider's object id (`oid` claim). */
  objectId: string;
  /** App roles from the `roles` claim. */
  appRoles: string[];
  /** True when `roles` holds `Program.Operator`. */
  isOperator: boolean;
  /** `name` or `preferred_username`, for audit display only. */
  name?: string;
}

/** Settings of {@link TokenValidator}. */
export interface TokenValidatorOptions {
  issuer: string;
  audience: string;
  jwksUri: string;
  /** Tolerated clock skew, seconds (default 60). */
  clockToleranceSeconds?: number;
}

/** Largest JWKS document accepted, bytes. */
const MAX_JWKS_BYTES = 256 * 1024;

/**
 * jose's JWKS fetch (its documented `customFetch` hook) over `node:http(s)` instead of the global `fetch`: the
 * first `fetch` of a process initialises undici's fetch and web streams, which measured ~35 % of a cold start's
 * load + first request (docs/benchmarks.md); `node:https` is loaded anyway (the Cosmos client). Same contract:
 * GET with jose's headers and timeout signal, no redirects followed, the status and the JSON body.
 * @throws Error on a network error, a timeout (jose reports it as `JWKSTimeout`) or a body over 256 KiB.
 */
export const fetchJwksWithNodeHttp: FetchImplementation = (url, options) =>
  new Promise((resolve, reject) => {
    const get = url.startsWith('https:') ? httpsGet : httpGet;
    const request = get(
      url,
      { headers: Object.fromEntries(options.headers), signal: options.signal },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_JWKS_BYTES)
            response.destroy(new Error(`The JWKS document exceeds ${MAX_JWKS_BYTES} bytes`));
          else chunks.push(chunk);
        });
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: response.statusCode ?? 0,
            json: async () => JSON.parse(text) as unknown,
          } as Response);
        });
      },
    );
    // A timeout is jose's signal's reason (a TimeoutError, which jose reports as JWKSTimeout).
    request.on('error', (e) => reject(options.signal.aborted ? options.signal.reason : e));
  });

/** Validates bearer tokens; the JWKS is fetched on first use and cached by `jose`. */
export class TokenValidator {
  readonly #options: TokenValidatorOptions;
  #jwks: JWTVerifyGetKey | undefined;

  constructor(options: TokenValidatorOptions) {
    this.#options = options;
  }

  /**
   * Validates an `Authorization` header value.
   * @throws DomainError `unauthorized` when missing, malformed, expired, or not for this audience/issuer.
   */
  async authenticate(authorization: string | null | undefined): Promise<Caller> {
    const match = /^Bearer\s+([A-Za-z0-9\-_=]+\.[A-Za-z0-9\-_=]+\.[A-Za-z0-9\-_=]+)\s*$/i.exec(
      authorization ?? '',
    );
    if (!match)
      throw new DomainError('unauthorized', 'A bearer token is required (Authorization: Bearer <JWT>).');
    this.#jwks ??= createRemoteJWKSet(new URL(this.#options.jwksUri), {
      cacheMaxAge: 10 * 60_000,
      [customFetch]: fetchJwksWithNodeHttp,
    });
    try {
      const { payload } = await jwtVerify(match[1], this.#jwks, {
        issuer: this.#options.issuer,
        audience: this.#options.audience,
        algorithms: ['RS256'],
        clockTolerance: this.#options.clockToleranceSeconds ?? 60,
        requiredClaims: ['exp', 'oid'],
      });
      const oid = payload.oid;
      if (typeof oid !== 'string' || oid.length === 0) {
        throw new DomainError('unauthorized', 'The token has no oid claim.');
      }
      const roles = Array.isArray(payload.roles)
        ? payload.roles.filter((r): r is string => typeof r === 'string')
        : [];
      const name =
        typeof payload.name === 'string'
          ? payload.name
          : typeof payload.preferred_username === 'string'
            ? payload.preferred_username
            : undefined;
      return { objectId: oid, appRoles: roles, isOperator: roles.includes(OPERATOR_APP_ROLE), name };
    } catch (e) {
      if (e instanceof DomainError) throw e;
      throw new DomainError('unauthorized', describeJoseError(e));
    }
  }
}

function describeJoseError(e: unknown): string {
  if (e instanceof joseErrors.JWTExpired) return 'The token has expired.';
  if (e instanceof joseErrors.JWTClaimValidationFailed)
    return `The token's ${e.claim} claim is not accepted.`;
  if (e instanceof joseErrors.JWSSignatureVerificationFailed) return 'The token signature is not valid.';
  if (e instanceof joseErrors.JWKSNoMatchingKey) return 'The token is not signed by a trusted key.';
  return 'The token is not valid.';
}
