import { getPackage } from '../../src/domain/catalog';
import {
  MEMBERSHIP_PACKAGE,
  changeLevel,
  isRenewalOpen,
  membershipInactiveDetail,
  membershipView,
  renewMembership,
  renewalWindow,
} from '../../src/domain/membership';
import { PARTNER_LEVELS } from '../../src/domain/types';
import { catchDomainError, partner } from './fixtures';

const at = (iso: string) => new Date(iso);
const END = '2026-03-10T00:00:00.000Z';

describe('renewal window (docs/product.md §12): 90 days before the end to 30 days after', () => {
  test('opens and closes', () => {
    expect(renewalWindow(END)).toEqual({
      opensAt: '2025-12-10T00:00:00.000Z',
      closesAt: '2026-04-09T00:00:00.000Z',
    });
  });

  test.each([
    ['2025-12-09T23:59:59.999Z', false],
    ['2025-12-10T00:00:00.000Z', true],
    ['2026-03-10T00:00:00.000Z', true],
    ['2026-04-09T00:00:00.000Z', true],
    ['2026-04-09T00:00:00.001Z', false],
  ])('at %s open = %s', (now, open) => {
    expect(isRenewalOpen({ status: 'Active', expiresAt: END }, at(now))).toBe(open);
    expect(isRenewalOpen({ status: 'Expired', expiresAt: END }, at(now))).toBe(open);
    expect(isRenewalOpen({ status: 'Suspended', expiresAt: END }, at(now))).toBe(false);
  });
});

describe('renewMembership', () => {
  const gold = getPackage('gold-competency')!;

  test('12 months past the old end when renewed early; status Active; no mutation', () => {
    const p = partner({ membership: { status: 'Active', expiresAt: END } });
    const out = renewMembership(p, gold, at('2026-01-01T00:00:00Z'));
    expect(out.partner.membership).toEqual({ status: 'Active', expiresAt: '2027-03-10T00:00:00.000Z' });
    expect(out.renewal).toEqual({ previousExpiresAt: END, expiresAt: '2027-03-10T00:00:00.000Z' });
    expect(p.membership.expiresAt).toBe(END);
  });

  test('12 months past now when renewed in the grace period, also from Expired', () => {
    const p = partner({ membership: { status: 'Expired', expiresAt: END } });
    const out = renewMembership(p, gold, at('2026-03-25T06:30:00Z'));
    expect(out.partner.membership).toEqual({ status: 'Active', expiresAt: '2027-03-25T06:30:00.000Z' });
  });

  test('calendar months with luxon: 29 February + 12 months = 28 February', () => {
    const p = partner({ membership: { status: 'Active', expiresAt: '2024-02-29T00:00:00.000Z' } });
    expect(renewMembership(p, gold, at('2024-01-01T00:00:00Z')).renewal.expiresAt).toBe(
      '2025-02-28T00:00:00.000Z',
    );
  });

  test('outside the window: renewal-not-open with opensAt and closesAt', () => {
    const p = partner({ membership: { status: 'Active', expiresAt: END } });
    const early = catchDomainError(
      () => renewMembership(p, gold, at('2025-06-01T00:00:00Z')),
      'renewal-not-open',
    );
    expect(early.extensions).toEqual({
      opensAt: '2025-12-10T00:00:00.000Z',
      closesAt: '2026-04-09T00:00:00.000Z',
    });
    expect(early.detail).toContain('2025-12-10T00:00:00.000Z');
    const late = catchDomainError(
      () => renewMembership(p, gold, at('2026-05-01T00:00:00Z')),
      'renewal-not-open',
    );
    expect(late.detail).toMatch(/closed at 2026-04-09/);
  });

  test.each(PARTNER_LEVELS)('a %s membership is renewed only with its own package', (level) => {
    const p = partner({ level, membership: { status: 'Active', expiresAt: END } });
    for (const id of Object.values(MEMBERSHIP_PACKAGE)) {
      const pkg = getPackage(id)!;
      if (id === MEMBERSHIP_PACKAGE[level]) {
        expect(renewMembership(p, pkg, at('2026-02-01T00:00:00Z')).partner.level).toBe(level);
      } else {
        const e = catchDomainError(() => renewMembership(p, pkg, at('2026-02-01T00:00:00Z')), 'not-eligible');
        expect(e.extensions).toEqual({ renewalPackageId: MEMBERSHIP_PACKAGE[level] });
      }
    }
  });

  test('a suspension is not lifted by a renewal', () => {
    const p = partner({ membership: { status: 'Suspended', expiresAt: END } });
    catchDomainError(() => renewMembership(p, gold, at('2026-02-01T00:00:00Z')), 'membership-inactive');
  });
});

describe('membershipInactiveDetail names the way out', () => {
  test('the renewal route while it is open, its opening date before, the operator after the grace period', () => {
    const p = partner({ id: 'p 1', membership: { status: 'Active', expiresAt: END } });
    expect(membershipInactiveDetail(p, at('2026-03-20T00:00:00Z'))).toContain(
      'POST /api/partners/p%201/membership/renewal (open until 2026-04-09T00:00:00.000Z)',
    );
    expect(membershipInactiveDetail(p, at('2026-05-01T00:00:00Z'))).toMatch(/closed .* program operator/);
    const expired = partner({ membership: { status: 'Expired', expiresAt: '2027-01-01T00:00:00Z' } });
    expect(membershipInactiveDetail(expired, at('2026-03-20T00:00:00Z'))).toMatch(/from 2026-10-03/);
    const suspended = partner({ membership: { status: 'Suspended', expiresAt: END } });
    expect(membershipInactiveDetail(suspended, at('2026-03-20T00:00:00Z'))).toMatch(/program operator/);
    expect(membershipInactiveDetail({ membership: p.membership }, at('2026-03-20T00:00:00Z'))).toContain(
      '/api/partners/{partnerId}/membership/renewal',
    );
  });
});

describe('membershipView and changeLevel', () => {
  test('the view carries the window and the renewing package; PMC memberships have none', () => {
    const p = partner({ level: 'Silver', membership: { status: 'Active', expiresAt: END } });
    expect(membershipView(p, at('2026-01-01T00:00:00Z'))).toEqual({
      level: 'Silver',
      managedIn: 'PartnerCenter',
      status: 'Active',
      expiresAt: END,
      renewal: {
        open: true,
        opensAt: '2025-12-10T00:00:00.000Z',
        closesAt: '2026-04-09T00:00:00.000Z',
        packageId: 'silver-competency',
        path: '/api/partners/contoso/membership/renewal',
      },
    });
    expect(membershipView({ ...p, managedIn: 'PMC' }, at('2026-01-01T00:00:00Z')).renewal).toBeUndefined();
  });

  test('changeLevel touches only the level', () => {
    const p = partner({ level: 'Silver' });
    expect(changeLevel(p, 'Silver')).toEqual({ partner: p, changed: false });
    const up = changeLevel(p, 'Gold');
    expect(up).toEqual({ partner: { ...p, level: 'Gold' }, changed: true });
  });
});
