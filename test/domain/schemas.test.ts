import { cancellability } from '../../src/domain/refunds';
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import * as z from 'zod';
import * as S from '../../src/domain/schemas';
import type { AuditEvent, Partner, Purchase, ServiceRequest, User } from '../../src/domain/types';

const user = {
  objectId: 'oid-1',
  displayName: 'Dev One',
  accountEmail: 'dev1@contoso.example',
  roles: ['UserAdmin'],
};
const partner = {
  name: 'Contoso',
  level: 'Gold',
  membership: { expiresAt: '2026-01-01T00:00:00Z' },
  globalAdmin: { objectId: 'oid-admin', displayName: 'Admin', accountEmail: 'admin@contoso.example' },
};

const fails = (schema: z.ZodType, value: unknown) => expect(schema.safeParse(value).success).toBe(false);

describe('request schemas (docs/product.md §9, §10)', () => {
  it('CreateUserBody accepts good input, including no roles', () => {
    expect(S.CreateUserBody.parse(user)).toEqual(user);
    expect(S.CreateUserBody.parse({ ...user, roles: [] }).roles).toEqual([]);
  });

  it.each([
    ['unknown key', { ...user, admin: true }],
    ['bad email', { ...user, accountEmail: 'nope' }],
    ['empty objectId', { ...user, objectId: '' }],
    ['long objectId', { ...user, objectId: 'x'.repeat(129) }],
    ['empty displayName', { ...user, displayName: '   ' }],
    ['long displayName', { ...user, displayName: 'x'.repeat(201) }],
    ['unknown role', { ...user, roles: ['Owner'] }],
    ['duplicate roles', { ...user, roles: ['GlobalAdmin', 'GlobalAdmin'] }],
    ['missing roles', { objectId: 'o', displayName: 'd', accountEmail: 'a@b.example' }],
  ])('CreateUserBody rejects %s', (_n, value) => fails(S.CreateUserBody, value));

  it('CreatePartnerBody applies defaults', () => {
    const parsed = S.CreatePartnerBody.parse(partner);
    expect(parsed.managedIn).toBe('PartnerCenter');
    expect(parsed.membership.status).toBe('Active');
  });

  it.each([
    ['bad level', { ...partner, level: 'Platinum' }],
    ['bad managedIn', { ...partner, managedIn: 'Elsewhere' }],
    ['non-ISO expiresAt', { ...partner, membership: { expiresAt: 'next year' } }],
    [
      'unknown key in membership',
      { ...partner, membership: { expiresAt: '2026-01-01T00:00:00Z', plan: 'x' } },
    ],
    ['unknown key in globalAdmin', { ...partner, globalAdmin: { ...partner.globalAdmin, roles: [] } }],
    ['bad admin email', { ...partner, globalAdmin: { ...partner.globalAdmin, accountEmail: 'x' } }],
    ['missing globalAdmin', { name: 'X', level: 'Gold', membership: { expiresAt: '2026-01-01T00:00:00Z' } }],
  ])('CreatePartnerBody rejects %s', (_n, value) => fails(S.CreatePartnerBody, value));

  it('CreatePurchaseBody', () => {
    expect(S.CreatePurchaseBody.parse({ packageId: 'gold-competency' })).toEqual({
      packageId: 'gold-competency',
    });
    fails(S.CreatePurchaseBody, {});
    fails(S.CreatePurchaseBody, { packageId: 'x', quantity: 2 });
  });

  it('AssignBody', () => {
    expect(S.AssignBody.parse({ userId: 'u', alternateEmail: 'a@b.example', message: 'hi' })).toBeTruthy();
    expect(S.AssignBody.parse({ userId: 'u' })).toEqual({ userId: 'u' });
    fails(S.AssignBody, { userId: 'u', alternateEmail: 'not-email' });
    fails(S.AssignBody, { userId: 'u', message: 'x'.repeat(2001) });
    fails(S.AssignBody, { userId: 'u', seats: 2 });
  });

  it('RevealKeysBody', () => {
    expect(S.RevealKeysBody.parse({ language: 'zh-TW', operatingSystem: 'Windows x64' })).toBeTruthy();
    fails(S.RevealKeysBody, { language: 'zh-TW' });
    fails(S.RevealKeysBody, { language: 'zh-TW', operatingSystem: 'Windows x64', key: 'x' });
  });

  it('MarketingContactBody validates E.164 and email', () => {
    const ok = { userId: 'u', email: 'm@home.example', phone: '+886223456789', preferredLanguage: 'ru-RU' };
    expect(S.MarketingContactBody.parse(ok)).toEqual(ok);
    fails(S.MarketingContactBody, { ...ok, phone: '02 2345 6789' });
    fails(S.MarketingContactBody, { ...ok, email: 'm@' });
    fails(S.MarketingContactBody, { ...ok, extra: 1 });
  });

  it('CancellationBody and RejectionBody need a reason of 1–2000 characters', () => {
    for (const schema of [S.CancellationBody, S.RejectionBody]) {
      expect(schema.parse({ reason: 'bought by mistake' })).toEqual({ reason: 'bought by mistake' });
      fails(schema, { reason: '' });
      fails(schema, { reason: '   ' });
      fails(schema, { reason: 'x'.repeat(2001) });
      fails(schema, {});
    }
  });

  describe('ServiceRequestBody', () => {
    const adv = { type: 'AdvisoryHours', benefitId: 'b', topic: 'Design', description: 'Review', hours: 1.5 };
    const inc = {
      type: 'SupportIncident',
      benefitId: 'b',
      productArea: 'onPremises',
      title: 'Broken',
      description: 'Error 42',
    };
    it('accepts both types', () => {
      expect(S.ServiceRequestBody.parse(adv)).toEqual(adv);
      expect(S.ServiceRequestBody.parse(inc)).toEqual(inc);
    });
    it.each([0, -0.5, 1.25, 0.3])('rejects %p hours', (hours) =>
      fails(S.ServiceRequestBody, { ...adv, hours }),
    );
    it('rejects string hours, unknown type, fields of the other type, bad productArea', () => {
      fails(S.ServiceRequestBody, { ...adv, hours: '2' });
      fails(S.ServiceRequestBody, { ...adv, type: 'Cancellation' });
      fails(S.ServiceRequestBody, { ...adv, productArea: 'cloud' });
      fails(S.ServiceRequestBody, { ...inc, productArea: 'mainframe' });
      fails(S.ServiceRequestBody, { ...inc, title: '' });
    });
  });

  it('FulfilmentBody, ContactVerificationBody', () => {
    expect(S.FulfilmentBody.parse({})).toEqual({});
    expect(S.FulfilmentBody.parse({ accessId: 'A', contractId: 'C' })).toEqual({
      accessId: 'A',
      contractId: 'C',
    });
    fails(S.FulfilmentBody, { accessId: '' });
    fails(S.FulfilmentBody, { other: 1 });
    expect(S.ContactVerificationBody.parse({ token: 'abc' })).toEqual({ token: 'abc' });
    fails(S.ContactVerificationBody, { token: '' });
    fails(S.ContactVerificationBody, {});
  });

  it('BenefitListQuery coerces pageSize from the query string, defaults to 50, bounds 1–100', () => {
    expect(S.BenefitListQuery.parse({})).toEqual({ pageSize: 50 });
    expect(
      S.BenefitListQuery.parse({
        pageSize: '100',
        category: 'cloud',
        status: 'Active',
        continuationToken: 't',
      }),
    ).toEqual({
      pageSize: 100,
      category: 'cloud',
      status: 'Active',
      continuationToken: 't',
    });
    for (const pageSize of ['0', '101', '2.5', 'ten', '']) fails(S.BenefitListQuery, { pageSize });
    fails(S.BenefitListQuery, { category: 'hardware' });
    fails(S.BenefitListQuery, { status: 'Gone' });
    fails(S.BenefitListQuery, { sort: 'asc' });
    expect(S.PageQuery.parse({ pageSize: '1' })).toEqual({ pageSize: 1 });
    fails(S.PageQuery, { category: 'cloud' });
  });
});

describe('response schemas', () => {
  it('accept domain objects', () => {
    const p: Partner = {
      id: 'contoso',
      name: 'Contoso',
      level: 'Gold',
      managedIn: 'PartnerCenter',
      membership: { status: 'Active', expiresAt: '2026-01-01T00:00:00.000Z' },
      marketingContact: {
        userId: 'u',
        email: 'm@home.example',
        phone: '+14255550100',
        preferredLanguage: 'en-US',
        status: 'PendingVerification',
        updatedAt: '2025-01-01T00:00:00.000Z',
      },
      createdAt: '2025-01-01T00:00:00.000Z',
    };
    const u: User = {
      id: 'u',
      partnerId: 'contoso',
      objectId: 'u',
      displayName: 'U',
      accountEmail: 'u@c.example',
      roles: [],
      createdAt: '2025-01-01T00:00:00.000Z',
    };
    const pur: Purchase = {
      id: 'p',
      partnerId: 'contoso',
      packageId: 'action-pack',
      purchasedAt: '2025-01-01T00:00:00.000Z',
      purchasedBy: 'u',
      status: 'Active',
      benefitIds: [],
    };
    const sr: ServiceRequest = {
      id: 's',
      partnerId: 'contoso',
      type: 'Cancellation',
      status: 'Rejected',
      createdAt: '2025-01-01T00:00:00.000Z',
      createdBy: 'u',
      reason: 'late',
      details: { purchaseId: 'p' },
    };
    const ev: AuditEvent = {
      id: 'e',
      partnerId: 'contoso',
      at: '2025-01-01T00:00:00.000Z',
      actor: { objectId: 'u', kind: 'user' },
      action: 'purchase.create',
      target: { type: 'purchase', id: 'p' },
      outcome: 'Succeeded',
    };
    expect(S.PartnerSchema.safeParse(p).success).toBe(true);
    expect(S.UserSchema.safeParse(u).success).toBe(true);
    // The API shows a purchase with whether it can be cancelled (docs/product.md §9).
    expect(S.PurchaseSchema.safeParse(pur).success).toBe(false);
    const view = { ...pur, ...cancellability(pur, new Date('2025-03-01T00:00:00.000Z')) };
    expect(view).toMatchObject({ cancellable: false, cancellableReason: 'refund-window-elapsed' });
    expect(S.PurchaseSchema.safeParse(view).success).toBe(true);
    expect(S.ServiceRequestSchema.safeParse(sr).success).toBe(true);
    expect(S.AuditEventSchema.safeParse(ev).success).toBe(true);
    expect(
      S.ActivationSchema.safeParse({
        benefitId: 'b',
        instanceId: 'i',
        status: 'Pending',
        requestedAt: '2025-01-01T00:00:00.000Z',
        requestedBy: 'u',
      }).success,
    ).toBe(true);
    expect(
      S.ProblemSchema.safeParse({
        type: 'about:blank',
        title: 'Bad',
        status: 400,
        detail: 'x',
        code: 'validation-failed',
        errors: [{ field: 'body.x', message: 'm' }],
      }).success,
    ).toBe(true);
    expect(S.pageSchema(S.UserSchema).safeParse({ items: [u], continuationToken: null }).success).toBe(true);
    expect(S.PartnerSchema.safeParse({ ...p, level: 'Platinum' }).success).toBe(false);
  });

  it('generate an OpenAPI 3.1 document with named components', () => {
    const registry = new OpenAPIRegistry();
    registry.registerPath({
      method: 'post',
      path: '/partners/{partnerId}/service-requests',
      request: {
        body: { content: { 'application/json': { schema: S.ServiceRequestBody } } },
        query: S.PageQuery,
      },
      responses: {
        201: { description: 'created', content: { 'application/json': { schema: S.ServiceRequestSchema } } },
        400: { description: 'bad', content: { 'application/problem+json': { schema: S.ProblemSchema } } },
      },
    });
    registry.registerPath({
      method: 'get',
      path: '/partners/{partnerId}/benefits',
      request: { query: S.BenefitListQuery },
      responses: {
        200: {
          description: 'page',
          content: { 'application/json': { schema: S.pageSchema(S.BenefitSchema) } },
        },
      },
    });
    const doc = new OpenApiGeneratorV31(registry.definitions).generateDocument({
      openapi: '3.1.0',
      info: { title: 't', version: '1' },
    });
    const names = Object.keys(doc.components?.schemas ?? {});
    expect(names).toEqual(
      expect.arrayContaining(['ServiceRequestBody', 'ServiceRequest', 'Problem', 'Benefit', 'Assignment']),
    );
    expect(JSON.stringify(doc)).not.toContain('secretKeys');
  });
});
