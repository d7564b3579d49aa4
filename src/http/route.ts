/**
 * Route definitions: one object per HTTP function holding its name, method, route template, zod schemas
 * and handler. `functions/*.ts` registers them with `app.http(def.name, def.options)`; the OpenAPI document
 * is generated from the same objects.
 *
 * The wrapper does, in order: authentication (docs/product.md §9), the path ids (one id schema, 400), partner
 * access (tenant isolation → 404, role → 403, PMC → 409), parsing of params/query/body with zod (→ 400
 * `validation-failed` with field errors), the handler, and the mapping of any error to problem+json. Bad
 * input never writes anything.
 */
import {
  input,
  type HttpFunctionOptions,
  type HttpMethod,
  type HttpRequest,
  type HttpResponseInit,
  type InvocationContext,
} from '@azure/functions';
import * as z from 'zod';
import type { ZodType } from 'zod';
import { DomainError, isDomainError } from '../domain/errors';
import { IdSchema } from '../domain/ids';
import type { PartnerAction } from '../domain/permissions';
import { assertMayAttempt, assertOperator } from '../app/policy';
import { assertCanManageBenefits } from '../domain/provisioning';
import type { Benefit, Partner, User } from '../domain/types';
import { getServices, type Services } from '../services';
import type { Versioned } from '../store/ports';
import type { Caller } from './auth';
import { withIdempotency } from './idempotency';
import { fieldErrors, statusOf, toProblem } from './problem';

/** Largest accepted request body, bytes. */
const MAX_BODY_BYTES = 64 * 1024;

/** What a handler returns. `etag` becomes the `ETag` header; `rawBody` is sent as-is (give its Content-Type). */
export interface RouteResult {
  status: number;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  etag?: string;
}

/** Who may call a route. */
export type Access =
  | { kind: 'public' }
  | { kind: 'authenticated' }
  | { kind: 'operator' }
  /**
   * A member of `{partnerId}` allowed `action`; `benefits: true` adds the PMC rule (docs/product.md §2). When
   * the resource decides which action applies (assign: Visual Studio vs usage-based cloud), `actions` lists
   * them: the wrapper refuses a caller allowed none of them, and the use case asks the policy
   * (src/app/policy.ts) with the resource.
   */
  | { kind: 'partner'; action: PartnerAction; actions?: undefined; benefits?: boolean }
  | { kind: 'partner'; actions: readonly PartnerAction[]; action?: undefined; benefits?: boolean };

/** The actions a partner route's access declares (one, or several the resource decides between). */
export function accessActions(access: Access): readonly PartnerAction[] {
  if (access.kind !== 'partner') return [];
  return access.actions ?? [access.action!];
}

/** The caller of a partner route as the use cases take it: the token's actor, the user and the partner. */
export function partnerCaller(input: { caller: Caller; user: User; partner: Versioned<Partner> }): {
  actor: Caller;
  user: User;
  partner: Partner;
} {
  return { actor: input.caller, user: input.user, partner: input.partner.value };
}

/** The parsed request a handler receives. */
export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** Set unless the route is public. */
  caller: Caller;
  /** Set for partner routes: the partner and the calling user. */
  partner: Versioned<Partner>;
  user: User;
  /**
   * Set for partner routes with `readWithAccess`: the benefit it names, read in the access check's round trip;
   * undefined when it does not exist.
   */
  benefit?: Versioned<Benefit>;
  request: HttpRequest;
  context: InvocationContext;
  services: Services;
}

/** Documentation and validation of a route. */
export interface RouteSpec<P, Q, B> {
  name: string;
  method: HttpMethod;
  /** Route template without the `api/` prefix, e.g. `partners/{partnerId}/benefits/{benefitId}`. */
  route: string;
  summary: string;
  tags: string[];
  access: Access;
  params?: ZodType<P>;
  query?: ZodType<Q>;
  body?: ZodType<B>;
  /** Response schemas by status, for OpenAPI (`contentType` default `application/json`). */
  responses?: Record<number, { description: string; schema?: ZodType; contentType?: string }>;
  /** `POST` routes honour `Idempotency-Key` unless false. */
  idempotent?: boolean;
  /** Durable client binding needed (activation routes). */
  durableClient?: boolean;
  /**
   * Partner routes that read one benefit: its id from the (valid) params, read in the same round trip as the
   * access check and handed over as `input.benefit` (docs/decisions.md, "Round trips").
   */
  readWithAccess?: { benefit: (params: P) => string };
  handle(input: RouteInput<P, Q, B>): Promise<RouteResult>;
}

/**
 * `defineRoute`'s second argument for routes that signal orchestrations: binds the durable client input (what
 * `df.input.durableClient()` returns; docs/decisions.md "Cold start"). The handler reaches it through
 * `services.durableClient(context)`.
 */
export const WITH_DURABLE_CLIENT: Pick<HttpFunctionOptions, 'extraInputs'> = {
  extraInputs: [input.generic({ type: 'durableClient' })],
};

/** A defined route: its spec plus the options `app.http` takes. */
export interface RouteDefinition {
  name: string;
  spec: RouteSpec<unknown, unknown, unknown>;
  options: HttpFunctionOptions;
}

/** Builds a route definition from its spec; `extraInputs` are added by the caller (e.g. durable client). */
export function defineRoute<P = Record<string, never>, Q = Record<string, never>, B = undefined>(
  spec: RouteSpec<P, Q, B>,
  extra: Pick<HttpFunctionOptions, 'extraInputs'> = {},
): RouteDefinition {
  return {
    name: spec.name,
    spec: spec as unknown as RouteSpec<unknown, unknown, unknown>,
    options: {
      methods: [spec.method],
      route: spec.route,
      authLevel: 'anonymous',
      ...extra,
      handler: (request, context) => runRoute(spec, request, context),
    },
  };
}

/** Every path parameter of every route is an id: checked before anything reads the store (docs/product.md §9). */
const PathIds = z.record(z.string(), IdSchema);

/** Routes without a request body accept none, or an empty JSON object; anything else is refused. */
export const NoBody = z
  .strictObject({}, { error: 'this route takes no request body' })
  .optional()
  .transform(() => undefined);

async function runRoute<P, Q, B>(
  spec: RouteSpec<P, Q, B>,
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  try {
    const services = getServices();
    const input = { request, context, services } as RouteInput<P, Q, B>;

    if (spec.access.kind !== 'public') {
      input.caller = await services.tokens.authenticate(request.headers.get('authorization'));
      if (spec.access.kind === 'operator') assertOperator(input.caller);
    }
    // Malformed ids (encoded `/ \\ #`, blank, over-long) are 400 before any store access, never a 500.
    parse(PathIds, { ...request.params }, 'params');
    if (spec.access.kind === 'partner') {
      const partnerId = request.params.partnerId ?? '';
      // The benefit the route reads rides along with the access check, when the params name a valid one.
      const params = spec.readWithAccess && spec.params?.safeParse(request.params);
      const benefitId = params?.success ? spec.readWithAccess!.benefit(params.data) : undefined;
      const access = await loadPartnerAccess(services, input.caller, partnerId, benefitId);
      assertMayAttempt(access.user, accessActions(spec.access));
      if (spec.access.benefits) assertCanManageBenefits(access.partner.value);
      input.partner = access.partner;
      input.user = access.user;
      input.benefit = access.benefit;
    }

    input.params = parse(spec.params, request.params, 'params') as P;
    input.query = parse(spec.query, Object.fromEntries(request.query.entries()), 'query') as Q;
    input.body = (await parseBody(spec.body ?? NoBody, request)) as B;

    // A refusal (4xx) is a response like any other: Idempotency-Key repeats replay it (docs/product.md §9).
    const run = (services: Services = input.services) =>
      spec
        .handle({ ...input, services })
        .then(toResponse)
        .catch((e: unknown) => {
          if (isDomainError(e) && statusOf(e.code) < 500) return toProblem(e);
          throw e;
        });
    const idempotent = spec.method === 'POST' && spec.idempotent !== false && spec.access.kind !== 'public';
    const key = request.headers.get('idempotency-key');
    if (idempotent && key) {
      return await withIdempotency(services, {
        key,
        scope: spec.name,
        partnerId: spec.access.kind === 'partner' ? input.partner.value.id : '_operator',
        callerId: input.caller.objectId,
        requestFingerprint: `${request.url}\n${JSON.stringify(input.body ?? null)}`,
        run,
      });
    }
    return await run();
  } catch (e) {
    return toProblem(e, (m) => context.error(m));
  }
}

/**
 * Resolves the caller's membership in `partnerId`: the user and the partner (and, with `benefitId`, that benefit)
 * read in one round trip (`BenefitsStore.readPartnerAccess`).
 * @throws DomainError `not-found` when the partner does not exist or the caller is not one of its users —
 *   the same answer in both cases, so partner ids cannot be probed (docs/product.md §2).
 */
async function loadPartnerAccess(
  services: Services,
  caller: Caller,
  partnerId: string,
  benefitId?: string,
): Promise<{ partner: Versioned<Partner>; user: User; benefit?: Versioned<Benefit> }> {
  const { user, partner, extra } = await services.store.readPartnerAccess<Benefit>(
    partnerId,
    caller.objectId,
    benefitId === undefined ? undefined : { type: 'benefit', id: benefitId },
  );
  if (!user || !partner) throw new DomainError('not-found', `Partner ${partnerId} was not found.`);
  return { partner, user: user.value, benefit: extra };
}

function parse(schema: ZodType | undefined, value: unknown, where: string): unknown {
  if (!schema) return where === 'body' ? undefined : {};
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new DomainError(
      'validation-failed',
      where === 'params' ? 'The path parameters are not valid.' : `The request ${where} is not valid.`,
      fieldErrors(result.error, where),
    );
  }
  return result.data;
}

async function parseBody(schema: ZodType, request: HttpRequest): Promise<unknown> {
  const type = request.headers.get('content-type') ?? '';
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) {
    throw new DomainError('payload-too-large', `The body must be at most ${MAX_BODY_BYTES} bytes.`);
  }
  if (text.length > 0 && type && !/^application\/([a-z.+-]*\+)?json\b/i.test(type)) {
    throw new DomainError('unsupported-media-type', 'Send the body as application/json.');
  }
  let value: unknown;
  try {
    value = text.length === 0 ? undefined : JSON.parse(text);
  } catch {
    throw new DomainError('validation-failed', 'The body is not valid JSON.', [
      { field: 'body', message: 'malformed JSON' },
    ]);
  }
  return parse(schema, value, 'body');
}

function toResponse(result: RouteResult): HttpResponseInit {
  const headers: Record<string, string> = { ...(result.headers ?? {}) };
  if (result.etag) headers.ETag = quoteEtag(result.etag);
  if (result.rawBody !== undefined) return { status: result.status, headers, body: result.rawBody };
  if (result.body === undefined) return { status: result.status, headers };
  headers['Content-Type'] ??= 'application/json';
  return { status: result.status, headers, body: JSON.stringify(result.body) };
}

/** ETags are sent quoted (RFC 9110); Cosmos ETags may already be quoted. */
function quoteEtag(etag: string): string {
  return etag.startsWith('"') || etag.startsWith('W/') ? etag : `"${etag}"`;
}

/** The `If-Match` header as a Cosmos ETag, or undefined (`*` means any). */
export function ifMatch(request: HttpRequest): string | undefined {
  const raw = request.headers.get('if-match')?.trim();
  if (!raw || raw === '*') return undefined;
  return raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
}

/** Quick problem response for the local host (unknown route, wrong method). */
