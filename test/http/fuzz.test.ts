/**
 * Fuzz: nothing from the caller yields a 500 (docs/product.md §9). Sends at least 5,000 generated requests across
 * every route of ALL_ROUTES — generated path ids (real ones and arbitrary strings), query strings, bodies (mutated
 * examples, arbitrary JSON, malformed text), headers (If-Match, Idempotency-Key, Content-Type) and the tokens of
 * every kind of caller — to the real local host. Asserts 0 × 5xx and that every error is problem+json with a `code`,
 * and prints one count line (requests, 5xx, status histogram). Seeded: FC_SEED overrides the fixed seed, which
 * fast-check prints with a failing case.
 */
import '../../functions';
import fc from 'fast-check';
import { CATALOG } from '../../src/domain/catalog';
import { REQUEST_EXAMPLES } from '../../src/http/examples';
import { demoUsers } from '../../src/local/seed';
import { listBenefits } from '../support/api';
import { allRoutes, pathOf, type RouteUnderTest } from '../support/routes';
import { FC_SEED, seeded } from '../support/seeds';
import { startTestHost, type TestHost } from '../support/testHost';

const RUNS = 5200;

/** Kinds of caller, weighted towards the ones allowed most (a kind's token: see `beforeAll`). */
const CALLERS = [
  'contoso GlobalAdmin',
  'contoso GlobalAdmin',
  'contoso GlobalAdmin',
  'contoso UserAdmin',
  'contoso AdminAgent',
  'contoso MpnPartnerAdmin',
  'contoso MpnPartnerAdmin',
  'contoso employee',
  'fabrikam GlobalAdmin',
  'northwind (PMC) GlobalAdmin',
  'operator',
  'operator',
  'unknown object id',
  'not a JWT',
  'no token',
] as const;

let host: TestHost;
let tokens: Record<(typeof CALLERS)[number], string | undefined>;
let known: { benefitIds: string[]; purchaseIds: string[]; userIds: string[] };
/** Request examples, with real ids where the documented ones are placeholders. */
let examples: Record<string, unknown>;

beforeAll(async () => {
  jest.spyOn(console, 'info').mockImplementation(() => undefined);
  // Activations started by a valid request wait a month: they never run during the fuzz.
  host = await startTestHost({ settings: { ACTIVATION_PROCESSING_TIME: 'P30D' } });
  const t = (email: string) => host.tokenFor(email);
  tokens = {
    'contoso GlobalAdmin': await t('admin@contoso.example'),
    'contoso UserAdmin': await t('useradmin@contoso.example'),
    'contoso AdminAgent': await t('agent@contoso.example'),
    'contoso MpnPartnerAdmin': await t('mpn@contoso.example'),
    'contoso employee': await t('dev1@contoso.example'),
    'fabrikam GlobalAdmin': await t('admin@fabrikam.example'),
    'northwind (PMC) GlobalAdmin': await t('admin@northwind.example'),
    operator: await host.token('fuzz-operator', { operator: true }),
    'unknown object id': await host.token('someone-unknown'),
    'not a JWT': 'not-a-jwt',
    'no token': undefined,
  };
  const benefits = await listBenefits(host, 'contoso', tokens['contoso GlobalAdmin']!);
  const presales = benefits.find(
    (b) => b.technicalKind === 'presales' && b.purchaseId === host.seed!.purchases[0].id,
  );
  examples = {
    ...REQUEST_EXAMPLES,
    createServiceRequest: { ...(REQUEST_EXAMPLES.createServiceRequest as object), benefitId: presales.id },
    createPurchase: { packageId: 'action-pack' },
  };
  known = {
    benefitIds: benefits.map((b) => b.id as string),
    purchaseIds: host.seed!.purchases.map((p) => p.id),
    userIds: demoUsers()
      .filter((u) => u.partnerId === 'contoso')
      .map((u) => u.objectId),
  };
});
afterAll(async () => host?.close());

/** False for strings with lone surrogates (they cannot be put in a URL). */
function wellFormed(s: string): boolean {
  try {
    encodeURIComponent(s);
    return true;
  } catch {
    return false;
  }
}

const arbitraryId = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }).filter(wellFormed),
  fc
    .array(
      fc.constantFrom(
        '/',
        '\\',
        '#',
        '?',
        '%',
        ' ',
        '\t',
        '\u00a0',
        '\u0000',
        '.',
        '..',
        'a',
        'Z',
        '9',
        '_',
        '漢',
        '🙂',
      ),
      {
        maxLength: 10,
      },
    )
    .map((a) => a.join('')),
  fc.uuid(),
  fc.string({ minLength: 100, maxLength: 300 }),
);

/** A value for one path parameter: usually a real id of its kind, often anything. */
function paramValue(name: string): fc.Arbitrary<string> {
  const real: Record<string, () => string[]> = {
    partnerId: () => [
      ...Array<string>(8).fill('contoso'),
      'fabrikam',
      'adatum',
      'northwind',
      'nope',
      '_directory',
      '_config',
    ],
    benefitId: () => known.benefitIds,
    purchaseId: () => known.purchaseIds,
    userId: () => known.userIds,
    catalogItemId: () => CATALOG.flatMap((p) => p.items.map((i) => i.id)),
    language: () => ['en-US', 'zh-TW', 'ru-RU', 'xx'],
    operatingSystem: () => ['windows-x64', 'macos', 'windows-x86'],
    fileName: () => ['office-professional-plus-2019_en-US_windows-x64.iso', 'x.iso'],
  };
  const values = real[name]?.() ?? [];
  return values.length > 0
    ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...values) }, { weight: 1, arbitrary: arbitraryId })
    : arbitraryId;
}

const QUERY_KEYS = ['pageSize', 'continuationToken', 'category', 'status', 'q', 'unknown', 'pageSize'];
const queryValue = fc.oneof(
  fc.constantFrom(
    '1',
    '50',
    '100',
    '0',
    '101',
    '-1',
    '1e3',
    'NaN',
    'software',
    'cloud',
    'Active',
    'Pending',
    'office',
    'e30=',
    'W10=',
    'eyJ4IjoxfQ==',
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 120 }),
  fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v)).toString('base64')),
);
const queryString = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  {
    weight: 6,
    arbitrary: fc
      .array(fc.tuple(fc.constantFrom(...QUERY_KEYS), queryValue), { maxLength: 4 })
      .map((pairs) => (pairs.length ? `?${new URLSearchParams(pairs).toString()}` : '')),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('?q=%E0%A4%A', '?pageSize=%zz', '?&&=&', '?q', '?continuationToken='),
  },
);

/** A body: a mutated or exact example of the route, arbitrary JSON or text, nothing, or malformed JSON. */
function bodyFor(route: RouteUnderTest): fc.Arbitrary<{ raw?: string; contentType?: string }> {
  const example = examples[route.name] as Record<string, unknown> | undefined;
  const json = (v: unknown) => ({ raw: JSON.stringify(v) });
  const arbs: Array<fc.WeightedArbitrary<{ raw?: string; contentType?: string }>> = [
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map(json) },
    { weight: 1, arbitrary: fc.string({ maxLength: 60 }).map((raw) => ({ raw })) },
    { weight: 1, arbitrary: fc.constant({}) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('{"a":', '[', '{}', 'null', '"x"', '{"__proto__":{"x":1}}')
        .map((raw) => ({ raw })),
    },
    {
      weight: 1,
      arbitrary: fc.jsonValue().map((v) => ({ raw: JSON.stringify(v), contentType: 'text/plain' })),
    },
  ];
  if (example) {
    const keys = Object.keys(example);
    arbs.push(
      { weight: 5, arbitrary: fc.constant(json(example)) },
      {
        weight: 4,
        arbitrary: fc
          .tuple(
            fc.constantFrom(...keys, 'extra'),
            fc.oneof(fc.jsonValue({ maxDepth: 2 }), arbitraryId, fc.constant(undefined)),
          )
          .map(([k, v]) => json({ ...example, [k]: v })),
      },
    );
  }
  return fc.oneof(...arbs);
}

const headers = fc.record(
  {
    ifMatch: fc.oneof(fc.constantFrom('*', '"deadbeef"', 'W/"x"', ''), fc.string({ maxLength: 20 })),
    idempotencyKey: fc.oneof(fc.stringMatching(/^[A-Za-z0-9-]{1,20}$/), fc.string({ maxLength: 300 })),
  },
  { requiredKeys: [] },
);

/** One generated request (the route by name, so a counterexample prints short). */
const request = (routes: RouteUnderTest[]) =>
  fc.constantFrom(...routes).chain((route) =>
    fc.record({
      route: fc.constant(route.name),
      method: fc.oneof(
        { weight: 9, arbitrary: fc.constant(route.method) },
        { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE') },
      ),
      params: fc.record(Object.fromEntries(route.params.map((p) => [p, paramValue(p)]))) as fc.Arbitrary<
        Record<string, string>
      >,
      query: queryString,
      body: bodyFor(route),
      caller: fc.constantFrom(...CALLERS),
      headers,
    }),
  );

test(`fuzz: ≥ 5,000 generated requests across every route → 0 × 5xx, every error problem+json with a code`, async () => {
  const routes = allRoutes();
  expect(routes.length).toBeGreaterThanOrEqual(28);
  const histogram: Record<number, number> = {};
  const perRoute: Record<string, number> = {};
  const failures: string[] = [];
  let sent = 0;
  await fc.assert(
    fc.asyncProperty(request(routes), async (generated) => {
      const r = {
        ...generated,
        route: routes.find((x) => x.name === generated.route)!,
        token: tokens[generated.caller],
      };
      const h: Record<string, string> = {};
      if (r.headers.ifMatch !== undefined) h['If-Match'] = r.headers.ifMatch;
      if (r.headers.idempotencyKey !== undefined) h['Idempotency-Key'] = r.headers.idempotencyKey;
      if (r.body.contentType) h['Content-Type'] = r.body.contentType;
      const withBody = r.method !== 'GET' && r.body.raw !== undefined;
      const res = await host.call(r.method, pathOf(r.route, r.params) + r.query, {
        token: r.token,
        rawBody: withBody ? r.body.raw : undefined,
        headers: h,
      });
      sent++;
      histogram[res.status] = (histogram[res.status] ?? 0) + 1;
      perRoute[r.route.name] = (perRoute[r.route.name] ?? 0) + 1;
      const problem =
        res.status < 400 ||
        (/^application\/problem\+json/.test(res.headers.get('content-type') ?? '') &&
          typeof res.body?.code === 'string' &&
          res.body.status === res.status);
      if (res.status >= 500 || !problem) {
        failures.push(
          `${r.method} ${pathOf(r.route, r.params)}${r.query} → ${res.status} ${JSON.stringify(res.body)}`,
        );
      }
      expect(res.status).toBeLessThan(500);
      expect(problem).toBe(true);
    }),
    seeded({ numRuns: RUNS, endOnFailure: true }),
  );
  await host.durable.whenIdle();
  const fivexx = Object.entries(histogram)
    .filter(([s]) => Number(s) >= 500)
    .reduce((n, [, c]) => n + c, 0);
  const line = `fuzz: ${sent} requests, ${fivexx} 5xx, status histogram ${JSON.stringify(histogram)}, routes ${Object.keys(perRoute).length}/${routes.length}, seed ${FC_SEED}`;
  process.stdout.write(`${line}\n`);
  expect(failures).toEqual([]);
  expect(sent).toBeGreaterThanOrEqual(5000);
  // Every route was exercised, with successes and refusals among the answers.
  for (const route of routes)
    expect({ route: route.name, enough: (perRoute[route.name] ?? 0) >= 50 }).toEqual({
      route: route.name,
      enough: true,
    });
  expect(Object.keys(histogram).some((s) => Number(s) < 300)).toBe(true);
  expect(histogram[400]).toBeGreaterThan(500);
}, 600_000);
