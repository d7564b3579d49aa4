import { assertPurchaseActive, recordKeyReveal, refundEligibility } from '../../src/domain/refunds';
import type { Purchase } from '../../src/domain/types';
import { catchDomainError } from './fixtures';

const purchasedAt = '2025-01-01T08:30:00.000Z';
const t0 = Date.parse(purchasedAt);
const purchase = (overrides: Partial<Purchase> = {}): Purchase => ({
  id: 'pur-1',
  partnerId: 'contoso',
  packageId: 'gold-competency',
  purchasedAt,
  purchasedBy: 'admin',
  status: 'Active',
  benefitIds: ['b1'],
  ...overrides,
});
const after = (d: number, h = 0, m = 0, s = 0, ms = 0) =>
  new Date(t0 + (((d * 24 + h) * 60 + m) * 60 + s) * 1000 + ms);

describe('refundEligibility (docs/product.md §4)', () => {
  it('is eligible at 29 d 23 h 59 m 59.999 s', () => {
    expect(refundEligibility(purchase(), after(29, 23, 59, 59, 999))).toEqual({ eligible: true });
  });

  it('is eligible right at purchase', () => {
    expect(refundEligibility(purchase(), new Date(t0)).eligible).toBe(true);
  });

  it('is not eligible at exactly 30 d 0 h 0 m, nor later', () => {
    for (const at of [after(30), after(30, 0, 0, 0, 1), after(45)]) {
      const r = refundEligibility(purchase(), at);
      expect(r).toMatchObject({ eligible: false, code: 'refund-window-elapsed' });
    }
  });

  it('counts exactly 720 h from a purchasedAt written with an offset', () => {
    const p = purchase({ purchasedAt: '2025-03-01T01:00:00+01:00' });
    expect(refundEligibility(p, new Date('2025-03-30T23:59:59.999Z')).eligible).toBe(true);
    expect(refundEligibility(p, new Date('2025-03-31T00:00:00.000Z')).eligible).toBe(false);
  });

  it('is not eligible once software keys were revealed', () => {
    const r = refundEligibility(purchase({ softwareKeysRevealedAt: '2025-01-02T00:00:00.000Z' }), after(1));
    expect(r).toMatchObject({ eligible: false, code: 'software-benefits-activated' });
    if (!r.eligible) expect(r.detail).toMatch(/Software/);
  });

  it('reports the elapsed window when both rules fail', () => {
    const r = refundEligibility(purchase({ softwareKeysRevealedAt: purchasedAt }), after(31));
    expect(r).toMatchObject({ eligible: false, code: 'refund-window-elapsed' });
  });

  it('throws internal-error for a corrupt purchasedAt', () => {
    catchDomainError(
      () => refundEligibility(purchase({ purchasedAt: 'yesterday' }), after(1)),
      'internal-error',
    );
  });
});

describe('recordKeyReveal (docs/product.md §4)', () => {
  const now = after(2);
  it('marks the purchase on a software reveal, once', () => {
    const p = purchase();
    const marked = recordKeyReveal(p, { category: 'software' }, now);
    expect(marked.softwareKeysRevealedAt).toBe(now.toISOString());
    expect(p.softwareKeysRevealedAt).toBeUndefined();
    expect(recordKeyReveal(marked, { category: 'software' }, after(3))).toBe(marked);
    expect(refundEligibility(marked, after(3)).eligible).toBe(false);
  });

  it('does not count license-based cloud keys', () => {
    const p = purchase();
    const same = recordKeyReveal(p, { category: 'cloud' }, now);
    expect(same).toBe(p);
    expect(refundEligibility(same, after(3))).toEqual({ eligible: true });
  });
});

describe('assertPurchaseActive', () => {
  it('refuses a cancelled purchase', () => {
    catchDomainError(() => assertPurchaseActive(purchase({ status: 'Cancelled' })), 'purchase-cancelled');
    expect(() => assertPurchaseActive(purchase())).not.toThrow();
  });
});
