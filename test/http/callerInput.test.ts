/**
 * Ids and tokens from the caller (docs/product.md §9): malformed path ids (encoded `/ \ #`, blank, over-long) and
 * continuation tokens the service did not issue for the query are `400 validation-failed`, never a 500 — on every
 * route of ALL_ROUTES, through the real local host. Ends with seeded fast-check properties over ids and tokens.
 */
import '../../functions';
import fc from 'fast-check';
import { expectProblem, listBenefits, oid } from '../support/api';
import { seeded } from '../support/seeds';
import { allRoutes, callerTokens, pathOf, tokenFor, type CallerTokens } from '../support/routes';
import { startTestHost, type TestHost } from '../support/testHost';

let host: TestHost;
let tokens: CallerTokens;
let values: Record<string, string>;

beforeAll(async () => {
  jest.spyOn(console, 'info').mockImplementation(() => undefined);
  host = await startTestHost({ settings: { ACTIVATION_PROCESSING_TIME: 'P30D' } });
  tokens = await callerTokens(host);
  const today = host.seed!.purchases[0].id;
  const benefits = await listBenefits(host, 'contoso', tokens.admin);
  values = {
    partnerId: 'contoso',
    purchaseId: today,
    benefitId: benefits.find((b) => b.purchaseId === today && b.category === 'visualStudio').id,
    assignmentId: 'no-such-assignment',
    userId: oid('dev1@contoso.example'),
    file: 'no-such-file.iso',
  };
});
afterAll(async () => host?.close());

const routes = allRoutes();
const withIds = routes.filter((r) => r.params.length > 0);
const paged = routes.filter((r) => r.paged);

/** Sends a request on `route` with one path parameter replaced by a raw (already encoded) segment. */
async function callWithRawParam(route: (typeof routes)[number], param: string, rawSegment: string) {
  const marker = '\u0000MARK\u0000';
  const path = pathOf(route, { ...values, [param]: marker }).replace(encodeURIComponent(marker), rawSegment);
  const body = route.method === 'POST' || route.method === 'PUT' || route.method === 'PATCH' ? {} : undefined;
  return host.call(route.method, path, { token: tokenFor(route, tokens), body });
}

describe('malformed path ids are 400 validation-failed on every route', () => {
  test('there are routes with ids, and list routes', () => {
    expect(withIds.length).toBeGreaterThanOrEqual(15);
    expect(paged.map((r) => r.name).sort()).toEqual(
      expect.arrayContaining([
        'listAuditEvents',
        'listBenefits',
        'listPurchases',
        'listServiceRequests',
        'listUsers',
      ]),
    );
  });

  test('the examples: …/benefits/a%2Fb, /partners/%5C/benefits, a%23b, a%3Fb', async () => {
    for (const path of [
      '/api/partners/contoso/benefits/a%2Fb',
      '/api/partners/%5C/benefits',
      '/api/partners/contoso/benefits/a%5Cb',
      '/api/partners/contoso/benefits/a%23b',
      '/api/partners/contoso/benefits/a%3Fb',
      '/api/partners/a%2Fb',
    ]) {
      const res = await host.call('GET', path, { token: tokens.admin });
      expectProblem(res, 400, 'validation-failed');
      expect(res.body.errors[0].field).toMatch(/^params\.(partnerId|benefitId)$/);
    }
  });

  test('blank ids: %20, %09, no-break space, padded, control characters, . and ..', async () => {
    for (const seg of [
      '%20',
      '%09',
      '%C2%A0',
      '%20%20',
      '%20contoso',
      'contoso%20',
      'a%00b',
      'a%0Ab',
      '%E2%80%8B',
      '.',
      '..',
    ]) {
      for (const path of [
        `/api/partners/${seg}/benefits`,
        `/api/partners/contoso/benefits/${seg}/activation`,
      ]) {
        const res = await host.call('GET', path, { token: tokens.admin });
        // `.` and `..` are resolved by the URL itself before routing (a different route, or none): never a 500.
        if (seg === '.' || seg === '..') expect(res.status).toBeLessThan(500);
        else expectProblem(res, 400, 'validation-failed');
      }
    }
  });

  test('an over-long id (129 characters) is 400; 128 are read (404)', async () => {
    expectProblem(
      await host.call('GET', `/api/partners/contoso/benefits/${'a'.repeat(129)}`, { token: tokens.admin }),
      400,
      'validation-failed',
    );
    expectProblem(
      await host.call('GET', `/api/partners/contoso/benefits/${'a'.repeat(128)}`, { token: tokens.admin }),
      404,
      'not-found',
    );
  });

  test.each(withIds.flatMap((r) => r.params.map((p) => [`${r.method} ${r.route} {${p}}`, r, p] as const)))(
    '%s: a%2Fb, %5C, %23, %20 → 400',
    async (_label, route, param) => {
      for (const seg of ['a%2Fb', '%5C', 'x%23y', '%20']) {
        const res = await callWithRawParam(route, param, seg);
        expectProblem(res, 400, 'validation-failed');
        expect(res.body.errors.map((e: any) => e.field)).toContain(`params.${param}`);
      }
    },
  );

  test('ids in bodies use the same schema: userId "a/b" on an assignment, objectId "a#b" on a new user', async () => {
    const assign = await host.call('POST', `/api/partners/contoso/benefits/${values.benefitId}/assignments`, {
      token: tokens.admin,
      body: { userId: 'a/b' },
    });
    expectProblem(assign, 400, 'validation-failed');
    expect(assign.body.errors[0].field).toBe('body.userId');
    const user = await host.call('POST', '/api/partners/contoso/users', {
      token: tokens.admin,
      body: { objectId: 'a#b', displayName: 'X', accountEmail: 'x-hash@contoso.example', roles: [] },
    });
    expectProblem(user, 400, 'validation-failed');
    expect(user.body.errors[0].field).toBe('body.objectId');
  });
});

describe('continuation tokens the service did not issue for the query are 400 validation-failed', () => {
  test.each(paged.map((r) => [r.name, r] as const))(
    '%s: e30=, W10=, eyJ4IjoxfQ==, garbage',
    async (_name, route) => {
      for (const t of ['e30=', 'W10=', 'eyJ4IjoxfQ==', 'garbage', 'e30.AAAA']) {
        const res = await host.call(
          'GET',
          `${pathOf(route, values)}?continuationToken=${encodeURIComponent(t)}`,
          { token: tokenFor(route, tokens) },
        );
        expectProblem(res, 400, 'validation-failed');
        expect(res.body.errors[0].field).toBe('query.continuationToken');
      }
    },
  );

  /** The first page's token of a list (pageSize 1). */
  async function firstToken(path: string, token = tokens.admin): Promise<string> {
    const res = await host.call('GET', `${path}${path.includes('?') ? '&' : '?'}pageSize=1`, { token });
    expect(res.status).toBe(200);
    expect(typeof res.body.continuationToken).toBe('string');
    return res.body.continuationToken;
  }
  const next = (path: string, t: string, token = tokens.admin) =>
    host.call('GET', `${path}${path.includes('?') ? '&' : '?'}continuationToken=${encodeURIComponent(t)}`, {
      token,
    });

  test('a token is good for its own list, and only there', async () => {
    const t = await firstToken('/api/partners/contoso/benefits?category=software');
    expect((await next('/api/partners/contoso/benefits?category=software', t)).status).toBe(200);
    // pageSize may change between pages
    expect((await next('/api/partners/contoso/benefits?category=software&pageSize=3', t)).status).toBe(200);
    // another filter, no filter, another route
    for (const path of [
      '/api/partners/contoso/benefits?category=cloud',
      '/api/partners/contoso/benefits',
      '/api/partners/contoso/benefits?category=software&q=office',
      '/api/partners/contoso/purchases',
      '/api/partners/contoso/audit-events',
    ]) {
      expectProblem(await next(path, t), 400, 'validation-failed');
    }
  });

  test("another partner's token is refused, and an edited token is refused", async () => {
    const t = await firstToken('/api/partners/contoso/users');
    const fabrikam = await host.tokenFor('admin@fabrikam.example');
    expectProblem(await next('/api/partners/fabrikam/users', t, fabrikam), 400, 'validation-failed');
    const [body, sig] = t.split('.');
    const sdk = Buffer.from(body, 'base64url').toString('utf8');
    const edited = `${Buffer.from(
      sdk.replace(/\d/, (d) => String((Number(d) + 1) % 10)),
      'utf8',
    ).toString('base64url')}.${sig}`;
    expect(edited).not.toBe(t);
    expectProblem(await next('/api/partners/contoso/users', edited), 400, 'validation-failed');
    expect((await next('/api/partners/contoso/users', t)).status).toBe(200);
  });
});

/** False for strings with lone surrogates (they cannot be put in a URL). */
function wellFormed(s: string): boolean {
  try {
    encodeURIComponent(s);
    return true;
  } catch {
    return false;
  }
}

describe('properties (seeded fast-check)', () => {
  /** Ids of every kind: printable, unicode, the forbidden characters, whitespace and control characters. */
  const ids = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }).filter(wellFormed),
    fc
      .array(
        fc.constantFrom(
          '/',
          '\\',
          '#',
          '?',
          ' ',
          '\t',
          '\u00a0',
          '\u200b',
          '\n',
          '%',
          '.',
          'a',
          'é',
          '漢',
          '🙂',
        ),
        {
          maxLength: 12,
        },
      )
      .map((a) => a.join('')),
    fc.string({ minLength: 120, maxLength: 300 }),
  );

  test('any id in any path parameter of any route: a 4xx problem+json (or a success), never a 5xx', async () => {
    const routeParams = withIds.flatMap((r) => r.params.map((p) => ({ r, p })));
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routeParams), ids, async ({ r, p }, id) => {
        const res = await callWithRawParam(r, p, encodeURIComponent(id));
        sent++;
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400) {
          expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
          expect(res.body).toMatchObject({ status: res.status, code: expect.any(String) });
        }
      }),
      seeded({ numRuns: 400 }),
    );
    await host.durable.whenIdle();
    expect(sent).toBe(400);
  });

  test('any continuation token on any list route: 400 validation-failed', async () => {
    const json = fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v)).toString('base64'));
    const sealedLooking = fc
      .tuple(fc.base64String({ minLength: 4, maxLength: 60 }), fc.stringMatching(/^[A-Za-z0-9_-]{43}$/))
      .map(([a, b]) => `${a.replace(/=+$/, '')}.${b}`);
    const anyToken = fc.oneof(json, sealedLooking, fc.string({ minLength: 1, maxLength: 200 }));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paged), anyToken, async (r, t) => {
        const res = await host.call(
          'GET',
          `${pathOf(r, values)}?continuationToken=${encodeURIComponent(t)}`,
          {
            token: tokenFor(r, tokens),
          },
        );
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('validation-failed');
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      }),
      seeded({ numRuns: 300 }),
    );
  });
});
