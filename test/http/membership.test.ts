/**
 * Membership end is enforced (docs/product.md §2 "Membership"), end to end with a manual clock: a partner whose
 * membership is not Active or past its `expiresAt` gets `409 membership-inactive` on purchase, activation, key
 * reveal and Azure self-assignment; no benefit ever gets an `expiresAt` earlier than its `activatedAt`, also when
 * the membership ends while an activation waits. And cancellation honours `If-Match` (the purchase's ETag).
 */
import { ManualClock } from '../../src/local/clock';
import { diffSnapshots, expectProblem, snapshotStore } from '../support/api';
import { startTestHost, type TestHost } from '../support/testHost';
import { rawDocuments } from '../../src/store/raw';

const DAY = 24 * 3600 * 1000;
const T0 = new Date('2026-06-01T10:00:00.000Z');

let host: TestHost;
let clock: ManualClock;
let operator: string;

beforeAll(async () => {
  jest.spyOn(console, 'info').mockImplementation(() => undefined);
  clock = new ManualClock(T0);
  host = await startTestHost({ clock, settings: { ACTIVATION_PROCESSING_TIME: 'P3D' } });
  operator = await host.token('membership-operator', { operator: true });
});
afterAll(async () => host?.close());

/** Moves the clock to `target`, stopping at every due timer. */
async function advanceTo(target: Date): Promise<void> {
  for (;;) {
    await host.durable.whenIdle();
    const next = clock.nextDue();
    if (next && next <= target) {
      clock.set(next);
      continue;
    }
    clock.set(target);
    await host.durable.whenIdle();
    return;
  }
}

let n = 0;
/** A Gold partner whose membership ends `endsInDays` from now, with a gold-competency purchase. */
async function partnerEndingIn(endsInDays: number) {
  n++;
  const adminOid = `mem-admin-${n}`;
  const created = await host.call('POST', '/api/operator/partners', {
    token: operator,
    body: {
      name: `Membership ${n}`,
      level: 'Gold',
      membership: {
        status: 'Active',
        expiresAt: new Date(clock.now().getTime() + endsInDays * DAY).toISOString(),
      },
      globalAdmin: { objectId: adminOid, displayName: `Admin ${n}`, accountEmail: `admin@mem${n}.example` },
    },
  });
  expect(created.status).toBe(201);
  const id: string = created.body.id;
  const token = await host.token(adminOid);
  const bought = await host.call('POST', `/api/partners/${id}/purchases`, {
    token,
    body: { packageId: 'gold-competency' },
  });
  expect(bought.status).toBe(201);
  const benefits: any[] = bought.body.benefits;
  return {
    id,
    token,
    adminOid,
    purchaseId: bought.body.purchase.id as string,
    software: benefits.find((b) => b.category === 'software'),
    azure: benefits.find((b) => b.cloudKind === 'usageBased'),
    vs: benefits.find((b) => b.category === 'visualStudio'),
    technical: benefits.find((b) => b.technicalKind === 'productSupport'),
  };
}

/** Every benefit of a partner with `activatedAt` has `expiresAt` >= `activatedAt`. */
async function expectNoBenefitExpiresBeforeActivation(partnerId: string) {
  const all = await rawDocuments(host.services.store).queryAll<any>(
    'SELECT * FROM c WHERE c.partnerId = @p AND c.type = @t',
    [
      { name: '@p', value: partnerId },
      { name: '@t', value: 'benefit' },
    ],
    partnerId,
  );
  for (const b of all.filter((x) => x.activatedAt)) {
    expect(Date.parse(b.expiresAt)).toBeGreaterThan(Date.parse(b.activatedAt));
  }
}

describe('a membership past its expiresAt (status still Active): 409 membership-inactive', () => {
  let p: Awaited<ReturnType<typeof partnerEndingIn>>;
  beforeAll(async () => {
    p = await partnerEndingIn(10);
    await advanceTo(new Date(clock.now().getTime() + 11 * DAY));
  });

  test('key reveal, Azure self-assignment, a first Visual Studio seat, activation, purchase — and nothing is written', async () => {
    const snap = await snapshotStore(host);
    const calls = [
      host.call('POST', `/api/partners/${p.id}/benefits/${p.software.id}/keys`, {
        token: p.token,
        body: { language: p.software.languages[0], operatingSystem: p.software.operatingSystems[0] },
      }),
      host.call('POST', `/api/partners/${p.id}/benefits/${p.azure.id}/assignments`, {
        token: p.token,
        body: { userId: p.adminOid },
      }),
      host.call('POST', `/api/partners/${p.id}/benefits/${p.vs.id}/assignments`, {
        token: p.token,
        body: { userId: p.adminOid },
      }),
      host.call('POST', `/api/partners/${p.id}/benefits/${p.technical.id}/activation`, { token: p.token }),
      host.call('POST', `/api/partners/${p.id}/purchases`, {
        token: p.token,
        body: { packageId: 'action-pack' },
      }),
    ];
    for (const res of await Promise.all(calls)) expectProblem(res, 409, 'membership-inactive');
    await host.durable.whenIdle();
    expect(diffSnapshots(snap, await snapshotStore(host))).toEqual([]);
    await expectNoBenefitExpiresBeforeActivation(p.id);
  });
});

describe('a membership that is not Active (Suspended, end still ahead): 409 membership-inactive', () => {
  test('key reveal and self-assignment', async () => {
    const p = await partnerEndingIn(100);
    await host.services.store.updatePartner(p.id, (x) => ({
      value: { ...x, membership: { ...x.membership, status: 'Suspended' } },
    }));
    expectProblem(
      await host.call('POST', `/api/partners/${p.id}/benefits/${p.software.id}/keys`, {
        token: p.token,
        body: { language: p.software.languages[0], operatingSystem: p.software.operatingSystems[0] },
      }),
      409,
      'membership-inactive',
    );
    expectProblem(
      await host.call('POST', `/api/partners/${p.id}/benefits/${p.azure.id}/assignments`, {
        token: p.token,
        body: { userId: p.adminOid },
      }),
      409,
      'membership-inactive',
    );
  });
});

describe('an Active membership still works (and expiresAt is the membership end, after activatedAt)', () => {
  test('keys 200, self-assignment 201', async () => {
    const p = await partnerEndingIn(100);
    const keys = await host.call('POST', `/api/partners/${p.id}/benefits/${p.software.id}/keys`, {
      token: p.token,
      body: { language: p.software.languages[0], operatingSystem: p.software.operatingSystems[0] },
    });
    expect(keys.status).toBe(200);
    const self = await host.call('POST', `/api/partners/${p.id}/benefits/${p.azure.id}/assignments`, {
      token: p.token,
      body: { userId: p.adminOid },
    });
    expect(self.status).toBe(201);
    await expectNoBenefitExpiresBeforeActivation(p.id);
  });
});

describe('the membership ends while an activation waits', () => {
  test('the activation ends ActivationFailed (membership-inactive), no instructions are emailed, no expiresAt < activatedAt', async () => {
    const p = await partnerEndingIn(2); // the processing time is P3D
    const started = await host.call('POST', `/api/partners/${p.id}/benefits/${p.technical.id}/activation`, {
      token: p.token,
    });
    expect(started.status).toBe(202);
    await advanceTo(new Date(clock.now().getTime() + 4 * DAY));
    const activation = await host.call('GET', `/api/partners/${p.id}/benefits/${p.technical.id}/activation`, {
      token: p.token,
    });
    expect(activation.body).toMatchObject({
      status: 'ActivationFailed',
      failure: { code: 'membership-inactive' },
    });
    const benefit = await host.services.store.getBenefit(p.id, p.technical.id);
    expect(benefit!.value).toMatchObject({ status: 'ActivationFailed' });
    expect(benefit!.value.expiresAt).toBeUndefined();
    const { readOutbox } = await import('../../src/email/outbox');
    expect(
      (await readOutbox(host.outboxDir)).filter((m) =>
        m.to.some((t) => t.address === `admin@mem${n}.example`),
      ),
    ).toEqual([]);
    await expectNoBenefitExpiresBeforeActivation(p.id);
  });
});

describe('cancellation honours If-Match (the purchase ETag from GET …/purchases/{purchaseId})', () => {
  test('"deadbeef" → 412 and nothing is written; the current ETag → 201', async () => {
    const p = await partnerEndingIn(100);
    const get = await host.call('GET', `/api/partners/${p.id}/purchases/${p.purchaseId}`, { token: p.token });
    const etag = get.headers.get('etag')!;
    expect(etag).toBeTruthy();
    const snap = await snapshotStore(host);
    const stale = await host.call('POST', `/api/partners/${p.id}/purchases/${p.purchaseId}/cancellation`, {
      token: p.token,
      body: { reason: 'stale' },
      headers: { 'If-Match': '"deadbeef"' },
    });
    expectProblem(stale, 412, 'precondition-failed');
    expect(diffSnapshots(snap, await snapshotStore(host))).toEqual([]);

    // An ineligible purchase with a stale ETag: 412 too, no Rejected request recorded.
    const old = await partnerEndingIn(100);
    await advanceTo(new Date(clock.now().getTime() + 31 * DAY));
    const snap2 = await snapshotStore(host);
    expectProblem(
      await host.call('POST', `/api/partners/${old.id}/purchases/${old.purchaseId}/cancellation`, {
        token: old.token,
        body: { reason: 'stale' },
        headers: { 'If-Match': 'deadbeef' },
      }),
      412,
      'precondition-failed',
    );
    expect(diffSnapshots(snap2, await snapshotStore(host))).toEqual([]);

    // p's purchase is 31 days old now too: use a fresh one for the success path.
    const fresh = await host.call('POST', `/api/partners/${p.id}/purchases`, {
      token: p.token,
      body: { packageId: 'action-pack' },
    });
    const current = await host.call('GET', `/api/partners/${p.id}/purchases/${fresh.body.purchase.id}`, {
      token: p.token,
    });
    const ok = await host.call(
      'POST',
      `/api/partners/${p.id}/purchases/${fresh.body.purchase.id}/cancellation`,
      {
        token: p.token,
        body: { reason: 'fine' },
        headers: { 'If-Match': current.headers.get('etag')! },
      },
    );
    expect(ok.status).toBe(201);
  });
});
