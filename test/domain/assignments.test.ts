import fc from 'fast-check';
import {
  activeAssignments,
  assertNotCancelled,
  assignSeat,
  endAllAssignments,
  endAssignment,
  type AssignSeatInput,
} from '../../src/domain/assignments';
import { DomainError } from '../../src/domain/errors';
import type { Benefit, Role } from '../../src/domain/types';
import { seeded } from '../support/seeds';
import { MEMBERSHIP_END, NOW, benefit, catchDomainError, frozen, user } from './fixtures';
import { HTTP_STATUS } from '../../src/http/problem';

const admin = { userId: 'admin', roles: ['GlobalAdmin'] as Role[] };

function input(userId: string, overrides: Partial<AssignSeatInput> = {}): AssignSeatInput {
  return {
    assignmentId: `a-${userId}`,
    userId,
    user: user(userId),
    caller: admin,
    now: NOW,
    membershipExpiresAt: MEMBERSHIP_END,
    ...overrides,
  };
}

const azure = (overrides: Partial<Benefit> = {}) =>
  benefit({
    category: 'cloud',
    cloudKind: 'usageBased',
    catalogItemId: 'azure-usage-based',
    productName: 'Azure',
    seats: 1,
    ...overrides,
  });
const technical = (overrides: Partial<Benefit> = {}) =>
  benefit({
    category: 'technical',
    technicalKind: 'productSupport',
    catalogItemId: 'microsoft-product-support',
    productName: 'Support',
    seats: undefined,
    incidentsRemaining: 5,
    ...overrides,
  });

describe('assertNotCancelled', () => {
  it('throws benefit-cancelled only for Cancelled', () => {
    catchDomainError(() => assertNotCancelled(benefit({ status: 'Cancelled' })), 'benefit-cancelled');
    for (const status of ['NotActivated', 'Pending', 'Active', 'Expired', 'ActivationFailed'] as const) {
      expect(() => assertNotCancelled(benefit({ status }))).not.toThrow();
    }
  });
});

describe('assignSeat — Visual Studio (docs/product.md §3)', () => {
  it('assigns a seat, activates the benefit on the first assignment, and does not mutate the input', () => {
    const b = frozen(benefit());
    const { benefit: next, assignment } = assignSeat(
      b,
      input('dev1', { alternateEmail: ' dev1@home.example ' }),
    );
    expect(assignment).toEqual({
      id: 'a-dev1',
      userId: 'dev1',
      alternateEmail: 'dev1@home.example',
      assignedAt: NOW.toISOString(),
      assignedBy: 'admin',
    });
    expect(next).toMatchObject({
      status: 'Active',
      activatedAt: NOW.toISOString(),
      expiresAt: MEMBERSHIP_END,
    });
    expect(next.assignments).toEqual([assignment]);
    expect(b.assignments).toEqual([]);
    expect(b.status).toBe('NotActivated');
  });

  it('keeps the first activation on later assignments', () => {
    const first = assignSeat(benefit(), input('dev1')).benefit;
    const later = new Date(NOW.getTime() + 86_400_000);
    const second = assignSeat(
      first,
      input('dev2', { now: later, membershipExpiresAt: '2030-01-01T00:00:00.000Z' }),
    ).benefit;
    expect(second.activatedAt).toBe(NOW.toISOString());
    expect(second.expiresAt).toBe(MEMBERSHIP_END);
    expect(activeAssignments(second).map((a) => a.userId)).toEqual(['dev1', 'dev2']);
  });

  it('refuses a user who already holds a seat', () => {
    const b = assignSeat(benefit(), input('dev1')).benefit;
    catchDomainError(() => assignSeat(b, input('dev1', { assignmentId: 'other' })), 'already-assigned');
  });

  it('refuses when all seats are taken, and accepts again after an unassignment', () => {
    let b = benefit({ seats: 2 });
    b = assignSeat(b, input('dev1')).benefit;
    b = assignSeat(b, input('dev2')).benefit;
    catchDomainError(() => assignSeat(b, input('dev3')), 'seat-limit-reached');
    b = endAssignment(b, 'a-dev1', NOW);
    const again = assignSeat(b, input('dev3'));
    expect(activeAssignments(again.benefit).map((a) => a.userId)).toEqual(['dev2', 'dev3']);
    // reassign the same user after their seat ended
    const back = assignSeat(
      endAssignment(again.benefit, 'a-dev2', NOW),
      input('dev1', { assignmentId: 'a-dev1-2' }),
    );
    expect(activeAssignments(back.benefit).map((a) => a.userId)).toEqual(['dev3', 'dev1']);
  });

  it('refuses a user of another partner with not-found', () => {
    catchDomainError(
      () => assignSeat(benefit(), input('dev1', { user: user('dev1', [], { partnerId: 'fabrikam' }) })),
      'not-found',
    );
  });

  it('refuses a userId that is not the given user', () => {
    catchDomainError(() => assignSeat(benefit(), input('dev1', { user: user('dev2') })), 'validation-failed');
  });

  it('refuses cancelled and expired benefits', () => {
    catchDomainError(() => assignSeat(benefit({ status: 'Cancelled' }), input('dev1')), 'benefit-cancelled');
    catchDomainError(() => assignSeat(benefit({ status: 'Expired' }), input('dev1')), 'benefit-not-active');
  });

  it('needs membershipExpiresAt to activate', () => {
    catchDomainError(
      () => assignSeat(benefit(), input('dev1', { membershipExpiresAt: undefined })),
      'internal-error',
    );
  });
});

describe('assignSeat — usage-based cloud: assign yourself (docs/product.md §3)', () => {
  it.each(['GlobalAdmin', 'MpnPartnerAdmin'] as Role[])(
    'a %s assigns themself and the benefit becomes Active',
    (role) => {
      const me = user('me', [role]);
      const { benefit: next, assignment } = assignSeat(
        frozen(azure()),
        input('me', { user: me, caller: { userId: 'me', roles: [role] } }),
      );
      expect(assignment.userId).toBe('me');
      expect(next).toMatchObject({
        status: 'Active',
        activatedAt: NOW.toISOString(),
        expiresAt: MEMBERSHIP_END,
      });
    },
  );

  it('has one seat', () => {
    const mpn = { userId: 'mpn', roles: ['MpnPartnerAdmin'] as Role[] };
    const b = assignSeat(
      azure(),
      input('me', { user: user('me'), caller: { userId: 'me', roles: ['GlobalAdmin'] } }),
    ).benefit;
    catchDomainError(
      () => assignSeat(b, input('mpn', { user: user('mpn'), caller: mpn })),
      'seat-limit-reached',
    );
    catchDomainError(
      () =>
        assignSeat(b, input('me', { user: user('me'), caller: { userId: 'me', roles: ['GlobalAdmin'] } })),
      'already-assigned',
    );
  });

  it('ignores an alternate email', () => {
    const { assignment } = assignSeat(
      azure(),
      input('me', {
        user: user('me'),
        caller: { userId: 'me', roles: ['GlobalAdmin'] },
        alternateEmail: 'x@y.example',
      }),
    );
    expect(assignment.alternateEmail).toBeUndefined();
  });
});

describe('assignSeat — technical contact (docs/product.md §3)', () => {
  it('assigns with an alternate email and leaves the status to the activation lifecycle', () => {
    const { benefit: next, assignment } = assignSeat(
      frozen(technical()),
      input('dev1', { alternateEmail: 'dev1@home.example' }),
    );
    expect(assignment.alternateEmail).toBe('dev1@home.example');
    expect(next.status).toBe('NotActivated');
    expect(next.activatedAt).toBeUndefined();
  });

  it('requires the alternate email', () => {
    const err = catchDomainError(() => assignSeat(technical(), input('dev1')), 'validation-failed');
    expect(err.errors?.[0].field).toBe('body.alternateEmail');
    catchDomainError(
      () => assignSeat(technical(), input('dev1', { alternateEmail: '  ' })),
      'validation-failed',
    );
  });

  it('requires it to differ from the account email, case-insensitively', () => {
    const err = catchDomainError(
      () => assignSeat(technical(), input('dev1', { alternateEmail: ' DEV1@Contoso.Example ' })),
      'alternate-email-must-differ',
    );
    expect(HTTP_STATUS[err.code]).toBe(400);
  });

  it('holds one technical contact; replacing means unassigning first', () => {
    const b = assignSeat(technical(), input('dev1', { alternateEmail: 'a@b.example' })).benefit;
    catchDomainError(
      () => assignSeat(b, input('dev2', { alternateEmail: 'c@d.example' })),
      'seat-limit-reached',
    );
    const replaced = assignSeat(
      endAssignment(b, 'a-dev1', NOW),
      input('dev2', { alternateEmail: 'c@d.example' }),
    ).benefit;
    expect(activeAssignments(replaced).map((a) => a.userId)).toEqual(['dev2']);
  });
});

describe('assignSeat — categories not assigned to users', () => {
  it.each([
    ['software', benefit({ category: 'software', seats: undefined })],
    ['license-based cloud', benefit({ category: 'cloud', cloudKind: 'licenseBased', seats: undefined })],
    ['goToMarket', benefit({ category: 'goToMarket', offerType: 'Gold Core', seats: undefined })],
  ])('%s → not-activatable', (_name, b) => {
    const err = catchDomainError(() => assignSeat(b, input('dev1')), 'not-activatable');
    expect(err.detail).toMatch(/not assigned to users/);
  });
});

describe('endAssignment', () => {
  it('sets endedAt on the active assignment without mutating', () => {
    const b = frozen(assignSeat(benefit(), input('dev1')).benefit);
    const later = new Date('2025-04-01T00:00:00.000Z');
    const next = endAssignment(b, 'a-dev1', later);
    expect(next.assignments[0].endedAt).toBe(later.toISOString());
    expect(b.assignments[0].endedAt).toBeUndefined();
    expect(activeAssignments(next)).toEqual([]);
    expect(next.status).toBe('Active');
  });

  it('answers not-found for an unknown or already ended assignment', () => {
    const b = endAssignment(assignSeat(benefit(), input('dev1')).benefit, 'a-dev1', NOW);
    catchDomainError(() => endAssignment(b, 'a-dev1', NOW), 'not-found');
    catchDomainError(() => endAssignment(b, 'nope', NOW), 'not-found');
  });
});

describe('seat invariant (property)', () => {
  type Op = { kind: 'assign'; user: number } | { kind: 'unassign'; pick: number };
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant('assign' as const), user: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ kind: fc.constant('unassign' as const), pick: fc.nat() }),
  );

  it('no sequence of assign/unassign leaves more active assignments than seats, or a user twice', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5 }), fc.array(op, { maxLength: 60 }), (seats, ops) => {
        let b = benefit({ seats });
        let n = 0;
        for (const o of ops) {
          const before = activeAssignments(b);
          try {
            if (o.kind === 'assign') {
              b = assignSeat(b, input(`u${o.user}`, { assignmentId: `a${n++}` })).benefit;
            } else {
              const all = b.assignments;
              if (all.length === 0) continue;
              b = endAssignment(b, all[o.pick % all.length].id, NOW);
            }
          } catch (e) {
            if (!(e instanceof DomainError)) throw e;
            expect(['seat-limit-reached', 'already-assigned', 'not-found']).toContain(e.code);
            // a refusal is justified: seats full, the user holds one, or the picked assignment had ended
            if (e.code === 'seat-limit-reached') expect(before.length).toBe(seats);
            if (e.code === 'already-assigned')
              expect(before.some((a) => o.kind === 'assign' && a.userId === `u${o.user}`)).toBe(true);
          }
          const active = activeAssignments(b);
          expect(active.length).toBeLessThanOrEqual(seats);
          expect(new Set(active.map((a) => a.userId)).size).toBe(active.length);
        }
      }),
      seeded({ numRuns: 300 }),
    );
  });
});

describe('endAllAssignments', () => {
  it('ends every active assignment at the given time and keeps the end of those already ended', () => {
    let b = benefit({ seats: 3 });
    b = assignSeat(b, input('dev1')).benefit;
    b = assignSeat(b, input('dev2')).benefit;
    b = endAssignment(b, 'a-dev1', NOW);
    const at = '2030-01-01T00:00:00.000Z';
    const ended = endAllAssignments(b.assignments, at);
    expect(ended.map((a) => [a.id, a.endedAt])).toEqual([
      ['a-dev1', NOW.toISOString()],
      ['a-dev2', at],
    ]);
    expect(activeAssignments(b)).toHaveLength(1); // no mutation
  });
});
