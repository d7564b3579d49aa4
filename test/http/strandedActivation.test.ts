/**
 * A terminated, failed or lost orchestration never strands a benefit (docs/product.md §6), end to end on the local
 * host: the durable-functions library's own replay, a manual clock, real HTTP. The instance is ended through the
 * local durable runtime (terminate, purge = lost across a restart) or by failing activities outside our handling.
 */
import { ManualClock } from '../../src/local/clock';
import { START_GRACE_MS } from '../../src/domain/activation';
import { auditEventsOf, expectProblem } from '../support/api';
import { startTestHost, type TestHost } from '../support/testHost';
import { EmailSendError } from '../../src/email/port';
import { readOutbox } from '../../src/email/outbox';

const DAY = 24 * 3600 * 1000;
let host: TestHost;
let clock: ManualClock;
let operator: string;
const failures = new Map<string, number>();

beforeAll(async () => {
  jest.spyOn(console, 'info').mockImplementation(() => undefined);
  clock = new ManualClock(new Date('2026-07-01T09:00:00.000Z'));
  host = await startTestHost({
    clock,
    settings: { ACTIVATION_PROCESSING_TIME: 'P3D' },
    activityMiddleware: async (name, _input, next) => {
      const left = failures.get(name) ?? 0;
      if (left > 0) {
        failures.set(name, left - 1);
        throw new Error(`injected failure of ${name}`);
      }
      return next();
    },
  });
  operator = await host.token('stranded-operator', { operator: true });
});
afterAll(async () => host?.close());
afterEach(() => failures.clear());

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
const advance = (ms: number) => advanceTo(new Date(clock.now().getTime() + ms));

let n = 0;
/** A Gold partner with a purchase; returns its admin token and a NotActivated technical benefit. */
async function technicalBenefit() {
  n++;
  const adminOid = `stranded-admin-${n}`;
  const created = await host.call('POST', '/api/operator/partners', {
    token: operator,
    body: {
      name: `Stranded ${n}`,
      level: 'Gold',
      membership: { status: 'Active', expiresAt: new Date(clock.now().getTime() + 400 * DAY).toISOString() },
      globalAdmin: {
        objectId: adminOid,
        displayName: `Admin ${n}`,
        accountEmail: `admin@stranded${n}.example`,
      },
    },
  });
  expect(created.status).toBe(201);
  const partnerId: string = created.body.id;
  const token = await host.token(adminOid);
  const bought = await host.call('POST', `/api/partners/${partnerId}/purchases`, {
    token,
    body: { packageId: 'gold-competency' },
  });
  const benefit = bought.body.benefits.find((b: any) => b.technicalKind === 'productSupport');
  return {
    partnerId,
    token,
    benefitId: benefit.id as string,
    path: `/api/partners/${partnerId}/benefits/${benefit.id}/activation`,
  };
}

async function start(b: { token: string; path: string }) {
  const res = await host.call('POST', b.path, { token: b.token });
  expect(res.status).toBe(202);
  await host.durable.whenIdle();
  return res.body.instanceId as string;
}

const stored = async (b: { partnerId: string; benefitId: string }) =>
  (await host.services.store.getBenefit(b.partnerId, b.benefitId))!.value;

describe('a terminated orchestration', () => {
  test('a new activation request settles the benefit (ActivationFailed, orchestration-terminated) and starts attempt 2', async () => {
    const b = await technicalBenefit();
    const first = await start(b);
    expect(first).toBe(`activation-${b.benefitId}-1`);
    await host.durable.terminate(first, 'stopped by an operator in the portal');
    expect(host.durable.getStatus(first)?.runtimeStatus).toBe('Terminated');
    expect((await stored(b)).status).toBe('Pending'); // stranded until someone asks

    const again = await host.call('POST', b.path, { token: b.token });
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ instanceId: `activation-${b.benefitId}-2`, status: 'Pending' });
    const failed = await auditEventsOf(host, b.partnerId, b.token, 'benefit.activationFailed', b.benefitId);
    expect(failed).toHaveLength(1);
    expect(failed[0].detail).toMatchObject({
      instanceId: first,
      code: 'orchestration-terminated',
      runtimeStatus: 'Terminated',
    });

    await advance(3 * DAY + 1000);
    expect(host.durable.getStatus(`activation-${b.benefitId}-2`)?.runtimeStatus).toBe('Completed');
    const done = await host.call('GET', b.path, { token: b.token });
    expect(done.body).toMatchObject({ instanceId: `activation-${b.benefitId}-2`, status: 'Active' });
    expect((await stored(b)).activation?.attempt).toBe(2);
  });

  test('GET …/activation tells the truth: ActivationFailed with the reason, not Pending forever', async () => {
    const b = await technicalBenefit();
    const first = await start(b);
    await host.durable.terminate(first, 'terminated');
    const res = await host.call('GET', b.path, { token: b.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      instanceId: first,
      status: 'ActivationFailed',
      failure: { code: 'orchestration-terminated' },
    });
    expect((await stored(b)).status).toBe('ActivationFailed');
    // The next request starts attempt 2.
    expect((await host.call('POST', b.path, { token: b.token })).body.instanceId).toBe(
      `activation-${b.benefitId}-2`,
    );
  });

  test("the operator's fulfilment of a terminated activation: 409 conflict, and the benefit is settled", async () => {
    const b = await technicalBenefit();
    const first = await start(b);
    await host.durable.terminate(first);
    const res = await host.call(
      'POST',
      `/api/operator/partners/${b.partnerId}/benefits/${b.benefitId}/activation/fulfilment`,
      {
        token: operator,
        body: {},
      },
    );
    expectProblem(res, 409, 'conflict');
    expect((await stored(b)).status).toBe('ActivationFailed');
  });
});

describe('an orchestration terminated while its instructions email was being retried', () => {
  test('the settlement gives the unsent email up (Failed, email.failed); attempt 2 sends its own, once', async () => {
    const b = await technicalBenefit();
    const email = host.services.email;
    const original = email.send.bind(email);
    const send = jest.spyOn(email, 'send').mockImplementation(async (message) => {
      if (message.idempotencyKey?.includes(b.benefitId))
        throw new EmailSendError('Service unavailable', true);
      return original(message);
    });
    let first;
    try {
      first = await start(b);
      await advance(3 * DAY); // the email step's first attempt fails; its retry waits a minute
      const owed = await host.services.store.findOutboxRecord(b.partnerId, `outbox:${first}`);
      expect(owed?.value).toMatchObject({ status: 'Pending', attempts: 1, owner: 'orchestration' });
      await host.durable.terminate(first, 'stopped');
    } finally {
      send.mockRestore();
    }
    const again = await host.call('POST', b.path, { token: b.token });
    expect(again.status).toBe(202);
    expect((await host.services.store.findOutboxRecord(b.partnerId, `outbox:${first}`))?.value).toMatchObject(
      {
        status: 'Failed',
        attempts: 1,
      },
    );
    const gaveUp = await auditEventsOf(host, b.partnerId, b.token, 'email.failed', first);
    expect(gaveUp).toHaveLength(1);

    await advance(3 * DAY + 1000);
    expect((await host.call('GET', b.path, { token: b.token })).body.status).toBe('Active');
    const mails = (await readOutbox(host.outboxDir)).filter((m) => m.kind === 'technicalInstructions');
    expect(mails.filter((m) => m.idempotencyKey.includes(b.benefitId)).map((m) => m.idempotencyKey)).toEqual([
      `activation-${b.benefitId}-2`,
    ]);
  });
});

describe('a failed orchestration (its own failure handling failed too)', () => {
  test('a new activation request settles it (orchestration-failed) and starts attempt 2', async () => {
    const b = await technicalBenefit();
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    failures.set('activationRequest', 4);
    failures.set('activationFail', 4);
    const first = await start(b);
    await advance(10 * 60 * 1000); // the retry timers of both activities
    expect(host.durable.getStatus(first)?.runtimeStatus).toBe('Failed');
    expect(warn).toHaveBeenCalledWith(expect.stringContaining(`${first} Failed`));
    warn.mockRestore();
    expect((await stored(b)).status).toBe('Pending');

    const again = await host.call('POST', b.path, { token: b.token });
    expect(again.status).toBe(202);
    expect(again.body.instanceId).toBe(`activation-${b.benefitId}-2`);
    const failed = await auditEventsOf(host, b.partnerId, b.token, 'benefit.activationFailed', b.benefitId);
    expect(failed.map((e) => e.detail.code)).toEqual(['orchestration-failed']);
  });
});

describe('an instance the runtime no longer knows (lost across a local restart)', () => {
  test('within the start grace: 409 activation-in-progress (its start may be under way); after it: orchestration-lost, attempt 2', async () => {
    const b = await technicalBenefit();
    const first = await start(b);
    expect(host.durable.purge(first)).toBe(true);
    expectProblem(await host.call('POST', b.path, { token: b.token }), 409, 'activation-in-progress');
    expect((await host.call('GET', b.path, { token: b.token })).body.status).toBe('Pending');

    await advance(START_GRACE_MS);
    const again = await host.call('POST', b.path, { token: b.token });
    expect(again.status).toBe(202);
    expect(again.body.instanceId).toBe(`activation-${b.benefitId}-2`);
    const failed = await auditEventsOf(host, b.partnerId, b.token, 'benefit.activationFailed', b.benefitId);
    expect(failed.map((e) => e.detail)).toEqual([
      expect.objectContaining({ code: 'orchestration-lost', runtimeStatus: 'Unknown', instanceId: first }),
    ]);
  });
});

describe('a running orchestration is left alone', () => {
  test('a second request while it runs: 409 activation-in-progress, one instance', async () => {
    const b = await technicalBenefit();
    const [x, y] = await Promise.all([
      host.call('POST', b.path, { token: b.token }),
      host.call('POST', b.path, { token: b.token }),
    ]);
    expect([x.status, y.status].sort()).toEqual([202, 409]);
    await host.durable.whenIdle();
    await advance(DAY);
    expectProblem(await host.call('POST', b.path, { token: b.token }), 409, 'activation-in-progress');
    expect(host.durable.listInstances().filter((i) => i.instanceId.includes(b.benefitId))).toHaveLength(1);
  });
});
