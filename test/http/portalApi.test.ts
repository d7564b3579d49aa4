/**
 * The API the portal needs beyond the seeds' routes (docs/decisions.md "Portal"): the operator's queue of
 * waiting activations, the read-only look-up behind the verification page, `GET /api/me`'s partner name and
 * global admins, the verification email's link to the portal page, and the local host's sign-in routes.
 */
import {
  expectProblem,
  listBenefits,
  mailsTo,
  oid,
  snapshotStore,
  diffSnapshots,
  tokenFromMail,
} from '../support/api';
import { startTestHost, type TestHost } from '../support/testHost';

let host: TestHost;
let admin: string;
let operator: string;
beforeAll(async () => {
  // A long processing time: activations stay Pending until the operator acts.
  host = await startTestHost({ settings: { ACTIVATION_PROCESSING_TIME: 'P3D' } });
  admin = await host.tokenFor('admin@contoso.example');
  operator = await host.token('operator-1', { operator: true });
});
afterAll(async () => host?.close());

describe('GET /api/operator/activations', () => {
  test('lists Pending activations across partners, oldest first, with partner and product names', async () => {
    const fabrikamAdmin = await host.tokenFor('admin@fabrikam.example');
    const tech = (await listBenefits(host, 'contoso', admin, '&category=technical&status=NotActivated'))[0];
    const bought = await host.call('POST', '/api/partners/fabrikam/purchases', {
      token: fabrikamAdmin,
      body: { packageId: 'silver-competency' },
    });
    expect(bought.status).toBe(201);
    const fabTech = bought.body.benefits.find((b: any) => b.category === 'technical');
    expect(tech && fabTech).toBeTruthy();
    expect(
      (await host.call('POST', `/api/partners/contoso/benefits/${tech.id}/activation`, { token: admin }))
        .status,
    ).toBe(202);
    expect(
      (
        await host.call('POST', `/api/partners/fabrikam/benefits/${fabTech.id}/activation`, {
          token: fabrikamAdmin,
        })
      ).status,
    ).toBe(202);

    const res = await host.call('GET', '/api/operator/activations?status=Pending', { token: operator });
    expect(res.status).toBe(200);
    expect(res.body.continuationToken).toBeNull();
    const mine = res.body.items.filter((i: any) => [tech.id, fabTech.id].includes(i.benefitId));
    expect(mine).toEqual([
      expect.objectContaining({
        benefitId: tech.id,
        partnerId: 'contoso',
        partnerName: 'Contoso Ltd',
        productName: tech.productName,
        category: 'technical',
        status: 'Pending',
      }),
      expect.objectContaining({
        benefitId: fabTech.id,
        partnerId: 'fabrikam',
        partnerName: 'Fabrikam, Inc.',
      }),
    ]);
    const times = res.body.items.map((i: any) => i.requestedAt);
    expect([...times].sort()).toEqual(times);

    // Paging: one per page, every item once.
    const seen: string[] = [];
    let continuation: string | null = null;
    do {
      const q: string = continuation ? `&continuationToken=${encodeURIComponent(continuation)}` : '';
      const page = await host.call('GET', `/api/operator/activations?pageSize=1${q}`, { token: operator });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(1);
      seen.push(...page.body.items.map((i: any) => i.benefitId));
      continuation = page.body.continuationToken;
    } while (continuation);
    expect(seen.sort()).toEqual(res.body.items.map((i: any) => i.benefitId).sort());

    // Fulfilled → gone from the queue.
    const fulfil = await host.call(
      'POST',
      `/api/operator/partners/contoso/benefits/${tech.id}/activation/fulfilment`,
      { token: operator, body: { accessId: 'AID-1', contractId: 'CID-1' } },
    );
    expect(fulfil.status).toBe(202);
    await waitFor(async () => {
      const after = await host.call('GET', '/api/operator/activations', { token: operator });
      return !after.body.items.some((i: any) => i.benefitId === tech.id);
    });
  });

  test('operator only; other statuses are refused', async () => {
    expectProblem(await host.call('GET', '/api/operator/activations', { token: admin }), 403, 'forbidden');
    expectProblem(await host.call('GET', '/api/operator/activations'), 401, 'unauthorized');
    expectProblem(
      await host.call('GET', '/api/operator/activations?status=Active', { token: operator }),
      400,
      'validation-failed',
    );
  });
});

describe('GET /api/operator/partners/{partnerId}', () => {
  test("the Location of an onboarded partner opens for the operator, with the creation's ETag", async () => {
    const created = await host.call('POST', '/api/operator/partners', {
      token: operator,
      body: {
        name: 'Location Partner',
        level: 'Gold',
        managedIn: 'PartnerCenter',
        membership: { status: 'Active', expiresAt: '2099-01-01T00:00:00Z' },
        globalAdmin: { objectId: 'ga-location', displayName: 'GA', accountEmail: 'ga@location.example' },
      },
    });
    expect(created.status).toBe(201);
    const location = created.headers.get('location')!;
    expect(location).toBe(`/api/operator/partners/${created.body.id}`);
    const read = await host.call('GET', location, { token: operator });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: created.body.id, name: 'Location Partner', level: 'Gold' });
    expect(read.body).not.toHaveProperty('globalAdminIds');
    expect(read.headers.get('etag')).toBe(created.headers.get('etag'));
  });

  test('operator only; an unknown partner is 404', async () => {
    expectProblem(
      await host.call('GET', '/api/operator/partners/contoso', { token: admin }),
      403,
      'forbidden',
    );
    expectProblem(await host.call('GET', '/api/operator/partners/contoso'), 401, 'unauthorized');
    expectProblem(
      await host.call('GET', '/api/operator/partners/no-such-partner', { token: operator }),
      404,
      'not-found',
    );
  });
});

describe('GET /api/operator/partners', () => {
  test('lists every partner by name, paged with sealed tokens; no internal fields', async () => {
    const seen: any[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const qs: string = token ? `&continuationToken=${encodeURIComponent(token)}` : '';
      const res = await host.call('GET', `/api/operator/partners?pageSize=2${qs}`, { token: operator });
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items);
      token = res.body.continuationToken;
      pages++;
    } while (token && pages < 20);
    const names = seen.map((p) => p.name);
    expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(seen.map((p) => p.id)).toEqual(
      expect.arrayContaining(['contoso', 'fabrikam', 'adatum', 'northwind']),
    );
    expect(new Set(seen.map((p) => p.id)).size).toBe(seen.length);
    expect(pages).toBeGreaterThan(1);
    const northwind = seen.find((p) => p.id === 'northwind');
    expect(northwind).toMatchObject({ level: 'Silver', managedIn: 'PMC', membership: { status: 'Active' } });
    for (const p of seen) {
      expect(p).not.toHaveProperty('globalAdminIds');
      expect(p).not.toHaveProperty('partnerId');
    }
  });

  test('operator only; a token from another list is refused', async () => {
    expectProblem(await host.call('GET', '/api/operator/partners', { token: admin }), 403, 'forbidden');
    expectProblem(await host.call('GET', '/api/operator/partners'), 401, 'unauthorized');
    const users = await host.call('GET', '/api/partners/contoso/users?pageSize=1', { token: admin });
    expect(users.body.continuationToken).toEqual(expect.any(String));
    expectProblem(
      await host.call(
        'GET',
        `/api/operator/partners?continuationToken=${encodeURIComponent(users.body.continuationToken)}`,
        { token: operator },
      ),
      400,
      'validation-failed',
    );
  });
});

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('condition not reached');
}

describe('contact verification from the portal', () => {
  test('the email links to /verify-contact with the token in the fragment; the look-up names the partner and changes nothing', async () => {
    const put = await host.call('PUT', '/api/partners/contoso/marketing-contact', {
      token: admin,
      body: {
        userId: oid('dev3@contoso.example'),
        email: 'portal.contact@mail.example',
        phone: '+886212345678',
        preferredLanguage: 'en-US',
      },
    });
    expect(put.status).toBe(200);
    const [mail] = await mailsTo(host, 'contactVerification', 'portal.contact@mail.example');
    const token = tokenFromMail(mail);
    const link = `${host.config.PUBLIC_BASE_URL}/verify-contact#token=${token}`;
    expect(mail.html).toContain(`href="${link}"`);
    expect(mail.plainText).toContain(link);

    // The onboarding may still record the sent email (audit) after the outbox file appears: wait until quiet.
    let before = await snapshotStore(host);
    for (let settled = false; !settled;) {
      await new Promise((r) => setTimeout(r, 100));
      const again = await snapshotStore(host);
      settled = diffSnapshots(before, again).length === 0;
      before = again;
    }
    for (let i = 0; i < 2; i++) {
      const res = await host.call('POST', '/api/contact-verifications/lookup', { body: { token } });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        partnerName: 'Contoso Ltd',
        email: 'portal.contact@mail.example',
        contact: 'marketing',
      });
    }
    expect(diffSnapshots(before, await snapshotStore(host))).toEqual([]);

    expect((await host.call('POST', '/api/contact-verifications', { body: { token } })).status).toBe(200);
    // Used: the look-up now refuses it like any invalid token.
    expectProblem(
      await host.call('POST', '/api/contact-verifications/lookup', { body: { token } }),
      400,
      'invalid-token',
    );
    expectProblem(
      await host.call('POST', '/api/contact-verifications/lookup', { body: { token: 'x'.repeat(43) } }),
      400,
      'invalid-token',
    );
  });
});

test('GET /api/me names the partner and its global admins, also for an employee', async () => {
  const res = await host.call('GET', '/api/me', { token: await host.tokenFor('dev1@contoso.example') });
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({
    partnerId: 'contoso',
    partnerName: 'Contoso Ltd',
    managedIn: 'PartnerCenter',
    roles: [],
    globalAdmins: [{ displayName: expect.any(String), accountEmail: 'admin@contoso.example' }],
  });
});

describe('local sign-in routes (local host only)', () => {
  test('GET /.local/users lists demo users and users created at run time', async () => {
    const created = await host.call('POST', '/api/partners/adatum/users', {
      token: await host.tokenFor('admin@adatum.example'),
      body: {
        objectId: '5c1a7f7e-0000-4000-8000-000000000001',
        displayName: 'Runtime User',
        accountEmail: 'runtime.user@adatum.example',
        roles: ['UserAdmin'],
      },
    });
    expect(created.status).toBe(201);
    const res = await host.call('GET', '/.local/users');
    expect(res.status).toBe(200);
    const emails = res.body.users.map((u: any) => u.email);
    expect(emails).toEqual(expect.arrayContaining(['admin@contoso.example', 'runtime.user@adatum.example']));
    expect(res.body.users.find((u: any) => u.email === 'runtime.user@adatum.example')).toEqual({
      objectId: '5c1a7f7e-0000-4000-8000-000000000001',
      email: 'runtime.user@adatum.example',
      displayName: 'Runtime User',
      partnerId: 'adatum',
      partnerName: 'Adatum Corporation',
      roles: ['UserAdmin'],
    });
  });

  test('POST /.local/token signs a token the API accepts; unknown users and bad bodies are refused', async () => {
    const res = await host.call('POST', '/.local/token', { body: { objectId: oid('mpn@contoso.example') } });
    expect(res.status).toBe(200);
    const me = await host.call('GET', '/api/me', { token: res.body.token });
    expect(me.body.accountEmail).toBe('mpn@contoso.example');
    const op = await host.call('POST', '/.local/token', { body: { operator: true } });
    const queue = await host.call('GET', '/api/operator/activations', { token: op.body.token });
    expect(queue.status).toBe(200);
    expectProblem(
      await host.call('POST', '/.local/token', { body: { objectId: 'nobody' } }),
      404,
      'not-found',
    );
    expectProblem(await host.call('POST', '/.local/token', { rawBody: '{' }), 400, 'validation-failed');
    expectProblem(await host.call('GET', '/.local/token'), 405, 'method-not-allowed');
  });

  test('the function app registers no /.local route', () => {
    const routes = host.functions.map((f) => String(f.trigger.route ?? ''));
    expect(routes.some((r) => r.includes('.local'))).toBe(false);
  });
});

test('every Location the API answers opens the resource it names (purchase, user, assignment, activation)', async () => {
  const bought = await host.call('POST', '/api/partners/contoso/purchases', {
    token: admin,
    body: { packageId: 'action-pack' },
  });
  expect(bought.status).toBe(201);
  const user = await host.call('POST', '/api/partners/contoso/users', {
    token: admin,
    body: {
      objectId: 'location-user',
      displayName: 'Location User',
      accountEmail: 'location.user@contoso.example',
      roles: [],
    },
  });
  expect(user.status).toBe(201);
  const vs = bought.body.benefits.find((b: any) => b.category === 'visualStudio');
  const assigned = await host.call('POST', `/api/partners/contoso/benefits/${vs.id}/assignments`, {
    token: admin,
    body: { userId: 'location-user' },
  });
  expect(assigned.status).toBe(201);
  const tech = bought.body.benefits.find((b: any) => b.category === 'technical');
  const activation = await host.call('POST', `/api/partners/contoso/benefits/${tech.id}/activation`, {
    token: admin,
  });
  expect(activation.status).toBe(202);
  for (const [res, id] of [
    [bought, bought.body.purchase.id],
    [user, 'location-user'],
    [assigned, assigned.body.id],
    [activation, tech.id],
  ] as const) {
    const location = res.headers.get('location');
    expect(location).toMatch(/^\/api\//);
    const opened = await host.call('GET', location!, { token: admin });
    expect({ location, status: opened.status }).toEqual({ location, status: 200 });
    expect(JSON.stringify(opened.body)).toContain(id);
  }
  // An ended assignment still opens, with endedAt.
  expect((await host.call('DELETE', assigned.headers.get('location')!, { token: admin })).status).toBe(204);
  const ended = await host.call('GET', assigned.headers.get('location')!, { token: admin });
  expect(ended.body).toMatchObject({
    id: assigned.body.id,
    userId: 'location-user',
    endedAt: expect.any(String),
  });
  expectProblem(
    await host.call('GET', `/api/partners/contoso/benefits/${vs.id}/assignments/nope`, { token: admin }),
    404,
    'not-found',
  );
});
