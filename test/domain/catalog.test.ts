import { CATALOG, getCatalogItem, getPackage } from '../../src/domain/catalog';
import { BENEFIT_CATEGORIES, type CatalogItem } from '../../src/domain/types';

const ALLOWED_LANGUAGES = ['en-US', 'zh-TW', 'zh-CN', 'ru-RU', 'de-DE', 'ja-JP'];
const allItems: [string, CatalogItem][] = CATALOG.flatMap((p) =>
  p.items.map((i) => [p.id, i] as [string, CatalogItem]),
);

describe('catalog (docs/product.md §3, §10)', () => {
  it('has exactly the three packages with their eligible levels', () => {
    expect(CATALOG.map((p) => [p.id, p.eligibleLevels])).toEqual([
      ['action-pack', ['ActionPack', 'Silver', 'Gold']],
      ['silver-competency', ['Silver', 'Gold']],
      ['gold-competency', ['Gold']],
    ]);
  });

  it.each(CATALOG.map((p) => [p.id, p] as const))(
    '%s covers all five categories and has unique item ids',
    (_id, pkg) => {
      expect(new Set(pkg.items.map((i) => i.category))).toEqual(
        new Set(BENEFIT_CATEGORIES.filter((c) => c !== 'goToMarket' || pkg.id !== 'action-pack')),
      );
      expect(new Set(pkg.items.map((i) => i.id)).size).toBe(pkg.items.length);
    },
  );

  it.each(allItems)(
    '%s / item is well-formed: levels within the package, category-specific fields',
    (pkgId, item) => {
      const pkg = getPackage(pkgId)!;
      expect(item.levels.length).toBeGreaterThan(0);
      for (const level of item.levels) expect(pkg.eligibleLevels).toContain(level);
      const getsKeys = item.category === 'software' || item.cloudKind === 'licenseBased';
      if (getsKeys) {
        expect(item.languages?.length).toBeGreaterThan(0);
        expect(item.operatingSystems?.length).toBeGreaterThan(0);
        for (const l of item.languages!) expect(ALLOWED_LANGUAGES).toContain(l);
      } else {
        expect(item.languages).toBeUndefined();
      }
      if (item.category === 'cloud') expect(item.cloudKind).toBeDefined();
      if (item.cloudKind === 'usageBased') expect(item.seats).toBe(1);
      if (item.category === 'visualStudio')
        expect(Number.isInteger(item.seats) && item.seats! > 0).toBe(true);
      if (item.category === 'technical') {
        expect(item.technicalKind).toBeDefined();
        if (item.technicalKind === 'presales') expect(item.advisoryHours).toBeGreaterThan(0);
        else expect(item.incidents).toBeGreaterThan(0);
      }
      if (item.category === 'goToMarket') {
        expect(item.offerType).toBeDefined();
        expect(item.termMonths).toBe(12);
      }
      if (item.productName.includes('Office')) {
        expect(item.languages).toContain('zh-TW');
        expect(item.operatingSystems).toContain('Windows x64');
      }
    },
  );

  it('places Signature support in Silver/Gold only, never in Action Pack', () => {
    const sig = allItems.filter(([, i]) => i.technicalKind === 'signatureSupport');
    expect(sig.map(([p]) => p).sort()).toEqual(['gold-competency', 'silver-competency']);
    for (const [, i] of sig) expect(i.levels).not.toContain('ActionPack');
  });

  it('places product support and presales in every package for every level of it', () => {
    for (const pkg of CATALOG) {
      for (const kind of ['productSupport', 'presales'] as const) {
        const item = pkg.items.find((i) => i.technicalKind === kind);
        expect(item?.levels).toEqual(pkg.eligibleLevels);
      }
    }
  });

  it('places the Go-To-Market offers by level', () => {
    const offers = (id: string) =>
      getPackage(id)!
        .items.filter((i) => i.category === 'goToMarket')
        .map((i) => i.offerType);
    expect(offers('action-pack')).toEqual([]);
    expect(offers('silver-competency').sort()).toEqual(['ISV Co-sell ready', 'Silver Core']);
    expect(offers('gold-competency').sort()).toEqual(['Gold Core', 'ISV Co-sell ready']);
  });

  it('gives Visual Studio seats Gold 25, Silver 10, Action Pack 5', () => {
    const vs = (id: string) => getPackage(id)!.items.find((i) => i.category === 'visualStudio')!.seats;
    expect([vs('gold-competency'), vs('silver-competency'), vs('action-pack')]).toEqual([25, 10, 5]);
  });

  it('has usage-based and license-based cloud items in every package', () => {
    for (const pkg of CATALOG) {
      expect(pkg.items.some((i) => i.cloudKind === 'usageBased')).toBe(true);
      expect(pkg.items.some((i) => i.cloudKind === 'licenseBased')).toBe(true);
    }
  });

  it('looks packages and items up by id', () => {
    expect(getPackage('gold-competency')?.name).toMatch(/Gold/);
    expect(getPackage('platinum')).toBeUndefined();
    expect(getCatalogItem('gold-competency', 'gtm-gold-core')?.offerType).toBe('Gold Core');
    expect(getCatalogItem('action-pack', 'gtm-gold-core')).toBeUndefined();
    expect(getCatalogItem('nope', 'gtm-gold-core')).toBeUndefined();
  });

  it('is frozen', () => {
    const pkg = getPackage('action-pack')!;
    expect(Object.isFrozen(CATALOG)).toBe(true);
    expect(Object.isFrozen(pkg.items[0])).toBe(true);
    expect(Object.isFrozen(pkg.items[0].levels)).toBe(true);
    expect(() => (pkg.items as CatalogItem[]).push(pkg.items[0])).toThrow(TypeError);
  });
});
