/**
 * Use cases against in-memory fakes of their ports (test/support/fakeDeps.ts): the policy's refusals, the writes
 * each use case makes, what it audits and emails. The same workflows run end to end in test/http.
 */
import { assignBenefitSeat, unassignBenefitSeat } from '../../src/app/assignments';
import { cancelPurchase } from '../../src/app/cancelPurchase';
import { revealBenefitKeys } from '../../src/app/revealKeys';
import { DomainError, type ErrorCode } from '../../src/domain/errors';
import type { Benefit, Purchase, Role } from '../../src/domain/types';
import { fakeDeps, fakeDurable } from '../support/fakeDeps';
import { NOW, benefit, partner, user } from '../domain/fixtures';

const actor = (id: string) => ({ objectId: id, isOperator: false });

async function rejects(p: Promise<unknown>, code: ErrorCode): Promise<void> {
  await expect(p).rejects.toBeInstanceOf(DomainError);
  await p.catch((e: DomainError) => expect(e.code).toBe(code));
}

function world(benefits: Benefit[] = [benefit()]) {
  const f = fakeDeps(NOW);
  f.store.partners.put(partner());
  for (const [id, roles] of [
    ['admin', ['GlobalAdmin']],
    ['mpn', ['MpnPartnerAdmin']],
    ['useradmin', ['UserAdmin']],
    ['dev1', []],
  ] as [string, Role[]][]) {
    f.store.users.put(user(id, roles));
  }
  for (const b of benefits) f.store.benefits.put(b);
  const as = (id: string) => ({
    actor: actor(id),
    user: f.store.users.get('contoso', id)!.value,
    partner: f.store.partners.get('contoso', 'contoso')!.value,
  });
  return { ...f, as };
}

describe('assignBenefitSeat / unassignBenefitSeat', () => {
  it('assigns a Visual Studio seat, activates the benefit, audits and owes the assignee an email', async () => {
    const w = world();
    const { assignment } = await assignBenefitSeat(w.deps, {
      ...w.as('admin'),
      benefitId: 'b1',
      userId: 'dev1',
    });
    expect(assignment).toMatchObject({ userId: 'dev1', assignedBy: 'admin' });
    const saved = w.store.benefits.get('contoso', 'b1')!.value;
    expect(saved.status).toBe('Active');
    expect(saved.assignments).toHaveLength(1);
    expect(w.store.audit.map((e) => e.action)).toEqual(['benefit.assign']);
    expect(w.store.owed()).toEqual([
      {
        kind: 'vsAssignment',
        to: [{ address: 'dev1@contoso.example', displayName: 'User dev1' }],
        idempotencyKey: `vs-${assignment.id}`,
      },
    ]);
  });

  it.each(['mpn', 'useradmin'])(
    'refuses a Visual Studio seat to %s (GlobalAdmin only) and writes nothing',
    async (who) => {
      const w = world();
      await rejects(
        assignBenefitSeat(w.deps, { ...w.as(who), benefitId: 'b1', userId: 'dev1' }),
        'forbidden',
      );
      expect(w.store.benefits.get('contoso', 'b1')!.value.assignments).toEqual([]);
      expect(w.store.audit).toEqual([]);
      expect(w.store.owed()).toEqual([]);
    },
  );

  it('lets an MPN partner admin assign themself a usage-based Azure subscription, and nobody else', async () => {
    const azure = benefit({
      id: 'az',
      category: 'cloud',
      cloudKind: 'usageBased',
      catalogItemId: 'azure-usage-based',
      seats: 1,
    });
    const w = world([azure]);
    await rejects(
      assignBenefitSeat(w.deps, { ...w.as('mpn'), benefitId: 'az', userId: 'dev1' }),
      'self-assignment-only',
    );
    const { assignment } = await assignBenefitSeat(w.deps, {
      ...w.as('mpn'),
      benefitId: 'az',
      userId: 'mpn',
    });
    expect(assignment.userId).toBe('mpn');
    // …and may end their own self-assignment, but a user admin may not.
    await rejects(
      unassignBenefitSeat(w.deps, { ...w.as('useradmin'), benefitId: 'az', assignmentId: assignment.id }),
      'forbidden',
    );
    await unassignBenefitSeat(w.deps, { ...w.as('mpn'), benefitId: 'az', assignmentId: assignment.id });
    expect(w.store.benefits.get('contoso', 'az')!.value.assignments[0].endedAt).toBe(NOW.toISOString());
  });

  it('answers 403 before 404 for an unknown assignee, so ids cannot be probed', async () => {
    const w = world();
    await rejects(
      assignBenefitSeat(w.deps, { ...w.as('mpn'), benefitId: 'b1', userId: 'ghost' }),
      'forbidden',
    );
    await rejects(
      assignBenefitSeat(w.deps, { ...w.as('admin'), benefitId: 'b1', userId: 'ghost' }),
      'not-found',
    );
  });
});

const office = benefit({
  id: 'office',
  category: 'software',
  catalogItemId: 'office-professional-plus-2019',
  productName: 'Office Professional Plus 2019',
  seats: undefined,
  languages: ['en-US', 'zh-TW'],
  operatingSystems: ['Windows x64', 'Windows x86'],
});
const purchase: Purchase = {
  id: 'p1',
  partnerId: 'contoso',
  packageId: 'gold-competency',
  purchasedAt: '2025-03-01T00:00:00.000Z',
  purchasedBy: 'admin',
  status: 'Active',
  benefitIds: ['office', 'b1'],
};

describe('revealBenefitKeys', () => {
  it('marks the purchase and stores the key on the benefit, audited, in one unit of work', async () => {
    const w = world([office]);
    w.store.purchases.put(purchase);
    const out = await revealBenefitKeys(w.deps, {
      ...w.as('mpn'),
      benefitId: 'office',
      language: 'zh-TW',
      operatingSystem: 'Windows x64',
    });
    expect(out.keys).toHaveLength(1);
    expect(out.keys[0].productKey).toMatch(/^[A-Z0-9]{5}(-[A-Z0-9]{5}){4}$/);
    expect(w.store.purchases.get('contoso', 'p1')!.value.softwareKeysRevealedAt).toBe(NOW.toISOString());
    expect(w.store.audit.map((e) => e.action)).toEqual(['benefit.revealKeys']);
    expect(JSON.stringify(w.store.audit)).not.toContain(out.keys[0].productKey);
  });

  it('refuses a user admin, and a cancelled purchase, writing nothing', async () => {
    const w = world([office]);
    w.store.purchases.put({ ...purchase, status: 'Cancelled' });
    const cmd = { benefitId: 'office', language: 'zh-TW', operatingSystem: 'Windows x64' };
    await rejects(revealBenefitKeys(w.deps, { ...w.as('useradmin'), ...cmd }), 'forbidden');
    await rejects(revealBenefitKeys(w.deps, { ...w.as('admin'), ...cmd }), 'purchase-cancelled');
    expect(w.store.benefits.get('contoso', 'office')!.value.secretKeys).toBeUndefined();
    expect(w.store.audit).toEqual([]);
  });
});

describe('cancelPurchase', () => {
  const pending = benefit({
    id: 'tech',
    category: 'technical',
    technicalKind: 'productSupport',
    seats: 1,
    status: 'Pending',
    activation: {
      instanceId: 'activation-tech-1',
      attempt: 1,
      status: 'Pending',
      requestedAt: NOW.toISOString(),
      requestedBy: 'admin',
    },
  });

  it('cancels the purchase and its benefits, files a Completed request, and stops the running activation', async () => {
    const w = world([
      benefit({
        assignments: [{ id: 'a1', userId: 'dev1', assignedAt: NOW.toISOString(), assignedBy: 'admin' }],
      }),
      pending,
    ]);
    w.store.purchases.put({ ...purchase, benefitIds: ['b1', 'tech'] });
    const { durable, events } = fakeDurable();
    const request = await cancelPurchase(w.deps, durable, {
      caller: actor('admin'),
      roles: ['GlobalAdmin'],
      partnerId: 'contoso',
      purchaseId: 'p1',
      reason: 'Bought by mistake',
      log: () => undefined,
    });
    expect(request).toMatchObject({
      type: 'Cancellation',
      status: 'Completed',
      details: { purchaseId: 'p1', benefitsCancelled: 2 },
    });
    expect(w.store.purchases.get('contoso', 'p1')!.value.status).toBe('Cancelled');
    const vs = w.store.benefits.get('contoso', 'b1')!.value;
    expect(vs.status).toBe('Cancelled');
    expect(vs.assignments[0].endedAt).toBe(NOW.toISOString());
    expect(w.store.benefits.get('contoso', 'tech')!.value.activation?.status).toBe('Cancelled');
    expect(events.map((e) => [e.instanceId, e.eventName])).toEqual([
      ['activation-tech-1', 'PurchaseCancelled'],
    ]);
    expect(w.store.serviceRequests).toEqual([request]);
  });

  it('records a Rejected request and refuses after a software key was revealed; the purchase stays Active', async () => {
    const w = world([office]);
    w.store.purchases.put({ ...purchase, softwareKeysRevealedAt: NOW.toISOString() });
    const { durable } = fakeDurable();
    const cmd = {
      caller: actor('admin'),
      roles: ['GlobalAdmin'] as Role[],
      partnerId: 'contoso',
      purchaseId: 'p1',
      reason: 'x',
      log: () => undefined,
    };
    await rejects(cancelPurchase(w.deps, durable, cmd), 'software-benefits-activated');
    expect(w.store.purchases.get('contoso', 'p1')!.value.status).toBe('Active');
    expect(w.store.serviceRequests.map((r) => r.status)).toEqual(['Rejected']);
    await rejects(cancelPurchase(w.deps, durable, { ...cmd, roles: ['UserAdmin'] }), 'forbidden');
  });
});
