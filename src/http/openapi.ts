/**
 * The OpenAPI 3.1 document of every HTTP route (docs/product.md §9), generated from the same zod schemas that
 * validate requests (`@asteasolutions/zod-to-openapi`), with the bearer security scheme, problem+json error
 * responses and request examples.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import * as z from 'zod';
import type { ZodType } from 'zod';
import { ProblemSchema } from '../domain/schemas';
import { REQUEST_EXAMPLES } from './examples';
import { rolesFor } from '../app/policy';
import { accessActions, type Access, type RouteDefinition } from './route';

/**
 * Who may call an operation, for the document: `x-roles` (the Partner Center roles of docs/product.md §2, or the
 * operator's app role) and one sentence in the description. The roles come from the policy's table, so the document
 * says what the route wrapper enforces.
 */
function whoMayCall(access: Access): { description?: string; 'x-roles'?: string[] } {
  if (access.kind === 'public') return { description: 'Public: no sign-in needed.' };
  if (access.kind === 'authenticated') return { description: 'Any signed-in caller.' };
  if (access.kind === 'operator') {
    return { description: 'Requires the app role Program.Operator.', 'x-roles': ['Program.Operator'] };
  }
  const actions = accessActions(access);
  const roles = rolesFor(actions);
  const which =
    actions.length > 1
      ? ` The resource decides which applies (${actions.join(' or ')}); see docs/product.md §2.`
      : '';
  return {
    description: `Requires one of the roles ${roles.join(', ')} in the partner.${which}`,
    'x-roles': roles,
  };
}

/** Error statuses every route may answer, by access kind. */
function errorStatuses(def: RouteDefinition): number[] {
  const s = def.spec;
  const statuses = new Set<number>([400]);
  if (s.access.kind !== 'public') statuses.add(401);
  if (s.access.kind === 'operator' || s.access.kind === 'partner') statuses.add(403);
  if (s.access.kind === 'partner' || s.params) statuses.add(404);
  if (s.method !== 'GET') statuses.add(409);
  if (['PUT', 'POST', 'DELETE', 'PATCH'].includes(s.method)) statuses.add(412);
  return [...statuses].sort();
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input (`validation-failed` with `errors`, or another 400 code)',
  401: 'Missing or invalid bearer token',
  403: 'Authenticated, but the role does not allow this',
  404: 'Not found (also for another partner’s ids)',
  409: 'A business rule refused the request (see `code`)',
  412: '`If-Match` does not match the current ETag',
};

/** Builds the document; `routes` are the app's route definitions. */
export function buildOpenApiDocument(
  routes: readonly RouteDefinition[],
  version: string,
): ReturnType<OpenApiGeneratorV31['generateDocument']> {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'An Entra ID access token for the API (locally: `npm run -s token -- <email>`).',
  });
  // ProblemSchema carries `.meta({ id: 'Problem' })`, so it becomes a shared component.
  const problem = ProblemSchema as ZodType;

  for (const def of routes) {
    const s = def.spec;
    const path = '/api/' + s.route.replace(/\{(\w+)(?::[^}?]+)?\??\}/g, '{$1}');
    const example = REQUEST_EXAMPLES[def.name];
    const responses: Record<string, { description: string; content?: Record<string, { schema: ZodType }> }> =
      {};
    for (const [status, r] of Object.entries(s.responses ?? { 200: { description: 'Success' } })) {
      responses[status] = {
        description: r.description,
        ...(r.schema ? { content: { [r.contentType ?? 'application/json']: { schema: r.schema } } } : {}),
      };
    }
    for (const status of errorStatuses(def)) {
      responses[String(status)] = {
        description: DESCRIPTIONS[status],
        content: { 'application/problem+json': { schema: problem } },
      };
    }
    registry.registerPath({
      method: s.method.toLowerCase() as 'get' | 'post' | 'put' | 'delete' | 'patch',
      path,
      operationId: def.name,
      summary: s.summary,
      ...whoMayCall(s.access),
      tags: s.tags,
      security: s.access.kind === 'public' ? [] : [{ [bearer.name]: [] }],
      request: {
        ...(s.params ? { params: s.params as z.ZodObject } : {}),
        ...(s.query ? { query: s.query as z.ZodObject } : {}),
        ...(s.body
          ? {
              body: {
                required: true,
                content: { 'application/json': { schema: s.body, ...(example ? { example } : {}) } },
              },
            }
          : {}),
      },
      responses,
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Partner benefits API',
      version,
      description:
        'Partner admins list, assign, activate and cancel the benefits of their partner organization; the program operator onboards partners and fulfils activations. Errors are application/problem+json (RFC 9457) with a machine-readable `code`.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
  });
}
