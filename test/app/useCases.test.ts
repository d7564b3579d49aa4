/**
 * Use cases against in-memory fakes of their ports (test/support/fakeDeps.ts): the policy's refusals, the writes
 * each use case makes, what it audits and emails. The same workflows run end to end in test/http.
 */
import { assignBenefitSeat, unassignBenefitSeat } from '../../src/app/assignments';
import { cancelPurchase } from '../../src/app/cancelPurchase';
import { runExpirySweep } from '../../src/app/expirySweep';
import { renewPartnerMembership } from '../../src/app/membership';
import { revealBenefitKeys } from '../../src/app/revealKeys';
import { fileServiceRequest } from '../../src/app/serviceRequests';
import { addUser, changeUser, removeUser } from '../../src/app/users';
import { runUnitOfWork } from '../../src/app/unitOfWork';
import { DomainError, type ErrorCode } from '../../src/domain/errors';
import type { Benefit, Purchase, Role } from '../../src/domain/types';
import { fakeDeps, fakeDurable } from '../support/fakeDeps';
import { MEMBERSHIP_END, NOW, benefit, partner, user } from '../domain/fixtures';

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

describe('renewPartnerMembership', () => {
  // Inside the renewal window: 20 days before the membership ends (docs/product.md §12: opens 90 days before).
  const ENDS = '2025-03-30T00:00:00.000Z';
  function renewing() {
    const w = world([]);
    w.store.partners.put(partner({ membership: { status: 'Active', expiresAt: ENDS } }));
    const current = () => w.store.partners.get('contoso', 'contoso')!;
    const cmd = (who: string, packageId = 'gold-competency') => ({
      actor: actor(who),
      user: w.store.users.get('contoso', who)!.value,
      partner: current(),
      packageId,
    });
    return { ...w, current, cmd };
  }

  it('buys the package of the level and moves the end 12 months on, in one write with the benefits', async () => {
    const w = renewing();
    const out = await renewPartnerMembership(w.deps, w.cmd('mpn'));
    expect(out.membership).toMatchObject({ status: 'Active', expiresAt: '2026-03-30T00:00:00.000Z' });
    expect(w.current().value.membership.expiresAt).toBe('2026-03-30T00:00:00.000Z');
    const stored = w.store.purchases.get('contoso', out.purchase.id)!.value;
    expect(stored).toMatchObject({
      packageId: 'gold-competency',
      purchasedBy: 'mpn',
      renewal: { previousExpiresAt: ENDS, expiresAt: '2026-03-30T00:00:00.000Z' },
    });
    expect(out.benefits.length).toBeGreaterThan(0);
    expect(stored.benefitIds.sort()).toEqual(out.benefits.map((b) => b.id).sort());
    expect(w.store.audit.map((e) => e.action)).toEqual(['membership.renew']);
  });

  it('re-reads the partner after a lost race and decides again; with If-Match the race is final', async () => {
    const w = renewing();
    w.store.loseNextPartnerRace = true;
    await renewPartnerMembership(w.deps, w.cmd('admin'));
    expect(w.current().value.membership.expiresAt).toBe('2026-03-30T00:00:00.000Z');
    expect(w.store.purchases.values()).toHaveLength(1);

    const again = renewing();
    again.store.loseNextPartnerRace = true;
    const cmd = again.cmd('admin');
    await rejects(
      renewPartnerMembership(again.deps, { ...cmd, ifMatch: cmd.partner.etag }),
      'precondition-failed',
    );
    expect(again.store.purchases.values()).toEqual([]);
  });

  it('refuses a user admin, another level’s package and a closed window, writing nothing', async () => {
    const w = renewing();
    await rejects(renewPartnerMembership(w.deps, w.cmd('useradmin')), 'forbidden');
    await rejects(renewPartnerMembership(w.deps, w.cmd('admin', 'silver-competency')), 'not-eligible');
    await rejects(renewPartnerMembership(w.deps, w.cmd('admin', 'no-such-package')), 'validation-failed');
    w.store.partners.put(partner({ membership: { status: 'Active', expiresAt: MEMBERSHIP_END } }));
    await rejects(renewPartnerMembership(w.deps, w.cmd('admin')), 'renewal-not-open');
    expect(w.store.purchases.values()).toEqual([]);
    expect(w.store.audit).toEqual([]);
  });
});

describe('runExpirySweep', () => {
  const expiring = (overrides: Partial<Benefit> = {}) =>
    benefit({
      status: 'Active',
      expiresAt: '2025-03-10T11:00:00.000Z', // an hour before NOW
      assignments: [
        { id: 'a1', userId: 'dev1', assignedAt: '2025-01-01T00:00:00.000Z', assignedBy: 'admin' },
        {
          id: 'a0',
          userId: 'mpn',
          assignedAt: '2024-01-01T00:00:00.000Z',
          assignedBy: 'admin',
          endedAt: '2024-06-01T00:00:00.000Z',
        },
      ],
      ...overrides,
    });

  it('expires a due benefit once: ends its seats, owes the holders one notice, audits — all in one unit of work', async () => {
    const w = world([expiring(), expiring({ id: 'later', expiresAt: '2025-03-11T00:00:00.000Z' })]);
    const result = await runExpirySweep(w.deps);
    expect(result).toEqual({ expired: 1, notices: 1, pages: 1 });
    const b1 = w.store.benefits.get('contoso', 'b1')!.value;
    expect(b1.status).toBe('Expired');
    expect(b1.assignments.map((a) => a.endedAt)).toEqual([NOW.toISOString(), '2024-06-01T00:00:00.000Z']);
    // The notice is an outbox record committed with the expiry; the relay sends it, not the sweep.
    expect(w.store.owed()).toEqual([
      {
        kind: 'expiryNotice',
        to: [{ address: 'dev1@contoso.example', displayName: 'User dev1' }],
        idempotencyKey: 'expiry-b1',
      },
    ]);
    expect(w.sent).toEqual([]);
    expect(w.store.benefits.get('contoso', 'later')!.value.status).toBe('Active');
    expect(w.store.audit.map((e) => [e.action, e.actor.kind])).toEqual([['benefit.expire', 'system']]);
    // A second run finds nothing to do and owes nothing more.
    expect(await runExpirySweep(w.deps)).toEqual({ expired: 0, notices: 0, pages: 1 });
    expect(w.store.owed()).toHaveLength(1);
  });

  it('a benefit whose unit of work fails stays Active, without audit or notice, for the next run', async () => {
    const w = world([expiring()]);
    const commit = w.store.commit.bind(w.store);
    w.store.commit = async () => {
      throw new Error('the batch was refused');
    };
    const log: string[] = [];
    expect(await runExpirySweep(w.deps, { log: (m) => log.push(m) })).toEqual({
      expired: 0,
      notices: 0,
      pages: 1,
    });
    expect(w.store.benefits.get('contoso', 'b1')!.value.status).toBe('Active');
    expect(w.store.audit).toEqual([]);
    expect(w.store.owed()).toEqual([]);
    expect(log.join('\n')).toMatch(/refused/);
    w.store.commit = commit;
    expect(await runExpirySweep(w.deps)).toEqual({ expired: 1, notices: 1, pages: 1 });
    expect(w.store.owed().map((m) => m.idempotencyKey)).toEqual(['expiry-b1']);
  });
});

describe('fileServiceRequest', () => {
  const presales = benefit({
    id: 'hours',
    category: 'technical',
    technicalKind: 'presales',
    catalogItemId: 'technical-presales-deployment',
    productName: 'Technical Presales and Deployment Services',
    status: 'Active',
    seats: undefined,
    advisoryHoursRemaining: 10,
  });
  const request = (hours: number) => ({
    type: 'AdvisoryHours' as const,
    benefitId: 'hours',
    topic: 'Migration',
    description: 'Plan the move to Azure',
    hours,
  });

  it('consumes advisory hours on the benefit, files an Open request with the consumption, audits it', async () => {
    const w = world([presales]);
    const filed = await fileServiceRequest(w.deps, { ...w.as('mpn'), request: request(4) });
    expect(filed).toMatchObject({
      type: 'AdvisoryHours',
      status: 'Open',
      createdBy: 'mpn',
      details: { benefitId: 'hours', hoursConsumed: 4, hoursRemaining: 6 },
    });
    expect(w.store.benefits.get('contoso', 'hours')!.value.advisoryHoursRemaining).toBe(6);
    expect(w.store.serviceRequests).toEqual([filed]);
    expect(w.store.audit.map((e) => e.action)).toEqual(['serviceRequest.advisoryHours']);
  });

  it('refuses more hours than remain and a user admin, writing nothing', async () => {
    const w = world([presales]);
    await rejects(
      fileServiceRequest(w.deps, { ...w.as('admin'), request: request(11) }),
      'insufficient-hours',
    );
    await rejects(fileServiceRequest(w.deps, { ...w.as('useradmin'), request: request(1) }), 'forbidden');
    expect(w.store.benefits.get('contoso', 'hours')!.value.advisoryHoursRemaining).toBe(10);
    expect(w.store.serviceRequests).toEqual([]);
    expect(w.store.audit).toEqual([]);
  });
});

describe('addUser / changeUser / removeUser: granting roles through the policy', () => {
  const newUser = (roles: Role[]) => ({
    objectId: 'new',
    displayName: 'New Person',
    accountEmail: 'new@contoso.example',
    roles,
  });
  function withAdmins() {
    const w = world();
    w.store.partners.put(partner({ globalAdminIds: ['admin'] }));
    return w;
  }

  it('a UserAdmin adds an AdminAgent but may not grant GlobalAdmin (nothing written)', async () => {
    const w = withAdmins();
    await rejects(addUser(w.deps, { ...w.as('useradmin'), ...newUser(['GlobalAdmin']) }), 'forbidden');
    expect(w.store.users.get('contoso', 'new')).toBeUndefined();
    const created = await addUser(w.deps, { ...w.as('useradmin'), ...newUser(['AdminAgent', 'AdminAgent']) });
    expect(created.value.roles).toEqual(['AdminAgent']);
    expect(w.store.audit.map((e) => e.action)).toEqual(['user.create']);
  });

  it('a new GlobalAdmin joins the guard list; demoting the last one is refused before the user changes', async () => {
    const w = withAdmins();
    await addUser(w.deps, { ...w.as('admin'), ...newUser(['GlobalAdmin']) });
    expect(w.store.partners.get('contoso', 'contoso')!.value.globalAdminIds).toEqual(['admin', 'new']);
    await changeUser(w.deps, { ...w.as('admin'), userId: 'new', roles: [] });
    await rejects(
      changeUser(w.deps, { ...w.as('admin'), userId: 'admin', roles: ['UserAdmin'] }),
      'last-global-admin',
    );
    expect(w.store.users.get('contoso', 'admin')!.value.roles).toEqual(['GlobalAdmin']);
    expect(w.store.partners.get('contoso', 'contoso')!.value.globalAdminIds).toEqual(['admin']);
  });

  it('a UserAdmin renames a GlobalAdmin but may not demote or remove them', async () => {
    const w = withAdmins();
    const renamed = await changeUser(w.deps, { ...w.as('useradmin'), userId: 'admin', displayName: 'Ada' });
    expect(renamed.value).toMatchObject({ displayName: 'Ada', roles: ['GlobalAdmin'] });
    await rejects(changeUser(w.deps, { ...w.as('useradmin'), userId: 'admin', roles: [] }), 'forbidden');
    await rejects(removeUser(w.deps, { ...w.as('useradmin'), userId: 'admin' }), 'forbidden');
    expect(w.store.users.get('contoso', 'admin')).toBeDefined();
  });

  it('removing a user ends their seats first, and a stale If-Match changes nothing', async () => {
    const w = world([
      benefit({
        assignments: [{ id: 'a1', userId: 'dev1', assignedAt: NOW.toISOString(), assignedBy: 'admin' }],
      }),
    ]);
    await rejects(
      removeUser(w.deps, { ...w.as('admin'), userId: 'dev1', ifMatch: '"stale"' }),
      'precondition-failed',
    );
    expect(w.store.benefits.get('contoso', 'b1')!.value.assignments[0].endedAt).toBeUndefined();
    await removeUser(w.deps, { ...w.as('useradmin'), userId: 'dev1' });
    expect(w.store.users.get('contoso', 'dev1')).toBeUndefined();
    expect(w.store.benefits.get('contoso', 'b1')!.value.assignments[0].endedAt).toBe(NOW.toISOString());
    expect(w.store.audit.at(-1)).toMatchObject({ action: 'user.delete', detail: { assignmentsEnded: 1 } });
  });
});

describe('UnitOfWork.email: the provider takes at most 50 recipients per message', () => {
  const recipients = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      address: `admin${i}@contoso.example`,
      displayName: `Admin ${i}`,
    }));

  it('owes 120 recipients as three messages of 50, 50 and 20, each with its own key, in one commit', async () => {
    const w = world();
    const data = {
      recipientName: 'Contoso admins',
      partnerName: 'Contoso',
      productName: 'Visual Studio Enterprise',
      expiredAt: NOW.toISOString(),
    };
    await runUnitOfWork(w.deps, 'contoso', (uow) => {
      uow.email({ kind: 'expiryNotice', locale: 'en-US', data, to: recipients(120), idempotencyKey: 'k' });
    });
    const owed = w.store.owed();
    expect(owed.map((m) => [m.idempotencyKey, m.to.length])).toEqual([
      ['k', 50],
      ['k~2', 50],
      ['k~3', 20],
    ]);
    expect(owed.flatMap((m) => m.to)).toEqual(recipients(120)); // everyone once, in order
  });

  it('owes 50 recipients or fewer as one message under the key itself', async () => {
    const w = world();
    const data = {
      recipientName: 'Contoso admins',
      partnerName: 'Contoso',
      productName: 'Visual Studio Enterprise',
      expiredAt: NOW.toISOString(),
    };
    await runUnitOfWork(w.deps, 'contoso', (uow) => {
      uow.email({ kind: 'expiryNotice', locale: 'en-US', data, to: recipients(50), idempotencyKey: 'k' });
    });
    expect(w.store.owed().map((m) => [m.idempotencyKey, m.to.length])).toEqual([['k', 50]]);
  });
});
