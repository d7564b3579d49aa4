/**
 * One route list (src/http/routes/index.ts): every route of ALL_ROUTES is registered exactly once, by the
 * functions/ file of its group, and nothing else is registered as an HTTP function; the document shows the roles
 * each partner operation needs (`x-roles`, from the policy's table).
 */
import { ALL_ROUTES, ROUTE_GROUPS } from '../../src/http/routes';
import { getRegistrations } from '../../src/local/functionsCore';
import { startTestHost, type TestHost } from '../support/testHost';

let host: TestHost;
let doc: any;
beforeAll(async () => {
  host = await startTestHost({ seed: false });
  doc = (await host.call('GET', '/api/openapi.json')).body;
});
afterAll(async () => host?.close());

test('every route of ALL_ROUTES is registered exactly once, and only those', () => {
  const http = getRegistrations()
    .filter((f) => f.trigger.type === 'httpTrigger')
    .map((f) => f.name);
  expect([...http].sort()).toEqual(ALL_ROUTES.map((r) => r.name).sort());
  expect(new Set(http).size).toBe(http.length);
  expect(ALL_ROUTES).toHaveLength(Object.values(ROUTE_GROUPS).flat().length);
});

test('partner operations document the roles they need; assignment names both actions', () => {
  const assign = doc.paths['/api/partners/{partnerId}/benefits/{benefitId}/assignments'].post;
  expect([...assign['x-roles']].sort()).toEqual(['GlobalAdmin', 'MpnPartnerAdmin']);
  expect(assign.description).toContain('assignBenefit or selfAssignCloud');
  const users = doc.paths['/api/partners/{partnerId}/users'].post;
  expect([...users['x-roles']].sort()).toEqual(['GlobalAdmin', 'UserAdmin']);
  const fulfil =
    doc.paths['/api/operator/partners/{partnerId}/benefits/{benefitId}/activation/fulfilment'].post;
  expect(fulfil['x-roles']).toEqual(['Program.Operator']);
});
