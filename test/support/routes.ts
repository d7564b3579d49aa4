/**
 * Every HTTP route of the app as tests enumerate them (ALL_ROUTES in src/http/routes/index.ts), with a way to fill
 * a route template and the token a caller of the right kind sends.
 */
import { ALL_ROUTES } from '../../src/http/routes';
import type { RouteDefinition } from '../../src/http/route';
import type { TestHost } from './testHost';

/** A route as the tests see it. */
export interface RouteUnderTest {
  name: string;
  method: string;
  /** Template without `api/`, e.g. `partners/{partnerId}/benefits/{benefitId}`. */
  route: string;
  /** Names of its path parameters, in order. */
  params: string[];
  access: RouteDefinition['spec']['access'];
  /** True for list routes (they take `pageSize` and `continuationToken`). */
  paged: boolean;
  def: RouteDefinition;
}

const PARAM = /\{(\w+)(?::[^}?]+)?\??\}/g;

/** Every route of ALL_ROUTES. */
export function allRoutes(): RouteUnderTest[] {
  return ALL_ROUTES.map((def) => ({
    name: def.name,
    method: def.spec.method,
    route: def.spec.route,
    params: [...def.spec.route.matchAll(PARAM)].map((m) => m[1]),
    access: def.spec.access,
    paged: isPaged(def),
    def,
  }));
}

function isPaged(def: RouteDefinition): boolean {
  const shape = (def.spec.query as { shape?: Record<string, unknown> } | undefined)?.shape;
  return !!shape && 'continuationToken' in shape;
}

/** `/api/…` with each `{param}` replaced by the URI-encoded value from `values` (`x` when absent). */
export function pathOf(route: Pick<RouteUnderTest, 'route'>, values: Record<string, string>): string {
  return '/api/' + route.route.replace(PARAM, (_, name: string) => encodeURIComponent(values[name] ?? 'x'));
}

/** Tokens of the kinds of caller the tests use. */
export interface CallerTokens {
  /** Contoso's GlobalAdmin. */
  admin: string;
  operator: string;
}

/** The token a caller allowed on the route would send (none for public routes). */
export function tokenFor(route: RouteUnderTest, tokens: CallerTokens): string | undefined {
  switch (route.access.kind) {
    case 'public':
      return undefined;
    case 'operator':
      return tokens.operator;
    default:
      return tokens.admin;
  }
}

/** Loads the usual tokens from a host. */
export async function callerTokens(host: TestHost): Promise<CallerTokens> {
  return {
    admin: await host.tokenFor('admin@contoso.example'),
    operator: await host.token('fuzz-operator', { operator: true }),
  };
}
