/**
 * The portal's only way to the server: the public HTTP API through openapi-fetch, typed by
 * `schema.gen.ts` (generated from the route definitions by `npm run openapi`). Every failure becomes an
 * {@link ApiError} carrying the API's problem+json (docs/product.md §9).
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema.gen';

export type Schemas = components['schemas'];
export type Benefit = Schemas['Benefit'];
export type Purchase = Schemas['Purchase'];
export type User = Schemas['User'];
export type Partner = Schemas['Partner'];
export type Me = Schemas['Me'];
export type Problem = Schemas['Problem'];

/** An API answer that was not 2xx. `problem` is the RFC 9457 body (synthesized when the body was not one). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail);
  }
  get code(): string {
    return this.problem.code;
  }
}

/** Returns a bearer token for the signed-in person, or null (public pages). */
export type TokenSource = () => Promise<string | null>;

let tokenSource: TokenSource = async () => null;
let onUnauthorized: () => void = () => undefined;

/** Wires the client to the sign-in (called once by the auth provider). */
export function configureApi(source: TokenSource, unauthorized: () => void): void {
  tokenSource = source;
  onUnauthorized = unauthorized;
}

const auth: Middleware = {
  async onRequest({ request }) {
    const token = await tokenSource();
    if (token) {
      request.headers.set('Authorization', `Bearer ${token}`);
      // Deployed behind Static Web Apps, which sets Authorization on proxied requests to its own token: API
      // Management restores ours from this header (infra/app/gateway.bicep). The local build does not need it.
      if (!__LOCAL_SIGN_IN__) request.headers.set('X-Client-Authorization', `Bearer ${token}`);
    }
    return request;
  },
  async onResponse({ response }) {
    if (response.status === 401) onUnauthorized();
    return response;
  },
};

export const api = createClient<paths>({
  baseUrl: typeof window === 'undefined' ? '' : window.location.origin,
});
api.use(auth);

function toProblem(status: number, body: unknown): Problem {
  if (body && typeof body === 'object' && 'code' in body && 'detail' in body) return body as Problem;
  return {
    type: 'about:blank',
    title: 'Request failed',
    status,
    code: status === 0 ? 'network' : 'unexpected',
    detail: typeof body === 'string' && body ? body : `The server answered ${status}.`,
  };
}

/**
 * Unwraps an openapi-fetch result: the data, or throws {@link ApiError}.
 * A network failure is an ApiError with status 0 and code `network`.
 */
export async function call<T>(
  request: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await request;
  } catch (e) {
    throw new ApiError(0, toProblem(0, e instanceof Error ? e.message : String(e)));
  }
  if (!result.response.ok)
    throw new ApiError(result.response.status, toProblem(result.response.status, result.error));
  return result.data as T;
}

/**
 * Like {@link call}, and also the response's `ETag` (send it back as `If-Match` so a change made meanwhile is
 * refused with 412 instead of overwritten; docs/product.md §9 "Concurrency").
 */
export async function callWithEtag<T>(
  request: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<{ data: T; etag: string | null }> {
  let response: Response | undefined;
  const data = await call<T>(
    request.then((r) => {
      response = r.response;
      return r;
    }),
  );
  return { data, etag: response?.headers.get('ETag') ?? null };
}
