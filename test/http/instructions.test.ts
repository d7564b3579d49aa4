/**
 * Every link a person is given works, and instructions tell the truth (docs/product.md §3, §7), end to end on the
 * local host: catalog instructions and download links (served by the placeholder route under the default
 * `DOWNLOADS_BASE_URL`), the Azure portal link, the technical-instructions email's recipients and language, and the
 * Go-To-Market email naming its offer once.
 */
import { downloadsBaseUrl, loadConfig } from '../../src/config';
import { CATALOG } from '../../src/domain/catalog';
import { downloadLink } from '../../src/domain/keys';
import { readOutbox } from '../../src/email/outbox';
import { ManualClock } from '../../src/local/clock';
import { expectProblem, tokenFromMail } from '../support/api';
import { startTestHost, type TestHost } from '../support/testHost';

const DAY = 24 * 3600 * 1000;
let host: TestHost;
let clock: ManualClock;
let operator: string;

beforeAll(async () => {
  jest.spyOn(console, 'info').mockImplementation(() => undefined);
  clock = new ManualClock(new Date('2026-08-03T09:00:00.000Z'));
  host = await startTestHost({ clock, settings: { ACTIVATION_PROCESSING_TIME: 'P3D' } });
  operator = await host.token('instructions-operator', { operator: true });
});
afterAll(async () => host?.close());

async function advanceTo(target: Date): Promise<void> {
  for (;;) {
    await host.durable.whenIdle();
    const next = clock.nextDue();
    if (next && next <= target) {
      clock.set(next);
      continue;
    }
    clock.set(target);
    await host.durable.whenIdle();
    return;
  }
}

describe('catalog: instructions and working download links', () => {
  test('every catalog product carries its special instructions', async () => {
    const res = await host.call('GET', '/api/catalog/packages', {
      token: await host.tokenFor('admin@contoso.example'),
    });
    for (const pkg of res.body.items) {
      for (const item of pkg.items) {
        expect({
          id: item.id,
          long: typeof item.instructions === 'string' && item.instructions.length > 40,
        }).toEqual({
          id: item.id,
          long: true,
        });
      }
    }
    const azure = res.body.items[0].items.find((i: any) => i.cloudKind === 'usageBased');
    expect(azure.portalUrl).toBe('https://portal.azure.com/');
  });

  test('every download link of every product, language and OS resolves (200, a small file)', async () => {
    const base = downloadsBaseUrl(host.config);
    expect(base).toBe(`${host.config.PUBLIC_BASE_URL}/api/downloads`);
    const urls = new Set<string>();
    for (const pkg of CATALOG)
      for (const item of pkg.items)
        for (const language of item.languages ?? [])
          for (const os of item.operatingSystems ?? [])
            urls.add(
              downloadLink({ catalogItemId: item.id, productName: item.productName }, language, os, base).url,
            );
    expect(urls.size).toBeGreaterThan(50);
    for (const url of urls) {
      const res = await fetch(url);
      expect({ url, status: res.status }).toEqual({ url, status: 200 });
      expect((await res.arrayBuffer()).byteLength).toBeLessThan(2000);
    }
  });

  test('a name the catalog does not generate is 404 problem+json; no token is needed', async () => {
    expectProblem(
      await host.call('GET', '/api/downloads/office-professional-plus-2019/zh-TW/windows-x64/evil.iso'),
      404,
      'not-found',
    );
    expectProblem(await host.call('GET', '/api/downloads/nothing/en-US/windows-x64/x.iso'), 404, 'not-found');
    expectProblem(
      await host.call('GET', '/api/downloads/a/b/c/..%2F..%2Fetc%2Fpasswd'),
      400,
      'validation-failed',
    );
  });

  test('DOWNLOADS_BASE_URL, when set, is the base of the links', () => {
    const config = loadConfig({
      ...process.env,
      COSMOS_ENDPOINT: 'https://x.documents.azure.com/',
      AUTH_ISSUER: 'i',
      AUTH_AUDIENCE: 'a',
      AUTH_JWKS_URI: 'https://login.example/keys',
      DOWNLOADS_BASE_URL: 'https://cdn.example/media/',
    });
    expect(downloadsBaseUrl(config)).toBe('https://cdn.example/media');
  });

  test('the usage-based Azure benefit links to the Azure portal; keys come with the instructions', async () => {
    const admin = await host.tokenFor('admin@contoso.example');
    const azure = await host.call('GET', '/api/partners/contoso/benefits?category=cloud&q=azure', {
      token: admin,
    });
    expect(azure.body.items.length).toBeGreaterThan(0);
    for (const b of azure.body.items)
      expect(b).toMatchObject({ cloudKind: 'usageBased', portalUrl: 'https://portal.azure.com/' });
    const m365 = (
      await host.call('GET', '/api/partners/contoso/benefits?category=cloud&q=365', { token: admin })
    ).body.items[0];
    const keys = await host.call('POST', `/api/partners/contoso/benefits/${m365.id}/keys`, {
      token: admin,
      body: { language: 'ru-RU', operatingSystem: 'macOS' },
    });
    expect(keys.status).toBe(200);
    expect(keys.body.instructions).toMatch(/admin center/);
    expect((await fetch(keys.body.downloads[0].url)).status).toBe(200);
  });
});

let n = 0;
/** A Gold partner (language `partnerLanguage`) with a purchase and a marketing contact in zh-TW. */
async function partner(partnerLanguage?: string) {
  n++;
  const adminOid = `instr-admin-${n}`;
  const created = await host.call('POST', '/api/operator/partners', {
    token: operator,
    body: {
      name: `Instructions ${n}`,
      level: 'Gold',
      ...(partnerLanguage ? { preferredLanguage: partnerLanguage } : {}),
      membership: { status: 'Active', expiresAt: new Date(clock.now().getTime() + 400 * DAY).toISOString() },
      globalAdmin: { objectId: adminOid, displayName: `Admin ${n}`, accountEmail: `admin@instr${n}.example` },
    },
  });
  expect(created.status).toBe(201);
  const id: string = created.body.id;
  const token = await host.token(adminOid);
  const bought = await host.call('POST', `/api/partners/${id}/purchases`, {
    token,
    body: { packageId: 'gold-competency' },
  });
  const contact = await host.call('PUT', `/api/partners/${id}/marketing-contact`, {
    token,
    body: {
      userId: adminOid,
      email: `marketing@instr${n}.example`,
      phone: '+886212345678',
      preferredLanguage: 'zh-TW',
    },
  });
  expect(contact.status).toBe(200);
  return { id, token, adminOid, n, benefits: bought.body.benefits as any[] };
}

const mails = async (kind: string, address: string) =>
  (await readOutbox(host.outboxDir)).filter(
    (m) => m.kind === kind && m.to.some((t) => t.address === address),
  );

describe('the technical-instructions email', () => {
  test("with a technical contact: to the alternate and the account email, in the contact user's language (not the marketing contact's)", async () => {
    const p = await partner();
    const user = await host.call('POST', `/api/partners/${p.id}/users`, {
      token: p.token,
      body: {
        objectId: `tech-${p.n}`,
        displayName: 'Пётр Техников',
        accountEmail: `tech@instr${p.n}.example`,
        roles: [],
        preferredLanguage: 'ru-RU',
      },
    });
    expect(user.status).toBe(201);
    const support = p.benefits.find((b) => b.technicalKind === 'productSupport');
    const assigned = await host.call('POST', `/api/partners/${p.id}/benefits/${support.id}/assignments`, {
      token: p.token,
      body: { userId: `tech-${p.n}`, alternateEmail: `petr@alt${p.n}.example` },
    });
    expect(assigned.status).toBe(201);
    expect(
      (await host.call('POST', `/api/partners/${p.id}/benefits/${support.id}/activation`, { token: p.token }))
        .status,
    ).toBe(202);
    await advanceTo(new Date(clock.now().getTime() + 3 * DAY + 1000));

    const [mail] = await mails('technicalInstructions', `petr@alt${p.n}.example`);
    expect(mail).toBeDefined();
    expect(mail.to.map((t) => t.address).sort()).toEqual(
      [`petr@alt${p.n}.example`, `tech@instr${p.n}.example`].sort(),
    );
    expect(mail.locale).toBe('ru-RU');
    expect(mail.plainText).toContain('В целях безопасности');
    // The contact verification went out in the contact's language too.
    const [verification] = await mails('contactVerification', `petr@alt${p.n}.example`);
    expect(verification.locale).toBe('ru-RU');
    expect(tokenFromMail(verification)).toBeTruthy();
  });

  test("with no technical contact: to the requester only, saying so, in the partner's language", async () => {
    const p = await partner('zh-CN');
    const presales = p.benefits.find((b) => b.technicalKind === 'presales');
    expect(
      (
        await host.call('POST', `/api/partners/${p.id}/benefits/${presales.id}/activation`, {
          token: p.token,
        })
      ).status,
    ).toBe(202);
    await advanceTo(new Date(clock.now().getTime() + 3 * DAY + 1000));
    const [mail] = await mails('technicalInstructions', `admin@instr${p.n}.example`);
    expect(mail).toBeDefined();
    expect(mail.to.map((t) => t.address)).toEqual([`admin@instr${p.n}.example`]);
    expect(mail.locale).toBe('zh-CN');
    expect(mail.plainText).toContain('此权益尚未分配技术联系人');
    expect(mail.plainText).not.toContain('备用电子邮件地址和帐户电子邮件地址');
  });
});

describe('the Go-To-Market email', () => {
  test("names its offer once, in the marketing contact's language", async () => {
    const p = await partner('ru-RU');
    const [verification] = await mails('contactVerification', `marketing@instr${p.n}.example`);
    expect(
      (
        await host.call('POST', '/api/contact-verifications', {
          body: { token: tokenFromMail(verification) },
        })
      ).status,
    ).toBe(200);
    const gold = p.benefits.find((b) => b.offerType === 'Gold Core');
    expect(
      (await host.call('POST', `/api/partners/${p.id}/benefits/${gold.id}/activation`, { token: p.token }))
        .status,
    ).toBe(202);
    await advanceTo(new Date(clock.now().getTime() + 3 * DAY + 1000));
    const [mail] = await mails('gtmInstructions', `marketing@instr${p.n}.example`);
    expect(mail).toBeDefined();
    expect(mail.locale).toBe('zh-TW');
    expect(mail.plainText.split('Gold Core')).toHaveLength(2);
    expect(mail.plainText).not.toContain('Go-To-Market: Gold Core');
  });
});
