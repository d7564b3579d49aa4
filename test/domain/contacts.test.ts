import {
  MarketingContactInputSchema,
  PhoneE164Schema,
  assertContactEmailDiffers,
  verifyTechnicalContact,
} from '../../src/domain/contacts';
import { benefit, catchDomainError, user } from './fixtures';

const good = {
  userId: 'dev1',
  email: 'marketing@home.example',
  phone: '+14255550100',
  preferredLanguage: 'zh-TW',
};

describe('MarketingContactInputSchema (docs/product.md §5)', () => {
  it('accepts a good contact', () => {
    expect(MarketingContactInputSchema.parse(good)).toEqual(good);
  });

  it.each(['+886223456789', '+74951234567', '+8613912345678', '+4930123456'])('accepts E.164 %s', (phone) => {
    expect(PhoneE164Schema.safeParse(phone).success).toBe(true);
  });

  it.each([
    '4255550100',
    '(425) 555-0100',
    '+1 425 555 0100',
    '+123',
    '+0123456789',
    '+1425555010012345',
    '',
    '+1-425-555-0100',
  ])('rejects phone %p', (phone) => {
    const r = MarketingContactInputSchema.safeParse({ ...good, phone });
    expect(r.success).toBe(false);
    if (!r.success) expect(r.error.issues[0].path).toEqual(['phone']);
  });

  it.each([
    ['email', 'not-an-email'],
    ['preferredLanguage', 'fr-FR'],
    ['userId', ''],
  ])('rejects a bad %s', (field, value) => {
    const r = MarketingContactInputSchema.safeParse({ ...good, [field]: value });
    expect(r.success).toBe(false);
    if (!r.success) expect(r.error.issues[0].path).toEqual([field]);
  });

  it('rejects unknown keys and missing fields', () => {
    expect(MarketingContactInputSchema.safeParse({ ...good, role: 'x' }).success).toBe(false);
    const { phone: _p, ...noPhone } = good;
    expect(MarketingContactInputSchema.safeParse(noPhone).success).toBe(false);
  });
});

describe('assertContactEmailDiffers (docs/product.md §5)', () => {
  const u = user('dev1', [], { accountEmail: 'Dev1@Contoso.example' });
  it.each(['dev1@contoso.example', ' DEV1@CONTOSO.EXAMPLE ', 'Dev1@Contoso.example'])(
    'refuses %p',
    (email) => {
      const err = catchDomainError(() => assertContactEmailDiffers(u, email), 'alternate-email-must-differ');
      expect(err.errors).toEqual([{ field: 'body.email', message: expect.any(String) }]);
    },
  );

  it('accepts a different address', () => {
    expect(() => assertContactEmailDiffers(u, 'dev1@home.example')).not.toThrow();
  });
});

describe('verifyTechnicalContact (docs/product.md §5, §7)', () => {
  const at = '2025-03-11T08:00:00.000Z';
  const contactOf = (overrides: Record<string, string> = {}) =>
    benefit({
      category: 'technical',
      assignments: [
        {
          id: 'old',
          userId: 'dev1',
          alternateEmail: 'alt@mail.example',
          assignedAt: at,
          assignedBy: 'a',
          endedAt: at,
        },
        {
          id: 'now',
          userId: 'dev2',
          alternateEmail: 'Alt@Mail.example',
          assignedAt: at,
          assignedBy: 'a',
          ...overrides,
        },
      ],
    });

  it('marks the named, active assignment verified (email compared case-insensitively); no mutation', () => {
    const b = contactOf();
    const out = verifyTechnicalContact(b, { assignmentId: 'now', email: 'alt@mail.EXAMPLE' }, at)!;
    expect(out.assignments.map((a) => a.alternateEmailVerifiedAt)).toEqual([undefined, at]);
    expect(b.assignments[1].alternateEmailVerifiedAt).toBeUndefined();
  });

  it('returns undefined when already verified', () => {
    const b = contactOf({ alternateEmailVerifiedAt: at });
    expect(verifyTechnicalContact(b, { assignmentId: 'now', email: 'alt@mail.example' }, at)).toBeUndefined();
  });

  it('refuses an ended assignment or another email with invalid-token', () => {
    const b = contactOf();
    catchDomainError(
      () => verifyTechnicalContact(b, { assignmentId: 'old', email: 'alt@mail.example' }, at),
      'invalid-token',
    );
    catchDomainError(
      () => verifyTechnicalContact(b, { assignmentId: 'now', email: 'other@mail.example' }, at),
      'invalid-token',
    );
  });
});
