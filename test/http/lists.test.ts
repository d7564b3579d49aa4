/**
 * Lists and purchases (docs/product.md §9), end to end on the local host with an injected clock: newest first for
 * purchases, service requests and audit events; benefits by category then product name, across pages; `q`; the
 * purchase resource with `cancellable` and its reason; the round trips of a list page.
 */
import { ManualClock } from '../../src/local/clock';
import { allAuditEvents, expectProblem } from '../support/api';
import { startTestHost, type TestHost } from '../support/testHost';

const MINUTE = 60 * 1000;
const DAY = 24 * 60 * MINUTE;
const T0 = new Date('2026-05-04T08:00:00.000Z');

let host: TestHost;
let clock: ManualClock;
let admin: string;

beforeAll(async () => {
  jest.spyOn(console, 'info').mockImplementation(() => undefined);
  clock = new ManualClock(T0);
  host = await startTestHost({ clock, settings: { ACTIVATION_PROCESSING_TIME: 'P30D' } });
  admin = await host.tokenFor('admin@contoso.example');
});
afterAll(async () => host?.close());

/** Every item of a list, page by page (`pageSize` small to cross pages). */
async function all(path: string, pageSize: number, token = admin): Promise<any[]> {
  const items: any[] = [];
  let t: string | null = null;
  let pages = 0;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const q: string = `${sep}pageSize=${pageSize}${t ? `&continuationToken=${encodeURIComponent(t)}` : ''}`;
    const res = await host.call('GET', `${path}${q}`, { token });
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(pageSize);
    items.push(...res.body.items);
    t = res.body.continuationToken;
    expect(++pages).toBeLessThan(200);
  } while (t);
  expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
  return items;
}

const isSortedDesc = (xs: string[]) => xs.every((x, i) => i === 0 || xs[i - 1] >= x);

describe('newest first (purchases, service requests, audit events)', () => {
  test('purchases: a purchase made now comes first; the demo ones follow by date, across pages', async () => {
    clock.advance(MINUTE);
    const bought = await host.call('POST', '/api/partners/contoso/purchases', {
      token: admin,
      body: { packageId: 'action-pack' },
    });
    expect(bought.status).toBe(201);
    const items = await all('/api/partners/contoso/purchases', 2);
    expect(items[0].id).toBe(bought.body.purchase.id);
    expect(items.map((p) => p.purchasedAt)).toEqual([...items.map((p) => p.purchasedAt)].sort().reverse());
    // Contoso's demo purchases: today, 45 days ago, 400 days ago (fabrikam has one too, docs/product.md §12 demo).
    const demo = host.seed!.purchases.filter((p) => p.partnerId === 'contoso').map((p) => p.id);
    expect(demo).toHaveLength(3);
    expect(items.slice(1).map((p) => p.id)).toEqual(demo);
  });

  test('service requests and audit events: newest first', async () => {
    const mpn = await host.tokenFor('mpn@contoso.example');
    const presales = (await all('/api/partners/contoso/benefits?category=technical', 100)).find(
      (b) => b.technicalKind === 'presales' && b.purchaseId === host.seed!.purchases[0].id,
    );
    // Advisory hours need an Active presales benefit: activate it through the store (not under test here).
    await host.services.store.updateBenefit('contoso', presales.id, (b) => ({
      value: { ...b, status: 'Active' },
    }));
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      clock.advance(MINUTE);
      const res = await host.call('POST', '/api/partners/contoso/service-requests', {
        token: mpn,
        body: { type: 'AdvisoryHours', benefitId: presales.id, topic: `T${i}`, description: 'D', hours: 1 },
      });
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    const requests = await all('/api/partners/contoso/service-requests', 2);
    expect(requests.slice(0, 3).map((r) => r.id)).toEqual([...ids].reverse());
    expect(isSortedDesc(requests.map((r) => r.createdAt))).toBe(true);

    const events = await allAuditEvents(host, 'contoso', admin, 3);
    expect(isSortedDesc(events.map((e) => e.at))).toBe(true);
    expect(events[0]).toMatchObject({ action: 'serviceRequest.advisoryHours', target: { id: ids[2] } });
  });
});

describe('benefits by category, then product name', () => {
  test('across pages of 4, every benefit once, in (category, productName) order', async () => {
    const items = await all('/api/partners/contoso/benefits', 4);
    expect(items.length).toBeGreaterThan(30);
    const keys = items.map((b) => [b.category, b.productName] as const);
    const sorted = [...keys].sort((a, b) =>
      a[0] === b[0] ? (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) : a[0] < b[0] ? -1 : 1,
    );
    expect(keys).toEqual(sorted);
    expect(new Set(items.map((b) => b.category)).size).toBe(5);
  });

  test('a category filter keeps the product-name order', async () => {
    const items = await all('/api/partners/contoso/benefits?category=software', 3);
    const names = items.map((b) => b.productName);
    expect(names).toEqual([...names].sort());
    expect(new Set(items.map((b) => b.category))).toEqual(new Set(['software']));
  });
});

describe('q: case-insensitive match on the product or offer name', () => {
  test('office, OFFICE and OfFiCe find the same Office benefits, nothing else', async () => {
    const office = await all('/api/partners/contoso/benefits?q=office', 100);
    expect(office.length).toBeGreaterThanOrEqual(3); // one per demo purchase, and the one bought above
    expect(office.every((b) => /office/i.test(b.productName))).toBe(true);
    for (const q of ['OFFICE', 'OfFiCe', '%20office%20']) {
      expect((await all(`/api/partners/contoso/benefits?q=${q}`, 100)).map((b) => b.id)).toEqual(
        office.map((b) => b.id),
      );
    }
  });

  test('the offer name (Gold Core), with other filters, and paged', async () => {
    const gold = await all('/api/partners/contoso/benefits?q=gold%20core&category=goToMarket', 1);
    expect(gold.length).toBe(2); // the gold-competency purchases of today and 400 days ago
    expect(gold.every((b) => b.offerType === 'Gold Core')).toBe(true);
    const none = await all('/api/partners/contoso/benefits?q=gold%20core&category=software', 10);
    expect(none).toEqual([]);
    const cosell = await all('/api/partners/contoso/benefits?q=co-SELL', 10);
    expect(cosell.map((b) => b.offerType)).toEqual(['ISV Co-sell ready', 'ISV Co-sell ready']);
  });

  test('blank, over-long or control characters → 400 validation-failed', async () => {
    for (const q of ['', '%20', '%09', 'x'.repeat(101), 'a%00b']) {
      const res = await host.call('GET', `/api/partners/contoso/benefits?q=${q}`, { token: admin });
      expectProblem(res, 400, 'validation-failed');
      expect(res.body.errors[0].field).toBe('query.q');
    }
    expect(
      (await host.call('GET', `/api/partners/contoso/benefits?q=${'x'.repeat(100)}`, { token: admin }))
        .status,
    ).toBe(200);
  });
});

describe('GET …/purchases/{purchaseId}: cancellable, and why not', () => {
  const get = (id: string) => host.call('GET', `/api/partners/contoso/purchases/${id}`, { token: admin });

  test('a purchase made today: cancellable, with an ETag and the end of the refund window', async () => {
    const today = host.seed!.purchases[0];
    const res = await get(today.id);
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBeTruthy();
    expect(res.body).toMatchObject({
      id: today.id,
      packageId: 'gold-competency',
      status: 'Active',
      cancellable: true,
    });
    expect(res.body.cancellableReason).toBeUndefined();
    expect(res.body.cancellableUntil).toBe(new Date(Date.parse(today.purchasedAt) + 30 * DAY).toISOString());
  });

  test('45 days old → refund-window-elapsed; software keys revealed → software-benefits-activated; cancelled → purchase-cancelled', async () => {
    expect((await get(host.seed!.purchases[1].id)).body).toMatchObject({
      cancellable: false,
      cancellableReason: 'refund-window-elapsed',
    });

    const bought = await host.call('POST', '/api/partners/contoso/purchases', {
      token: admin,
      body: { packageId: 'action-pack' },
    });
    expect(bought.body.purchase).toMatchObject({ cancellable: true });
    const sw = bought.body.benefits.find((b: any) => b.category === 'software');
    const keys = await host.call('POST', `/api/partners/contoso/benefits/${sw.id}/keys`, {
      token: admin,
      body: { language: sw.languages[0], operatingSystem: sw.operatingSystems[0] },
    });
    expect(keys.status).toBe(200);
    expect((await get(bought.body.purchase.id)).body).toMatchObject({
      cancellable: false,
      cancellableReason: 'software-benefits-activated',
    });

    const other = await host.call('POST', '/api/partners/contoso/purchases', {
      token: admin,
      body: { packageId: 'action-pack' },
    });
    const cancelled = await host.call(
      'POST',
      `/api/partners/contoso/purchases/${other.body.purchase.id}/cancellation`,
      {
        token: admin,
        body: { reason: 'test' },
      },
    );
    expect(cancelled.status).toBe(201);
    expect((await get(other.body.purchase.id)).body).toMatchObject({
      status: 'Cancelled',
      cancellable: false,
      cancellableReason: 'purchase-cancelled',
    });
    // List items carry the same fields.
    const listed = await all('/api/partners/contoso/purchases', 100);
    expect(listed.find((p) => p.id === other.body.purchase.id)).toMatchObject({
      cancellable: false,
      cancellableReason: 'purchase-cancelled',
    });
    expect(listed.find((p) => p.id === host.seed!.purchases[1].id).cancellableReason).toBe(
      'refund-window-elapsed',
    );
  });

  test('unknown purchase → 404; another partner → 404', async () => {
    expectProblem(await get('no-such-purchase'), 404, 'not-found');
    const res = await host.call('GET', `/api/partners/contoso/purchases/${host.seed!.purchases[0].id}`, {
      token: await host.tokenFor('admin@fabrikam.example'),
    });
    expectProblem(res, 404, 'not-found');
  });
});

describe('round trips of a list page (ORDER BY costs nothing extra)', () => {
  test.each([
    'purchases',
    'audit-events',
    'service-requests',
    'users',
    'benefits',
    'benefits?q=office&category=software',
  ])(
    '%s: 2 round trips — the access check (one batch of reads) + one query page, no query plan',
    async (list) => {
      // Warm-up: the continuation-token key is read once per process.
      await host.call('GET', `/api/partners/contoso/${list}${list.includes('?') ? '&' : '?'}pageSize=1`, {
        token: admin,
      });
      host.cosmos.resetCounts();
      const res = await host.call(
        'GET',
        `/api/partners/contoso/${list}${list.includes('?') ? '&' : '?'}pageSize=2`,
        {
          token: admin,
        },
      );
      expect(res.status).toBe(200);
      const c = host.cosmos.counts();
      expect({
        total: c.total,
        batches: c.batches,
        reads: c.reads,
        queries: c.queries,
        queryPlans: c.queryPlans,
        writes: c.writes,
        other: c.other,
      }).toEqual({
        total: 2,
        batches: 1,
        reads: 0,
        queries: 1,
        queryPlans: 0,
        writes: 0,
        other: 0,
      });
    },
  );
});
