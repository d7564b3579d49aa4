import { getPackage } from '../../src/domain/catalog';
import { revealKeys, toPublicBenefit, type RevealKeysInput } from '../../src/domain/keys';
import { provisionBenefits } from '../../src/domain/provisioning';
import { BenefitSchema } from '../../src/domain/schemas';
import type { Benefit } from '../../src/domain/types';
import { MEMBERSHIP_END, NOW, benefit, catchDomainError, frozen, partner } from './fixtures';
import { HTTP_STATUS } from '../../src/http/problem';

const office = (overrides: Partial<Benefit> = {}) =>
  benefit({
    category: 'software',
    catalogItemId: 'office-professional-plus-2019',
    productName: 'Office Professional Plus 2019',
    seats: undefined,
    languages: ['en-US', 'zh-TW'],
    operatingSystems: ['Windows x64', 'Windows x86'],
    ...overrides,
  });

function keyInput(overrides: Partial<RevealKeysInput> = {}): RevealKeysInput {
  let n = 0;
  return {
    language: 'zh-TW',
    operatingSystem: 'Windows x64',
    now: NOW,
    membershipExpiresAt: MEMBERSHIP_END,
    randomKey: () => `KEY-${++n}`,
    ...overrides,
  };
}

describe('revealKeys (docs/product.md §3 Get keys)', () => {
  it('reveals a key and a download link; the first reveal activates the benefit', () => {
    const b = frozen(office());
    const r = revealKeys(b, keyInput());
    expect(r.firstReveal).toBe(true);
    expect(r.keys).toEqual([{ productKey: 'KEY-1', language: 'zh-TW', operatingSystem: 'Windows x64' }]);
    expect(r.downloads).toHaveLength(1);
    expect(r.downloads[0]).toMatchObject({ language: 'zh-TW', operatingSystem: 'Windows x64' });
    expect(r.downloads[0].url).toMatch(
      /^https:\/\/.+\/office-professional-plus-2019\/zh-TW\/windows-x64\/.+\.iso$/,
    );
    expect(r.downloads[0].url.endsWith(r.downloads[0].fileName)).toBe(true);
    expect(r.benefit).toMatchObject({
      status: 'Active',
      activatedAt: NOW.toISOString(),
      expiresAt: MEMBERSHIP_END,
    });
    expect(r.benefit.secretKeys).toEqual({ 'zh-TW|Windows x64': 'KEY-1' });
    expect(b.status).toBe('NotActivated');
    expect(b.secretKeys).toBeUndefined();
  });

  it('returns the same key for a repeated reveal and a new one for another pair, keeping the first activation', () => {
    const first = revealKeys(office(), keyInput({ randomKey: () => 'K1' }));
    const randomKey = jest.fn(() => 'K2');
    const later = new Date('2025-06-01T00:00:00.000Z');
    const again = revealKeys(first.benefit, keyInput({ randomKey, now: later }));
    expect(again.keys[0].productKey).toBe('K1');
    expect(again.firstReveal).toBe(false);
    expect(randomKey).not.toHaveBeenCalled();
    const other = revealKeys(
      again.benefit,
      keyInput({ randomKey, language: 'en-US', operatingSystem: 'Windows x86', now: later }),
    );
    expect(other.keys[0].productKey).toBe('K2');
    expect(other.firstReveal).toBe(false);
    expect(other.benefit.activatedAt).toBe(NOW.toISOString());
    expect(Object.keys(other.benefit.secretKeys!).sort()).toEqual(['en-US|Windows x86', 'zh-TW|Windows x64']);
  });

  it('works for license-based cloud benefits, with .pkg for macOS', () => {
    const m365 = benefit({
      category: 'cloud',
      cloudKind: 'licenseBased',
      catalogItemId: 'microsoft-365-e3',
      productName: 'Microsoft 365 E3',
      seats: undefined,
      languages: ['en-US'],
      operatingSystems: ['macOS'],
    });
    const r = revealKeys(m365, keyInput({ language: 'en-US', operatingSystem: 'macOS' }));
    expect(r.benefit.status).toBe('Active');
    expect(r.downloads[0].fileName).toBe('microsoft-365-e3_en-US_macos.pkg');
  });

  it('lists the allowed values of each wrong field', () => {
    const err = catchDomainError(
      () => revealKeys(office(), keyInput({ language: 'fr-FR', operatingSystem: 'Linux' })),
      'validation-failed',
    );
    expect(HTTP_STATUS[err.code]).toBe(400);
    expect(err.errors).toEqual([
      { field: 'body.language', message: 'must be one of: en-US, zh-TW' },
      { field: 'body.operatingSystem', message: 'must be one of: Windows x64, Windows x86' },
    ]);
    const one = catchDomainError(
      () => revealKeys(office(), keyInput({ operatingSystem: 'macOS' })),
      'validation-failed',
    );
    expect(one.errors?.map((e) => e.field)).toEqual(['body.operatingSystem']);
  });

  it.each([
    ['visualStudio', benefit()],
    ['usage-based cloud', benefit({ category: 'cloud', cloudKind: 'usageBased', seats: 1 })],
    ['technical', benefit({ category: 'technical', technicalKind: 'presales' })],
    ['goToMarket', benefit({ category: 'goToMarket', offerType: 'Gold Core' })],
  ])('refuses %s with not-activatable', (_n, b) => {
    catchDomainError(() => revealKeys(b, keyInput()), 'not-activatable');
  });

  it('refuses cancelled and expired benefits', () => {
    catchDomainError(() => revealKeys(office({ status: 'Cancelled' }), keyInput()), 'benefit-cancelled');
    catchDomainError(() => revealKeys(office({ status: 'Expired' }), keyInput()), 'benefit-not-active');
  });

  it('reveals keys for every software item of the real catalog in zh-TW / Windows x64 where offered', () => {
    const benefits = provisionBenefits({
      partner: partner(),
      pkg: getPackage('gold-competency')!,
      purchaseId: 'p',
      now: NOW,
      newId: (() => {
        let i = 0;
        return () => `b${i++}`;
      })(),
    });
    const office2019 = benefits.find((b) => b.productName.includes('Office'))!;
    expect(revealKeys(office2019, keyInput()).keys).toHaveLength(1);
  });
});

describe('toPublicBenefit', () => {
  it("adds the catalog item's instructions, and the Azure portal link for usage-based Azure", () => {
    const azure = toPublicBenefit(
      benefit({
        category: 'cloud',
        cloudKind: 'usageBased',
        packageId: 'gold-competency',
        catalogItemId: 'azure-usage-based',
      }),
    );
    expect(azure.portalUrl).toBe('https://portal.azure.com/');
    expect(azure.instructions).toMatch(/Azure portal/);
  });

  it('strips secretKeys and undeclared store fields, keeps the rest', () => {
    const revealed = revealKeys(office(), keyInput()).benefit;
    const withMeta = { ...revealed, _etag: '"abc"', _ts: 1 } as Benefit;
    const pub = toPublicBenefit(withMeta);
    expect(pub).not.toHaveProperty('secretKeys');
    expect(pub).not.toHaveProperty('_etag');
    expect(JSON.stringify(pub)).not.toContain('KEY-1');
    const { secretKeys: _s, ...rest } = revealed;
    // …plus the product's special instructions from the catalog (docs/product.md §3).
    expect(pub).toEqual({ ...rest, instructions: expect.stringContaining('Office Deployment Tool') });
    expect(BenefitSchema.safeParse(pub).success).toBe(true);
    expect(pub.assignments).not.toBe(revealed.assignments);
    expect(revealed.secretKeys).toBeDefined();
  });
});
