/**
 * Cancellation with refund (docs/product.md §4) end to end over real HTTP, with an injected clock: the exact
 * 30-day boundary, the software-keys rule, the cascade to benefits and assignments, the Rejected request of
 * an ineligible cancellation, a key reveal racing a cancellation (exactly one wins), and a running activation
 * stopped without email.
 */
import { readOutbox } from '../../src/email/outbox';
import { ManualClock } from '../../src/local/clock';
import { FC_SEED, seededRandom } from '../support/seeds';
import { startTestHost, type TestHost } from '../support/testHost';

const MINUTE = 60 * 1000;
const DAY = 24 * 60 * MINUTE;
const T0 = new Date('2026-03-02T09:30:00.000Z');

let host: TestHost;
let clock: ManualClock;
let admin: string; // contoso GlobalAdmin
let mpn: string; // contoso MpnPartnerAdmin

beforeAll(async () => {
  clock = new ManualClock(T0);
  host = await startTestHost({
    clock,
    random: seededRandom(FC_SEED),
    settings: { ACTIVATION_PROCESSING_TIME: 'P3D' },
  });
  admin = await host.tokenFor('admin@contoso.example');
  mpn = await host.tokenFor('mpn@contoso.example');
});
afterAll(async () => host?.close());

/** Buys a gold-competency package for contoso at the clock's current time. */
async function buy(): Promise<{ purchase: any; benefits: any[] }> {
  const res = await host.call('POST', '/api/partners/contoso/purchases', {
    token: admin,
    body: { packageId: 'gold-competency' },
  });
  expect(res.status).toBe(201);
  return res.body;
}

const cancel = (purchaseId: string, token = admin, reason = 'No longer needed') =>
  host.call('POST', `/api/partners/contoso/purchases/${purchaseId}/cancellation`, {
    token,
    body: { reason },
  });

const reveal = (benefit: any, token = admin) =>
  host.call('POST', `/api/partners/contoso/benefits/${benefit.id}/keys`, {
    token,
    body: { language: benefit.languages[0], operatingSystem: benefit.operatingSystems[0] },
  });

async function listRequests(): Promise<any[]> {
  const items: any[] = [];
  let token: string | null = null;
  do {
    const query: string = token ? `&continuationToken=${encodeURIComponent(token)}` : '';
    const res = await host.call('GET', `/api/partners/contoso/service-requests?pageSize=100${query}`, {
      token: admin,
    });
    expect(res.status).toBe(200);
    items.push(...res.body.items);
    token = res.body.continuationToken;
  } while (token);
  return items;
}

const software = (b: { benefits: any[] }) => b.benefits.find((x) => x.category === 'software');

describe('the 30-day window (docs/product.md §4), clock injected', () => {
  test('29 d 23 h 59 m after the purchase → 201; 30 d 0 h 0 m → 409 refund-window-elapsed', async () => {
    clock.set(T0);
    const early = await buy();
    const late = await buy();
    expect(early.purchase.purchasedAt).toBe(T0.toISOString());

    clock.set(new Date(T0.getTime() + 30 * DAY - MINUTE));
    const ok = await cancel(early.purchase.id);
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({
      partnerId: 'contoso',
      type: 'Cancellation',
      status: 'Completed',
      reason: 'No longer needed',
      createdAt: clock.now().toISOString(),
      details: { purchaseId: early.purchase.id },
    });
    expect(typeof ok.body.id).toBe('string');

    clock.set(new Date(T0.getTime() + 30 * DAY));
    const no = await cancel(late.purchase.id);
    expect(no.status).toBe(409);
    expect(no.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(no.body.code).toBe('refund-window-elapsed');
    const stored = await host.services.store.getPurchase('contoso', late.purchase.id);
    expect(stored?.value.status).toBe('Active');
    expect(stored?.value.refund).toBeUndefined();

    // The ineligible request is still recorded, Rejected with the reason, and audited.
    const rejected = (await listRequests()).filter(
      (r) => r.details.purchaseId === late.purchase.id && r.type === 'Cancellation',
    );
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({
      status: 'Rejected',
      reason: 'No longer needed',
      details: { rejectionCode: 'refund-window-elapsed' },
    });
    const audit = await host.call('GET', '/api/partners/contoso/audit-events?pageSize=100', { token: admin });
    expect(
      audit.body.items.some(
        (e: any) =>
          e.action === 'purchase.cancel' && e.outcome === 'Rejected' && e.target.id === late.purchase.id,
      ),
    ).toBe(true);
  });

  test("the demo data's 45-day-old action-pack purchase → 409 refund-window-elapsed", async () => {
    clock.set(T0);
    const old = host.seed!.purchases.find((p) => p.packageId === 'action-pack')!;
    const res = await cancel(old.id);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('refund-window-elapsed');
  });
});

describe('the software-keys rule', () => {
  test('software keys revealed → 409 software-benefits-activated, recorded Rejected', async () => {
    clock.set(T0);
    const p = await buy();
    expect((await reveal(software(p))).status).toBe(200);
    const res = await cancel(p.purchase.id, mpn);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('software-benefits-activated');
    const recorded = (await listRequests()).find((r) => r.details.purchaseId === p.purchase.id);
    expect(recorded).toMatchObject({
      status: 'Rejected',
      details: { rejectionCode: 'software-benefits-activated' },
    });
    expect((await host.services.store.getPurchase('contoso', p.purchase.id))?.value.status).toBe('Active');
  });

  test('license-based cloud keys revealed → still eligible (201)', async () => {
    clock.set(T0);
    const p = await buy();
    const m365 = p.benefits.find((b) => b.category === 'cloud' && b.cloudKind === 'licenseBased');
    expect((await reveal(m365)).status).toBe(200);
    expect((await cancel(p.purchase.id)).status).toBe(201);
  });

  test('both rules broken → refund-window-elapsed is reported', async () => {
    clock.set(T0);
    const p = await buy();
    expect((await reveal(software(p))).status).toBe(200);
    clock.set(new Date(T0.getTime() + 31 * DAY));
    expect((await cancel(p.purchase.id)).body.code).toBe('refund-window-elapsed');
  });
});

describe('a successful cancellation', () => {
  test('purchase Cancelled with refund, every benefit Cancelled, assignments ended, request listed', async () => {
    clock.set(T0);
    const p = await buy();
    const vs = p.benefits.find((b) => b.category === 'visualStudio');
    const dev = host.seed!.users.find((u) => u.email === 'dev1@contoso.example')!;
    const assigned = await host.call('POST', `/api/partners/contoso/benefits/${vs.id}/assignments`, {
      token: admin,
      body: { userId: dev.objectId },
    });
    expect(assigned.status).toBe(201);

    clock.set(new Date(T0.getTime() + 2 * DAY));
    const res = await cancel(p.purchase.id);
    expect(res.status).toBe(201);
    const at = clock.now().toISOString();

    const purchase = (await host.services.store.getPurchase('contoso', p.purchase.id))!.value;
    expect(purchase).toMatchObject({
      status: 'Cancelled',
      cancelledAt: at,
      refund: { refundedAt: at, serviceRequestId: res.body.id },
    });
    const benefits = await host.services.store.listBenefitsOfPurchase('contoso', p.purchase.id);
    expect(benefits).toHaveLength(p.benefits.length);
    for (const b of benefits) expect(b.status).toBe('Cancelled');
    const vsAfter = benefits.find((b) => b.id === vs.id)!;
    expect(vsAfter.assignments).toHaveLength(1);
    expect(vsAfter.assignments[0].endedAt).toBe(at);
    expect(res.body.details.benefitsCancelled).toBe(p.benefits.length);

    const listed = (await listRequests()).find((r) => r.id === res.body.id);
    expect(listed).toMatchObject({ type: 'Cancellation', status: 'Completed' });

    // Cancelled means cancelled: again → 409 purchase-cancelled; keys of a cancelled purchase → 409.
    const again = await cancel(p.purchase.id);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('purchase-cancelled');
    expect((await reveal(software(p))).status).toBe(409);
  });

  test('permissions, validation, tenancy, PMC', async () => {
    clock.set(T0);
    const p = await buy();
    const agent = await host.tokenFor('agent@contoso.example');
    expect((await cancel(p.purchase.id, agent)).body.code).toBe('forbidden');
    const bad = await host.call('POST', `/api/partners/contoso/purchases/${p.purchase.id}/cancellation`, {
      token: admin,
      body: { reason: '' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('validation-failed');
    expect((await cancel('no-such-purchase')).body.code).toBe('not-found');
    const fabrikam = await host.tokenFor('admin@fabrikam.example');
    expect((await cancel(p.purchase.id, fabrikam)).status).toBe(404);
    const northwind = await host.tokenFor('admin@northwind.example');
    const pmc = await host.call('POST', `/api/partners/northwind/purchases/x/cancellation`, {
      token: northwind,
      body: { reason: 'x' },
    });
    expect(pmc.body.code).toBe('managed-in-pmc');
    // Nothing was written by the refused calls.
    expect((await host.services.store.getPurchase('contoso', p.purchase.id))?.value.status).toBe('Active');
  });
});

describe('a key reveal racing a cancellation (docs/product.md §4)', () => {
  test('20 rounds: exactly one wins each round, the loser gets its 409, the stored state agrees', async () => {
    clock.set(T0);
    const winners: Array<'reveal' | 'cancellation'> = [];
    for (let round = 0; round < 20; round++) {
      const p = await buy();
      const sw = software(p);
      // Fired together; the cancellation is held back 0–14 ms in turn so that both orders of arrival at the
      // purchase document occur (fired at exactly the same instant, the cancellation's shorter path always wins).
      const hold = (round * 3) % 15;
      const [r, c] = await Promise.all([
        reveal(sw),
        new Promise((ok) => setTimeout(ok, hold)).then(() => cancel(p.purchase.id)),
      ]);
      const revealWon = r.status === 200;
      const cancelWon = c.status === 201;
      expect({ round, seed: FC_SEED, one: revealWon !== cancelWon }).toEqual({
        round,
        seed: FC_SEED,
        one: true,
      });
      winners.push(revealWon ? 'reveal' : 'cancellation');

      const purchase = (await host.services.store.getPurchase('contoso', p.purchase.id))!.value;
      const benefit = (await host.services.store.getBenefit('contoso', sw.id))!.value;
      const requests = (await listRequests()).filter(
        (x) => x.type === 'Cancellation' && x.details.purchaseId === p.purchase.id,
      );
      // The purchase is Cancelled exactly when no software key was revealed, whoever won.
      expect({ round, cancelled: purchase.status === 'Cancelled' }).toEqual({
        round,
        cancelled: purchase.softwareKeysRevealedAt === undefined && benefit.secretKeys === undefined,
      });
      expect(requests).toHaveLength(1);
      if (revealWon) {
        expect(r.body.keys).toEqual([expect.objectContaining({ productKey: expect.any(String) })]);
        expect(Object.values(benefit.secretKeys ?? {})).toEqual([r.body.keys[0].productKey]);
        expect(c.status).toBe(409);
        expect(c.body.code).toBe('software-benefits-activated');
        expect(purchase.status).toBe('Active');
        expect(benefit.status).toBe('Active');
        expect(requests[0]).toMatchObject({
          status: 'Rejected',
          details: { rejectionCode: 'software-benefits-activated' },
        });
      } else {
        expect(r.status).toBe(409);
        expect(['purchase-cancelled', 'benefit-cancelled']).toContain(r.body.code);
        expect(purchase.status).toBe('Cancelled');
        expect(benefit.status).toBe('Cancelled');
        expect(requests[0]).toMatchObject({ id: c.body.id, status: 'Completed' });
      }
    }
    // The holds make both orders of arrival happen; otherwise this test would only ever see one winner.
    expect(new Set(winners)).toEqual(new Set(['reveal', 'cancellation']));
  });
});

describe('a running activation', () => {
  test('cancelled while waiting → benefit Cancelled, orchestration ends Cancelled, no instruction email', async () => {
    clock.set(T0);
    const p = await buy();
    const tech = p.benefits.find((b) => b.category === 'technical');
    const started = await host.call('POST', `/api/partners/contoso/benefits/${tech.id}/activation`, {
      token: admin,
    });
    expect(started.status).toBe(202);
    await host.durable.whenIdle();
    expect((await host.services.store.getBenefit('contoso', tech.id))?.value.status).toBe('Pending');

    clock.set(new Date(T0.getTime() + DAY));
    await host.durable.whenIdle();
    expect((await cancel(p.purchase.id)).status).toBe(201);
    await host.durable.whenIdle();
    // The processing time passes: nothing is sent, nothing becomes Active.
    clock.set(new Date(T0.getTime() + 5 * DAY));
    await host.durable.whenIdle();

    const benefit = (await host.services.store.getBenefit('contoso', tech.id))!.value;
    expect(benefit.status).toBe('Cancelled');
    expect(benefit.activation?.status).toBe('Cancelled');
    expect(host.durable.getStatus(started.body.instanceId)?.output).toEqual({ status: 'Cancelled' });
    const mails = (await readOutbox(host.outboxDir)).filter((m) => m.kind === 'technicalInstructions');
    expect(mails).toHaveLength(0);
  });
});
