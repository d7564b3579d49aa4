import {
  PARTNER_ACTIONS,
  PERMISSIONS,
  assertAllowed,
  isAllowed,
  type PartnerAction,
} from '../../src/domain/permissions';
import { ROLES, type Role } from '../../src/domain/types';
import { nextGlobalAdmins } from '../../src/domain/users';
import {
  activationAction,
  assertCanAssign,
  assertCanManageUser,
  assertCanSetRoles,
  assertCanUnassign,
  assertMayAttempt,
  assertOperator,
  assignAction,
  canAssign,
  canGrantRole,
  canManageUser,
  canUnassign,
  grantableRoles,
  mayAttempt,
  rolesFor,
} from '../../src/app/policy';
import { benefit, catchDomainError } from './fixtures';
import { HTTP_STATUS } from '../../src/http/problem';

// docs/product.md §2, written out independently of the implementation: action → [GlobalAdmin, UserAdmin,
// AdminAgent, MpnPartnerAdmin].
const G = 'GlobalAdmin';
const U = 'UserAdmin';
const A = 'AdminAgent';
const M = 'MpnPartnerAdmin';
const EXPECTED: Record<PartnerAction, Record<Role, boolean>> = {
  read: { [G]: true, [U]: true, [A]: true, [M]: true },
  purchase: { [G]: true, [U]: true, [A]: true, [M]: true },
  listUsers: { [G]: true, [U]: true, [A]: true, [M]: true },
  manageUsers: { [G]: true, [U]: true, [A]: false, [M]: false },
  assignBenefit: { [G]: true, [U]: false, [A]: false, [M]: false },
  selfAssignCloud: { [G]: true, [U]: false, [A]: false, [M]: true },
  activateBenefit: { [G]: true, [U]: false, [A]: false, [M]: true },
  revealKeys: { [G]: true, [U]: false, [A]: false, [M]: true },
  setMarketingContact: { [G]: true, [U]: false, [A]: false, [M]: true },
  activateGoToMarket: { [G]: true, [U]: false, [A]: false, [M]: true },
  requestCancellation: { [G]: true, [U]: false, [A]: false, [M]: true },
  fileServiceRequest: { [G]: true, [U]: false, [A]: false, [M]: true },
  // docs/product.md §12 renewal (product decision: the roles that manage the membership's benefits).
  renewMembership: { [G]: true, [U]: false, [A]: false, [M]: true },
};

const cases = (Object.keys(EXPECTED) as PartnerAction[]).flatMap((action) =>
  ROLES.map((role) => [action, role, EXPECTED[action][role]] as const),
);

describe('permission table (docs/product.md §2)', () => {
  it('covers exactly the actions of docs/product.md §2', () => {
    expect([...PARTNER_ACTIONS].sort()).toEqual(Object.keys(EXPECTED).sort());
    expect(Object.keys(PERMISSIONS).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(cases)('%s by %s → allowed=%s', (action, role, allowed) => {
    expect(isAllowed([role], action)).toBe(allowed);
    if (allowed) {
      expect(() => assertAllowed([role], action)).not.toThrow();
    } else {
      const err = catchDomainError(() => assertAllowed([role], action), 'forbidden');
      expect(HTTP_STATUS[err.code]).toBe(403);
    }
  });

  it.each(PARTNER_ACTIONS)('an employee with no role may not %s', (action) => {
    expect(isAllowed([], action)).toBe(false);
    catchDomainError(() => assertAllowed([], action), 'forbidden');
  });

  it('any one allowed role among several suffices', () => {
    expect(isAllowed(['AdminAgent', 'GlobalAdmin'], 'assignBenefit')).toBe(true);
    expect(isAllowed(['AdminAgent', 'UserAdmin'], 'revealKeys')).toBe(false);
  });

  it('the table cannot be changed at run time', () => {
    expect(Object.isFrozen(PERMISSIONS)).toBe(true);
    for (const roles of Object.values(PERMISSIONS)) expect(Object.isFrozen(roles)).toBe(true);
  });
});

describe('granting roles, the policy (docs/product.md §2: nobody grants a role with rights they lack)', () => {
  const as = (roles: Role[]) => ({ roles });

  it('a GlobalAdmin grants all four; a UserAdmin UserAdmin and AdminAgent; the others nothing', () => {
    expect(grantableRoles(as([G])).sort()).toEqual([...ROLES].sort());
    expect(grantableRoles(as([U])).sort()).toEqual([A, U].sort());
    expect(grantableRoles(as([A]))).toEqual([]);
    expect(grantableRoles(as([M]))).toEqual([]);
    expect(grantableRoles(as([]))).toEqual([]);
    expect(grantableRoles(as([U, M])).sort()).toEqual([A, M, U].sort());
  });

  it('canGrantRole and canManageUser answer from the same table', () => {
    expect(canGrantRole(as([U]), A)).toBe(true);
    expect(canGrantRole(as([U]), G)).toBe(false);
    expect(canGrantRole(as([M]), A)).toBe(false); // no manageUsers right at all
    expect(canManageUser(as([G]), as([G, M]))).toBe(true);
    expect(canManageUser(as([U]), as([A]))).toBe(true);
    expect(canManageUser(as([U]), as([G]))).toBe(false);
    // Without the manageUsers right nobody is managed, not even an employee without roles.
    expect(canManageUser(as([A]), as([]))).toBe(false);
    catchDomainError(() => assertCanManageUser(as([A]), as([])), 'forbidden');
    catchDomainError(() => assertCanSetRoles(as([M]), as([A]), [A]), 'forbidden');
  });

  it.each([
    [[U], undefined, [G]],
    [[U], undefined, [M]],
    [[U], undefined, [A, M]],
    [[U], [G], []], // demote a GlobalAdmin
    [[U], [M], [M, A]], // change the roles of an MpnPartnerAdmin
    [[U], [], [G]],
    [[M], undefined, [A]],
  ] as Array<[Role[], Role[] | undefined, Role[]]>)(
    '%j setting %j → %j is forbidden',
    (caller, current, next) => {
      catchDomainError(() => assertCanSetRoles(as(caller), current && as(current), next), 'forbidden');
    },
  );

  it.each([
    [[U], undefined, [U, A]],
    [[U], [], [A]],
    [[U], [A], []],
    [[U], [G], [G]], // unchanged: a display-name change of a GlobalAdmin
    [[G], [G], [M]],
    [[G], undefined, [G, U, A, M]],
  ] as Array<[Role[], Role[] | undefined, Role[]]>)(
    '%j setting %j → %j is allowed',
    (caller, current, next) => {
      expect(() => assertCanSetRoles(as(caller), current && as(current), next)).not.toThrow();
    },
  );

  it('removing a user: a UserAdmin may not remove a GlobalAdmin or an MpnPartnerAdmin', () => {
    catchDomainError(() => assertCanManageUser(as([U]), as([G])), 'forbidden');
    catchDomainError(() => assertCanManageUser(as([U]), as([A, M])), 'forbidden');
    expect(() => assertCanManageUser(as([U]), as([A]))).not.toThrow();
    expect(() => assertCanManageUser(as([U]), as([]))).not.toThrow();
    expect(() => assertCanManageUser(as([G]), as([G]))).not.toThrow();
  });

  it('the last GlobalAdmin cannot go', () => {
    expect(nextGlobalAdmins(['a', 'b'], 'a', false)).toEqual(['b']);
    expect(nextGlobalAdmins(['a'], 'b', true)).toEqual(['a', 'b']);
    expect(nextGlobalAdmins(['a'], 'a', true)).toEqual(['a']);
    expect(
      HTTP_STATUS[catchDomainError(() => nextGlobalAdmins(['a'], 'a', false), 'last-global-admin').code],
    ).toBe(409);
    catchDomainError(() => nextGlobalAdmins([], 'x', false), 'last-global-admin');
  });
});

describe('the policy: who may do what to which resource (src/app/policy.ts, docs/product.md §2, §3)', () => {
  const vs = benefit();
  const azure = benefit({
    category: 'cloud',
    cloudKind: 'usageBased',
    catalogItemId: 'azure-usage-based',
    seats: 1,
  });
  const technical = benefit({ category: 'technical', technicalKind: 'productSupport', seats: 1 });
  const caller = (roles: Role[], userId = 'me') => ({ userId, roles });

  it.each(['UserAdmin', 'AdminAgent', 'MpnPartnerAdmin'] as Role[])(
    'refuses a %s assigning a Visual Studio or technical seat (GlobalAdmin only)',
    (role) => {
      expect(canAssign(caller([role]), vs, 'dev1')).toBe(false);
      catchDomainError(() => assertCanAssign(caller([role]), vs, 'dev1'), 'forbidden');
      catchDomainError(() => assertCanAssign(caller([role]), technical, 'dev1'), 'forbidden');
    },
  );

  it('lets a GlobalAdmin assign anyone a Visual Studio or technical seat', () => {
    expect(canAssign(caller(['GlobalAdmin']), vs, 'dev1')).toBe(true);
    expect(canAssign(caller(['GlobalAdmin']), technical, 'dev1')).toBe(true);
  });

  it.each([['GlobalAdmin'], ['MpnPartnerAdmin']] as Role[][])(
    'lets a %s assign themself, and only themself, a usage-based Azure subscription',
    (role) => {
      expect(canAssign(caller([role]), azure, 'me')).toBe(true);
      expect(canAssign(caller([role]), azure, 'dev1')).toBe(false);
      catchDomainError(() => assertCanAssign(caller([role]), azure, 'dev1'), 'self-assignment-only');
    },
  );

  it.each([[['UserAdmin']], [['AdminAgent']], [[]]] as Role[][][])(
    'refuses a usage-based self-assignment to a caller with roles %j',
    (roles) => {
      catchDomainError(() => assertCanAssign(caller(roles), azure, 'me'), 'forbidden');
    },
  );

  it('lets a GlobalAdmin end any assignment, and an assignee only their own Azure self-assignment', () => {
    expect(canUnassign(caller(['GlobalAdmin']), vs, 'dev1')).toBe(true);
    expect(canUnassign(caller(['MpnPartnerAdmin']), azure, 'me')).toBe(true);
    expect(canUnassign(caller(['MpnPartnerAdmin']), azure, 'dev1')).toBe(false);
    expect(canUnassign(caller(['MpnPartnerAdmin']), vs, 'me')).toBe(false);
    catchDomainError(() => assertCanUnassign(caller(['UserAdmin']), vs, 'dev1'), 'forbidden');
  });

  it('a route declaring several actions admits a caller allowed any of them, and documents their roles', () => {
    const actions = ['assignBenefit', 'selfAssignCloud'] as const;
    expect(mayAttempt(caller(['MpnPartnerAdmin']), actions)).toBe(true);
    expect(mayAttempt(caller(['UserAdmin']), actions)).toBe(false);
    catchDomainError(() => assertMayAttempt(caller(['AdminAgent']), actions), 'forbidden');
    expect(rolesFor(actions).sort()).toEqual(['GlobalAdmin', 'MpnPartnerAdmin']);
    expect(assignAction(azure)).toBe('selfAssignCloud');
    expect(assignAction(vs)).toBe('assignBenefit');
  });

  it('a Go-To-Market offer is activated under activateGoToMarket, other benefits under activateBenefit', () => {
    expect(activationAction(benefit({ category: 'goToMarket' }))).toBe('activateGoToMarket');
    expect(activationAction(technical)).toBe('activateBenefit');
  });

  it('operator routes need the Program.Operator app role', () => {
    expect(() => assertOperator({ isOperator: true })).not.toThrow();
    catchDomainError(() => assertOperator({ isOperator: false }), 'forbidden');
  });
});
