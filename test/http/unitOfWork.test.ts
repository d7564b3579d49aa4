/**
 * One unit of work per mutation (docs/decisions.md): a failure at any write of a mutation — not sent, response lost,
 * or one operation of its batch refused by a server without batch rollback — leaves no state change without its
 * audit event and outbox record, and a retry of the request applies it exactly once. Failures are injected into
 * the real `@azure/cosmos` client (test/support/faults.ts); the mutations run through the real local host.
 * Also: the outbox relay sends each record once when two relays race, and a failed send is retried by the timer.
 */
import { runUnitOfWork } from '../../src/app/unitOfWork';
import { withBenefitNoticeSchedule } from '../../src/domain/notices';
import { relayOutbox, OUTBOX_MAX_ATTEMPTS, outboxBackoffMs } from '../../src/app/outbox';
import { ManualClock } from '../../src/local/clock';
import { EmailSendError } from '../../src/email/port';
import { rawDocuments } from '../../src/store/raw';
import type { OutboxRecord } from '../../src/store/ports';
import type { AuditEvent, Benefit } from '../../src/domain/types';
import { mailsTo, oid, tokenFromMail } from '../support/api';
import {
  expectRetryAnswer,
  faultName,
  faultsOf,
  settleOutbox,
  writesOfRun,
  type Fault,
} from '../support/crash';
import { installFaultyStore, WriteFaults } from '../support/faults';
import { startTestHost, type TestHost } from '../support/testHost';

let host: TestHost;
let clock: ManualClock;
let faults: WriteFaults;
let admin: string;

beforeAll(async () => {
  jest.spyOn(console, 'info').mockImplementation(() => undefined); // outbox log lines
  clock = new ManualClock(new Date('2026-06-01T09:00:00.000Z'));
  // Activations wait (their durable timers run on the manual clock, which the relay's timer moves on).
  host = await startTestHost({ clock, settings: { ACTIVATION_PROCESSING_TIME: 'P30D' } });
  faults = new WriteFaults();
  installFaultyStore(host, faults);
  admin = await host.tokenFor('admin@contoso.example');
});
afterAll(async () => host?.close());

/** Every document of one partner's partition, by type. */
async function partition(partnerId: string) {
  const docs = await rawDocuments(host.services.store).queryAll<Record<string, any>>(
    'SELECT * FROM c WHERE c.partnerId = @p',
    [{ name: '@p', value: partnerId }],
  );
  // `type` is stripped by the document layer: tell the kinds apart by their shape.
  return {
    audit: docs.filter((d) => typeof d.action === 'string' && d.actor) as unknown as AuditEvent[],
    outbox: docs.filter((d) => String(d.id).startsWith('outbox:')) as unknown as OutboxRecord[],
    benefits: docs.filter((d) => d.catalogItemId && Array.isArray(d.assignments)) as unknown as Benefit[],
  };
}

describe('seat assignment: a failure at any write leaves all or nothing, and a retry applies it once', () => {
  let vs: string;
  let users = 0;

  /** A new member of contoso to assign (each case its own). */
  async function newUser() {
    const n = ++users;
    const user = {
      id: `crash-user-${n}`,
      objectId: `crash-user-${n}`,
      partnerId: 'contoso',
      displayName: `Crash User ${n}`,
      accountEmail: `crash${n}@contoso.example`,
      roles: [],
      createdAt: clock.now().toISOString(),
    };
    await host.services.store.createUser(user);
    return user;
  }

  const assign = (userId: string, key: string) =>
    host.call('POST', `/api/partners/contoso/benefits/${vs}/assignments`, {
      token: admin,
      body: { userId },
      headers: { 'Idempotency-Key': key },
    });

  /** Every assignment of the benefit has its audit event and its email's outbox record, and nothing else has. */
  async function expectAllOrNothing() {
    const p = await partition('contoso');
    const benefit = p.benefits.find((b) => b.id === vs)!;
    const assigned = benefit.assignments.map((a) => a.id).sort();
    const audited = p.audit
      .filter((e) => e.action === 'benefit.assign' && e.target.id === vs)
      .map((e) => String(e.detail?.assignmentId))
      .sort();
    const owed = p.outbox
      .filter((r) => r.idempotencyKey.startsWith('vs-'))
      .map((r) => r.idempotencyKey.slice(3))
      .sort();
    expect({ audited, owed }).toEqual({ audited: assigned, owed: assigned });
  }

  let cases: Fault[] = [];
  beforeAll(async () => {
    const list = await host.call('GET', '/api/partners/contoso/benefits?category=visualStudio&pageSize=100', {
      token: admin,
    });
    vs = list.body.items[0].id;
    const user = await newUser();
    const writes = await writesOfRun(faults, () => assign(user.id, 'learn-writes'), 201);
    // The idempotency claim, THE unit of work (benefit, audit, outbox record, and the key's `committed`), the
    // idempotency completion, and the relay's claim and settlement of the outbox record.
    expect(writes.map((w) => w.operations?.join(',') ?? w.method)).toEqual([
      'POST',
      'Replace,Replace,Create,Create',
      'PUT',
      'PUT',
      'PUT',
    ]);
    cases = faultsOf(writes);
    expect(cases).toHaveLength(5 * 2 + 4);
    await expectAllOrNothing();
  });

  test('every write fails in turn: all or nothing each time, and the retry applies the assignment once', async () => {
    for (const fault of cases) {
      const user = await newUser();
      const key = `crash-${users}`;
      faults.arm(fault.at, fault.mode);
      const first = await assign(user.id, key);
      expect({ fault: faultName(fault), fired: faults.fired }).toEqual({
        fault: faultName(fault),
        fired: true,
      });
      expect(first.status === 201 || first.status >= 500).toBe(true);
      await expectAllOrNothing();

      faults.record();
      const retry = await assign(user.id, key);
      expectRetryAnswer(retry, 201);
      await settleOutbox(host, clock);
      const again = await assign(user.id, key); // a further repeat changes nothing either
      expect([201, 409]).toContain(again.status);

      await expectAllOrNothing();
      const benefit = (await partition('contoso')).benefits.find((b) => b.id === vs)!;
      const held = benefit.assignments.filter((a) => a.userId === user.id);
      expect({ fault: faultName(fault), held: held.length }).toEqual({ fault: faultName(fault), held: 1 });
      const mails = await mailsTo(host, 'vsAssignment', user.accountEmail);
      expect({ fault: faultName(fault), mails: mails.length }).toEqual({ fault: faultName(fault), mails: 1 });
      const record = (await partition('contoso')).outbox.find(
        (r) => r.idempotencyKey === `vs-${held[0].id}`,
      )!;
      expect(record.status).toBe('Sent');
      expect(record.message.data).toBeUndefined(); // settled records keep no template data
    }
  });
});

/**
 * The crash matrix of one mutation (test/support/crash.ts): learn its writes, then fail each in turn, check all or
 * nothing after the failure, retry, let the relay's timer send what is left, and check all or nothing and "applied
 * exactly once". Returns the writes, for the test to pin.
 */
async function crashMatrix<C>(spec: {
  prepare: () => Promise<C>;
  run: (c: C, key: string) => Promise<{ status: number; body?: any }>;
  expected: number;
  /** Answers a retry may give besides `expected` and "was applied" (e.g. 404 for a repeated DELETE). */
  retryAlso?: number[];
  allOrNothing: (c: C) => Promise<void>;
  appliedOnce: (c: C) => Promise<void>;
}): Promise<string[]> {
  const learn = await spec.prepare();
  const writes = await writesOfRun(faults, () => spec.run(learn, `learn-${++keys}`), spec.expected);
  await settleOutbox(host, clock);
  await spec.allOrNothing(learn);
  await spec.appliedOnce(learn);
  for (const fault of faultsOf(writes)) {
    const name = faultName(fault);
    const c = await spec.prepare();
    const key = `crash-${++keys}`;
    faults.arm(fault.at, fault.mode);
    const first = await spec.run(c, key);
    expect({ name, fired: faults.fired }).toEqual({ name, fired: true });
    expect({ name, ok: first.status === spec.expected || first.status >= 500 }).toEqual({ name, ok: true });
    await spec.allOrNothing(c);
    faults.record();
    const retry = await spec.run(c, key);
    if (!spec.retryAlso?.includes(retry.status)) expectRetryAnswer(retry as any, spec.expected);
    await settleOutbox(host, clock);
    await spec.allOrNothing(c);
    await spec.appliedOnce(c);
  }
  return writes.map((w) => w.operations?.join(',') ?? w.method);
}
let keys = 0;

/** Audit events of `partnerId` with `action` (and, optionally, on `targetId`). */
async function audits(partnerId: string, action: string, targetId?: string) {
  return (await partition(partnerId)).audit.filter(
    (e) => e.action === action && (targetId === undefined || e.target.id === targetId),
  );
}

describe('every converted mutation: a failure at any write leaves all or nothing, and a retry applies it once', () => {
  /** A fresh gold-competency purchase of contoso (the purchase route: not under test here). */
  async function buy() {
    const res = await host.call('POST', '/api/partners/contoso/purchases', {
      token: admin,
      body: { packageId: 'gold-competency' },
    });
    expect(res.status).toBe(201);
    return res.body as { purchase: any; benefits: any[] };
  }

  test('unassign', async () => {
    const vs = (await buy()).benefits.find((b) => b.category === 'visualStudio').id as string;
    let n = 0;
    const writes = await crashMatrix({
      prepare: async () => {
        await host.services.store.createUser({
          id: `crash-unassign-${++n}`,
          objectId: `crash-unassign-${n}`,
          partnerId: 'contoso',
          displayName: `Unassign ${n}`,
          accountEmail: `unassign${n}@contoso.example`,
          roles: [],
          createdAt: clock.now().toISOString(),
        });
        const res = await host.call('POST', `/api/partners/contoso/benefits/${vs}/assignments`, {
          token: admin,
          body: { userId: `crash-unassign-${n}` },
        });
        expect(res.status).toBe(201);
        return res.body.id as string;
      },
      run: (assignmentId) =>
        host.call('DELETE', `/api/partners/contoso/benefits/${vs}/assignments/${assignmentId}`, {
          token: admin,
        }),
      expected: 204,
      retryAlso: [404],
      allOrNothing: async (assignmentId) => {
        const benefit = (await partition('contoso')).benefits.find((b) => b.id === vs)!;
        const ended = benefit.assignments.find((a) => a.id === assignmentId)?.endedAt !== undefined;
        const audited = (await audits('contoso', 'benefit.unassign', vs)).filter(
          (e) => e.detail?.assignmentId === assignmentId,
        ).length;
        expect({ ended, audited }).toEqual({ ended: audited > 0, audited: ended ? 1 : 0 });
      },
      appliedOnce: async (assignmentId) => {
        const benefit = (await partition('contoso')).benefits.find((b) => b.id === vs)!;
        expect(benefit.assignments.find((a) => a.id === assignmentId)?.endedAt).toBeDefined();
      },
    });
    expect(writes).toEqual(['Replace,Create']);
  });

  test('key reveal (software: the purchase is marked in the same batch)', async () => {
    const writes = await crashMatrix({
      prepare: async () => {
        const bought = await buy();
        return {
          purchaseId: bought.purchase.id as string,
          software: bought.benefits.find((b) => b.category === 'software'),
        };
      },
      run: (c, key) =>
        host.call('POST', `/api/partners/contoso/benefits/${c.software.id}/keys`, {
          token: admin,
          body: { language: c.software.languages[0], operatingSystem: c.software.operatingSystems[0] },
          headers: { 'Idempotency-Key': key },
        }),
      expected: 200,
      allOrNothing: async (c) => {
        const benefit = await host.services.store.getBenefit('contoso', c.software.id);
        const purchase = await host.services.store.getPurchase('contoso', c.purchaseId);
        const revealed = benefit!.value.secretKeys !== undefined;
        const marked = purchase!.value.softwareKeysRevealedAt !== undefined;
        const audited = (await audits('contoso', 'benefit.revealKeys', c.software.id)).length;
        expect({ marked, audited: audited > 0 }).toEqual({ marked: revealed, audited: revealed });
      },
      appliedOnce: async (c) => {
        expect(await audits('contoso', 'benefit.revealKeys', c.software.id)).toHaveLength(1);
      },
    });
    expect(writes).toEqual(['POST', 'Replace,Replace,Replace,Create', 'PUT']);
  });

  test('cancellation (purchase, every benefit, service request, audit: one batch)', async () => {
    const writes = await crashMatrix({
      prepare: async () => (await buy()).purchase.id as string,
      run: (purchaseId, key) =>
        host.call('POST', `/api/partners/contoso/purchases/${purchaseId}/cancellation`, {
          token: admin,
          body: { reason: 'Crash test' },
          headers: { 'Idempotency-Key': key },
        }),
      expected: 201,
      allOrNothing: async (purchaseId) => {
        const read = await host.services.store.readPurchaseWithBenefits('contoso', purchaseId);
        const cancelled = read.purchase!.value.status === 'Cancelled';
        const states = new Set(read.benefits.map((b) => b.value.status === 'Cancelled'));
        const audited = (await audits('contoso', 'purchase.cancel', purchaseId)).length;
        const requests = (
          await rawDocuments(host.services.store).queryAll<any>(
            'SELECT * FROM c WHERE c.type = @t AND c.details.purchaseId = @p',
            [
              { name: '@t', value: 'serviceRequest' },
              { name: '@p', value: purchaseId },
            ],
            'contoso',
          )
        ).length;
        expect({ benefits: [...states], audited, requests }).toEqual({
          benefits: [cancelled],
          audited: cancelled ? 1 : 0,
          requests: cancelled ? 1 : 0,
        });
      },
      appliedOnce: async (purchaseId) => {
        expect((await host.services.store.getPurchase('contoso', purchaseId))!.value.status).toBe(
          'Cancelled',
        );
        expect(await audits('contoso', 'purchase.cancel', purchaseId)).toHaveLength(1);
      },
    });
    // The idempotency claim, ONE batch (key, purchase, its benefits, request, audit), the completion.
    expect(writes[0]).toBe('POST');
    expect(writes[1]).toMatch(/^Replace(,Replace)+,Create,Create$/);
    expect(writes.slice(2)).toEqual(['PUT']);
  });

  test('marketing contact set (partner, audit, verification email: one batch; the token before it)', async () => {
    let n = 0;
    const path = '/api/partners/contoso/marketing-contact';
    const writes = await crashMatrix({
      prepare: async () => `crash.contact.${++n}@agency.example`,
      run: (email) =>
        host.call('PUT', path, {
          token: admin,
          body: {
            userId: oid('dev3@contoso.example'),
            email,
            phone: '+886212345678',
            preferredLanguage: 'zh-TW',
          },
        }),
      expected: 200,
      allOrNothing: async (email) => {
        const p = await partition('contoso');
        const set = (await audits('contoso', 'marketingContact.set')).length;
        const owed = p.outbox.filter((r) => r.idempotencyKey.startsWith('verify-')).length;
        // Every set of a new address is audited with its verification email owed, and nothing else.
        expect(owed).toBe(set);
        const current = (await host.services.store.getPartner('contoso'))!.value.marketingContact;
        if (current?.email === email) expect(current.status).toBe('PendingVerification');
      },
      appliedOnce: async (email) => {
        const current = (await host.services.store.getPartner('contoso'))!.value.marketingContact;
        expect(current).toMatchObject({ email, status: 'PendingVerification' });
        expect((await mailsTo(host, 'contactVerification', email)).length).toBeGreaterThanOrEqual(1);
      },
    });
    // The token (its own partition), then ONE batch (partner, audit, outbox), then the relay.
    expect(writes).toEqual(['POST', 'Replace,Create,Create', 'PUT', 'PUT']);
  });

  test('contact verification (the contact and its audit event first, then the token is used)', async () => {
    let n = 0;
    const writes = await crashMatrix({
      prepare: async () => {
        const email = `crash.verify.${++n}@agency.example`;
        const res = await host.call('PUT', '/api/partners/contoso/marketing-contact', {
          token: admin,
          body: {
            userId: oid('dev3@contoso.example'),
            email,
            phone: '+886212345678',
            preferredLanguage: 'en-US',
          },
        });
        expect(res.status).toBe(200);
        const [mail] = await mailsTo(host, 'contactVerification', email);
        return { email, token: tokenFromMail(mail) };
      },
      run: (c) => host.call('POST', '/api/contact-verifications', { body: { token: c.token } }),
      expected: 200,
      // The token is single-use (docs/product.md §7): once the first attempt has used it — its response lost — a
      // retry is told `invalid-token`, and the contact is verified (checked below).
      retryAlso: [400],
      allOrNothing: async (c) => {
        const current = (await host.services.store.getPartner('contoso'))!.value.marketingContact!;
        const verified = current.email === c.email && current.status === 'Verified';
        const audited = (await audits('contoso', 'contact.verify')).filter(
          (e) => e.at >= current.updatedAt,
        ).length;
        expect({ audited }).toEqual({ audited: verified ? 1 : 0 });
      },
      appliedOnce: async (c) => {
        expect((await host.services.store.getPartner('contoso'))!.value.marketingContact).toMatchObject({
          email: c.email,
          status: 'Verified',
        });
      },
    });
    expect(writes).toEqual(['Replace,Create', 'PUT']);
  });

  test('activation start (the reservation and its audit event: one batch)', async () => {
    const writes = await crashMatrix({
      prepare: async () => (await buy()).benefits.find((b) => b.category === 'technical').id as string,
      run: (benefitId, key) =>
        host.call('POST', `/api/partners/contoso/benefits/${benefitId}/activation`, {
          token: admin,
          headers: { 'Idempotency-Key': key },
        }),
      expected: 202,
      allOrNothing: async (benefitId) => {
        const b = (await host.services.store.getBenefit('contoso', benefitId))!.value;
        const requested = (await audits('contoso', 'benefit.activationRequested', benefitId)).map(
          (e) => e.detail?.instanceId,
        );
        expect(requested).toEqual(b.activation ? [b.activation.instanceId] : []);
      },
      appliedOnce: async (benefitId) => {
        const b = (await host.services.store.getBenefit('contoso', benefitId))!.value;
        expect(b.activation?.attempt).toBe(1);
      },
    });
    expect(writes[0]).toBe('POST');
    expect(writes[1]).toBe('Replace,Replace,Create');
  });

  test('notice sweep (the notice record, its email, notice.send and the schedule: one batch per subject)', async () => {
    await host.runFunction('expirySweep'); // what the demo data has due goes first
    let n = 0;
    const writes = await crashMatrix({
      prepare: async () => {
        const { benefits } = await buy();
        const software = benefits.find((b) => b.category === 'software');
        const id = `crash-notice-${++n}`;
        const b = (await host.services.store.getBenefit('contoso', software.id))!.value;
        // Active, ending in 5 days: its 7-day reminder is due (to the GlobalAdmins).
        await rawDocuments(host.services.store).create(
          'benefit',
          withBenefitNoticeSchedule({
            ...b,
            id,
            status: 'Active',
            activatedAt: clock.now().toISOString(),
            expiresAt: new Date(clock.now().getTime() + 5 * 24 * 3600_000).toISOString(),
          }),
        );
        return id;
      },
      run: async () => {
        await host.runFunction('expirySweep');
        return { status: 200 };
      },
      expected: 200,
      allOrNothing: async (id) => {
        const p = await partition('contoso');
        const records = await rawDocuments(host.services.store).queryAll<any>(
          'SELECT * FROM c WHERE c.type = @t AND c.subject.id = @id',
          [
            { name: '@t', value: 'notice' },
            { name: '@id', value: id },
          ],
          'contoso',
        );
        const audited = (await audits('contoso', 'notice.send', id)).length;
        const keys = records.flatMap((r) => r.emails as string[]);
        const owed = p.outbox.filter((r) => keys.includes(r.idempotencyKey)).length;
        const settled =
          (await host.services.store.getBenefit('contoso', id))!.value.nextNoticeAt === undefined;
        expect({ audited, owed, settled }).toEqual({
          audited: records.length,
          owed: keys.length,
          settled: records.length > 0,
        });
        expect(records.length).toBeLessThanOrEqual(1);
      },
      appliedOnce: async (id) => {
        expect(await audits('contoso', 'notice.send', id)).toHaveLength(1);
        const owed = (await partition('contoso')).outbox.filter(
          (r) => r.message.kind === 'benefitExpiryReminder' && r.createdAt && r.status !== 'Sent',
        );
        expect(owed).toEqual([]);
      },
    });
    expect(writes).toEqual(['Replace,Create,Create,Create', 'PUT', 'PUT']);
  });

  test('expiry sweep (the benefit, benefit.expire and its notice: one batch per expired benefit)', async () => {
    await host.runFunction('expirySweep'); // what the demo data has due goes first
    let n = 0;
    const writes = await crashMatrix({
      prepare: async () => {
        const id = `crash-expiry-${++n}`;
        const { benefits } = await buy();
        const vs = benefits.find((b) => b.category === 'visualStudio');
        await host.services.store
          .updateBenefit('contoso', vs.id, (b) => ({
            value: {
              ...b,
              id,
              status: 'Active',
              expiresAt: new Date(clock.now().getTime() - 1000).toISOString(),
              assignments: [
                {
                  id: `${id}-a`,
                  userId: oid('dev1@contoso.example'),
                  assignedAt: b.createdAt,
                  assignedBy: 'x',
                },
              ],
            },
          }))
          .catch(() => undefined);
        // A copy under a new id (the conditional update keeps ids): created with the raw layer.
        const b = (await host.services.store.getBenefit('contoso', vs.id))!.value;
        await rawDocuments(host.services.store).create('benefit', {
          ...b,
          id,
          status: 'Active',
          expiresAt: new Date(clock.now().getTime() - 1000).toISOString(),
          assignments: [
            { id: `${id}-a`, userId: oid('dev1@contoso.example'), assignedAt: b.createdAt, assignedBy: 'x' },
          ],
        });
        return id;
      },
      run: async () => {
        await host.runFunction('expirySweep');
        return { status: 200 };
      },
      expected: 200,
      allOrNothing: async (id) => {
        const b = (await host.services.store.getBenefit('contoso', id))!.value;
        const expired = b.status === 'Expired';
        const audited = (await audits('contoso', 'benefit.expire', id)).length;
        const owed = !!(await host.services.store.findOutboxRecord('contoso', `outbox:expiry-${id}`));
        expect({ audited, owed }).toEqual({ audited: expired ? 1 : 0, owed: expired });
      },
      appliedOnce: async (id) => {
        expect((await host.services.store.getBenefit('contoso', id))!.value.status).toBe('Expired');
        expect(await mailsTo(host, 'expiryNotice', 'dev1@contoso.example')).toEqual(
          expect.arrayContaining([expect.objectContaining({ idempotencyKey: `expiry-${id}` })]),
        );
        const record = await host.services.store.findOutboxRecord('contoso', `outbox:expiry-${id}`);
        expect(record?.value.status).toBe('Sent');
      },
    });
    expect(writes).toEqual(['Replace,Create,Create', 'PUT', 'PUT']);
  });
});

describe('purchases, service requests, users, partners and memberships: all or nothing, a retry applies once', () => {
  const DAY = 24 * 3600_000;
  const inDays = (d: number) => new Date(clock.now().getTime() + d * DAY).toISOString();
  let operator: string;
  let seq = 0;
  beforeAll(async () => {
    operator = await host.token('crash-operator', { operator: true });
  });

  /** A fresh partner through the operator route (not under test here): its id and its GlobalAdmin's token. */
  async function onboard(level: 'Gold' | 'Silver', expiresAt: string) {
    const n = ++seq;
    const res = await host.call('POST', '/api/operator/partners', {
      token: operator,
      body: {
        name: `Crash Partner ${n}`,
        level,
        managedIn: 'PartnerCenter',
        membership: { status: 'Active', expiresAt },
        globalAdmin: {
          objectId: `crash-partner-admin-${n}`,
          displayName: `Admin ${n}`,
          accountEmail: `admin@crash${n}.example`,
        },
      },
    });
    expect(res.status).toBe(201);
    return { id: res.body.id as string, admin: await host.token(`crash-partner-admin-${n}`) };
  }

  /** A fresh gold-competency purchase of contoso. */
  async function buy() {
    const res = await host.call('POST', '/api/partners/contoso/purchases', {
      token: admin,
      body: { packageId: 'gold-competency' },
    });
    expect(res.status).toBe(201);
    return res.body as { purchase: any; benefits: any[] };
  }

  /** Every purchase of `partnerId` (with its ETag-less value). */
  const purchasesOf = (partnerId: string) =>
    rawDocuments(host.services.store).queryAll<any>(
      'SELECT * FROM c WHERE c.type = @t',
      [{ name: '@t', value: 'purchase' }],
      partnerId,
    );

  test('purchase (the purchase, its benefits and purchase.create: one batch)', async () => {
    const writes = await crashMatrix({
      prepare: async () => new Set((await purchasesOf('contoso')).map((p) => p.id as string)),
      run: (_, key) =>
        host.call('POST', '/api/partners/contoso/purchases', {
          token: admin,
          body: { packageId: 'gold-competency' },
          headers: { 'Idempotency-Key': key },
        }),
      expected: 201,
      allOrNothing: async (before) => {
        const added = (await purchasesOf('contoso')).filter((p) => !before.has(p.id));
        const benefits = (await partition('contoso')).benefits;
        for (const purchase of added) {
          const audited = (await audits('contoso', 'purchase.create', purchase.id)).length;
          const provisioned = benefits.filter((b) => b.purchaseId === purchase.id).length;
          expect({ audited, provisioned }).toEqual({ audited: 1, provisioned: purchase.benefitIds.length });
        }
        expect(added.length).toBeLessThanOrEqual(1);
      },
      appliedOnce: async (before) => {
        expect((await purchasesOf('contoso')).filter((p) => !before.has(p.id))).toHaveLength(1);
      },
    });
    expect(writes[0]).toBe('POST');
    expect(writes[1]).toMatch(/^Replace(,Create)+$/);
    expect(writes.slice(2)).toEqual(['PUT']);
  });

  test('service request (hours consumed on the benefit, the request and its audit event: one batch)', async () => {
    const requestsFor = (benefitId: string) =>
      rawDocuments(host.services.store).queryAll<any>(
        'SELECT * FROM c WHERE c.type = @t AND c.details.benefitId = @b',
        [
          { name: '@t', value: 'serviceRequest' },
          { name: '@b', value: benefitId },
        ],
        'contoso',
      );
    const writes = await crashMatrix({
      prepare: async () => {
        const presales = (await buy()).benefits.find((b) => b.technicalKind === 'presales');
        const active = await host.services.store.updateBenefit('contoso', presales.id, (b) => ({
          value: { ...b, status: 'Active', activatedAt: clock.now().toISOString(), expiresAt: inDays(300) },
        }));
        return { id: presales.id as string, hours: active.value.advisoryHoursRemaining! };
      },
      run: (c, key) =>
        host.call('POST', '/api/partners/contoso/service-requests', {
          token: admin,
          body: {
            type: 'AdvisoryHours',
            benefitId: c.id,
            topic: 'Crash',
            description: 'Crash test',
            hours: 1,
          },
          headers: { 'Idempotency-Key': key },
        }),
      expected: 201,
      allOrNothing: async (c) => {
        const consumed =
          c.hours - (await host.services.store.getBenefit('contoso', c.id))!.value.advisoryHoursRemaining!;
        const requests = (await requestsFor(c.id)).length;
        const audited = (await audits('contoso', 'serviceRequest.advisoryHours')).filter(
          (e) => e.detail?.benefitId === c.id,
        ).length;
        expect({ requests, audited }).toEqual({ requests: consumed, audited: consumed });
      },
      appliedOnce: async (c) => {
        expect(await requestsFor(c.id)).toHaveLength(1);
      },
    });
    expect(writes).toEqual(['POST', 'Replace,Replace,Create,Create', 'PUT']);
  });

  test('add a GlobalAdmin (the user with its email claim, the guard list, user.create: one batch)', async () => {
    let n = 0;
    const writes = await crashMatrix({
      prepare: async () => `crash-add-${++n}`,
      run: (objectId, key) =>
        host.call('POST', '/api/partners/contoso/users', {
          token: admin,
          body: {
            objectId,
            displayName: `Added ${objectId}`,
            accountEmail: `${objectId}@contoso.example`,
            roles: ['GlobalAdmin'],
          },
          headers: { 'Idempotency-Key': key },
        }),
      expected: 201,
      allOrNothing: async (objectId) => {
        const user = await host.services.store.getUser('contoso', objectId);
        const guarded = !!(await host.services.store.getPartner('contoso'))!.value.globalAdminIds?.includes(
          objectId,
        );
        const audited = (await audits('contoso', 'user.create', objectId)).length;
        expect({ guarded, audited }).toEqual({ guarded: !!user, audited: user ? 1 : 0 });
      },
      appliedOnce: async (objectId) => {
        expect(await host.services.store.getUser('contoso', objectId)).toBeDefined();
        expect((await host.services.store.findDirectoryEntry(objectId))?.homePartnerId).toBe('contoso');
        expect(await audits('contoso', 'user.create', objectId)).toHaveLength(1);
      },
    });
    // The idempotency claim, the directory entry (another partition), ONE batch, the completion.
    expect(writes).toEqual(['POST', 'POST', 'Replace,Replace,Create,Create,Create', 'PUT']);
  });

  test('make a user GlobalAdmin (the user and the guard list on their ETags, user.update: one batch)', async () => {
    let n = 0;
    const writes = await crashMatrix({
      prepare: async () => {
        const id = `crash-promote-${++n}`;
        await host.services.store.createUser({
          id,
          objectId: id,
          partnerId: 'contoso',
          displayName: `Promote ${n}`,
          accountEmail: `promote${n}@contoso.example`,
          roles: [],
          createdAt: clock.now().toISOString(),
        });
        return id;
      },
      run: (id) =>
        host.call('PATCH', `/api/partners/contoso/users/${id}`, {
          token: admin,
          body: { roles: ['GlobalAdmin'] },
        }),
      expected: 200,
      allOrNothing: async (id) => {
        const promoted = (await host.services.store.getUser('contoso', id))!.value.roles.includes(
          'GlobalAdmin',
        );
        const guarded = !!(await host.services.store.getPartner('contoso'))!.value.globalAdminIds?.includes(
          id,
        );
        const audited = (await audits('contoso', 'user.update', id)).length > 0;
        expect({ guarded, audited }).toEqual({ guarded: promoted, audited: promoted });
      },
      appliedOnce: async (id) => {
        expect((await host.services.store.getUser('contoso', id))!.value.roles).toEqual(['GlobalAdmin']);
        const guard = (await host.services.store.getPartner('contoso'))!.value.globalAdminIds!;
        expect(guard.filter((g) => g === id)).toHaveLength(1);
      },
    });
    expect(writes).toEqual(['Replace,Replace,Create']);
  });

  test('remove a GlobalAdmin holding a seat (seat ended, guard list, user and email claim deleted, user.delete: one batch; the directory entry after)', async () => {
    let n = 0;
    const writes = await crashMatrix({
      prepare: async () => {
        const id = `crash-remove-${++n}`;
        const added = await host.call('POST', '/api/partners/contoso/users', {
          token: admin,
          body: {
            objectId: id,
            displayName: `Remove ${n}`,
            accountEmail: `remove${n}@contoso.example`,
            roles: ['GlobalAdmin'],
          },
        });
        expect(added.status).toBe(201);
        const vs = (await buy()).benefits.find((b) => b.category === 'visualStudio').id as string;
        const seat = await host.call('POST', `/api/partners/contoso/benefits/${vs}/assignments`, {
          token: admin,
          body: { userId: id },
        });
        expect(seat.status).toBe(201);
        return { id, vs };
      },
      run: (c) => host.call('DELETE', `/api/partners/contoso/users/${c.id}`, { token: admin }),
      expected: 204,
      retryAlso: [404],
      allOrNothing: async (c) => {
        const present = !!(await host.services.store.getUser('contoso', c.id));
        const seated = (await host.services.store.getBenefit('contoso', c.vs))!.value.assignments.some(
          (a) => a.userId === c.id && a.endedAt === undefined,
        );
        const guarded = !!(await host.services.store.getPartner('contoso'))!.value.globalAdminIds?.includes(
          c.id,
        );
        const audited = (await audits('contoso', 'user.delete', c.id)).length;
        expect({ seated, guarded, audited }).toEqual({
          seated: present,
          guarded: present,
          audited: present ? 0 : 1,
        });
      },
      appliedOnce: async (c) => {
        expect(await host.services.store.getUser('contoso', c.id)).toBeUndefined();
        // The directory entry is released, or left without its user (the next claim takes it over).
        const entry = await host.services.store.findDirectoryEntry(c.id);
        if (entry)
          expect(await host.services.store.getUser(entry.homePartnerId, entry.userId)).toBeUndefined();
      },
    });
    expect(writes).toEqual(['Replace,Replace,Delete,Delete,Create', 'DELETE']);
  });

  test('a removed user whose directory entry was left behind can be added again, to another partner', async () => {
    const id = 'crash-readd';
    const body = { objectId: id, displayName: 'Re-add', accountEmail: 'readd@contoso.example', roles: [] };
    expect((await host.call('POST', '/api/partners/contoso/users', { token: admin, body })).status).toBe(201);
    faults.arm(2, 'before'); // the user's batch, then the directory entry's release: not sent
    expect((await host.call('DELETE', `/api/partners/contoso/users/${id}`, { token: admin })).status).toBe(
      500,
    );
    expect((await host.services.store.findDirectoryEntry(id))?.homePartnerId).toBe('contoso');
    const fabrikam = await host.tokenFor('admin@fabrikam.example');
    const readded = await host.call('POST', '/api/partners/fabrikam/users', {
      token: fabrikam,
      body: { ...body, accountEmail: 'readd@fabrikam.example' },
    });
    expect(readded.status).toBe(201);
    expect((await host.services.store.findDirectoryEntry(id))?.homePartnerId).toBe('fabrikam');
  });

  test('partner onboarding (the partner, its GlobalAdmin and partner.create: one batch; the directory entry before)', async () => {
    let n = 0;
    const named = (name: string) =>
      rawDocuments(host.services.store).queryAll<any>('SELECT * FROM c WHERE c.type = @t AND c.name = @n', [
        { name: '@t', value: 'partner' },
        { name: '@n', value: name },
      ]);
    const writes = await crashMatrix({
      prepare: async () => ++n,
      run: (i, key) =>
        host.call('POST', '/api/operator/partners', {
          token: operator,
          body: {
            name: `Crash Onboarding ${i}`,
            level: 'Silver',
            managedIn: 'PartnerCenter',
            membership: { status: 'Active', expiresAt: inDays(200) },
            globalAdmin: {
              objectId: `crash-onboard-${i}`,
              displayName: `Onboarded ${i}`,
              accountEmail: `admin@onboard${i}.example`,
            },
          },
          headers: { 'Idempotency-Key': key },
        }),
      expected: 201,
      // The key lives outside the new partner's partition: a retry after a lost answer is told the admin exists.
      retryAlso: [409],
      allOrNothing: async (i) => {
        const partners = await named(`Crash Onboarding ${i}`);
        for (const partner of partners) {
          const admin = await host.services.store.getUser(partner.id, `crash-onboard-${i}`);
          const audited = (await audits(partner.id, 'partner.create', partner.id)).length;
          const entry = await host.services.store.findDirectoryEntry(`crash-onboard-${i}`);
          expect({ admin: !!admin, audited, home: entry?.homePartnerId }).toEqual({
            admin: true,
            audited: 1,
            home: partner.id,
          });
        }
        expect(partners.length).toBeLessThanOrEqual(1);
      },
      appliedOnce: async (i) => {
        expect(await named(`Crash Onboarding ${i}`)).toHaveLength(1);
      },
    });
    expect(writes).toEqual(['POST', 'POST', 'Create,Create,Create,Create', 'PUT']);
  });

  test('membership renewal (the partner on its ETag, the purchase, its benefits, membership.renew: one batch)', async () => {
    const writes = await crashMatrix({
      prepare: async () => onboard('Gold', inDays(30)),
      run: (p, key) =>
        host.call('POST', `/api/partners/${p.id}/membership/renewal`, {
          token: p.admin,
          body: { packageId: 'gold-competency' },
          headers: { 'Idempotency-Key': key },
        }),
      expected: 201,
      allOrNothing: async (p) => {
        const renewed =
          (await host.services.store.getPartner(p.id))!.value.membership.expiresAt > inDays(300);
        const purchases = (await purchasesOf(p.id)).length;
        const audited = (await audits(p.id, 'membership.renew')).length;
        expect({ purchases, audited }).toEqual({ purchases: renewed ? 1 : 0, audited: renewed ? 1 : 0 });
      },
      appliedOnce: async (p) => {
        expect(await purchasesOf(p.id)).toHaveLength(1);
      },
    });
    expect(writes[0]).toBe('POST');
    expect(writes[1]).toMatch(/^Replace,Replace(,Create)+$/);
    expect(writes.slice(2)).toEqual(['PUT']);
  });

  test('level change (the partner on its ETag and partner.level.change: one batch)', async () => {
    const writes = await crashMatrix({
      prepare: async () => (await onboard('Silver', inDays(200))).id,
      run: (id) =>
        host.call('PATCH', `/api/operator/partners/${id}`, { token: operator, body: { level: 'Gold' } }),
      expected: 200,
      allOrNothing: async (id) => {
        const gold = (await host.services.store.getPartner(id))!.value.level === 'Gold';
        const audited = (await audits(id, 'partner.level.change', id)).length;
        expect({ audited }).toEqual({ audited: gold ? 1 : 0 });
      },
      appliedOnce: async (id) => {
        expect((await host.services.store.getPartner(id))!.value.level).toBe('Gold');
      },
    });
    expect(writes).toEqual(['Replace,Create']);
  });
});

describe('the outbox relay', () => {
  /** Commits a unit of work that owes one email to `address` (no state change: the relay is what is tested). */
  async function owe(key: string, address: string) {
    const { etags } = await runUnitOfWork(host.services, 'contoso', (uow) => {
      uow.email({
        kind: 'vsAssignment',
        locale: 'en-US',
        data: { recipientName: 'Relay Test', partnerName: 'Contoso', productName: 'Visual Studio' },
        to: [{ address, displayName: 'Relay Test' }],
        idempotencyKey: key,
      });
    });
    const found = await host.services.store.findOutboxRecord('contoso', `outbox:${key}`);
    expect(found?.etag).toBe(etags[`outbox:${key}`]);
    return found!;
  }

  test('two relays racing for one record: one claims and sends it, the other sends nothing', async () => {
    faults.record();
    const record = await owe('relay-race', 'race@contoso.example');
    const send = jest.spyOn(host.services.email, 'send');
    try {
      const [a, b] = await Promise.all([
        relayOutbox(host.services, [record]),
        relayOutbox(host.services, [record]),
      ]);
      expect([a.sent + b.sent, a.skipped + b.skipped]).toEqual([1, 1]);
      expect(send).toHaveBeenCalledTimes(1);
    } finally {
      send.mockRestore();
    }
    expect(await mailsTo(host, 'vsAssignment', 'race@contoso.example')).toHaveLength(1);
    const settled = await host.services.store.findOutboxRecord('contoso', 'outbox:relay-race');
    expect(settled?.value.status).toBe('Sent');
    // Delivered again by the change feed or the timer, a settled record is left alone.
    expect(await relayOutbox(host.services, [settled!])).toMatchObject({ sent: 0, skipped: 1 });
  });

  test('a failed send is retried by the timer after its back-off, and sent once', async () => {
    const send = jest
      .spyOn(host.services.email, 'send')
      .mockRejectedValueOnce(new EmailSendError('ACS is throttling', true, '429'));
    try {
      const record = await owe('relay-retry', 'retry@contoso.example');
      expect(await relayOutbox(host.services, [record])).toMatchObject({ retried: 1 });
      const pending = (await host.services.store.findOutboxRecord('contoso', 'outbox:relay-retry'))!.value;
      expect(pending).toMatchObject({ status: 'Pending', attempts: 1, lastError: 'ACS is throttling' });
      // Before its back-off has passed, the timer leaves it.
      await host.runFunction('outboxRetry');
      expect(await mailsTo(host, 'vsAssignment', 'retry@contoso.example')).toHaveLength(0);
      clock.advance(outboxBackoffMs(1) + 61_000);
      await host.runFunction('outboxRetry');
      expect(send).toHaveBeenCalledTimes(2);
    } finally {
      send.mockRestore();
    }
    expect(await mailsTo(host, 'vsAssignment', 'retry@contoso.example')).toHaveLength(1);
    expect(
      (await host.services.store.findOutboxRecord('contoso', 'outbox:relay-retry'))!.value,
    ).toMatchObject({
      status: 'Sent',
      attempts: 1,
    });
  });

  test(`after ${OUTBOX_MAX_ATTEMPTS} failed attempts the record is Failed and email.failed is audited once`, async () => {
    const send = jest
      .spyOn(host.services.email, 'send')
      .mockRejectedValue(new EmailSendError('ACS is down', true, '503'));
    try {
      const record = await owe('relay-give-up', 'giveup@contoso.example');
      await relayOutbox(host.services, [record]);
      for (let attempt = 1; attempt < OUTBOX_MAX_ATTEMPTS; attempt++) {
        clock.advance(outboxBackoffMs(attempt) + 61_000);
        await host.runFunction('outboxRetry');
      }
      expect(send).toHaveBeenCalledTimes(OUTBOX_MAX_ATTEMPTS);
      clock.advance(24 * 3600_000);
      await host.runFunction('outboxRetry'); // given up: not tried again
      expect(send).toHaveBeenCalledTimes(OUTBOX_MAX_ATTEMPTS);
    } finally {
      send.mockRestore();
    }
    const failed = (await host.services.store.findOutboxRecord('contoso', 'outbox:relay-give-up'))!.value;
    expect(failed).toMatchObject({ status: 'Failed', attempts: OUTBOX_MAX_ATTEMPTS });
    const audits = (await partition('contoso')).audit.filter(
      (e) => e.action === 'email.failed' && e.target.id === 'relay-give-up',
    );
    expect(audits).toEqual([
      expect.objectContaining({
        actor: { objectId: 'system', kind: 'system' },
        target: { type: 'email', id: 'relay-give-up' },
        outcome: 'Rejected',
        detail: { kind: 'vsAssignment', attempts: OUTBOX_MAX_ATTEMPTS },
      }),
    ]);
  });

  test('a permanent refusal is not retried: Failed at once, audited', async () => {
    const send = jest
      .spyOn(host.services.email, 'send')
      .mockRejectedValue(new EmailSendError('Email has no recipient', false, 'NoRecipient'));
    try {
      const record = await owe('relay-permanent', 'permanent@contoso.example');
      expect(await relayOutbox(host.services, [record])).toMatchObject({ failed: 1 });
    } finally {
      send.mockRestore();
    }
    expect(
      (await host.services.store.findOutboxRecord('contoso', 'outbox:relay-permanent'))!.value,
    ).toMatchObject({ status: 'Failed', attempts: 1 });
  });
});
