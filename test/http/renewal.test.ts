/**
 * The membership lifecycle (docs/product.md §12) end to end over real HTTP with the manual clock: renewal inside, before and
 * after its window (and at both edges), twice with one Idempotency-Key, concurrently with a plain purchase and with
 * another renewal, its all-or-nothing write; roles and PMC; the operator's upgrade and downgrade.
 */
import { DateTime } from 'luxon';
import type { Benefit, Partner, Purchase } from '../../src/domain/types';
import { ManualClock } from '../../src/local/clock';
import { demoObjectId } from '../../src/local/seed';
import { allAuditEvents, diffSnapshots, expectProblem, snapshotStore } from '../support/api';
import { startTestHost, type TestHost } from '../support/testHost';
import { rawDocuments } from '../../src/store/raw';
import type { Versioned } from '../../src/store/ports';

const DAY = 24 * 3600 * 1000;
const NOW = new Date('2026-09-01T08:00:00.000Z');
const iso = (ms: number) => new Date(NOW.getTime() + ms).toISOString();
const plusMonths = (at: string, months: number) =>
  DateTime.fromISO(at, { zone: 'utc' }).plus({ months }).toISO()!;

let host: TestHost;
let clock: ManualClock;
let operator: string;
let seq = 0;

beforeAll(async () => {
  clock = new ManualClock(NOW);
  host = await startTestHost({ clock });
  operator = await host.token('operator-1', { operator: true });
});
afterAll(async () => host?.close());
beforeEach(() => clock.set(NOW));

/** Onboards a fresh partner through the operator API; returns its id and its GlobalAdmin's token. */
async function onboard(
  level: Partner['level'],
  expiresAt: string,
  extra: { status?: Partner['membership']['status']; managedIn?: Partner['managedIn'] } = {},
): Promise<{ id: string; admin: string; adminOid: string }> {
  const adminOid = `lifecycle-admin-${++seq}`;
  const res = await host.call('POST', '/api/operator/partners', {
    token: operator,
    body: {
      name: `Lifecycle ${seq}`,
      level,
      managedIn: extra.managedIn ?? 'PartnerCenter',
      membership: { status: extra.status ?? 'Active', expiresAt },
      globalAdmin: {
        objectId: adminOid,
        displayName: `Admin ${seq}`,
        accountEmail: `admin@lifecycle${seq}.example`,
      },
    },
  });
  expect(res.status).toBe(201);
  return { id: res.body.id, admin: await host.token(adminOid), adminOid };
}

const renew = (partnerId: string, token: string, packageId: string, headers: Record<string, string> = {}) =>
  host.call('POST', `/api/partners/${partnerId}/membership/renewal`, { token, body: { packageId }, headers });
const purchase = (partnerId: string, token: string, packageId: string) =>
  host.call('POST', `/api/partners/${partnerId}/purchases`, { token, body: { packageId } });
const membershipOf = async (partnerId: string, token: string) => {
  const res = await host.call('GET', `/api/partners/${partnerId}`, { token });
  expect(res.status).toBe(200);
  return res.body.membership as Partner['membership'];
};
const purchasesOf = async (partnerId: string): Promise<Purchase[]> =>
  rawDocuments(host.services.store).queryAll<Purchase>(
    'SELECT * FROM c WHERE c.partnerId = @p AND c.type = @t',
    [
      { name: '@p', value: partnerId },
      { name: '@t', value: 'purchase' },
    ],
  );

describe('GET …/membership', () => {
  test("fabrikam's demo membership is inside its renewal window; contoso's is not", async () => {
    const fabrikam = await host.call('GET', '/api/partners/fabrikam/membership', {
      token: await host.tokenFor('agent@fabrikam.example'),
    });
    expect(fabrikam.status).toBe(200);
    const expiresAt = iso(45 * DAY);
    expect(fabrikam.body).toEqual({
      level: 'Silver',
      managedIn: 'PartnerCenter',
      status: 'Active',
      expiresAt: expect.any(String),
      renewal: {
        open: true,
        opensAt: iso(-45 * DAY),
        closesAt: iso(75 * DAY),
        packageId: 'silver-competency',
        path: '/api/partners/fabrikam/membership/renewal',
      },
    });
    expect(Date.parse(fabrikam.body.expiresAt)).toBe(Date.parse(expiresAt));
    const contoso = await host.call('GET', '/api/partners/contoso/membership', {
      token: await host.tokenFor('admin@contoso.example'),
    });
    expect(contoso.body).toMatchObject({
      level: 'Gold',
      renewal: { open: false, packageId: 'gold-competency' },
    });
    // The internal notice schedule never shows.
    const partner = await host.call('GET', '/api/partners/fabrikam', {
      token: await host.tokenFor('admin@fabrikam.example'),
    });
    expect(partner.body).not.toHaveProperty('nextNoticeAt');
    expect(partner.body).not.toHaveProperty('notices');
    expect((await host.services.store.getPartner('fabrikam'))!.value.nextNoticeAt).toBe(iso(-15 * DAY));
  });

  test('"Expiring soon": GET …/benefits?status=Active&expiresBefore= lists the Active benefits ending by then', async () => {
    const token = await host.tokenFor('admin@fabrikam.example');
    const list = (q: string) => host.call('GET', `/api/partners/fabrikam/benefits?${q}`, { token });
    const soon = await list(`status=Active&expiresBefore=${encodeURIComponent(iso(30 * DAY))}`);
    expect(soon.status).toBe(200);
    expect(soon.body.items.map((b: Benefit) => b.productName)).toEqual(['Go-To-Market: Silver Core']);
    expect(soon.body.items[0].expiresAt).toBe(iso(5 * DAY));
    const notYet = await list(`status=Active&expiresBefore=${encodeURIComponent(iso(5 * DAY - 1))}`);
    expect(notYet.body.items).toEqual([]);
    expectProblem(await list('expiresBefore=next-week'), 400, 'validation-failed');
    // A second one: a Visual Studio seat activates its benefit until the membership's end (45 days).
    const vs = (await list('category=visualStudio')).body.items[0];
    const assigned = await host.call('POST', `/api/partners/fabrikam/benefits/${vs.id}/assignments`, {
      token,
      body: { userId: demoObjectId('dev1@fabrikam.example') },
    });
    expect(assigned.status).toBe(201);
    const later = `status=Active&expiresBefore=${encodeURIComponent(iso(60 * DAY))}`;
    expect((await list(later)).body.items.map((b: Benefit) => b.id).sort()).toEqual(
      [soon.body.items[0].id, vs.id].sort(),
    );
    // Paged, and a continuation token is bound to its filter.
    const first = await list(`${later}&pageSize=1`);
    expect(first.body.items).toHaveLength(1);
    expect(first.body.continuationToken).toEqual(expect.any(String));
    const next = await list(
      `${later}&pageSize=1&continuationToken=${encodeURIComponent(first.body.continuationToken)}`,
    );
    expect(next.body.items).toHaveLength(1);
    expect(next.body.items[0].id).not.toBe(first.body.items[0].id);
    const other = await list(
      `status=Active&expiresBefore=${encodeURIComponent(iso(61 * DAY))}&pageSize=1&continuationToken=${encodeURIComponent(first.body.continuationToken)}`,
    );
    expectProblem(other, 400, 'validation-failed');
    // The seat is given back (the renewal tests below count fabrikam's membership, not its seats).
    expect(
      (
        await host.call(
          'DELETE',
          `/api/partners/fabrikam/benefits/${vs.id}/assignments/${assigned.body.id}`,
          {
            token,
          },
        )
      ).status,
    ).toBe(204);
  });

  test('a PMC membership shows no renewal (it is renewed in PMC)', async () => {
    const res = await host.call('GET', '/api/partners/northwind/membership', {
      token: await host.tokenFor('admin@northwind.example'),
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      level: 'Silver',
      managedIn: 'PMC',
      status: 'Active',
      expiresAt: expect.any(String),
    });
  });
});

describe('renewal window (docs/product.md §12): 90 days before expiresAt to 30 days after', () => {
  test('inside the window: 201 { purchase, benefits, membership }; expiresAt + 12 months; audited; one batch', async () => {
    const expiresAt = iso(45 * DAY);
    const p = await onboard('Silver', expiresAt);
    const before = await snapshotStore(host);
    host.cosmos.resetCounts();
    const res = await renew(p.id, p.admin, 'silver-competency');
    const { writes, batches } = host.cosmos.counts();
    expect(res.status).toBe(201);
    const renewedTo = plusMonths(expiresAt, 12);
    expect(res.body.membership).toMatchObject({ level: 'Silver', status: 'Active', expiresAt: renewedTo });
    expect(res.body.purchase).toMatchObject({
      partnerId: p.id,
      packageId: 'silver-competency',
      status: 'Active',
      purchasedAt: NOW.toISOString(),
      renewal: { previousExpiresAt: expiresAt, expiresAt: renewedTo },
      // Shown like every purchase: cancellable within its refund window.
      cancellable: true,
      cancellableUntil: iso(30 * DAY),
    });
    expect(res.headers.get('location')).toBe(`/api/partners/${p.id}/purchases/${res.body.purchase.id}`);
    expect(res.body.benefits).toHaveLength(12);
    expect(res.body.purchase.benefitIds).toEqual(res.body.benefits.map((b: Benefit) => b.id));
    for (const b of res.body.benefits)
      expect(b).toMatchObject({ status: 'NotActivated', purchaseId: res.body.purchase.id });
    expect(await membershipOf(p.id, p.admin)).toEqual({ status: 'Active', expiresAt: renewedTo });

    // The access check (one batch of reads), then the partner, the purchase, its 12 benefits and the audit event in
    // ONE transactional batch (the renewal's unit of work).
    expect({ batches, writes }).toEqual({ batches: 2, writes: 0 });
    const diff = diffSnapshots(before, await snapshotStore(host));
    expect(diff.filter((d) => d.startsWith('changed'))).toEqual([`changed ${p.id}/${p.id}`]);
    expect(diff.filter((d) => d.startsWith('added'))).toHaveLength(1 + 12 + 1);
    const events = (await allAuditEvents(host, p.id, p.admin)).filter((e) => e.action === 'membership.renew');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actor: { objectId: p.adminOid, kind: 'user' },
      target: { type: 'partner', id: p.id },
      outcome: 'Succeeded',
      detail: { packageId: 'silver-competency', previousExpiresAt: expiresAt, expiresAt: renewedTo },
    });
  });

  test('before the window: 409 renewal-not-open with the opening date; at the opening instant: 201', async () => {
    const expiresAt = iso(100 * DAY);
    const p = await onboard('Gold', expiresAt);
    const opensAt = iso(10 * DAY);
    const res = await renew(p.id, p.admin, 'gold-competency');
    expectProblem(res, 409, 'renewal-not-open');
    expect(res.body).toMatchObject({ opensAt, closesAt: iso(130 * DAY) });
    expect(res.body.detail).toContain(opensAt);
    expect(await purchasesOf(p.id)).toHaveLength(0);

    clock.set(new Date(Date.parse(opensAt) - 1));
    expectProblem(await renew(p.id, p.admin, 'gold-competency'), 409, 'renewal-not-open');
    clock.set(new Date(opensAt));
    const ok = await renew(p.id, p.admin, 'gold-competency');
    expect(ok.status).toBe(201);
    expect(ok.body.membership.expiresAt).toBe(plusMonths(expiresAt, 12));
  });

  test('in the grace period (ended 10 days ago): purchases are refused naming the renewal route; the renewal counts 12 months from now', async () => {
    const expiresAt = iso(-10 * DAY);
    const p = await onboard('ActionPack', expiresAt);
    const refused = await purchase(p.id, p.admin, 'action-pack');
    expectProblem(refused, 409, 'membership-inactive');
    expect(refused.body.detail).toContain(`POST /api/partners/${p.id}/membership/renewal`);

    const res = await renew(p.id, p.admin, 'action-pack');
    expect(res.status).toBe(201);
    expect(res.body.membership).toMatchObject({
      status: 'Active',
      expiresAt: plusMonths(NOW.toISOString(), 12),
    });
    expect(res.body.benefits).toHaveLength(9);
    expect((await purchase(p.id, p.admin, 'action-pack')).status).toBe(201);
  });

  test('an Expired status within the grace period is renewed to Active', async () => {
    const p = await onboard('Silver', iso(-29 * DAY), { status: 'Expired' });
    const res = await renew(p.id, p.admin, 'silver-competency');
    expect(res.status).toBe(201);
    expect(await membershipOf(p.id, p.admin)).toEqual({
      status: 'Active',
      expiresAt: plusMonths(NOW.toISOString(), 12),
    });
  });

  test('after the grace period: 409 renewal-not-open (closed); the edge at exactly 30 days is still open', async () => {
    const p = await onboard('Silver', iso(-30 * DAY - 1));
    const res = await renew(p.id, p.admin, 'silver-competency');
    expectProblem(res, 409, 'renewal-not-open');
    expect(res.body).toMatchObject({ closesAt: iso(-1) });
    expect(res.body.detail).toMatch(/closed/);
    const refused = await purchase(p.id, p.admin, 'silver-competency');
    expectProblem(refused, 409, 'membership-inactive');
    expect(refused.body.detail).toMatch(/program operator/);

    const edge = await onboard('Silver', iso(-30 * DAY));
    expect((await renew(edge.id, edge.admin, 'silver-competency')).status).toBe(201);
  });
});

describe('renewal: rules, roles, PMC', () => {
  test("only the package of the partner's own level renews: 409 not-eligible naming it", async () => {
    const p = await onboard('Gold', iso(30 * DAY));
    for (const other of ['action-pack', 'silver-competency']) {
      const res = await renew(p.id, p.admin, other);
      expectProblem(res, 409, 'not-eligible');
      expect(res.body.renewalPackageId).toBe('gold-competency');
      expect(res.body.detail).toContain('gold-competency');
    }
    expectProblem(await renew(p.id, p.admin, 'platinum'), 400, 'validation-failed');
    expect(await purchasesOf(p.id)).toHaveLength(0);
  });

  test('GlobalAdmin and MpnPartnerAdmin may renew; UserAdmin and AdminAgent get 403; other partners 404; PMC 409', async () => {
    for (const email of ['useradmin@fabrikam.example', 'agent@fabrikam.example']) {
      expectProblem(
        await renew('fabrikam', await host.tokenFor(email), 'silver-competency'),
        403,
        'forbidden',
      );
    }
    expectProblem(
      await renew('fabrikam', await host.tokenFor('admin@contoso.example'), 'silver-competency'),
      404,
      'not-found',
    );
    const pmc = await renew('northwind', await host.tokenFor('admin@northwind.example'), 'silver-competency');
    expectProblem(pmc, 409, 'managed-in-pmc');
    expect(pmc.body.detail).toMatch(/PMC/);
    const mpn = await renew('fabrikam', await host.tokenFor('mpn@fabrikam.example'), 'silver-competency');
    expect(mpn.status).toBe(201);
    expect(mpn.body.membership.expiresAt).toBe(plusMonths(iso(45 * DAY), 12));
  });

  test('a Suspended membership cannot be renewed (409 membership-inactive) and nothing is written', async () => {
    const p = await onboard('Silver', iso(20 * DAY), { status: 'Suspended' });
    const before = await snapshotStore(host);
    const res = await renew(p.id, p.admin, 'silver-competency');
    expectProblem(res, 409, 'membership-inactive');
    expect(res.body.detail).toMatch(/Suspended/);
    expect(diffSnapshots(before, await snapshotStore(host))).toEqual([]);
  });

  test('a stale If-Match is 412 and writes nothing; the current ETag renews', async () => {
    const p = await onboard('Silver', iso(60 * DAY));
    const stale = (await host.call('GET', `/api/partners/${p.id}`, { token: p.admin })).headers.get('etag')!;
    await host.call('PATCH', `/api/operator/partners/${p.id}`, { token: operator, body: { level: 'Gold' } });
    const before = await snapshotStore(host);
    expectProblem(
      await renew(p.id, p.admin, 'gold-competency', { 'If-Match': stale }),
      412,
      'precondition-failed',
    );
    expect(diffSnapshots(before, await snapshotStore(host))).toEqual([]);
    const current = (await host.call('GET', `/api/partners/${p.id}`, { token: p.admin })).headers.get(
      'etag',
    )!;
    expect((await renew(p.id, p.admin, 'gold-competency', { 'If-Match': current })).status).toBe(201);
  });
});

describe('renewal under repetition and concurrency', () => {
  test('twice with one Idempotency-Key: the first answer again, one renewal', async () => {
    const expiresAt = iso(10 * DAY);
    const p = await onboard('Silver', expiresAt);
    const headers = { 'Idempotency-Key': 'renew-once-1' };
    const first = await renew(p.id, p.admin, 'silver-competency', headers);
    const second = await renew(p.id, p.admin, 'silver-competency', headers);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body).toEqual(first.body);
    expect((await membershipOf(p.id, p.admin)).expiresAt).toBe(plusMonths(expiresAt, 12));
    expect(await purchasesOf(p.id)).toHaveLength(1);
    // Without the key the repeat is a new request, and the window has moved on.
    expectProblem(await renew(p.id, p.admin, 'silver-competency'), 409, 'renewal-not-open');
  });

  test('concurrently with a plain purchase: one renewal, one purchase', async () => {
    for (let round = 0; round < 3; round++) {
      const expiresAt = iso(20 * DAY);
      const p = await onboard('Silver', expiresAt);
      const [r, b] = await Promise.all([
        renew(p.id, p.admin, 'silver-competency'),
        purchase(p.id, p.admin, 'silver-competency'),
      ]);
      expect([r.status, b.status]).toEqual([201, 201]);
      const all = await purchasesOf(p.id);
      expect(all).toHaveLength(2);
      expect(all.filter((x) => x.renewal)).toHaveLength(1);
      expect((await membershipOf(p.id, p.admin)).expiresAt).toBe(plusMonths(expiresAt, 12));
      const benefits = await rawDocuments(host.services.store).queryAll<Benefit>(
        'SELECT * FROM c WHERE c.partnerId = @p AND c.type = @t',
        [
          { name: '@p', value: p.id },
          { name: '@t', value: 'benefit' },
        ],
      );
      expect(benefits).toHaveLength(24);
    }
  });

  test('two renewals at once (no key): one renews, the other finds the window moved (409)', async () => {
    const expiresAt = iso(5 * DAY);
    const p = await onboard('Gold', expiresAt);
    const results = await Promise.all([
      renew(p.id, p.admin, 'gold-competency'),
      renew(p.id, p.admin, 'gold-competency'),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(results.find((r) => r.status === 409)!.body.code).toBe('renewal-not-open');
    expect((await membershipOf(p.id, p.admin)).expiresAt).toBe(plusMonths(expiresAt, 12));
    expect(await purchasesOf(p.id)).toHaveLength(1);
  });

  test('all or nothing: a refused create in the batch leaves neither the purchase, its benefits nor the renewal', async () => {
    const p = await onboard('Silver', iso(10 * DAY));
    const current = (await host.services.store.getPartner(p.id))!;
    const now = clock.now();
    const benefits: Benefit[] = ['x1', 'x2'].map((id) => ({
      id: `${p.id}-${id}`,
      partnerId: p.id,
      purchaseId: `${p.id}-renewal`,
      packageId: 'silver-competency',
      catalogItemId: 'windows-10-enterprise',
      category: 'software',
      productName: 'Windows 10 Enterprise',
      status: 'NotActivated',
      assignments: [],
      createdAt: now.toISOString(),
    }));
    // A document with the second benefit's id already exists: its create is refused.
    await rawDocuments(host.services.store).create('benefit', { ...benefits[1] });
    const before = await snapshotStore(host);
    const renewed: Partner = {
      ...current.value,
      membership: { status: 'Active', expiresAt: plusMonths(current.value.membership.expiresAt, 12) },
    };
    const purchaseDoc: Purchase = {
      id: `${p.id}-renewal`,
      partnerId: p.id,
      packageId: 'silver-competency',
      purchasedAt: now.toISOString(),
      purchasedBy: p.adminOid,
      status: 'Active',
      benefitIds: benefits.map((b) => b.id),
    };
    // The renewal's unit of work (src/app/membership.ts): the partner replaced on its ETag, the creates after it.
    const renewal = (partner: Versioned<Partner>, purchase: Purchase, provisioned: Benefit[]) =>
      host.services.store.commit(p.id, [
        {
          op: 'replace',
          type: 'partner',
          value: { ...renewed, partnerId: p.id },
          etag: partner.etag,
          previous: { ...partner.value, partnerId: p.id },
        },
        ...provisioned.map((b) => ({ op: 'create' as const, type: 'benefit' as const, value: b })),
        { op: 'create', type: 'purchase', value: purchase },
      ]);
    await expect(renewal(current, purchaseDoc, benefits)).rejects.toMatchObject({ code: 'conflict' });
    const after = await snapshotStore(host);
    // The partner document is back as it was (same content; its system fields changed when it was put back).
    const strip = (d: any) => {
      const { _etag, _ts, _rid, _self, ...rest } = d;
      return rest;
    };
    expect(strip(after.get(`${p.id}/${p.id}`))).toEqual(strip(before.get(`${p.id}/${p.id}`)));
    expect(diffSnapshots(before, after).filter((d) => !d.endsWith(`${p.id}/${p.id}`))).toEqual([]);

    // A stale ETag: precondition-failed and nothing written.
    const again = await snapshotStore(host);
    await expect(renewal(current, { ...purchaseDoc, id: `${p.id}-r2` }, [])).rejects.toMatchObject({
      code: 'precondition-failed',
    });
    expect(diffSnapshots(again, await snapshotStore(host))).toEqual([]);
  });
});

describe('cancelling a renewal purchase (refund within 30 days)', () => {
  test('puts the membership back to its previous end; audited; a second cancellation changes nothing more', async () => {
    const expiresAt = iso(20 * DAY);
    const p = await onboard('Silver', expiresAt);
    const renewed = await renew(p.id, p.admin, 'silver-competency');
    expect(renewed.status).toBe(201);
    clock.set(new Date(NOW.getTime() + 10 * DAY));
    const cancel = () =>
      host.call('POST', `/api/partners/${p.id}/purchases/${renewed.body.purchase.id}/cancellation`, {
        token: p.admin,
        body: { reason: 'Renewed by mistake' },
      });
    expect((await cancel()).status).toBe(201);
    expect(await membershipOf(p.id, p.admin)).toEqual({ status: 'Active', expiresAt });
    expectProblem(await cancel(), 409, 'purchase-cancelled');
    expect(await membershipOf(p.id, p.admin)).toEqual({ status: 'Active', expiresAt });
    const undone = (await allAuditEvents(host, p.id, p.admin)).filter(
      (e) => e.action === 'membership.renewal.undo',
    );
    expect(undone).toHaveLength(1);
    expect(undone[0].detail).toMatchObject({ purchaseId: renewed.body.purchase.id, expiresAt });
    // The window is open again: the partner may renew once more.
    expect((await renew(p.id, p.admin, 'silver-competency')).status).toBe(201);
  });
});

describe("the operator's level change (PATCH /api/operator/partners/{partnerId})", () => {
  test('upgrade: audited, eligibility follows, bought benefits keep their terms; downgrade removes nothing', async () => {
    const p = await onboard('Silver', iso(200 * DAY));
    const bought = await purchase(p.id, p.admin, 'silver-competency');
    expect(bought.status).toBe(201);
    expectProblem(await purchase(p.id, p.admin, 'gold-competency'), 409, 'not-eligible');
    const benefitsBefore = await host.services.store.listBenefitsOfPurchase(p.id, bought.body.purchase.id);

    const up = await host.call('PATCH', `/api/operator/partners/${p.id}`, {
      token: operator,
      body: { level: 'Gold' },
    });
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({ id: p.id, level: 'Gold', membership: { status: 'Active' } });
    expect(up.body).not.toHaveProperty('nextNoticeAt');
    expect(up.headers.get('etag')).toBeTruthy();
    expect((await purchase(p.id, p.admin, 'gold-competency')).status).toBe(201);
    const membership = await host.call('GET', `/api/partners/${p.id}/membership`, { token: p.admin });
    expect(membership.body.renewal.packageId).toBe('gold-competency');

    const down = await host.call('PATCH', `/api/operator/partners/${p.id}`, {
      token: operator,
      body: { level: 'ActionPack' },
      headers: { 'If-Match': up.headers.get('etag')! },
    });
    expect(down.status).toBe(200);
    expect(down.body.level).toBe('ActionPack');
    expectProblem(await purchase(p.id, p.admin, 'silver-competency'), 409, 'not-eligible');
    expect(await host.services.store.listBenefitsOfPurchase(p.id, bought.body.purchase.id)).toEqual(
      benefitsBefore,
    );

    const changes = (await allAuditEvents(host, p.id, p.admin)).filter(
      (e) => e.action === 'partner.level.change',
    );
    expect(changes.map((e) => e.detail)).toEqual(
      expect.arrayContaining([
        { from: 'Silver', to: 'Gold' },
        { from: 'Gold', to: 'ActionPack' },
      ]),
    );
    expect(changes).toHaveLength(2);
    for (const e of changes) expect(e.actor).toEqual({ objectId: 'operator-1', kind: 'operator' });

    // The same level again changes and records nothing.
    const same = await host.call('PATCH', `/api/operator/partners/${p.id}`, {
      token: operator,
      body: { level: 'ActionPack' },
    });
    expect(same.status).toBe(200);
    expect(same.headers.get('etag')).toBe(down.headers.get('etag'));
    expect(
      (await allAuditEvents(host, p.id, p.admin)).filter((e) => e.action === 'partner.level.change'),
    ).toHaveLength(2);
  });

  test('honours If-Match (412, nothing written); operator only (403); unknown partner 404; bad level 400', async () => {
    const p = await onboard('Silver', iso(200 * DAY));
    const etag = (await host.call('GET', `/api/partners/${p.id}`, { token: p.admin })).headers.get('etag')!;
    await host.call('PATCH', `/api/operator/partners/${p.id}`, { token: operator, body: { level: 'Gold' } });
    const before = await snapshotStore(host);
    expectProblem(
      await host.call('PATCH', `/api/operator/partners/${p.id}`, {
        token: operator,
        body: { level: 'ActionPack' },
        headers: { 'If-Match': etag },
      }),
      412,
      'precondition-failed',
    );
    expectProblem(
      await host.call('PATCH', `/api/operator/partners/${p.id}`, {
        token: p.admin,
        body: { level: 'ActionPack' },
      }),
      403,
      'forbidden',
    );
    expect(diffSnapshots(before, await snapshotStore(host))).toEqual([]);
    expectProblem(
      await host.call('PATCH', '/api/operator/partners/nobody-here', {
        token: operator,
        body: { level: 'Gold' },
      }),
      404,
      'not-found',
    );
    expectProblem(
      await host.call('PATCH', `/api/operator/partners/${p.id}`, {
        token: operator,
        body: { level: 'Platinum' },
      }),
      400,
      'validation-failed',
    );
    expectProblem(
      await host.call('PATCH', `/api/operator/partners/${p.id}`, {
        token: operator,
        body: { level: 'Gold', name: 'x' },
      }),
      400,
      'validation-failed',
    );
  });
});
