/**
 * One unit of work per mutation (docs/decisions.md): a failure at any write of a mutation — not sent, response lost,
 * or one operation of its batch refused by a server without batch rollback — leaves no state change without its
 * audit event and outbox record, and a retry of the request applies it exactly once. Failures are injected into
 * the real `@azure/cosmos` client (test/support/faults.ts); the mutations run through the real local host.
 * Also: the outbox relay sends each record once when two relays race, and a failed send is retried by the timer.
 */
import { runUnitOfWork } from '../../src/app/unitOfWork';
import { relayOutbox, OUTBOX_MAX_ATTEMPTS, outboxBackoffMs } from '../../src/app/outbox';
import { ManualClock } from '../../src/local/clock';
import { EmailSendError } from '../../src/email/port';
import { rawDocuments } from '../../src/store/raw';
import type { OutboxRecord } from '../../src/store/ports';
import type { AuditEvent, Benefit } from '../../src/domain/types';
import { mailsTo } from '../support/api';
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
  host = await startTestHost({ clock });
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
