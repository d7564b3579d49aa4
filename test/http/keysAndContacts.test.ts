/**
 * End to end: "Get keys" for software and license-based cloud benefits, and the marketing contact with its
 * email verification. Real local host: real HTTP, real JWTs, the embedded Cosmos server and the email outbox.
 */
import { readOutbox } from '../../src/email/outbox';
import {
  benefitIdOf,
  allAuditEvents,
  auditEventsOf,
  expectProblem,
  getBenefit,
  listBenefits,
  mailsTo,
  oid,
  tokenFromMail,
} from '../support/api';
import { startTestHost, type TestHost } from '../support/testHost';
import { rawDocuments } from '../../src/store/raw';

let host: TestHost;
let admin: string;
let mpn: string;
let agent: string;
let userAdmin: string;
let goldToday: string;
let goldOld: string;
let benefits: any[];

beforeAll(async () => {
  jest.spyOn(console, 'info').mockImplementation(() => undefined); // outbox log lines
  host = await startTestHost();
  [admin, mpn, userAdmin, agent] = await Promise.all(
    ['admin', 'mpn', 'useradmin', 'agent'].map((r) => host.tokenFor(`${r}@contoso.example`)),
  );
  goldToday = host.seed!.purchases[0].id;
  goldOld = host.seed!.purchases[2].id;
  benefits = await listBenefits(host, 'contoso', admin);
});
afterAll(async () => host?.close());

const benefitOf = (purchaseId: string, catalogItemId: string): string =>
  benefitIdOf(benefits, purchaseId, catalogItemId);
const keysPath = (benefitId: string) => `/api/partners/contoso/benefits/${benefitId}/keys`;
const reveal = (benefitId: string, body: unknown, token = admin, headers?: Record<string, string>) =>
  host.call('POST', keysPath(benefitId), { token, body, headers });
const ZH_TW_WIN64 = { language: 'zh-TW', operatingSystem: 'Windows x64' };
const KEY_SHAPE = /^[A-Z0-9]{5}(-[A-Z0-9]{5}){4}$/;

describe('Get keys (software)', () => {
  let office: string;
  let key: string;
  beforeAll(() => {
    office = benefitOf(goldToday, 'office-professional-plus-2019');
  });

  test('Office for zh-TW on Windows x64: 200 { keys, downloads }; the benefit becomes Active; audited', async () => {
    const before = (await getBenefit(host, 'contoso', office, admin)).body;
    expect(before.status).toBe('NotActivated');
    expect(before.languages).toContain('zh-TW');
    expect(before.operatingSystems).toContain('Windows x64');

    const res = await reveal(office, ZH_TW_WIN64);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toEqual({
      keys: [
        { productKey: expect.stringMatching(KEY_SHAPE), language: 'zh-TW', operatingSystem: 'Windows x64' },
      ],
      downloads: [
        {
          language: 'zh-TW',
          operatingSystem: 'Windows x64',
          url: expect.stringMatching(/^http:\/\/localhost:\d+\/api\/downloads\/.+zh-TW.+\.iso$/),
          fileName: expect.any(String),
        },
      ],
      instructions: expect.stringContaining('Office Deployment Tool'),
    });
    // The link works: DOWNLOADS_BASE_URL defaults to the host's own placeholder route (docs/product.md §3).
    const download = await fetch(res.body.downloads[0].url);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toContain(res.body.downloads[0].fileName);
    expect(await download.text()).toContain('Office Professional Plus 2019 (zh-TW, Windows x64)');
    key = res.body.keys[0].productKey;

    const after = (await getBenefit(host, 'contoso', office, admin)).body;
    expect(after.status).toBe('Active');
    expect(Date.parse(after.activatedAt)).not.toBeNaN();
    expect(Date.parse(after.expiresAt)).toBeGreaterThan(Date.parse(after.activatedAt));

    const events = await auditEventsOf(host, 'contoso', admin, 'benefit.revealKeys', office);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actor: { objectId: oid('admin@contoso.example') },
      outcome: 'Succeeded',
      detail: { language: 'zh-TW', operatingSystem: 'Windows x64', firstReveal: true },
    });
  });

  test('a repeat returns the SAME key; activatedAt is kept; the repeat is audited as not the first', async () => {
    const activatedAt = (await getBenefit(host, 'contoso', office, admin)).body.activatedAt;
    const again = await reveal(office, ZH_TW_WIN64, mpn); // MpnPartnerAdmin may reveal too
    expect(again.status).toBe(200);
    expect(again.body.keys[0].productKey).toBe(key);
    expect((await getBenefit(host, 'contoso', office, admin)).body.activatedAt).toBe(activatedAt);
    const events = await auditEventsOf(host, 'contoso', admin, 'benefit.revealKeys', office);
    expect(events.map((e) => e.detail.firstReveal).sort()).toEqual([false, true]);
    // Another language/OS pair gets its own key.
    const other = await reveal(office, { language: 'ru-RU', operatingSystem: 'Windows x86' });
    expect(other.status).toBe(200);
    expect(other.body.keys[0].productKey).not.toBe(key);
  });

  test('keys never appear in GET benefit, the benefit list, /api/me, the partner or the audit trail', async () => {
    const texts = [
      JSON.stringify((await getBenefit(host, 'contoso', office, admin)).body),
      JSON.stringify(await listBenefits(host, 'contoso', admin)),
      JSON.stringify(await listBenefits(host, 'contoso', admin, '&category=software&status=Active')),
      JSON.stringify((await host.call('GET', '/api/me', { token: admin })).body),
      JSON.stringify((await host.call('GET', '/api/partners/contoso', { token: admin })).body),
      JSON.stringify((await host.call('GET', '/api/partners/contoso/purchases', { token: admin })).body),
      JSON.stringify(await allAuditEvents(host, 'contoso', admin)),
    ];
    for (const text of texts) {
      expect(text).not.toContain(key);
      expect(text).not.toMatch(/secretKeys/);
    }
    // The key is stored (a repeat must return it), so the search above looked for something that exists.
    const stored = await host.services.store.getBenefit('contoso', office);
    expect(JSON.stringify(stored!.value)).toContain(key);
  });

  test('an unsupported language or OS: 400 validation-failed with field errors; nothing written', async () => {
    const windows = benefitOf(goldToday, 'windows-10-enterprise');
    const before = await getBenefit(host, 'contoso', windows, admin);
    const lang = await reveal(windows, { language: 'xx-XX', operatingSystem: 'Windows x64' });
    expectProblem(lang, 400, 'validation-failed');
    expect(lang.body.errors).toEqual([{ field: 'body.language', message: expect.stringContaining('zh-TW') }]);
    const both = await reveal(windows, { language: 'fr-FR', operatingSystem: 'macOS' });
    expectProblem(both, 400, 'validation-failed');
    expect(both.body.errors.map((e: any) => e.field).sort()).toEqual([
      'body.language',
      'body.operatingSystem',
    ]);
    const shape = await reveal(windows, { language: 'zh-TW' });
    expectProblem(shape, 400, 'validation-failed');
    expect(shape.body.errors.map((e: any) => e.field)).toContain('body.operatingSystem');
    const after = await getBenefit(host, 'contoso', windows, admin);
    expect(after.etag).toBe(before.etag);
    expect(after.body.status).toBe('NotActivated');
  });

  test('403 for the AdminAgent and the UserAdmin; nothing written', async () => {
    const sql = benefitOf(goldToday, 'sql-server-2019-enterprise');
    const before = await getBenefit(host, 'contoso', sql, admin);
    for (const token of [agent, userAdmin, await host.tokenFor('dev1@contoso.example')]) {
      expectProblem(await reveal(sql, ZH_TW_WIN64, token), 403, 'forbidden');
    }
    expect((await getBenefit(host, 'contoso', sql, admin)).etag).toBe(before.etag);
  });

  test('benefits without keys refuse Get keys (Visual Studio)', async () => {
    const vs = benefitOf(goldToday, 'visual-studio-enterprise');
    const res = await reveal(vs, ZH_TW_WIN64);
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});

describe('Get keys (license-based cloud)', () => {
  test('Microsoft 365 E3 for zh-TW on macOS: 200, Active, same key on repeat', async () => {
    const m365 = benefitOf(goldToday, 'microsoft-365-e3');
    const body = { language: 'zh-TW', operatingSystem: 'macOS' };
    const res = await reveal(m365, body, mpn);
    expect(res.status).toBe(200);
    expect(res.body.keys).toEqual([{ productKey: expect.stringMatching(KEY_SHAPE), ...body }]);
    expect(res.body.downloads[0].url).toMatch(/\.pkg$/);
    const b = (await getBenefit(host, 'contoso', m365, admin)).body;
    expect(b).toMatchObject({ status: 'Active', cloudKind: 'licenseBased' });
    expect(Date.parse(b.activatedAt)).not.toBeNaN();
    expect((await reveal(m365, body)).body.keys[0].productKey).toBe(res.body.keys[0].productKey);
    expect(JSON.stringify(b)).not.toContain(res.body.keys[0].productKey);
    expect(await auditEventsOf(host, 'contoso', admin, 'benefit.revealKeys', m365)).toHaveLength(2);
  });
});

describe('Get keys: cross-cutting', () => {
  test('If-Match: stale → 412 and no key stored; current → 200', async () => {
    const server = benefitOf(goldToday, 'windows-server-2019-datacenter');
    const etag = (await getBenefit(host, 'contoso', server, admin)).etag;
    const stale = `"${etag.replace(/"/g, '')}-stale"`;
    expectProblem(
      await reveal(server, ZH_TW_WIN64, admin, { 'If-Match': stale }),
      412,
      'precondition-failed',
    );
    const after = await host.services.store.getBenefit('contoso', server);
    expect(after!.etag.replace(/"/g, '')).toBe(etag.replace(/"/g, ''));
    expect(after!.value.secretKeys).toBeUndefined();
    expect(after!.value.status).toBe('NotActivated');
    const ok = await reveal(server, ZH_TW_WIN64, admin, { 'If-Match': etag });
    expect(ok.status).toBe(200);
  });

  test('If-Match: a stale ETag writes nothing at all — not even the reveal mark on the purchase', async () => {
    // docs/product.md §9: 412 on mismatch; a refused request writes nothing. The purchase's reveal mark
    // decides the refund (docs/product.md §4: no refund once software keys were revealed), so a stray mark
    // costs the partner its refund.
    const bought = await host.call('POST', '/api/partners/contoso/purchases', {
      token: admin,
      body: { packageId: 'gold-competency' },
    });
    expect(bought.status).toBe(201);
    const purchaseId = bought.body.purchase.id as string;
    const office = bought.body.benefits.find((b: any) => b.catalogItemId === 'office-professional-plus-2019');
    const etag = (await getBenefit(host, 'contoso', office.id, admin)).etag;
    const purchaseBefore = await host.services.store.getPurchase('contoso', purchaseId);
    const auditBefore = (await allAuditEvents(host, 'contoso', admin)).length;

    const res = await reveal(office.id, ZH_TW_WIN64, admin, {
      'If-Match': `"${etag.replace(/"/g, '')}-stale"`,
    });
    expectProblem(res, 412, 'precondition-failed');

    const purchaseAfter = await host.services.store.getPurchase('contoso', purchaseId);
    expect(purchaseAfter!.value.softwareKeysRevealedAt).toBeUndefined();
    expect(purchaseAfter!.etag).toBe(purchaseBefore!.etag);
    expect((await allAuditEvents(host, 'contoso', admin)).length).toBe(auditBefore);
  });

  test('Idempotency-Key on Get keys: one reveal, identical responses', async () => {
    const sharepoint = benefitOf(goldToday, 'sharepoint-server-2019');
    const headers = { 'Idempotency-Key': 'keys-once' };
    const first = await reveal(sharepoint, ZH_TW_WIN64, admin, headers);
    const second = await reveal(sharepoint, ZH_TW_WIN64, admin, headers);
    expect(first.status).toBe(200);
    expect({ status: second.status, body: second.body }).toEqual({ status: first.status, body: first.body });
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await auditEventsOf(host, 'contoso', admin, 'benefit.revealKeys', sharepoint)).toHaveLength(1);
    expectProblem(
      await reveal(sharepoint, { language: 'en-US', operatingSystem: 'Windows x64' }, admin, headers),
      422,
      'idempotency-key-reused',
    );
  });

  test('a Cancelled benefit refuses Get keys with 409 benefit-cancelled; nothing written', async () => {
    const office = benefitOf(goldOld, 'office-professional-plus-2019');
    await host.services.store.updateBenefit('contoso', office, (b) => ({
      value: { ...b, status: 'Cancelled' },
    }));
    const before = await host.services.store.getBenefit('contoso', office);
    const purchaseBefore = await host.services.store.getPurchase('contoso', goldOld);
    expectProblem(await reveal(office, ZH_TW_WIN64), 409, 'benefit-cancelled');
    const after = await host.services.store.getBenefit('contoso', office);
    expect(after!.etag).toBe(before!.etag);
    expect(after!.value.secretKeys).toBeUndefined();
    expect((await host.services.store.getPurchase('contoso', goldOld))!.etag).toBe(purchaseBefore!.etag);
  });
});

describe('marketing contact', () => {
  const path = '/api/partners/contoso/marketing-contact';
  const contact = {
    userId: oid('dev3@contoso.example'),
    email: 'marketing.lead@agency.example',
    phone: '+886212345678',
    preferredLanguage: 'zh-TW',
  };
  const put = (body: unknown, token = admin, headers?: Record<string, string>) =>
    host.call('PUT', path, { token, body, headers });
  const partner = async () => host.call('GET', '/api/partners/contoso', { token: admin });

  test('403 for the AdminAgent and the UserAdmin; nothing written', async () => {
    const before = (await partner()).headers.get('etag');
    expectProblem(await put(contact, agent), 403, 'forbidden');
    expectProblem(await put(contact, userAdmin), 403, 'forbidden');
    expect((await partner()).headers.get('etag')).toBe(before);
  });

  test('400 alternate-email-must-differ when the email is the account email in any case', async () => {
    const before = (await partner()).headers.get('etag');
    for (const email of ['dev3@contoso.example', 'DEV3@CONTOSO.EXAMPLE', 'Dev3@Contoso.example']) {
      const res = await put({ ...contact, email });
      expectProblem(res, 400, 'alternate-email-must-differ');
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'body.email' })]);
    }
    expect((await partner()).headers.get('etag')).toBe(before);
    expect(await mailsTo(host, 'contactVerification', 'dev3@contoso.example')).toEqual([]);
  });

  test('400 validation-failed with body.phone for a phone that is not E.164', async () => {
    for (const phone of ['0212345678', '+886 2 1234 5678', '+0123', '+88621234567890123', 'call me']) {
      const res = await put({ ...contact, phone });
      expectProblem(res, 400, 'validation-failed');
      expect(res.body.errors.map((e: any) => e.field)).toEqual(['body.phone']);
    }
    const lang = await put({ ...contact, preferredLanguage: 'fr-FR' });
    expectProblem(lang, 400, 'validation-failed');
    expect(lang.body.errors.map((e: any) => e.field)).toEqual(['body.preferredLanguage']);
  });

  test('404 for a user who is not a user of this partner', async () => {
    expectProblem(await put({ ...contact, userId: oid('dev3@fabrikam.example') }), 404, 'not-found');
  });

  test('If-Match: a stale ETag is 412 and writes nothing', async () => {
    const etag = (await partner()).headers.get('etag')!;
    const stale = `"${etag.replace(/"/g, '')}x"`;
    const mailsBefore = (await readOutbox(host.outboxDir)).length;
    const auditBefore = (await allAuditEvents(host, 'contoso', admin)).length;
    expectProblem(await put(contact, admin, { 'If-Match': stale }), 412, 'precondition-failed');
    expect((await partner()).headers.get('etag')).toBe(etag);
    expect((await partner()).body.marketingContact).toBeUndefined();
    expect((await readOutbox(host.outboxDir)).length).toBe(mailsBefore);
    expect((await allAuditEvents(host, 'contoso', admin)).length).toBe(auditBefore);
  });

  let token: string;
  test('PUT with the current If-Match: 200 PendingVerification, ETag, audit, a zh-TW verification email', async () => {
    const etag = (await partner()).headers.get('etag')!;
    const res = await put(contact, mpn, { 'If-Match': etag });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ...contact, status: 'PendingVerification' });
    expect(res.headers.get('etag')).toBeTruthy();
    expect(res.headers.get('etag')).not.toBe(etag);
    const p = await partner();
    expect(p.headers.get('etag')).toBe(res.headers.get('etag'));
    expect(p.body.marketingContact).toMatchObject({ ...contact, status: 'PendingVerification' });

    const mails = await mailsTo(host, 'contactVerification', contact.email);
    expect(mails).toHaveLength(1);
    expect(mails[0].locale).toBe('zh-TW');
    expect(mails[0].plainText).toContain('驗證碼'); // "verification code" in Traditional Chinese
    token = tokenFromMail(mails[0]);
    // The token itself is never stored, nor audited.
    expect(JSON.stringify([...(await snapshotDocs())])).not.toContain(token);

    const events = await auditEventsOf(host, 'contoso', admin, 'marketingContact.set', 'contoso');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actor: { objectId: oid('mpn@contoso.example') },
      detail: { userId: contact.userId, status: 'PendingVerification', preferredLanguage: 'zh-TW' },
    });
  });

  test('POST /api/contact-verifications with the token: 200 and the contact is Verified', async () => {
    const res = await host.call('POST', '/api/contact-verifications', { body: { token } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'Verified', contact: 'marketing' });
    expect((await partner()).body.marketingContact).toMatchObject({
      email: contact.email,
      status: 'Verified',
    });
    expect(await auditEventsOf(host, 'contoso', admin, 'contact.verify', 'contoso')).toHaveLength(1);
  });

  test('reusing the token, or a random token, is 400 invalid-token and writes nothing', async () => {
    const etag = (await partner()).headers.get('etag');
    expectProblem(
      await host.call('POST', '/api/contact-verifications', { body: { token } }),
      400,
      'invalid-token',
    );
    expectProblem(
      await host.call('POST', '/api/contact-verifications', {
        body: { token: 'x'.repeat(43) },
      }),
      400,
      'invalid-token',
    );
    expectProblem(
      await host.call('POST', '/api/contact-verifications', { body: { token: token.slice(0, -1) + 'A' } }),
      400,
      'invalid-token',
    );
    expect((await partner()).headers.get('etag')).toBe(etag);
    expect(await auditEventsOf(host, 'contoso', admin, 'contact.verify', 'contoso')).toHaveLength(1);
  });

  test('changing only the phone keeps Verified and sends no new email; a new email restarts verification', async () => {
    const same = await put({ ...contact, phone: '+14255550100', email: contact.email.toUpperCase() });
    expect(same.status).toBe(200);
    expect(same.body.status).toBe('Verified');
    expect(await mailsTo(host, 'contactVerification', contact.email)).toHaveLength(1);

    const changed = await put({ ...contact, email: 'new.lead@agency.example', preferredLanguage: 'ru-RU' });
    expect(changed.status).toBe(200);
    expect(changed.body.status).toBe('PendingVerification');
    const mails = await mailsTo(host, 'contactVerification', 'new.lead@agency.example');
    expect(mails).toHaveLength(1);
    expect(mails[0].locale).toBe('ru-RU');
    expect(await auditEventsOf(host, 'contoso', admin, 'marketingContact.set', 'contoso')).toHaveLength(3);
  });

  test('a token of a superseded email does not claim Verified: 400 invalid-token', async () => {
    // The contact is now new.lead@ (PendingVerification, token T1). Changing it again supersedes T1.
    const t1 = tokenFromMail((await mailsTo(host, 'contactVerification', 'new.lead@agency.example'))[0]);
    const changed = await put({ ...contact, email: 'third.lead@agency.example', preferredLanguage: 'en-US' });
    expect(changed.status).toBe(200);
    const res = await host.call('POST', '/api/contact-verifications', { body: { token: t1 } });
    // Answering 200 { status: 'Verified' } here would tell the old address it is verified while the partner's
    // marketing contact stays PendingVerification.
    expectProblem(res, 400, 'invalid-token');
    expect((await partner()).body.marketingContact).toMatchObject({
      email: 'third.lead@agency.example',
      status: 'PendingVerification',
    });
  });

  test('a PMC partner gets 409 managed-in-pmc', async () => {
    const res = await host.call('PUT', '/api/partners/northwind/marketing-contact', {
      token: await host.tokenFor('admin@northwind.example'),
      body: { ...contact, userId: oid('dev3@northwind.example') },
    });
    expectProblem(res, 409, 'managed-in-pmc');
  });
});

async function snapshotDocs(): Promise<unknown[]> {
  const { resources } = await rawDocuments(host.services.store).container.items.readAll().fetchAll();
  return resources;
}
