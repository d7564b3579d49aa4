/**
 * End to end: the real function registrations served by the local host over real HTTP, real JWTs
 * (jose) and the embedded Cosmos server.
 */
import { generateKeyPair, SignJWT } from 'jose';
import { getRegistrations } from '../../src/local/functionsCore';
import { LOCAL_AUDIENCE, LOCAL_ISSUER } from '../../src/local/issuer';
import { demoObjectId } from '../../src/local/seed';
import { expectProblem } from '../support/api';
import { startTestHost, type TestHost } from '../support/testHost';

let host: TestHost;
let admin: string; // contoso GlobalAdmin
beforeAll(async () => {
  host = await startTestHost();
  admin = await host.tokenFor('admin@contoso.example');
});
afterAll(async () => host?.close());

describe('public and caller routes', () => {
  test('GET /api/health needs no token', async () => {
    const res = await host.call('GET', '/api/health');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
  });

  test('GET /api/catalog/packages lists the three packages', async () => {
    const res = await host.call('GET', '/api/catalog/packages', { token: admin });
    expect(res.status).toBe(200);
    expect(res.body.items.map((p: any) => p.id).sort()).toEqual([
      'action-pack',
      'gold-competency',
      'silver-competency',
    ]);
  });

  test('GET /api/me returns the user, partner id and roles', async () => {
    const res = await host.call('GET', '/api/me', { token: await host.tokenFor('mpn@fabrikam.example') });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      partnerId: 'fabrikam',
      accountEmail: 'mpn@fabrikam.example',
      roles: ['MpnPartnerAdmin'],
    });
    expect(Array.isArray(res.body.assignments)).toBe(true);
  });

  test('GET /api/me for an unknown object id is 404', async () => {
    expectProblem(
      await host.call('GET', '/api/me', { token: await host.token('no-such-user') }),
      404,
      'not-found',
    );
  });
});

describe('authentication (401)', () => {
  const path = '/api/partners/contoso';
  test('no token', async () => {
    const res = await host.call('GET', path);
    expectProblem(res, 401, 'unauthorized');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });
  test('malformed header', async () => {
    expectProblem(
      await host.call('GET', path, { headers: { Authorization: 'Basic abc' } }),
      401,
      'unauthorized',
    );
  });
  test('bad signature (a key the host does not trust)', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({ oid: demoObjectId('admin@contoso.example') })
      .setProtectedHeader({ alg: 'RS256', kid: host.issuer.jwks.keys[0].kid })
      .setIssuer(LOCAL_ISSUER)
      .setAudience(LOCAL_AUDIENCE)
      .setExpirationTime('1h')
      .sign(privateKey);
    expectProblem(await host.call('GET', path, { token: forged }), 401, 'unauthorized');
  });
  test('expired', async () => {
    const token = await host.issuer.sign({
      objectId: demoObjectId('admin@contoso.example'),
      expiresAt: new Date(Date.now() - 3600_000),
    });
    const res = await host.call('GET', path, { token });
    expectProblem(res, 401, 'unauthorized');
    expect(res.body.detail).toMatch(/expired/);
  });
  test('wrong audience', async () => {
    const token = await host.issuer.sign({
      objectId: demoObjectId('admin@contoso.example'),
      audience: 'api://someone-else',
    });
    expectProblem(await host.call('GET', path, { token }), 401, 'unauthorized');
  });
  test('wrong issuer', async () => {
    const token = await host.issuer.sign({
      objectId: demoObjectId('admin@contoso.example'),
      issuer: 'https://evil.example',
    });
    expectProblem(await host.call('GET', path, { token }), 401, 'unauthorized');
  });
});

describe('partner routes: success paths', () => {
  test('GET partner with ETag', async () => {
    const res = await host.call('GET', '/api/partners/contoso', { token: admin });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: 'contoso',
      level: 'Gold',
      managedIn: 'PartnerCenter',
      membership: { status: 'Active' },
    });
    expect(res.headers.get('etag')).toBeTruthy();
  });

  test('users: create, list, duplicate', async () => {
    const body = {
      objectId: 'new-user-oid-1',
      displayName: 'New Hire',
      accountEmail: 'new.hire@contoso.example',
      roles: [],
    };
    const created = await host.call('POST', '/api/partners/contoso/users', { token: admin, body });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: 'new-user-oid-1',
      partnerId: 'contoso',
      objectId: 'new-user-oid-1',
      roles: [],
    });
    const again = await host.call('POST', '/api/partners/contoso/users', {
      token: admin,
      body: { ...body, objectId: 'other-oid', accountEmail: 'NEW.HIRE@contoso.example' },
    });
    expectProblem(again, 409, 'user-exists');
    // The new user can get a token and see themself.
    const me = await host.call('GET', '/api/me', { token: await host.token('new-user-oid-1') });
    expect(me.body).toMatchObject({ partnerId: 'contoso', displayName: 'New Hire' });
    const list = await host.call('GET', '/api/partners/contoso/users?pageSize=100', {
      token: await host.tokenFor('useradmin@contoso.example'),
    });
    expect(list.status).toBe(200);
    expect(list.body.items.map((u: any) => u.accountEmail)).toContain('new.hire@contoso.example');
  });

  test('a UserAdmin cannot grant GlobalAdmin', async () => {
    const res = await host.call('POST', '/api/partners/contoso/users', {
      token: await host.tokenFor('useradmin@contoso.example'),
      body: {
        objectId: 'x-ga',
        displayName: 'X',
        accountEmail: 'x-ga@contoso.example',
        roles: ['GlobalAdmin'],
      },
    });
    expectProblem(res, 403, 'forbidden');
  });

  test("the Gold partner's benefits cover all five categories; keys never listed", async () => {
    const res = await host.call('GET', '/api/partners/contoso/benefits?pageSize=100', { token: admin });
    expect(res.status).toBe(200);
    const categories = new Set(res.body.items.map((b: any) => b.category));
    expect([...categories].sort()).toEqual(['cloud', 'goToMarket', 'software', 'technical', 'visualStudio']);
    expect(JSON.stringify(res.body)).not.toMatch(/secretKeys/);
    const gtm = await host.call('GET', '/api/partners/contoso/benefits?category=goToMarket&status=Active', {
      token: admin,
    });
    expect(gtm.body.items).toHaveLength(1);
    expect(gtm.body.items[0]).toMatchObject({ offerType: 'Gold Core', status: 'Active' });
  });

  test('GET one benefit, with ETag', async () => {
    const list = await host.call('GET', '/api/partners/contoso/benefits?pageSize=1', { token: admin });
    const id = list.body.items[0].id;
    const res = await host.call('GET', `/api/partners/contoso/benefits/${id}`, {
      token: await host.tokenFor('agent@contoso.example'),
    });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(id);
    expect(res.headers.get('etag')).toBeTruthy();
    expectProblem(
      await host.call('GET', '/api/partners/contoso/benefits/does-not-exist', { token: admin }),
      404,
      'not-found',
    );
  });

  test('purchases: list the three demo purchases; buy a package', async () => {
    const list = await host.call('GET', '/api/partners/contoso/purchases', { token: admin });
    expect(list.status).toBe(200);
    expect(list.body.items.length).toBeGreaterThanOrEqual(3);
    const bought = await host.call('POST', '/api/partners/fabrikam/purchases', {
      token: await host.tokenFor('agent@fabrikam.example'),
      body: { packageId: 'silver-competency' },
    });
    expect(bought.status).toBe(201);
    expect(bought.body.purchase).toMatchObject({
      partnerId: 'fabrikam',
      packageId: 'silver-competency',
      status: 'Active',
    });
    expect(bought.body.benefits.length).toBeGreaterThan(0);
    for (const b of bought.body.benefits)
      expect(b).toMatchObject({ purchaseId: bought.body.purchase.id, status: 'NotActivated' });
  });

  test('purchase rules: not-eligible, membership-inactive, unknown package', async () => {
    const adatum = await host.tokenFor('admin@adatum.example');
    expectProblem(
      await host.call('POST', '/api/partners/adatum/purchases', {
        token: adatum,
        body: { packageId: 'gold-competency' },
      }),
      409,
      'not-eligible',
    );
    const unknown = await host.call('POST', '/api/partners/adatum/purchases', {
      token: adatum,
      body: { packageId: 'nope' },
    });
    expectProblem(unknown, 400, 'validation-failed');
    expect(unknown.body.errors[0].field).toBe('body.packageId');

    const operator = await host.token('operator-1', { operator: true });
    const created = await host.call('POST', '/api/operator/partners', {
      token: operator,
      body: {
        name: 'Lapsed Ltd',
        level: 'Gold',
        managedIn: 'PartnerCenter',
        membership: { status: 'Expired', expiresAt: '2020-01-01T00:00:00Z' },
        globalAdmin: {
          objectId: 'lapsed-admin',
          displayName: 'Lapsed Admin',
          accountEmail: 'admin@lapsed.example',
        },
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'Lapsed Ltd',
      level: 'Gold',
      globalAdmin: { objectId: 'lapsed-admin', roles: ['GlobalAdmin'] },
    });
    const res = await host.call('POST', `/api/partners/${created.body.id}/purchases`, {
      token: await host.token('lapsed-admin'),
      body: { packageId: 'action-pack' },
    });
    expectProblem(res, 409, 'membership-inactive');
  });
});

describe('authorization (403) and operator routes', () => {
  test('an employee cannot read partner data', async () => {
    const dev = await host.tokenFor('dev1@contoso.example');
    expectProblem(await host.call('GET', '/api/partners/contoso', { token: dev }), 403, 'forbidden');
    expectProblem(await host.call('GET', '/api/partners/contoso/benefits', { token: dev }), 403, 'forbidden');
  });
  test('an AdminAgent cannot add users', async () => {
    const res = await host.call('POST', '/api/partners/contoso/users', {
      token: await host.tokenFor('agent@contoso.example'),
      body: { objectId: 'zz', displayName: 'Z', accountEmail: 'z@contoso.example', roles: [] },
    });
    expectProblem(res, 403, 'forbidden');
  });
  test('operator routes refuse partner admins (403) and anonymous callers (401)', async () => {
    const body = {
      name: 'X',
      level: 'Gold',
      membership: { expiresAt: '2030-01-01T00:00:00Z' },
      globalAdmin: { objectId: 'a', displayName: 'A', accountEmail: 'a@x.example' },
    };
    expectProblem(
      await host.call('POST', '/api/operator/partners', { token: admin, body }),
      403,
      'forbidden',
    );
    expectProblem(await host.call('POST', '/api/operator/partners', { body }), 401, 'unauthorized');
  });
});

describe('PMC partners (409 managed-in-pmc)', () => {
  test.each([
    ['GET', '/api/partners/northwind/benefits'],
    ['GET', '/api/partners/northwind/purchases'],
    ['POST', '/api/partners/northwind/purchases'],
  ])('%s %s', async (method, path) => {
    const res = await host.call(method, path, {
      token: await host.tokenFor('admin@northwind.example'),
      body: method === 'POST' ? { packageId: 'action-pack' } : undefined,
    });
    expectProblem(res, 409, 'managed-in-pmc');
    expect(res.body.detail).toMatch(/Partner Membership Center/);
  });
  test('the PMC partner can still read its profile', async () => {
    const res = await host.call('GET', '/api/partners/northwind', {
      token: await host.tokenFor('admin@northwind.example'),
    });
    expect(res.status).toBe(200);
  });
});

describe('tenant isolation: every partner route answers 404 for another partner', () => {
  // Derived from the registrations, so a new route cannot skip this check.
  const partnerRoutes = () =>
    getRegistrations()
      .filter(
        (f) =>
          f.trigger.type === 'httpTrigger' &&
          String(f.trigger.route).includes('{partnerId}') &&
          // Operator routes serve every partner; partner admins get 403 there (tested separately).
          !String(f.trigger.route).startsWith('operator/'),
      )
      .flatMap((f) =>
        (f.trigger.methods as string[]).map((m) => ({
          name: f.name,
          method: m,
          route: String(f.trigger.route),
        })),
      );

  test('there are partner routes to check', () => {
    expect(partnerRoutes().length).toBeGreaterThanOrEqual(7);
  });

  test('fabrikam admin against contoso ids', async () => {
    const list = await host.call('GET', '/api/partners/contoso/benefits?pageSize=1', { token: admin });
    const purchases = await host.call('GET', '/api/partners/contoso/purchases?pageSize=1', { token: admin });
    const ids: Record<string, string> = {
      partnerId: 'contoso',
      benefitId: list.body.items[0].id,
      purchaseId: purchases.body.items[0].id,
      assignmentId: 'any',
    };
    const outsider = await host.tokenFor('admin@fabrikam.example');
    for (const r of partnerRoutes()) {
      const path = '/api/' + r.route.replace(/\{(\w+)\??\}/g, (_, n: string) => ids[n] ?? 'x');
      const res = await host.call(r.method, path, {
        token: outsider,
        body: ['GET', 'DELETE'].includes(r.method) ? undefined : {},
      });
      expect({ route: r.name, status: res.status, code: res.body?.code }).toEqual({
        route: r.name,
        status: 404,
        code: 'not-found',
      });
    }
  });

  test('a partner id that does not exist answers the same 404', async () => {
    expectProblem(
      await host.call('GET', '/api/partners/no-such-partner', { token: admin }),
      404,
      'not-found',
    );
  });
});

describe('validation (400 validation-failed with field errors)', () => {
  test('bad user body lists each field', async () => {
    const res = await host.call('POST', '/api/partners/contoso/users', {
      token: admin,
      body: { objectId: '', accountEmail: 'not-an-email', roles: ['Overlord'], extra: 1 },
    });
    expectProblem(res, 400, 'validation-failed');
    const fields = res.body.errors.map((e: any) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining(['body.objectId', 'body.displayName', 'body.accountEmail']),
    );
  });
  test('malformed JSON', async () => {
    const res = await host.call('POST', '/api/partners/contoso/purchases', {
      token: admin,
      rawBody: '{"packageId":',
    });
    expectProblem(res, 400, 'validation-failed');
  });
  test('bad paging and filter values', async () => {
    for (const q of [
      'pageSize=0',
      'pageSize=101',
      'pageSize=abc',
      'category=hardware',
      'status=Sleeping',
      'continuationToken=garbage',
    ]) {
      const res = await host.call('GET', `/api/partners/contoso/benefits?${q}`, { token: admin });
      expectProblem(res, 400, 'validation-failed');
    }
  });
});

describe('paging', () => {
  test('benefits across 3 pages with continuation tokens', async () => {
    const all = await host.call('GET', '/api/partners/contoso/benefits?pageSize=100', { token: admin });
    const total = all.body.items.length;
    expect(total).toBeGreaterThanOrEqual(7);
    const pageSize = Math.ceil(total / 3);
    const seen: string[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const q: string = `pageSize=${pageSize}${token ? `&continuationToken=${encodeURIComponent(token)}` : ''}`;
      const res = await host.call('GET', `/api/partners/contoso/benefits?${q}`, { token: admin });
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(pageSize);
      seen.push(...res.body.items.map((b: any) => b.id));
      token = res.body.continuationToken;
      pages++;
    } while (token && pages < 10);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(total);
    expect(seen.sort()).toEqual(all.body.items.map((b: any) => b.id).sort());
  });
});

describe('Cosmos round trips', () => {
  /** What the embedded server saw since the last reset; `total` is every round trip, metadata included. */
  const seen = () => {
    const c = host.cosmos.counts();
    return {
      total: c.total,
      batches: c.batches,
      reads: c.reads,
      queries: c.queries,
      queryPlans: c.queryPlans,
      writes: c.writes,
    };
  };

  test('benefit list = 2 round trips: the access check (user + partner in one batch of reads) + one query page', async () => {
    host.cosmos.resetCounts();
    const res = await host.call('GET', '/api/partners/contoso/benefits?pageSize=5', { token: admin });
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(5);
    // No query-plan request: the page is a single-partition query (src/store/cosmos.ts, singlePartitionQuery).
    expect(seen()).toEqual({ total: 2, batches: 1, reads: 0, queries: 1, queryPlans: 0, writes: 0 });
  });

  test('the next page costs the same 2 round trips', async () => {
    const first = await host.call('GET', '/api/partners/contoso/benefits?pageSize=5', { token: admin });
    host.cosmos.resetCounts();
    const token = encodeURIComponent(first.body.continuationToken);
    const res = await host.call(
      'GET',
      `/api/partners/contoso/benefits?pageSize=5&continuationToken=${token}`,
      {
        token: admin,
      },
    );
    expect(res.status).toBe(200);
    expect(seen()).toEqual({ total: 2, batches: 1, reads: 0, queries: 1, queryPlans: 0, writes: 0 });
  });

  test('benefit get = 1 round trip: the benefit, the user and the partner in one batch of reads', async () => {
    const list = await host.call('GET', '/api/partners/contoso/benefits?pageSize=1', { token: admin });
    host.cosmos.resetCounts();
    const res = await host.call('GET', `/api/partners/contoso/benefits/${list.body.items[0].id}`, {
      token: admin,
    });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(list.body.items[0].id);
    expect(res.headers.get('etag')).toBeTruthy();
    expect(seen()).toEqual({ total: 1, batches: 1, reads: 0, queries: 0, queryPlans: 0, writes: 0 });
  });

  test('a get of a benefit that does not exist reads the user and the partner again (2 round trips) and answers 404', async () => {
    host.cosmos.resetCounts();
    const res = await host.call('GET', '/api/partners/contoso/benefits/no-such-benefit', { token: admin });
    expectProblem(res, 404, 'not-found');
    expect(res.body.detail).toContain('Benefit no-such-benefit');
    expect(seen()).toEqual({ total: 2, batches: 2, reads: 0, queries: 0, queryPlans: 0, writes: 0 });
  });

  test('the batched read keeps the check order: a non-member learns nothing, a PMC partner answers 409', async () => {
    const list = await host.call('GET', '/api/partners/contoso/benefits?pageSize=1', { token: admin });
    const id = list.body.items[0].id;
    const fabrikam = await host.tokenFor('admin@fabrikam.example');
    for (const path of [
      `/api/partners/contoso/benefits/${id}`,
      '/api/partners/contoso/benefits/no-such-benefit',
    ]) {
      const res = await host.call('GET', path, { token: fabrikam });
      expectProblem(res, 404, 'not-found');
      expect(res.body.detail).toContain('Partner contoso');
    }
    const northwind = await host.tokenFor('admin@northwind.example');
    expectProblem(
      await host.call('GET', '/api/partners/northwind/benefits/no-such-benefit', { token: northwind }),
      409,
      'managed-in-pmc',
    );
  });
});

test('unknown routes and wrong methods answer problem+json', async () => {
  expectProblem(await host.call('GET', '/api/nothing-here', { token: admin }), 404, 'not-found');
  expectProblem(
    await host.call('DELETE', '/api/partners/contoso', { token: admin }),
    405,
    'method-not-allowed',
  );
});
