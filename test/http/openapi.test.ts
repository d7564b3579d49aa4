/**
 * The OpenAPI document covers every registered HTTP route with its methods, and the request schemas
 * accept the documented examples (OpenAPI examples and the README's curl bodies).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REQUEST_EXAMPLES } from '../../src/http/examples';
import { ALL_ROUTES } from '../../src/http/routes';
import { compileRoute } from '../../src/local/host';
import { getRegistrations } from '../../src/local/functionsCore';
import { startTestHost, type TestHost } from '../support/testHost';

let host: TestHost;
let doc: any;
beforeAll(async () => {
  host = await startTestHost({ seed: false });
  const res = await host.call('GET', '/api/openapi.json');
  expect(res.status).toBe(200);
  doc = res.body;
});
afterAll(async () => host?.close());

const toOpenApiPath = (route: string) => '/api/' + route.replace(/\{(\w+)(?::[^}?]+)?\??\}/g, '{$1}');

test('is OpenAPI 3.1 with the bearer scheme and the Problem schema', () => {
  expect(doc.openapi).toBe('3.1.0');
  expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  expect(doc.components.schemas.Problem).toBeDefined();
});

test('every registered HTTP route appears with its methods', () => {
  const http = getRegistrations().filter((f) => f.trigger.type === 'httpTrigger');
  expect(http.length).toBeGreaterThan(15);
  for (const f of http) {
    const path = toOpenApiPath(String(f.trigger.route));
    for (const method of f.trigger.methods as string[]) {
      expect({ fn: f.name, path, method, documented: !!doc.paths[path]?.[method.toLowerCase()] }).toEqual({
        fn: f.name,
        path,
        method,
        documented: true,
      });
    }
  }
  // …and nothing is documented that is not registered.
  const registered = new Set(http.map((f) => f.name));
  for (const def of ALL_ROUTES) expect(registered.has(def.name)).toBe(true);
});

test('public routes have no security requirement; others require the bearer token and document 401', () => {
  expect(doc.paths['/api/health'].get.security).toEqual([]);
  expect(doc.paths['/api/contact-verifications'].post.security).toEqual([]);
  const benefits = doc.paths['/api/partners/{partnerId}/benefits'].get;
  expect(benefits.security).toEqual([{ bearer: [] }]);
  expect(benefits.responses['401'].content['application/problem+json']).toBeDefined();
  expect(benefits.parameters.map((p: any) => p.name)).toEqual(
    expect.arrayContaining(['partnerId', 'category', 'status', 'pageSize']),
  );
});

test('every OpenAPI request example validates against its route schema', () => {
  expect(Object.keys(REQUEST_EXAMPLES).length).toBeGreaterThan(0);
  for (const [name, example] of Object.entries(REQUEST_EXAMPLES)) {
    // An example must name a registered route that takes a body: a misspelt or stale name is an error.
    const def = ALL_ROUTES.find((r) => r.name === name);
    expect({ name, route: def?.name, body: def?.spec.body !== undefined }).toEqual({
      name,
      route: name,
      body: true,
    });
    expect({ name, ok: def!.spec.body!.safeParse(example).success }).toEqual({ name, ok: true });
  }
});

test("every README curl body validates against its route's request schema", () => {
  const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
  const curls = [...readme.matchAll(/curl[^\n]*?-X (POST|PUT|PATCH) "\$API(\/[^"]+)"[^\n]*?-d '([^']+)'/g)];
  expect(curls.length).toBeGreaterThanOrEqual(8);
  for (const [, method, rawPath, json] of curls) {
    const segments = rawPath.split('?')[0].split('/').filter(Boolean);
    const def = ALL_ROUTES.find((r) => r.spec.method === method && compileRoute(r.spec.route)(segments));
    expect({ rawPath, route: def?.name ?? 'none' }).not.toEqual({ rawPath, route: 'none' });
    const result = def!.spec.body!.safeParse(JSON.parse(json));
    expect({ rawPath, ok: result.success, issues: result.success ? [] : result.error.issues }).toEqual({
      rawPath,
      ok: true,
      issues: [],
    });
  }
});

test('the routes added by the hardening are documented: PATCH/DELETE users, GET purchase, downloads, q', () => {
  expect(doc.paths['/api/partners/{partnerId}/users/{userId}'].patch.requestBody).toBeDefined();
  expect(doc.paths['/api/partners/{partnerId}/users/{userId}'].patch.responses['412']).toBeDefined();
  expect(doc.paths['/api/partners/{partnerId}/users/{userId}'].delete).toBeDefined();
  expect(doc.paths['/api/partners/{partnerId}/users/{userId}'].get).toBeDefined();
  const purchase = doc.paths['/api/partners/{partnerId}/purchases/{purchaseId}'].get;
  expect(JSON.stringify(purchase.responses['200'])).toContain('Purchase');
  expect(doc.components.schemas.Purchase.properties.cancellable).toBeDefined();
  expect(doc.components.schemas.Purchase.properties.cancellableReason.enum).toEqual([
    'refund-window-elapsed',
    'software-benefits-activated',
    'purchase-cancelled',
  ]);
  const downloads = doc.paths['/api/downloads/{catalogItemId}/{language}/{operatingSystem}/{fileName}'].get;
  expect(downloads.security).toEqual([]);
  expect(downloads.responses['200'].content['application/octet-stream']).toBeDefined();
  const benefits = doc.paths['/api/partners/{partnerId}/benefits'].get;
  expect(benefits.parameters.map((p: any) => p.name)).toContain('q');
  expect(doc.components.schemas.KeysResponse.required).toContain('instructions');
});
