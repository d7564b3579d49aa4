import { CATALOG, getPackage } from '../../src/domain/catalog';
import {
  assertCanManageBenefits,
  assertEligibleForPackage,
  assertMembershipActive,
  provisionBenefits,
} from '../../src/domain/provisioning';
import { BenefitSchema } from '../../src/domain/schemas';
import {
  BENEFIT_CATEGORIES,
  PARTNER_LEVELS,
  type CatalogPackage,
  type PartnerLevel,
} from '../../src/domain/types';
import { NOW, catchDomainError, partner } from './fixtures';
import { HTTP_STATUS } from '../../src/http/problem';

function ids() {
  let n = 0;
  return () => `ben-${++n}`;
}

const ELIGIBLE: Record<string, PartnerLevel[]> = {
  'action-pack': ['ActionPack', 'Silver', 'Gold'],
  'silver-competency': ['Silver', 'Gold'],
  'gold-competency': ['Gold'],
};

const matrix = CATALOG.flatMap((pkg) => PARTNER_LEVELS.map((level) => [pkg.id, level] as const));

describe('provisionBenefits (docs/product.md §3)', () => {
  it.each(matrix)('%s bought by a %s partner', (pkgId, level) => {
    const pkg = getPackage(pkgId)!;
    const p = partner({ level });
    const run = () => provisionBenefits({ partner: p, pkg, purchaseId: 'pur-1', now: NOW, newId: ids() });
    if (!ELIGIBLE[pkgId].includes(level)) {
      catchDomainError(run, 'not-eligible');
      return;
    }
    const benefits = run();
    const expectedItems = pkg.items.filter((i) => i.levels.includes(level));
    expect(benefits.map((b) => b.catalogItemId)).toEqual(expectedItems.map((i) => i.id));
    expect(new Set(benefits.map((b) => b.id)).size).toBe(benefits.length);
    for (const b of benefits) {
      expect(b).toMatchObject({
        partnerId: 'contoso',
        purchaseId: 'pur-1',
        packageId: pkgId,
        status: 'NotActivated',
        assignments: [],
        createdAt: NOW.toISOString(),
      });
      expect(BenefitSchema.safeParse(b).success).toBe(true);
    }
    if (level === 'ActionPack')
      expect(benefits.some((b) => b.technicalKind === 'signatureSupport')).toBe(false);
  });

  it('gold-competency for a Gold partner provisions all five categories', () => {
    const benefits = provisionBenefits({
      partner: partner({ level: 'Gold' }),
      pkg: getPackage('gold-competency')!,
      purchaseId: 'p',
      now: NOW,
      newId: ids(),
    });
    expect(new Set(benefits.map((b) => b.category))).toEqual(new Set(BENEFIT_CATEGORIES));
  });

  it('copies seats, languages, OS, incidents and advisory hours (and does not share catalog arrays)', () => {
    const pkg = getPackage('gold-competency')!;
    const benefits = provisionBenefits({ partner: partner(), pkg, purchaseId: 'p', now: NOW, newId: ids() });
    const by = (itemId: string) => benefits.find((b) => b.catalogItemId === itemId)!;
    expect(by('visual-studio-enterprise').seats).toBe(25);
    expect(by('azure-usage-based')).toMatchObject({ seats: 1, cloudKind: 'usageBased' });
    expect(by('signature-product-support')).toMatchObject({
      technicalKind: 'signatureSupport',
      incidentsRemaining: 20,
    });
    expect(by('technical-presales-deployment').advisoryHoursRemaining).toBe(50);
    expect(by('gtm-gold-core').offerType).toBe('Gold Core');
    const office = by('office-professional-plus-2019');
    expect(office.languages).toContain('zh-TW');
    expect(office.operatingSystems).toContain('Windows x64');
    const item = pkg.items.find((i) => i.id === 'office-professional-plus-2019')!;
    expect(office.languages).not.toBe(item.languages);
    office.languages!.push('xx-XX');
    expect(item.languages).not.toContain('xx-XX');
  });

  it('filters items by the partner level', () => {
    const pkg: CatalogPackage = {
      id: 'test',
      name: 'Test',
      description: '',
      eligibleLevels: ['ActionPack', 'Silver', 'Gold'],
      items: [
        {
          id: 'all',
          category: 'software',
          productName: 'A',
          description: '',
          levels: ['ActionPack', 'Silver', 'Gold'],
          instructions: '',
        },
        {
          id: 'sig',
          category: 'technical',
          technicalKind: 'signatureSupport',
          productName: 'S',
          description: '',
          levels: ['Silver', 'Gold'],
          incidents: 3,
          instructions: '',
        },
        {
          id: 'gold',
          category: 'goToMarket',
          offerType: 'Gold Core',
          productName: 'G',
          description: '',
          levels: ['Gold'],
          instructions: '',
        },
      ],
    };
    const got = (level: PartnerLevel) =>
      provisionBenefits({ partner: partner({ level }), pkg, purchaseId: 'p', now: NOW, newId: ids() }).map(
        (b) => b.catalogItemId,
      );
    expect(got('ActionPack')).toEqual(['all']);
    expect(got('Silver')).toEqual(['all', 'sig']);
    expect(got('Gold')).toEqual(['all', 'sig', 'gold']);
  });

  it('runs the purchase guards', () => {
    const pkg = getPackage('action-pack')!;
    const run = (p: ReturnType<typeof partner>) => () =>
      provisionBenefits({ partner: p, pkg, purchaseId: 'p', now: NOW, newId: ids() });
    catchDomainError(run(partner({ managedIn: 'PMC' })), 'managed-in-pmc');
    catchDomainError(
      run(partner({ membership: { status: 'Expired', expiresAt: '2030-01-01T00:00:00Z' } })),
      'membership-inactive',
    );
  });
});

describe('purchase guards (docs/product.md §2)', () => {
  it('refuses PMC partners with a pointer to PMC', () => {
    const err = catchDomainError(
      () => assertCanManageBenefits(partner({ managedIn: 'PMC' })),
      'managed-in-pmc',
    );
    expect(HTTP_STATUS[err.code]).toBe(409);
    expect(err.detail).toMatch(/Partner Membership Center/);
    expect(() => assertCanManageBenefits(partner())).not.toThrow();
  });

  it.each(['Expired', 'Suspended'] as const)('refuses a %s membership', (status) => {
    catchDomainError(
      () =>
        assertMembershipActive(partner({ membership: { status, expiresAt: '2030-01-01T00:00:00Z' } }), NOW),
      'membership-inactive',
    );
  });

  it('refuses an Active membership whose end has passed; the end instant itself is inactive', () => {
    const at = (expiresAt: string) => partner({ membership: { status: 'Active', expiresAt } });
    catchDomainError(() => assertMembershipActive(at(NOW.toISOString()), NOW), 'membership-inactive');
    catchDomainError(
      () => assertMembershipActive(at('2025-03-10T11:59:59.999Z'), NOW),
      'membership-inactive',
    );
    expect(() => assertMembershipActive(at('2025-03-10T12:00:00.001Z'), NOW)).not.toThrow();
  });

  it('checks package eligibility by level', () => {
    const gold = getPackage('gold-competency')!;
    const silver = getPackage('silver-competency')!;
    catchDomainError(() => assertEligibleForPackage({ level: 'Silver' }, gold), 'not-eligible');
    catchDomainError(() => assertEligibleForPackage({ level: 'ActionPack' }, silver), 'not-eligible');
    expect(() => assertEligibleForPackage({ level: 'Gold' }, silver)).not.toThrow();
    expect(() => assertEligibleForPackage({ level: 'ActionPack' }, getPackage('action-pack')!)).not.toThrow();
  });
});
