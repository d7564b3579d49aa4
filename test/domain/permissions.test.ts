import {
  PARTNER_ACTIONS,
  PERMISSIONS,
  assertAllowed,
  isAllowed,
  type PartnerAction,
} from '../../src/domain/permissions';
import { ROLES, type Role } from '../../src/domain/types';
import { catchDomainError } from './fixtures';

// SPEC §2, written out independently of the implementation: action → [GlobalAdmin, UserAdmin, AdminAgent, MpnPartnerAdmin].
const G = 'GlobalAdmin';
const U = 'UserAdmin';
const A = 'AdminAgent';
const M = 'MpnPartnerAdmin';
const EXPECTED: Record<PartnerAction, Record<Role, boolean>> = {
  read: { [G]: true, [U]: true, [A]: true, [M]: true },
  purchase: { [G]: true, [U]: true, [A]: true, [M]: true },
  manageUsers: { [G]: true, [U]: true, [A]: false, [M]: false },
  assignBenefit: { [G]: true, [U]: false, [A]: false, [M]: false },
  selfAssignCloud: { [G]: true, [U]: false, [A]: false, [M]: true },
  activateBenefit: { [G]: true, [U]: false, [A]: false, [M]: true },
  revealKeys: { [G]: true, [U]: false, [A]: false, [M]: true },
  setMarketingContact: { [G]: true, [U]: false, [A]: false, [M]: true },
  activateGoToMarket: { [G]: true, [U]: false, [A]: false, [M]: true },
  requestCancellation: { [G]: true, [U]: false, [A]: false, [M]: true },
  fileServiceRequest: { [G]: true, [U]: false, [A]: false, [M]: true },
  // SPEC §12 renewal (product decision: the roles that manage the membership's benefits).
  renewMembership: { [G]: true, [U]: false, [A]: false, [M]: true },
};

const cases = (Object.keys(EXPECTED) as PartnerAction[]).flatMap((action) =>
  ROLES.map((role) => [action, role, EXPECTED[action][role]] as const),
);

describe('permission table (SPEC §2)', () => {
  it('covers exactly the actions of SPEC §2', () => {
    expect([...PARTNER_ACTIONS].sort()).toEqual(Object.keys(EXPECTED).sort());
    expect(Object.keys(PERMISSIONS).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(cases)('%s by %s → allowed=%s', (action, role, allowed) => {
    expect(isAllowed([role], action)).toBe(allowed);
    if (allowed) {
      expect(() => assertAllowed([role], action)).not.toThrow();
    } else {
      const err = catchDomainError(() => assertAllowed([role], action), 'forbidden');
      expect(err.status).toBe(403);
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
