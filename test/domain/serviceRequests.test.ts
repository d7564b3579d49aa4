import { consumeAdvisoryHours, consumeIncident } from '../../src/domain/serviceRequests';
import { PRODUCT_AREAS, type Benefit } from '../../src/domain/types';
import { NOW, benefit, catchDomainError, frozen } from './fixtures';
import { HTTP_STATUS } from '../../src/http/problem';

const active = {
  status: 'Active' as const,
  activatedAt: '2025-01-01T00:00:00.000Z',
  expiresAt: '2026-01-01T00:00:00.000Z',
};
const presales = (o: Partial<Benefit> = {}) =>
  benefit({
    category: 'technical',
    technicalKind: 'presales',
    seats: undefined,
    advisoryHoursRemaining: 10,
    ...active,
    ...o,
  });
const support = (kind: 'signatureSupport' | 'productSupport', o: Partial<Benefit> = {}) =>
  benefit({
    category: 'technical',
    technicalKind: kind,
    seats: undefined,
    incidentsRemaining: 2,
    accessId: 'ACC-1',
    contractId: 'CON-1',
    ...active,
    ...o,
  });

describe('consumeAdvisoryHours (docs/product.md §5)', () => {
  it('consumes hours without mutating', () => {
    const b = frozen(presales());
    expect(consumeAdvisoryHours(b, 2.5, NOW).advisoryHoursRemaining).toBe(7.5);
    expect(b.advisoryHoursRemaining).toBe(10);
  });

  it('may consume exactly the remaining hours, not more', () => {
    expect(consumeAdvisoryHours(presales(), 10, NOW).advisoryHoursRemaining).toBe(0);
    const err = catchDomainError(() => consumeAdvisoryHours(presales(), 10.5, NOW), 'insufficient-hours');
    expect(HTTP_STATUS[err.code]).toBe(409);
    catchDomainError(
      () => consumeAdvisoryHours(presales({ advisoryHoursRemaining: 0 }), 0.5, NOW),
      'insufficient-hours',
    );
  });

  it.each(['NotActivated', 'Pending', 'ActivationFailed', 'Expired'] as const)(
    'refuses a %s benefit',
    (status) => {
      catchDomainError(() => consumeAdvisoryHours(presales({ status }), 1, NOW), 'benefit-not-active');
    },
  );

  it('refuses an Active benefit past its expiresAt (sweep not run yet)', () => {
    catchDomainError(
      () => consumeAdvisoryHours(presales({ expiresAt: NOW.toISOString() }), 1, NOW),
      'benefit-not-active',
    );
  });

  it('refuses a cancelled benefit', () => {
    catchDomainError(
      () => consumeAdvisoryHours(presales({ status: 'Cancelled' }), 1, NOW),
      'benefit-cancelled',
    );
  });

  it('refuses benefits other than presales', () => {
    catchDomainError(() => consumeAdvisoryHours(support('productSupport'), 1, NOW), 'not-activatable');
    catchDomainError(() => consumeAdvisoryHours(benefit({ ...active }), 1, NOW), 'not-activatable');
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses %p hours', (hours) => {
    catchDomainError(() => consumeAdvisoryHours(presales(), hours, NOW), 'validation-failed');
  });
});

describe('consumeIncident (docs/product.md §5)', () => {
  it('consumes one Signature support incident for a cloud product, without ids', () => {
    const b = frozen(support('signatureSupport'));
    const r = consumeIncident(b, { productArea: 'cloud' });
    expect(r.benefit.incidentsRemaining).toBe(1);
    expect(r.accessId).toBeUndefined();
    expect(r.contractId).toBeUndefined();
    expect(b.incidentsRemaining).toBe(2);
  });

  it.each(['onPremises', 'azureNonCsp', 'dynamics'] as const)(
    'Signature support refuses %s',
    (productArea) => {
      const err = catchDomainError(
        () => consumeIncident(support('signatureSupport'), { productArea }),
        'validation-failed',
      );
      expect(err.errors?.[0].field).toBe('body.productArea');
    },
  );

  it.each(['onPremises', 'azureNonCsp', 'dynamics'] as const)(
    'product support for %s carries Access ID and Contract ID',
    (productArea) => {
      const r = consumeIncident(support('productSupport'), { productArea });
      expect(r).toMatchObject({ accessId: 'ACC-1', contractId: 'CON-1' });
      expect(r.benefit.incidentsRemaining).toBe(1);
    },
  );

  it('product support for cloud carries no ids', () => {
    const r = consumeIncident(support('productSupport'), { productArea: 'cloud' });
    expect(r.accessId).toBeUndefined();
  });

  it('refuses when no incidents are left', () => {
    let b = support('productSupport');
    b = consumeIncident(b, { productArea: 'onPremises' }).benefit;
    b = consumeIncident(b, { productArea: 'onPremises' }).benefit;
    expect(b.incidentsRemaining).toBe(0);
    catchDomainError(() => consumeIncident(b, { productArea: 'onPremises' }), 'no-incidents-left');
  });

  it.each(PRODUCT_AREAS)('refuses a benefit that is not Active (%s)', (productArea) => {
    catchDomainError(
      () => consumeIncident(support('productSupport', { status: 'NotActivated' }), { productArea }),
      'benefit-not-active',
    );
  });

  it('refuses an Active benefit past its expiresAt when now is given', () => {
    const b = support('productSupport', { expiresAt: '2025-01-01T00:00:00.000Z' });
    catchDomainError(() => consumeIncident(b, { productArea: 'onPremises', now: NOW }), 'benefit-not-active');
  });

  it('refuses cancelled and non-support benefits', () => {
    catchDomainError(
      () => consumeIncident(support('productSupport', { status: 'Cancelled' }), { productArea: 'cloud' }),
      'benefit-cancelled',
    );
    catchDomainError(() => consumeIncident(presales(), { productArea: 'cloud' }), 'not-activatable');
    catchDomainError(
      () => consumeIncident(benefit({ ...active }), { productArea: 'cloud' }),
      'not-activatable',
    );
  });

  it('treats an Active benefit without Access/Contract ID as a server fault when they are needed', () => {
    const b = support('productSupport', { accessId: undefined });
    catchDomainError(() => consumeIncident(b, { productArea: 'dynamics' }), 'internal-error');
  });
});
