/**
 * The activation lifecycle orchestration, run by the durable-functions library's own replay in the
 * local host, with a manual clock (three days pass in milliseconds), real HTTP, real tokens, embedded Cosmos,
 * and the email outbox.
 */
import { readOutbox, type StoredEmail } from '../../src/email/outbox';
import { ManualClock } from '../../src/local/clock';
import { EmailSendError } from '../../src/email/port';
import { startTestHost, type TestHost } from '../support/testHost';
import { installFaultyStore, WriteFaults } from '../support/faults';
import { OUTBOX_GRACE_MS, OUTBOX_LEASE_MS } from '../../src/app/outbox';
import { completeActivation, emailActivationInstructions } from '../../src/app/activationSteps';
import { reserveActivation } from '../../src/domain/activation';
import { EMAIL_FAILED_DETAIL } from '../../src/app/activationContract';
import { faultName, faultsOf, settleOutbox } from '../support/crash';

const DAY = 24 * 3600 * 1000;
let host: TestHost;
let clock: ManualClock;
let operator: string;
/** Activity names → remaining forced failures (tests inject failures here). */
const failures = new Map<string, number>();
/** Activity names run, in order, with what the benefit and the outbox held when each began. */
const ran: string[] = [];
/** Runs before an activity (tests observe or arm faults here). */
const beforeActivity = new Map<string, (input: any) => Promise<void>>();
/** Faults injected into the real Cosmos client under the host's store (disarmed: writes pass). */
const faults = new WriteFaults();

beforeAll(async () => {
  clock = new ManualClock(new Date());
  host = await startTestHost({
    clock,
    settings: { ACTIVATION_PROCESSING_TIME: 'P3D', CONTACT_VERIFICATION_TIMEOUT: 'P7D' },
    activityMiddleware: async (name, input, next) => {
      ran.push(name);
      await beforeActivity.get(name)?.(input);
      const left = failures.get(name) ?? 0;
      if (left > 0) {
        failures.set(name, left - 1);
        throw new Error(`injected failure of ${name}`);
      }
      return next();
    },
  });
  operator = await host.token('operator-oid', { operator: true });
  installFaultyStore(host, faults);
});
afterAll(async () => host?.close());
afterEach(() => {
  failures.clear();
  beforeActivity.clear();
  faults.record();
  ran.length = 0;
});

/** Moves the clock to `target`, stopping at every due timer so each fires at its own time. */
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

let partnerCount = 0;
/** A fresh Gold partner (via the operator route) with a gold-competency purchase. */
async function newGoldPartner() {
  const n = ++partnerCount;
  const adminOid = `act-admin-${n}`;
  const created = await host.call('POST', '/api/operator/partners', {
    token: operator,
    body: {
      name: `Activation Test ${n}`,
      level: 'Gold',
      membership: { status: 'Active', expiresAt: new Date(clock.now().getTime() + 400 * DAY).toISOString() },
      globalAdmin: { objectId: adminOid, displayName: `Admin ${n}`, accountEmail: `admin@act${n}.example` },
    },
  });
  expect(created.status).toBe(201);
  const partnerId: string = created.body.id;
  const token = await host.token(adminOid);
  const bought = await host.call('POST', `/api/partners/${partnerId}/purchases`, {
    token,
    body: { packageId: 'gold-competency' },
  });
  expect(bought.status).toBe(201);
  const contactUser = await host.call('POST', `/api/partners/${partnerId}/users`, {
    token,
    body: {
      objectId: `act-contact-${n}`,
      displayName: `联系人 <b>${n}</b>`,
      accountEmail: `contact@act${n}.example`,
      roles: [],
    },
  });
  expect(contactUser.status).toBe(201);
  return {
    partnerId,
    token,
    adminOid,
    benefits: bought.body.benefits as any[],
    contactUserId: `act-contact-${n}`,
    n,
  };
}

async function setContact(
  p: { partnerId: string; token: string; contactUserId: string; n: number },
  language = 'zh-TW',
) {
  const res = await host.call('PUT', `/api/partners/${p.partnerId}/marketing-contact`, {
    token: p.token,
    body: {
      userId: p.contactUserId,
      email: `marketing${p.n}@mail.example`,
      phone: '+886212345678',
      preferredLanguage: language,
    },
  });
  expect(res.status).toBe(200);
  expect(res.body.status).toBe('PendingVerification');
  return `marketing${p.n}@mail.example`;
}

const emailsTo = async (address: string, kind?: string): Promise<StoredEmail[]> =>
  (await readOutbox(host.outboxDir)).filter(
    (m) => m.to.some((t) => t.address === address) && (!kind || m.kind === kind),
  );

async function verifyContact(address: string) {
  const [mail] = await emailsTo(address, 'contactVerification');
  expect(mail).toBeDefined();
  const token = /(?<![A-Za-z0-9_-])([A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])/.exec(mail.plainText)?.[1];
  expect(token).toBeDefined();
  const res = await host.call('POST', '/api/contact-verifications', { body: { token } });
  expect(res.status).toBe(200);
  return token!;
}

const auditOf = async (p: { partnerId: string; token: string }) =>
  (
    await host.call('GET', `/api/partners/${p.partnerId}/audit-events?pageSize=100`, {
      token: p.token,
    })
  ).body.items as any[];

/** The calls of a spied sender that sent the instructions of `instanceId` (other emails pass meanwhile). */
const sendsOf = (send: jest.SpyInstance, instanceId: string) =>
  send.mock.calls.filter(([message]) => message.idempotencyKey === instanceId).length;

/**
 * Spies on the email sender: the instructions of `benefitId` fail `times` times with `error`; every other email
 * (and the later attempts) goes through.
 */
function failInstructions(benefitId: string, error: Error, times = Infinity): jest.SpyInstance {
  const email = host.services.email;
  const original = email.send.bind(email);
  let left = times;
  return jest.spyOn(email, 'send').mockImplementation(async (message) => {
    if (message.idempotencyKey?.includes(benefitId) && left-- > 0) throw error;
    return original(message);
  });
}

const gtm = (p: { benefits: any[] }, offer = 'Gold Core') =>
  p.benefits.find((b) => b.category === 'goToMarket' && b.offerType === offer);
const technical = (p: { benefits: any[] }) => p.benefits.find((b) => b.category === 'technical');
const activate = (
  p: { partnerId: string; token: string },
  benefitId: string,
  headers?: Record<string, string>,
) =>
  host.call('POST', `/api/partners/${p.partnerId}/benefits/${benefitId}/activation`, {
    token: p.token,
    headers,
  });
const activation = (p: { partnerId: string; token: string }, benefitId: string) =>
  host.call('GET', `/api/partners/${p.partnerId}/benefits/${benefitId}/activation`, { token: p.token });

describe('Go-To-Market activation', () => {
  test('happy path: Pending → three days → Active, zh-TW instructions to the verified contact, expires in 12 months', async () => {
    const p = await newGoldPartner();
    const address = await setContact(p, 'zh-TW');
    await verifyContact(address);
    const offer = gtm(p);
    const started = await activate(p, offer.id);
    expect(started.status).toBe(202);
    expect(started.headers.get('location')).toBe(
      `/api/partners/${p.partnerId}/benefits/${offer.id}/activation`,
    );
    expect(started.body).toMatchObject({
      benefitId: offer.id,
      status: 'Pending',
      instanceId: expect.stringContaining(offer.id),
    });
    await host.durable.whenIdle();
    expect((await activation(p, offer.id)).body.status).toBe('Pending');

    await advance(3 * DAY - 1000);
    expect((await activation(p, offer.id)).body.status).toBe('Pending');
    expect(await emailsTo(address, 'gtmInstructions')).toHaveLength(0);

    await advance(1000);
    const done = await activation(p, offer.id);
    expect(done.body.status).toBe('Active');
    const activatedAt = new Date(done.body.activatedAt);
    expect(activatedAt.getTime()).toBe(new Date(started.body.requestedAt).getTime() + 3 * DAY);
    const expires = new Date(done.body.expiresAt);
    const expected = new Date(activatedAt);
    expected.setUTCMonth(expected.getUTCMonth() + 12);
    expect(expires.toISOString()).toBe(expected.toISOString());
    const benefit = await host.call('GET', `/api/partners/${p.partnerId}/benefits/${offer.id}`, {
      token: p.token,
    });
    expect(benefit.body).toMatchObject({
      status: 'Active',
      activatedAt: done.body.activatedAt,
      expiresAt: done.body.expiresAt,
    });

    const mails = await emailsTo(address, 'gtmInstructions');
    expect(mails).toHaveLength(1);
    expect(mails[0].locale).toBe('zh-TW');
    expect(mails[0].html).toContain('Gold Core');
    expect(mails[0].html).toContain('&lt;b&gt;'); // the contact's name is escaped
    expect(mails[0].idempotencyKey).toBe(done.body.instanceId);
  });

  test('a second POST while running → 409 activation-in-progress; after success → 409 already-active', async () => {
    const p = await newGoldPartner();
    await verifyContact(await setContact(p));
    const offer = gtm(p, 'ISV Co-sell ready');
    const [a, b] = await Promise.all([activate(p, offer.id), activate(p, offer.id)]);
    expect([a.status, b.status].sort()).toEqual([202, 409]);
    expect([a.body.code, b.body.code]).toContain('activation-in-progress');
    expect(host.durable.listInstances().filter((i) => i.instanceId.includes(offer.id))).toHaveLength(1);
    await advance(3 * DAY);
    const again = await activate(p, offer.id);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('already-active');
  });

  test('without a marketing contact → 409 marketing-contact-required, nothing started', async () => {
    const p = await newGoldPartner();
    const res = await activate(p, gtm(p).id);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('marketing-contact-required');
    expect((await activation(p, gtm(p).id)).status).toBe(404);
  });

  test('contact unverified: waits; verified on day 2 of the contact wait → proceeds', async () => {
    const p = await newGoldPartner();
    const address = await setContact(p, 'ru-RU');
    const offer = gtm(p);
    expect((await activate(p, offer.id)).status).toBe(202);
    await advance(3 * DAY);
    expect((await activation(p, offer.id)).body.status).toBe('Pending');
    await advance(1 * DAY);
    await verifyContact(address);
    await host.durable.whenIdle();
    const done = await activation(p, offer.id);
    expect(done.body.status).toBe('Active');
    const [mail] = await emailsTo(address, 'gtmInstructions');
    expect(mail.locale).toBe('ru-RU');
  });

  test('contact never verified → ActivationFailed contact-unverified after the 7-day wait (a timer longer than 6 days)', async () => {
    const p = await newGoldPartner();
    const address = await setContact(p);
    const offer = gtm(p);
    const started = await activate(p, offer.id);
    await advance(3 * DAY);
    await advance(7 * DAY - 1000);
    expect((await activation(p, offer.id)).body.status).toBe('Pending');
    await advance(1000);
    const failed = await activation(p, offer.id);
    expect(failed.body).toMatchObject({
      status: 'ActivationFailed',
      failure: { code: 'contact-unverified' },
    });
    const status = host.durable.getStatus(started.body.instanceId);
    expect(status?.runtimeStatus).toBe('Completed');
    expect(await emailsTo(address, 'gtmInstructions')).toHaveLength(0);
    // ActivationFailed may be activated again: a new attempt, a new instance.
    const retry = await activate(p, offer.id);
    expect(retry.status).toBe(202);
    expect(retry.body.instanceId).not.toBe(started.body.instanceId);
  });

  test('the completion fails twice then succeeds → Active, exactly one instruction email', async () => {
    const p = await newGoldPartner();
    const address = await setContact(p);
    await verifyContact(address);
    failures.set('activationComplete', 2);
    const offer = gtm(p);
    await activate(p, offer.id);
    await advance(3 * DAY);
    await advance(60_000); // retry back-off: 2 s, then 4 s
    expect((await activation(p, offer.id)).body.status).toBe('Active');
    expect(failures.get('activationComplete')).toBe(0);
    expect(await emailsTo(address, 'gtmInstructions')).toHaveLength(1);
  });

  test('step order: the instructions email is owed and sent (step 4) before the benefit is marked Active (step 5)', async () => {
    const p = await newGoldPartner();
    const address = await setContact(p);
    await verifyContact(address);
    const offer = gtm(p);
    const seen: Array<{ status: string; mails: number; record?: string }> = [];
    beforeActivity.set('activationComplete', async (input) => {
      const b = (await host.services.store.getBenefit(p.partnerId, offer.id))!.value;
      const record = await host.services.store.findOutboxRecord(p.partnerId, `outbox:${input.instanceId}`);
      seen.push({
        status: b.status,
        mails: (await emailsTo(address, 'gtmInstructions')).length,
        record: record?.value.status,
      });
    });
    const started = await activate(p, offer.id);
    await advance(3 * DAY);
    expect((await activation(p, offer.id)).body.status).toBe('Active');
    expect(ran.filter((n) => n === 'activationEmailInstructions' || n === 'activationComplete')).toEqual([
      'activationEmailInstructions',
      'activationComplete',
    ]);
    expect(seen).toEqual([{ status: 'Pending', mails: 1, record: 'Sent' }]);
    const record = await host.services.store.findOutboxRecord(
      p.partnerId,
      `outbox:${started.body.instanceId}`,
    );
    expect(record?.value).toMatchObject({ status: 'Sent', owner: 'orchestration', attempts: 0 });
    const actions = (await auditOf(p)).map((e: any) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['benefit.activationInstructions', 'benefit.activate']));
    expect(actions).not.toContain('email.failed');
  });

  test('the instruction email refused for good → ActivationFailed email-failed, audited, never Active, not retried', async () => {
    const p = await newGoldPartner();
    const address = await setContact(p);
    await verifyContact(address);
    const offer = gtm(p);
    const send = failInstructions(
      offer.id,
      new EmailSendError('The recipient was refused', false, 'InvalidRecipient'),
    );
    let started;
    try {
      started = await activate(p, offer.id);
      await advance(3 * DAY);
      await advance(30 * 60_000);
      expect(sendsOf(send, started.body.instanceId)).toBe(1); // a permanent refusal is not retried
    } finally {
      send.mockRestore();
    }
    const res = await activation(p, offer.id);
    expect(res.body).toMatchObject({
      status: 'ActivationFailed',
      failure: { code: 'email-failed', detail: EMAIL_FAILED_DETAIL },
    });
    expect(JSON.stringify(res.body)).not.toContain('refused'); // the provider's error is not the partner's
    expect(res.body.activatedAt).toBeUndefined();
    expect(ran).not.toContain('activationComplete');
    const events = await auditOf(p);
    expect(events.filter((e: any) => e.action === 'email.failed')).toEqual([
      expect.objectContaining({
        target: { type: 'email', id: started.body.instanceId },
        outcome: 'Rejected',
        detail: { kind: 'gtmInstructions', attempts: 1 },
      }),
    ]);
    expect(events.filter((e: any) => e.action === 'benefit.activationFailed')).toEqual([
      expect.objectContaining({ detail: { instanceId: started.body.instanceId, code: 'email-failed' } }),
    ]);
    expect(events.map((e: any) => e.action)).not.toContain('benefit.activate');
    const record = await host.services.store.findOutboxRecord(
      p.partnerId,
      `outbox:${started.body.instanceId}`,
    );
    expect(record?.value).toMatchObject({ status: 'Failed', attempts: 1 });
    expect(record?.value.message.data).toBeUndefined();
    expect(await emailsTo(address, 'gtmInstructions')).toHaveLength(0);
    // ActivationFailed may be activated again.
    expect((await activate(p, offer.id)).status).toBe(202);
  });

  test('a transient send failure is retried with back-off by the orchestration (not the relay) and sent exactly once', async () => {
    const p = await newGoldPartner();
    const address = await setContact(p);
    await verifyContact(address);
    const offer = gtm(p);
    const send = failInstructions(offer.id, new EmailSendError('Service unavailable', true), 2);
    try {
      const started = await activate(p, offer.id);
      await advance(3 * DAY);
      expect(sendsOf(send, started.body.instanceId)).toBe(1);
      const id = `outbox:${started.body.instanceId}`;
      expect((await host.services.store.findOutboxRecord(p.partnerId, id))?.value).toMatchObject({
        status: 'Pending',
        attempts: 1,
        owner: 'orchestration',
      });
      // The relay's timer leaves the orchestration's record alone, also once lease and grace have passed.
      clock.advance(OUTBOX_LEASE_MS + OUTBOX_GRACE_MS);
      await host.runFunction('outboxRetry');
      expect(sendsOf(send, started.body.instanceId)).toBe(1);
      expect((await activation(p, offer.id)).body.status).toBe('Pending');
      await advance(30 * 60_000); // the activity's retries: 1 minute, then 2
      expect(sendsOf(send, started.body.instanceId)).toBe(3);
      expect((await activation(p, offer.id)).body.status).toBe('Active');
      expect((await host.services.store.findOutboxRecord(p.partnerId, id))?.value).toMatchObject({
        status: 'Sent',
        attempts: 2,
      });
    } finally {
      send.mockRestore();
    }
    const mails = await emailsTo(address, 'gtmInstructions');
    expect(mails).toHaveLength(1);
    expect((await auditOf(p)).map((e: any) => e.action)).not.toContain('email.failed');
  });

  test('the send failing on every retry → ActivationFailed email-failed after 5 attempts, never Active', async () => {
    const p = await newGoldPartner();
    const address = await setContact(p);
    await verifyContact(address);
    const offer = gtm(p);
    const send = failInstructions(offer.id, new EmailSendError('Service unavailable', true));
    let started;
    try {
      started = await activate(p, offer.id);
      await advance(3 * DAY);
      await advance(60 * 60_000); // 1 + 2 + 4 + 8 minutes of back-off
      expect(sendsOf(send, started.body.instanceId)).toBe(5);
    } finally {
      send.mockRestore();
    }
    expect((await activation(p, offer.id)).body).toMatchObject({
      status: 'ActivationFailed',
      failure: { code: 'email-failed' },
    });
    expect(ran).not.toContain('activationComplete');
    const events = await auditOf(p);
    expect(events.filter((e: any) => e.action === 'email.failed')).toEqual([
      expect.objectContaining({
        target: { type: 'email', id: started.body.instanceId },
        detail: { kind: 'gtmInstructions', attempts: 5 },
      }),
    ]);
    const record = await host.services.store.findOutboxRecord(
      p.partnerId,
      `outbox:${started.body.instanceId}`,
    );
    expect(record?.value).toMatchObject({ status: 'Failed', attempts: 5 });
    // Nothing sends it later.
    clock.advance(OUTBOX_LEASE_MS + OUTBOX_GRACE_MS);
    await host.runFunction('outboxRetry');
    expect(await emailsTo(address, 'gtmInstructions')).toHaveLength(0);
  });

  // The email activity's writes: the unit of work (record + audit), the claim, the settlement `Sent`.
  test.each([
    ['not sent', 'before' as const],
    ['applied, its response lost', 'after' as const],
  ])(
    'a crash at marking the email Sent (%s) → retried, the instructions delivered once, then Active',
    async (_, mode) => {
      const p = await newGoldPartner();
      const address = await setContact(p);
      await verifyContact(address);
      const offer = gtm(p);
      let armed = false;
      beforeActivity.set('activationEmailInstructions', async () => {
        if (armed) return;
        armed = true;
        faults.arm(3, mode);
      });
      const send = jest.spyOn(host.services.email, 'send');
      let started;
      try {
        started = await activate(p, offer.id);
        await advance(3 * DAY);
        await advance(10 * 60_000);
      } finally {
        send.mockRestore();
      }
      expect(faults.fired).toBe(true);
      expect(faults.seen.map((w) => w.operations?.join(',') ?? w.method)).toEqual(
        expect.arrayContaining(['Create,Create', 'PUT']),
      );
      expect(ran.filter((n) => n === 'activationEmailInstructions')).toHaveLength(2);
      expect((await activation(p, offer.id)).body.status).toBe('Active');
      const mails = await emailsTo(address, 'gtmInstructions');
      expect(mails).toHaveLength(1);
      expect(mails[0].idempotencyKey).toBe(started.body.instanceId);
      const record = await host.services.store.findOutboxRecord(
        p.partnerId,
        `outbox:${started.body.instanceId}`,
      );
      expect(record?.value.status).toBe('Sent');
      expect(
        (await auditOf(p)).filter((e: any) => e.action === 'benefit.activationInstructions'),
      ).toHaveLength(1);
    },
  );
});

describe('technical activation', () => {
  test('operator fulfils early with Access ID and Contract ID; instructions to the alternate AND account email', async () => {
    const p = await newGoldPartner();
    const tech = technical(p);
    const assigned = await host.call('POST', `/api/partners/${p.partnerId}/benefits/${tech.id}/assignments`, {
      token: p.token,
      body: { userId: p.contactUserId, alternateEmail: `alt${p.n}@mail.example` },
    });
    expect(assigned.status).toBe(201);
    const started = await activate(p, tech.id);
    expect(started.status).toBe(202);
    await advance(1 * DAY);
    const fulfil = await host.call(
      'POST',
      `/api/operator/partners/${p.partnerId}/benefits/${tech.id}/activation/fulfilment`,
      {
        token: operator,
        body: { accessId: 'ACCESS-123', contractId: 'CONTRACT-456' },
      },
    );
    expect(fulfil.status).toBe(202);
    await host.durable.whenIdle();
    const benefit = await host.call('GET', `/api/partners/${p.partnerId}/benefits/${tech.id}`, {
      token: p.token,
    });
    expect(benefit.body).toMatchObject({
      status: 'Active',
      accessId: 'ACCESS-123',
      contractId: 'CONTRACT-456',
    });
    const [mail] = await emailsTo(`alt${p.n}@mail.example`, 'technicalInstructions');
    expect(mail.to.map((t) => t.address).sort()).toEqual([
      `alt${p.n}@mail.example`,
      `contact@act${p.n}.example`,
    ]);
    expect(mail.plainText).toContain('ACCESS-123');
    expect(mail.plainText).toContain('CONTRACT-456');
  });

  test('after the processing time the ids are generated', async () => {
    const p = await newGoldPartner();
    const tech = technical(p);
    await activate(p, tech.id);
    await advance(3 * DAY);
    const benefit = await host.call('GET', `/api/partners/${p.partnerId}/benefits/${tech.id}`, {
      token: p.token,
    });
    expect(benefit.body.status).toBe('Active');
    expect(benefit.body.accessId).toMatch(/^AID-/);
    expect(benefit.body.contractId).toMatch(/^CID-/);
    // No technical contact: the requester got the instructions.
    expect(await emailsTo(`admin@act${p.n}.example`, 'technicalInstructions')).toHaveLength(1);
  });

  test('operator rejects → ActivationFailed activation-rejected, no email; operator routes need the app role', async () => {
    const p = await newGoldPartner();
    const tech = technical(p);
    await activate(p, tech.id);
    const path = `/api/operator/partners/${p.partnerId}/benefits/${tech.id}/activation/rejection`;
    expect((await host.call('POST', path, { token: p.token, body: { reason: 'x' } })).status).toBe(403);
    expect(
      (await host.call('POST', path, { token: operator, body: { reason: 'Not a competency partner' } }))
        .status,
    ).toBe(202);
    await host.durable.whenIdle();
    const res = await activation(p, tech.id);
    expect(res.body).toMatchObject({
      status: 'ActivationFailed',
      failure: { code: 'activation-rejected', detail: 'Not a competency partner' },
    });
    expect(await emailsTo(`admin@act${p.n}.example`, 'technicalInstructions')).toHaveLength(0);
    const again = await host.call('POST', path, { token: operator, body: { reason: 'again' } });
    expect(again.status).toBe(409);
  });

  test('purchase cancelled while waiting → Cancelled, no instruction email', async () => {
    const p = await newGoldPartner();
    const tech = technical(p);
    const started = await activate(p, tech.id);
    await advance(1 * DAY);
    // What the cancellation route does: mark the benefit Cancelled, then tell the orchestration.
    await host.services.store.updateBenefit(p.partnerId, tech.id, (b) => ({
      value: { ...b, status: 'Cancelled' },
    }));
    await host.durable.raiseEvent(started.body.instanceId, 'PurchaseCancelled', {});
    await advance(3 * DAY);
    const res = await host.call('GET', `/api/partners/${p.partnerId}/benefits/${tech.id}`, {
      token: p.token,
    });
    expect(res.body.status).toBe('Cancelled');
    expect(res.body.activation.status).toBe('Cancelled');
    expect(host.durable.getStatus(started.body.instanceId)?.output).toEqual({ status: 'Cancelled' });
    expect(await emailsTo(`admin@act${p.n}.example`, 'technicalInstructions')).toHaveLength(0);
  });

  test('software benefits are not activated here → 409 not-activatable; employees → 403', async () => {
    const p = await newGoldPartner();
    const sw = p.benefits.find((b) => b.category === 'software');
    expect((await activate(p, sw.id)).body.code).toBe('not-activatable');
    const dev = await host.token(p.contactUserId);
    expect(
      (
        await host.call('POST', `/api/partners/${p.partnerId}/benefits/${technical(p).id}/activation`, {
          token: dev,
        })
      ).status,
    ).toBe(403);
  });
});

// The activities' use cases as the durable runtime calls them — and calls them again after a failure (the retry
// policy) — with a failure injected at each of their writes (test/support/faults.ts).
describe('email and completion activities: a failure at any write, then the retry, leaves all or nothing once', () => {
  /** A technical benefit reserved `Pending` for an instance no orchestration runs (the activities are driven here). */
  async function pendingTechnical() {
    const p = await newGoldPartner();
    const tech = technical(p);
    let instanceId = '';
    await host.services.store.updateBenefit(p.partnerId, tech.id, (b) => {
      const reserved = reserveActivation(b, {
        hasMarketingContact: false,
        requestedBy: p.adminOid,
        requestedAt: clock.now().toISOString(),
      });
      instanceId = reserved.instanceId;
      return { value: reserved.benefit };
    });
    const input = {
      partnerId: p.partnerId,
      benefitId: tech.id as string,
      instanceId,
      accessId: 'AID-CRASH',
      contractId: 'CID-CRASH',
      activatedAt: clock.now().toISOString(),
    };
    return { p, input, requester: `admin@act${p.n}.example` };
  }
  type Pending = Awaited<ReturnType<typeof pendingTechnical>>;

  const actions = async (c: Pending, action: string) =>
    (await auditOf(c.p)).filter((e: any) => e.action === action && e.target.id === c.input.benefitId);
  const record = async (c: Pending) =>
    (await host.services.store.findOutboxRecord(c.p.partnerId, `outbox:${c.input.instanceId}`))?.value;

  /** Runs `step` as an activity does (then the host's change feed), `ok` or the error's message. */
  async function runStep(step: () => Promise<unknown>): Promise<{ ok: boolean; result?: unknown }> {
    try {
      const result = await step();
      return { ok: true, result };
    } catch {
      return { ok: false };
    } finally {
      await host.flushChangeFeed();
    }
  }

  /** Every fault of the writes a clean run makes; for each, a fresh benefit, the faulty run and one retry. */
  async function crashMatrix(spec: {
    prepare: () => Promise<Pending>;
    step: (c: Pending) => Promise<unknown>;
    expected: unknown;
    allOrNothing: (c: Pending) => Promise<void>;
    appliedOnce: (c: Pending) => Promise<void>;
  }): Promise<string[]> {
    const learn = await spec.prepare();
    faults.record();
    expect(await runStep(() => spec.step(learn))).toEqual({ ok: true, result: spec.expected });
    const writes = [...faults.seen];
    await spec.appliedOnce(learn);
    for (const fault of faultsOf(writes)) {
      const name = faultName(fault);
      const c = await spec.prepare();
      faults.arm(fault.at, fault.mode);
      await runStep(() => spec.step(c));
      expect({ name, fired: faults.fired }).toEqual({ name, fired: true });
      faults.record();
      await spec.allOrNothing(c);
      // The relay's timer, long after: it never takes the orchestration's record.
      await settleOutbox(host, clock);
      await spec.allOrNothing(c);
      const retry = await runStep(() => spec.step(c));
      expect({ name, retry }).toEqual({ name, retry: { ok: true, result: spec.expected } });
      await spec.appliedOnce(c);
    }
    return writes.map((w) => w.operations?.join(',') ?? w.method);
  }

  test('step 4, email instructions: the record and its audit event one batch; claimed, sent once, settled Sent', async () => {
    const writes = await crashMatrix({
      prepare: pendingTechnical,
      step: (c) => emailActivationInstructions(host.services, c.input),
      expected: { status: 'Sent' },
      allOrNothing: async (c) => {
        const owed = await record(c);
        const audited = (await actions(c, 'benefit.activationInstructions')).length;
        expect({ audited, owed: !!owed }).toEqual({ audited: owed ? 1 : 0, owed: !!owed });
        if (owed) expect(owed.status).not.toBe('Failed');
        expect((await emailsTo(c.requester, 'technicalInstructions')).length).toBeLessThanOrEqual(1);
        // Step 4 never marks the benefit Active.
        expect((await host.services.store.getBenefit(c.p.partnerId, c.input.benefitId))!.value.status).toBe(
          'Pending',
        );
      },
      appliedOnce: async (c) => {
        expect(await record(c)).toMatchObject({ status: 'Sent', owner: 'orchestration' });
        expect(await actions(c, 'benefit.activationInstructions')).toHaveLength(1);
        const mails = await emailsTo(c.requester, 'technicalInstructions');
        expect(mails).toHaveLength(1);
        expect(mails[0].idempotencyKey).toBe(c.input.instanceId);
        expect(mails[0].plainText).toContain('AID-CRASH');
      },
    });
    expect(writes).toEqual(['Create,Create', 'PUT', 'PUT']);
  });

  test('step 4 retried after the purchase was cancelled → Cancelled, the owed email never sent', async () => {
    const c = await pendingTechnical();
    const send = failInstructions(c.input.benefitId, new EmailSendError('Service unavailable', true), 1);
    try {
      expect(await runStep(() => emailActivationInstructions(host.services, c.input))).toEqual({ ok: false });
      expect(await record(c)).toMatchObject({ status: 'Pending', attempts: 1 });
      await host.services.store.updateBenefit(c.p.partnerId, c.input.benefitId, (b) => ({
        value: { ...b, status: 'Cancelled' },
      }));
      expect(await runStep(() => emailActivationInstructions(host.services, c.input))).toEqual({
        ok: true,
        result: { status: 'Cancelled' },
      });
      await settleOutbox(host, clock);
      expect(sendsOf(send, c.input.instanceId)).toBe(1);
    } finally {
      send.mockRestore();
    }
    expect(await emailsTo(c.requester, 'technicalInstructions')).toHaveLength(0);
  });

  test('step 5, mark Active: the benefit and benefit.activate one batch, no email', async () => {
    const writes = await crashMatrix({
      prepare: async () => {
        const c = await pendingTechnical();
        await emailActivationInstructions(host.services, c.input);
        return c;
      },
      step: (c) => completeActivation(host.services, c.input),
      expected: { status: 'Active' },
      allOrNothing: async (c) => {
        const active =
          (await host.services.store.getBenefit(c.p.partnerId, c.input.benefitId))!.value.status === 'Active';
        expect((await actions(c, 'benefit.activate')).length).toBe(active ? 1 : 0);
      },
      appliedOnce: async (c) => {
        expect((await host.services.store.getBenefit(c.p.partnerId, c.input.benefitId))!.value).toMatchObject(
          {
            status: 'Active',
            accessId: 'AID-CRASH',
            contractId: 'CID-CRASH',
          },
        );
        expect(await actions(c, 'benefit.activate')).toHaveLength(1);
        expect(await emailsTo(c.requester, 'technicalInstructions')).toHaveLength(1);
      },
    });
    expect(writes).toEqual(['Replace,Create']);
  });
});
