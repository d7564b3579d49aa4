/**
 * Service requests (docs/product.md §5) end to end over real HTTP: advisory hours and support incidents,
 * every error code, the paged list, and 20 concurrent requests that never drive hours or incidents below
 * zero.
 */
import type { Benefit } from '../../src/domain/types';
import { startTestHost, type TestHost } from '../support/testHost';

const DAY = 24 * 3600 * 1000;
let host: TestHost;
let admin: string;

beforeAll(async () => {
  host = await startTestHost();
  admin = await host.tokenFor('admin@contoso.example');
});
afterAll(async () => host?.close());

const file = (body: unknown, token = admin, partnerId = 'contoso') =>
  host.call('POST', `/api/partners/${partnerId}/service-requests`, { token, body });

const hours = (benefitId: string, h: number) => ({
  type: 'AdvisoryHours',
  benefitId,
  topic: 'Landing zone design',
  description: 'Review of our Azure landing zone.',
  hours: h,
});
const incident = (benefitId: string, productArea: string) => ({
  type: 'SupportIncident',
  benefitId,
  productArea,
  title: 'Cluster failover',
  description: 'The cluster does not fail over.',
});

/** A fresh gold-competency purchase of contoso and its three technical benefits. */
async function purchase() {
  const res = await host.call('POST', '/api/partners/contoso/purchases', {
    token: admin,
    body: { packageId: 'gold-competency' },
  });
  expect(res.status).toBe(201);
  const benefits = res.body.benefits as Benefit[];
  const kind = (k: string) => benefits.find((b) => b.technicalKind === k)!;
  return {
    benefits,
    presales: kind('presales'),
    signature: kind('signatureSupport'),
    product: kind('productSupport'),
  };
}

async function makeActive(benefit: Benefit, patch: Partial<Benefit> = {}) {
  const now = Date.now();
  await host.services.store.updateBenefit('contoso', benefit.id, (b) => ({
    value: {
      ...b,
      status: 'Active',
      activatedAt: new Date(now - DAY).toISOString(),
      expiresAt: new Date(now + 300 * DAY).toISOString(),
      accessId: 'AID-TEST-1',
      contractId: 'CID-TEST-1',
      ...patch,
    },
  }));
}

const stored = async (id: string) => (await host.services.store.getBenefit('contoso', id))!.value;

describe('AdvisoryHours', () => {
  test('consumes the hours and records an Open request with details', async () => {
    const p = await purchase();
    await makeActive(p.presales);
    const res = await file(hours(p.presales.id, 2.5));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      partnerId: 'contoso',
      type: 'AdvisoryHours',
      status: 'Open',
      createdBy: host.seed!.users.find((u) => u.email === 'admin@contoso.example')!.objectId,
      details: {
        benefitId: p.presales.id,
        topic: 'Landing zone design',
        hoursConsumed: 2.5,
        hoursRemaining: 47.5,
      },
    });
    expect((await stored(p.presales.id)).advisoryHoursRemaining).toBe(47.5);
  });

  test('error codes: insufficient-hours, benefit-not-active (not activated, expired), benefit-cancelled, not-activatable, not-found, validation-failed', async () => {
    const p = await purchase();
    // Not activated yet.
    expect((await file(hours(p.presales.id, 1))).body.code).toBe('benefit-not-active');
    await makeActive(p.presales, { advisoryHoursRemaining: 3 });
    const tooMany = await file(hours(p.presales.id, 3.5));
    expect(tooMany.status).toBe(409);
    expect(tooMany.body.code).toBe('insufficient-hours');
    expect((await stored(p.presales.id)).advisoryHoursRemaining).toBe(3);
    // Advisory hours on a support benefit → not-activatable.
    await makeActive(p.signature);
    expect((await file(hours(p.signature.id, 1))).body.code).toBe('not-activatable');
    // Unknown benefit → 404.
    const missing = await file(hours('no-such-benefit', 1));
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('not-found');
    // Bad input → 400 with field errors, nothing written.
    for (const bad of [
      hours(p.presales.id, 0.3),
      hours(p.presales.id, 0),
      { ...hours(p.presales.id, 1), topic: '' },
      { type: 'Other', benefitId: p.presales.id },
      { ...hours(p.presales.id, 1), extra: true },
    ]) {
      const res = await file(bad);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation-failed');
      expect(Array.isArray(res.body.errors)).toBe(true);
    }
    expect((await stored(p.presales.id)).advisoryHoursRemaining).toBe(3);
    // Expired (Active but past expiresAt, not swept yet) → benefit-not-active.
    await makeActive(p.presales, { expiresAt: new Date(Date.now() - 1000).toISOString() });
    expect((await file(hours(p.presales.id, 1))).body.code).toBe('benefit-not-active');
    // Cancelled → benefit-cancelled.
    await makeActive(p.presales, { status: 'Cancelled' });
    expect((await file(hours(p.presales.id, 1))).body.code).toBe('benefit-cancelled');
  });

  test('20 concurrent requests of 1 hour against 7 remaining → 7 succeed, 13 insufficient-hours, never negative', async () => {
    const p = await purchase();
    await makeActive(p.presales, { advisoryHoursRemaining: 7 });
    const results = await Promise.all(Array.from({ length: 20 }, () => file(hours(p.presales.id, 1))));
    const ok = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status === 409);
    expect(ok).toHaveLength(7);
    expect(refused).toHaveLength(13);
    for (const r of refused) expect(r.body.code).toBe('insufficient-hours');
    expect((await stored(p.presales.id)).advisoryHoursRemaining).toBe(0);
    // Each success saw a distinct remaining balance: 6, 5, …, 0.
    expect(ok.map((r) => r.body.details.hoursRemaining).sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});

describe('SupportIncident', () => {
  test('product support for an on-premises product carries the Access ID and Contract ID', async () => {
    const p = await purchase();
    await makeActive(p.product);
    const res = await file(incident(p.product.id, 'onPremises'));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      type: 'SupportIncident',
      status: 'Open',
      details: {
        productArea: 'onPremises',
        accessId: 'AID-TEST-1',
        contractId: 'CID-TEST-1',
        incidentsRemaining: 19,
      },
    });
    for (const area of ['azureNonCsp', 'dynamics']) {
      const r = await file(incident(p.product.id, area));
      expect(r.body.details).toMatchObject({ accessId: 'AID-TEST-1', contractId: 'CID-TEST-1' });
    }
    expect((await stored(p.product.id)).incidentsRemaining).toBe(17);
  });

  test('Signature support: cloud only (400 otherwise), no ids for cloud', async () => {
    const p = await purchase();
    await makeActive(p.signature);
    const cloud = await file(incident(p.signature.id, 'cloud'));
    expect(cloud.status).toBe(201);
    expect(cloud.body.details.accessId).toBeUndefined();
    const onPrem = await file(incident(p.signature.id, 'onPremises'));
    expect(onPrem.status).toBe(400);
    expect(onPrem.body.code).toBe('validation-failed');
    expect(onPrem.body.errors.map((e: any) => e.field)).toContain('body.productArea');
    expect((await stored(p.signature.id)).incidentsRemaining).toBe(19);
  });

  test('error codes: no-incidents-left, benefit-not-active, not-activatable, not-found', async () => {
    const p = await purchase();
    expect((await file(incident(p.product.id, 'cloud'))).body.code).toBe('benefit-not-active');
    await makeActive(p.product, { incidentsRemaining: 0 });
    const none = await file(incident(p.product.id, 'cloud'));
    expect(none.status).toBe(409);
    expect(none.body.code).toBe('no-incidents-left');
    await makeActive(p.presales);
    expect((await file(incident(p.presales.id, 'cloud'))).body.code).toBe('not-activatable');
    expect((await file(incident('nope', 'cloud'))).status).toBe(404);
    expect((await stored(p.product.id)).incidentsRemaining).toBe(0);
  });

  test('20 concurrent incidents against 5 remaining → 5 succeed, 15 no-incidents-left, never negative', async () => {
    const p = await purchase();
    await makeActive(p.product, { incidentsRemaining: 5 });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => file(incident(p.product.id, 'onPremises'))),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(5);
    const refused = results.filter((r) => r.status !== 201);
    expect(refused).toHaveLength(15);
    for (const r of refused) expect(r.body.code).toBe('no-incidents-left');
    expect((await stored(p.product.id)).incidentsRemaining).toBe(0);
  });
});

describe('access and listing', () => {
  test('roles, tenancy and PMC', async () => {
    const p = await purchase();
    await makeActive(p.presales);
    for (const email of ['useradmin@contoso.example', 'agent@contoso.example', 'dev1@contoso.example']) {
      const res = await file(hours(p.presales.id, 1), await host.tokenFor(email));
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('forbidden');
    }
    const mpn = await file(hours(p.presales.id, 1), await host.tokenFor('mpn@contoso.example'));
    expect(mpn.status).toBe(201);
    // Another partner's admin cannot see or use contoso's benefits.
    const fabrikam = await host.tokenFor('admin@fabrikam.example');
    expect((await file(hours(p.presales.id, 1), fabrikam)).status).toBe(404);
    expect((await file(hours(p.presales.id, 1), fabrikam, 'fabrikam')).status).toBe(404);
    const northwind = await host.tokenFor('admin@northwind.example');
    expect((await file(hours('x', 1), northwind, 'northwind')).body.code).toBe('managed-in-pmc');
    expect(
      (await host.call('GET', '/api/partners/northwind/service-requests', { token: northwind })).body.code,
    ).toBe('managed-in-pmc');
    expect((await host.call('GET', '/api/partners/contoso/service-requests')).status).toBe(401);
    expect((await stored(p.presales.id)).advisoryHoursRemaining).toBe(49);
  });

  test('GET pages with pageSize and continuationToken; readers of every admin role may list', async () => {
    const p = await purchase();
    await makeActive(p.presales);
    for (let i = 0; i < 3; i++) expect((await file(hours(p.presales.id, 0.5))).status).toBe(201);
    const agent = await host.tokenFor('agent@contoso.example');
    const seen: any[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const q: string = token ? `&continuationToken=${encodeURIComponent(token)}` : '';
      const res = await host.call('GET', `/api/partners/contoso/service-requests?pageSize=2${q}`, {
        token: agent,
      });
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items);
      token = res.body.continuationToken;
      pages++;
    } while (token);
    expect(pages).toBeGreaterThan(1);
    expect(new Set(seen.map((r) => r.id)).size).toBe(seen.length);
    expect(seen.filter((r) => r.details.benefitId === p.presales.id)).toHaveLength(3);
    for (const r of seen) expect(['Cancellation', 'AdvisoryHours', 'SupportIncident']).toContain(r.type);
    const bad = await host.call('GET', '/api/partners/contoso/service-requests?pageSize=0', { token: agent });
    expect(bad.body.code).toBe('validation-failed');
  });
});
