/** Test fixtures for domain tests. */
import { DomainError, type ErrorCode } from '../../src/domain/errors';
import type { Benefit, Partner, PartnerLevel, Role, User } from '../../src/domain/types';

export const NOW = new Date('2025-03-10T12:00:00.000Z');
export const MEMBERSHIP_END = '2026-03-10T00:00:00.000Z';

/** Runs `fn`, expecting a DomainError with `code`; returns it for further assertions. */
export function catchDomainError(fn: () => unknown, code: ErrorCode): DomainError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe(code);
    return e as DomainError;
  }
  throw new Error(`expected DomainError ${code}, nothing was thrown`);
}

export function partner(overrides: Partial<Partner> = {}): Partner {
  return {
    id: 'contoso',
    name: 'Contoso',
    level: 'Gold' as PartnerLevel,
    managedIn: 'PartnerCenter',
    membership: { status: 'Active', expiresAt: MEMBERSHIP_END },
    createdAt: '2024-01-01T00:00:00.000Z',
    ...overrides,
  };
}

export function user(id: string, roles: Role[] = [], overrides: Partial<User> = {}): User {
  return {
    id,
    partnerId: 'contoso',
    objectId: id,
    displayName: `User ${id}`,
    accountEmail: `${id}@contoso.example`,
    roles,
    createdAt: '2024-01-01T00:00:00.000Z',
    ...overrides,
  };
}

export function benefit(overrides: Partial<Benefit> = {}): Benefit {
  return {
    id: 'b1',
    partnerId: 'contoso',
    purchaseId: 'p1',
    packageId: 'gold-competency',
    catalogItemId: 'visual-studio-enterprise',
    category: 'visualStudio',
    productName: 'Visual Studio Enterprise subscription',
    status: 'NotActivated',
    seats: 3,
    assignments: [],
    createdAt: '2025-03-01T00:00:00.000Z',
    ...overrides,
  };
}

/** Deep-freezes a value so a test fails if a rule mutates its input. */
export function frozen<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) frozen(v);
    Object.freeze(value);
  }
  return value;
}
