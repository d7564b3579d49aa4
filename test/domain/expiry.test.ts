import { DateTime } from 'luxon';
import { computeExpiresAt, toUtcIso } from '../../src/domain/expiry';
import { BENEFIT_CATEGORIES } from '../../src/domain/types';
import { MEMBERSHIP_END, benefit, catchDomainError } from './fixtures';

const gtm = benefit({
  category: 'goToMarket',
  offerType: 'Gold Core',
  packageId: 'gold-competency',
  catalogItemId: 'gtm-gold-core',
});

describe('computeExpiresAt (docs/product.md §3)', () => {
  it('Go-To-Market: 12 calendar months from activation', () => {
    const at = new Date('2025-03-10T12:34:56.789Z');
    expect(computeExpiresAt(gtm, at, MEMBERSHIP_END)).toBe('2026-03-10T12:34:56.789Z');
    expect(computeExpiresAt(gtm, at, MEMBERSHIP_END)).toBe(
      DateTime.fromJSDate(at, { zone: 'utc' }).plus({ months: 12 }).toISO(),
    );
  });

  it('Go-To-Market: clamps the day of month like luxon (29 Feb + 12 months = 28 Feb)', () => {
    expect(computeExpiresAt(gtm, new Date('2024-02-29T00:00:00.000Z'), MEMBERSHIP_END)).toBe(
      '2025-02-28T00:00:00.000Z',
    );
  });

  it('Go-To-Market: uses the catalog item term when given, and is not capped by the membership end', () => {
    const at = new Date('2025-01-31T00:00:00.000Z');
    expect(computeExpiresAt(gtm, at, '2025-02-01T00:00:00.000Z', { termMonths: 1 })).toBe(
      '2025-02-28T00:00:00.000Z',
    );
    expect(computeExpiresAt(gtm, at, '2025-02-01T00:00:00.000Z')).toBe('2026-01-31T00:00:00.000Z');
  });

  it('Go-To-Market: defaults to 12 months for an item missing from the catalog', () => {
    const orphan = { ...gtm, catalogItemId: 'unknown' };
    expect(computeExpiresAt(orphan, new Date('2025-05-05T00:00:00.000Z'), MEMBERSHIP_END)).toBe(
      '2026-05-05T00:00:00.000Z',
    );
  });

  it('rejects a non-positive term', () => {
    catchDomainError(
      () => computeExpiresAt(gtm, new Date(), MEMBERSHIP_END, { termMonths: 0 }),
      'internal-error',
    );
  });

  it.each(BENEFIT_CATEGORIES.filter((c) => c !== 'goToMarket'))(
    '%s: the membership end date, in UTC',
    (category) => {
      const b = benefit({ category });
      expect(computeExpiresAt(b, new Date('2025-03-10T00:00:00.000Z'), MEMBERSHIP_END)).toBe(MEMBERSHIP_END);
      expect(computeExpiresAt(b, new Date('2025-03-10T00:00:00.000Z'), '2026-03-10T02:00:00+02:00')).toBe(
        '2026-03-10T00:00:00.000Z',
      );
    },
  );

  it.each(BENEFIT_CATEGORIES.filter((c) => c !== 'goToMarket'))(
    '%s: a membership that ended at or before the activation activates nothing (membership-inactive)',
    (category) => {
      const b = benefit({ category });
      const at = new Date('2026-03-10T00:00:00.000Z');
      catchDomainError(() => computeExpiresAt(b, at, '2026-03-09T23:59:59.999Z'), 'membership-inactive');
      catchDomainError(() => computeExpiresAt(b, at, at.toISOString()), 'membership-inactive');
      expect(computeExpiresAt(b, at, '2026-03-10T00:00:00.001Z')).toBe('2026-03-10T00:00:00.001Z');
    },
  );

  it('throws internal-error for a corrupt membership end', () => {
    catchDomainError(() => computeExpiresAt(benefit(), new Date(), 'soon'), 'internal-error');
    catchDomainError(() => toUtcIso(''), 'internal-error');
  });
});
