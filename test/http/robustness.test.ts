/**
 * Robustness, end to end on the real local host (real HTTP, real JWTs, embedded Cosmos, email outbox):
 * - the seat race: 50 concurrent assignment requests for a 10-seat benefit, 20 rounds;
 * - Cosmos round trips of an assignment, counted on the embedded server;
 * - a fast-check property over every registered POST/PUT route: arbitrary JSON and malformed bodies are answered
 *   4xx problem+json, never 5xx, and leave the store exactly as it was.
 */
import '../../functions'; // registers the routes now, so the property tests below can be generated per route
import fc from 'fast-check';
import type { ZodType } from 'zod';
import { readOutbox } from '../../src/email/outbox';
import { NoBody } from '../../src/http/route';
import { ALL_ROUTES } from '../../src/http/routes';
import { getRegistrations } from '../../src/local/functionsCore';
import {
  activeAssignments,
  diffSnapshots,
  expectProblem,
  getBenefit,
  listBenefits,
  oid,
  snapshotStore,
} from '../support/api';
import { seeded } from '../support/seeds';
import { startTestHost, type TestHost } from '../support/testHost';
import { rawDocuments } from '../../src/store/raw';

let host: TestHost;
let contosoAdmin: string;

beforeAll(async () => {
  jest.spyOn(console, 'info').mockImplementation(() => undefined); // outbox log lines
  // Activations started by a property run would wait this long before their next write (see the property tests).
  host = await startTestHost({ settings: { ACTIVATION_PROCESSING_TIME: 'P30D' } });
  contosoAdmin = await host.tokenFor('admin@contoso.example');
});
afterAll(async () => host?.close());

// ---------------------------------------------------------------------------------------------------------------
// Round trips
// ---------------------------------------------------------------------------------------------------------------

describe('Cosmos round trips of an assignment', () => {
  const counted = () => {
    const c = host.cosmos.counts();
    return {
      batches: c.batches,
      reads: c.reads,
      writes: c.writes,
      queries: c.queries,
      queryPlans: c.queryPlans,
      other: c.other,
      outbox: c.outbox,
    };
  };
  let vs: string;
  beforeAll(async () => {
    const items = await listBenefits(host, 'contoso', contosoAdmin, '&category=visualStudio');
    vs = items.find((b) => b.purchaseId === host.seed!.purchases[0].id).id;
  });

  test('assign = access check (1 batch of reads) + assignee read + ONE benefit read + ONE batch (conditional write, audit event, outbox record)', async () => {
    await getBenefit(host, 'contoso', vs, contosoAdmin); // warm-up: SDK metadata is cached from here on
    host.cosmos.resetCounts();
    const res = await host.call('POST', `/api/partners/contoso/benefits/${vs}/assignments`, {
      token: contosoAdmin,
      body: { userId: oid('dev1@contoso.example') },
    });
    expect(res.status).toBe(201);
    // How this maps to the "one read + one conditional write (+ the audit write)":
    //  batches = 1 (caller's user + partner: the access check every partner route does, one batch of reads)
    //          + 1 (THE unit of work: the conditional replace of the benefit, If-Match its ETag, with the audit
    //            event and the outbox record of the assignee's email — one transactional batch, no 412, no retry);
    //  reads  = 1 (the assignee: the user must exist in this partner — validation of the input)
    //         + 1 (THE read of the benefit document, whose ETag guards the write).
    // No queries. The relay then sends the email: its claim and its settlement of the outbox record (`outbox`), an
    // invocation of its own in Azure (the change feed), run by the local host right after this one.
    expect(counted()).toEqual({
      batches: 2,
      reads: 2,
      writes: 0,
      queries: 0,
      queryPlans: 0,
      other: 0,
      outbox: 2,
    });
  });

  test('a refused assignment (already assigned) reads the same and writes nothing', async () => {
    host.cosmos.resetCounts();
    const res = await host.call('POST', `/api/partners/contoso/benefits/${vs}/assignments`, {
      token: contosoAdmin,
      body: { userId: oid('dev1@contoso.example') },
    });
    expectProblem(res, 409, 'already-assigned');
    expect(counted()).toEqual({
      batches: 1,
      reads: 2,
      writes: 0,
      queries: 0,
      queryPlans: 0,
      other: 0,
      outbox: 0,
    });
  });

  test('unassign = access check (1 batch of reads) + ONE benefit read + ONE batch (conditional write, audit event)', async () => {
    const b = await getBenefit(host, 'contoso', vs, contosoAdmin);
    const held = activeAssignments(b.body)[0];
    host.cosmos.resetCounts();
    const res = await host.call('DELETE', `/api/partners/contoso/benefits/${vs}/assignments/${held.id}`, {
      token: contosoAdmin,
    });
    expect(res.status).toBe(204);
    expect(counted()).toEqual({
      batches: 2,
      reads: 1,
      writes: 0,
      queries: 0,
      queryPlans: 0,
      other: 0,
      outbox: 0,
    });
  });

  test('with an Idempotency-Key the record adds one read, one create and one replace', async () => {
    host.cosmos.resetCounts();
    const res = await host.call('POST', `/api/partners/contoso/benefits/${vs}/assignments`, {
      token: contosoAdmin,
      body: { userId: oid('dev2@contoso.example') },
      headers: { 'Idempotency-Key': 'round-trips' },
    });
    expect(res.status).toBe(201);
    expect(counted()).toEqual({
      batches: 2,
      reads: 3,
      writes: 2,
      queries: 0,
      queryPlans: 0,
      other: 0,
      outbox: 2,
    });
  });
});

describe('Idempotency-Key under concurrency', () => {
  test('10 concurrent repeats of one keyed assignment: one effect, every 201 identical', async () => {
    const items = await listBenefits(host, 'contoso', contosoAdmin, '&category=visualStudio');
    const vs = items.find((b) => b.purchaseId === host.seed!.purchases[2].id).id as string;
    const send = () =>
      host.call('POST', `/api/partners/contoso/benefits/${vs}/assignments`, {
        token: contosoAdmin,
        body: { userId: oid('dev5@contoso.example') },
        headers: { 'Idempotency-Key': 'concurrent-key' },
      });
    const results = await Promise.all(Array.from({ length: 10 }, send));
    const created = results.filter((r) => r.status === 201);
    const others = results.filter((r) => r.status !== 201);
    // A repeat that arrives while the first is still running may be told to retry (409 conflict); nothing else.
    expect(others.map((r) => r.body.code)).toEqual(others.map(() => 'conflict'));
    expect(created.filter((r) => r.headers.get('idempotent-replayed') !== 'true')).toHaveLength(1);
    for (const r of created) expect(r.body).toEqual(created[0].body);
    const later = await send();
    expect(later.status).toBe(201);
    expect(later.body).toEqual(created[0].body);
    expect(later.headers.get('idempotent-replayed')).toBe('true');

    const stored = await host.services.store.getBenefit('contoso', vs);
    expect(stored!.value.assignments.map((a) => a.userId)).toEqual([oid('dev5@contoso.example')]);
    const audits = await rawDocuments(host.services.store).queryAll<any>(
      'SELECT * FROM c WHERE c.partnerId = @p AND c.type = @t AND c.target.id = @b',
      [
        { name: '@p', value: 'contoso' },
        { name: '@t', value: 'audit' },
        { name: '@b', value: vs },
      ],
      'contoso',
    );
    expect(audits).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Property: bad bodies on every POST/PUT route
// ---------------------------------------------------------------------------------------------------------------

interface WriteRoute {
  name: string;
  method: string;
  route: string;
  body?: ZodType;
}

/** Every registered HTTP function with a POST or PUT method, with the body schema of its route definition. */
const writeRoutes = (): WriteRoute[] =>
  getRegistrations()
    .filter((f) => f.trigger.type === 'httpTrigger')
    .flatMap((f) =>
      (f.trigger.methods as string[])
        .filter((m) => m === 'POST' || m === 'PUT')
        .map((method) => ({
          name: f.name,
          method,
          route: String(f.trigger.route),
          // A route without a body schema takes no body (or `{}`): the same rule the route wrapper applies.
          body: (ALL_ROUTES.find((r) => r.name === f.name)?.spec.body ?? NoBody) as ZodType,
        })),
    );

/** What a property run sends: the raw text and, when it is JSON, its value. */
interface BadBody {
  raw: string;
  json: boolean;
  value?: unknown;
}
const parsed = (raw: string): BadBody => {
  try {
    return { raw, json: true, value: raw === '' ? undefined : JSON.parse(raw) };
  } catch {
    return { raw, json: false };
  }
};
const bodies = (route: WriteRoute): fc.Arbitrary<BadBody> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.jsonValue().map((v) => parsed(JSON.stringify(v))) },
    { weight: 2, arbitrary: fc.string().map(parsed) },
    // For the public verification route, schema-valid bodies with random tokens as well.
    ...(route.name === 'verifyContact'
      ? [
          {
            weight: 2,
            arbitrary: fc
              .string({ minLength: 1, maxLength: 100 })
              .map((t) => parsed(JSON.stringify({ token: t }))),
          },
        ]
      : []),
  );

/** Sometimes an Idempotency-Key too: a request refused for its body must not leave an idempotency record behind. */
const idempotencyKey = fc.option(fc.stringMatching(/^[A-Za-z0-9-]{1,40}$/), { nil: null });

describe('property: every POST/PUT route answers arbitrary and malformed bodies with 4xx problem+json and writes nothing', () => {
  const routes = writeRoutes();
  /** Real ids, chosen so that a VALID body would succeed: the 4xx must then come from the body. */
  let ids: Record<string, Record<string, string>>;
  let operator: string;

  beforeAll(async () => {
    operator = await host.token('op', { operator: true });
    const all = await listBenefits(host, 'contoso', contosoAdmin);
    const today = host.seed!.purchases[0].id;
    const of = (item: string) => all.find((b) => b.purchaseId === today && b.catalogItemId === item).id;
    ids = {
      assignments: { benefitId: of('visual-studio-enterprise') },
      keys: { benefitId: of('office-professional-plus-2019') },
      activation: { benefitId: of('technical-presales-deployment') },
      default: { benefitId: of('visual-studio-enterprise') },
    };
  });

  test('the list covers users, purchases, seats, keys, contacts, partners and activation', () => {
    const names = routes.map((r) => r.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'createUser',
        'createPurchase',
        'assignBenefit',
        'revealBenefitKeys',
        'setMarketingContact',
        'verifyContact',
        'createPartner',
        'startActivation',
      ]),
    );
    expect(routes.find((r) => r.name === 'setMarketingContact')?.method).toBe('PUT');
  });

  const pathOf = (r: WriteRoute) => {
    const kind = /\/keys$/.test(r.route)
      ? 'keys'
      : /\/assignments$/.test(r.route)
        ? 'assignments'
        : /\/activation/.test(r.route)
          ? 'activation'
          : 'default';
    const values: Record<string, string> = {
      partnerId: 'contoso',
      purchaseId: host.seed!.purchases[0].id, // bought today: a cancellation would be eligible
      ...ids[kind],
    };
    return '/api/' + r.route.replace(/\{(\w+)(?::[^}?]+)?\??\}/g, (_, n: string) => values[n] ?? 'x');
  };
  const tokenOf = (r: WriteRoute) =>
    r.route.startsWith('operator/') ? operator : r.name === 'verifyContact' ? undefined : contosoAdmin;

  test.each(routes.map((r) => [`${r.method} /api/${r.route} (${r.name})`, r] as const))(
    '%s',
    async (_label, r) => {
      const path = pathOf(r);
      const token = tokenOf(r);
      let checked = 0;
      await fc.assert(
        fc.asyncProperty(bodies(r), idempotencyKey, async (b, key) => {
          const before = await snapshotStore(host);
          const mailsBefore = (await readOutbox(host.outboxDir)).length;
          const headers = key === null ? undefined : { 'Idempotency-Key': key };
          const res = await host.call(r.method, path, { token, rawBody: b.raw, headers });
          await host.durable.whenIdle(); // anything a request started has run (activations wait P30D after that)

          expect(res.status).toBeLessThan(500);
          // A body the route's schema accepts is a valid request; it may legitimately succeed and write.
          // (An empty body is `undefined`: valid only where the body is optional, e.g. operator fulfilment.)
          const schemaAccepts = b.json && r.body?.safeParse(b.value).success === true;
          if (schemaAccepts && r.name !== 'verifyContact') return;
          checked++;
          expect({ status: res.status, body: res.body }).toEqual({
            status: expect.any(Number),
            body: expect.objectContaining({ code: expect.any(String), status: res.status }),
          });
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
          if (r.name === 'verifyContact')
            expect(['invalid-token', 'validation-failed']).toContain(res.body.code);
          expect(diffSnapshots(before, await snapshotStore(host))).toEqual([]);
          expect((await readOutbox(host.outboxDir)).length).toBe(mailsBefore);
        }),
        seeded({ numRuns: 25 }),
      );
      // Generated bodies practically never fit a strict schema (an optional body may be empty or `{}`), so most
      // runs went through every assertion above.
      expect(checked).toBeGreaterThanOrEqual(15);
    },
  );
});

describe('a POST route without a request body (startActivation)', () => {
  // docs/product.md §9: "Bad input never yields a 500 and never writes anything". The route declares no body;
  // a body that is not even JSON is bad input all the same. A NotActivated technical benefit: without a body
  // it would start.
  test('a malformed JSON body is 400 validation-failed and starts nothing', async () => {
    const all = await listBenefits(host, 'contoso', contosoAdmin, '&category=technical');
    const support = all.find(
      (b) => b.purchaseId === host.seed!.purchases[0].id && b.catalogItemId === 'microsoft-product-support',
    );
    expect(support.status).toBe('NotActivated');
    const before = await snapshotStore(host);
    const res = await host.call('POST', `/api/partners/contoso/benefits/${support.id}/activation`, {
      token: contosoAdmin,
      rawBody: '{"oops":',
    });
    await host.durable.whenIdle();
    expectProblem(res, 400, 'validation-failed');
    expect(diffSnapshots(before, await snapshotStore(host))).toEqual([]);
  });
});
