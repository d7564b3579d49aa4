/**
 * The membership lifecycle in a real browser, in en-US and zh-TW (docs/product.md §12): the membership card on
 * the first screen of fabrikam's admin (its renewal window is open and its Silver Core offer expires in 5 days),
 * the "Expiring soon" filter, and a renewal through **Renew** → **Confirm renewal**.
 */
import { randomUUID } from 'node:crypto';
import {
  LOCALES,
  describeBrowser,
  expectAccessible,
  msg,
  newPage,
  screenshot,
  signIn,
  startBrowserEnv,
  stopBrowserEnv,
  type BrowserEnv,
  type TestLocale,
} from './support';

let env: BrowserEnv;
beforeAll(async () => {
  env = await startBrowserEnv();
});
afterAll(async () => stopBrowserEnv(env));

const DAY = 864e5;
const date = (locale: TestLocale, iso: string) =>
  new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(new Date(iso));

/**
 * A partner whose membership ends in `days` days (inside its renewal window), with a silver-competency purchase
 * and one Visual Studio seat assigned — so that benefit is Active until the membership's end.
 */
async function partnerEndingIn(days: number) {
  const host = env.host;
  const operator = await host.token('operator-tests', { operator: true });
  const suffix = randomUUID().slice(0, 8);
  const adminObjectId = randomUUID();
  const adminEmail = `admin-${suffix}@renew.example`;
  const created = await host.call('POST', '/api/operator/partners', {
    token: operator,
    body: {
      name: `Renew ${suffix}`,
      level: 'Silver',
      membership: { status: 'Active', expiresAt: new Date(Date.now() + days * DAY).toISOString() },
      globalAdmin: { objectId: adminObjectId, displayName: `Admin ${suffix}`, accountEmail: adminEmail },
    },
  });
  expect(created.status).toBe(201);
  const partnerId: string = created.body.id;
  const token = await host.token(adminObjectId);
  const agentEmail = `agent-${suffix}@renew.example`;
  expect(
    (
      await host.call('POST', `/api/partners/${partnerId}/users`, {
        token,
        body: {
          objectId: randomUUID(),
          displayName: `Agent ${suffix}`,
          accountEmail: agentEmail,
          roles: ['AdminAgent'],
        },
      })
    ).status,
  ).toBe(201);
  const bought = await host.call('POST', `/api/partners/${partnerId}/purchases`, {
    token,
    body: { packageId: 'silver-competency' },
  });
  expect(bought.status).toBe(201);
  const vs = bought.body.benefits.find((b: { category: string }) => b.category === 'visualStudio');
  expect(
    (
      await host.call('POST', `/api/partners/${partnerId}/benefits/${vs.id}/assignments`, {
        token,
        body: { userId: adminObjectId },
      })
    ).status,
  ).toBe(201);
  return {
    partnerId,
    token,
    adminEmail,
    agentEmail,
    vs,
    expiresAt: created.body.membership.expiresAt as string,
  };
}

describeBrowser('Membership card and Expiring soon', () => {
  test.each(LOCALES)(
    "fabrikam's first screen: the open renewal and the offer expiring in 5 days; the filter shows it (%s)",
    async (locale) => {
      const { context, page } = await newPage(env, locale);
      await signIn(page, locale, 'admin@fabrikam.example');
      await page.waitForURL(/\/benefits\/software/);
      const card = page.getByRole('region', { name: msg(locale, 'membership.title') });
      await card.waitFor();
      await card.getByText(msg(locale, 'level.Silver'), { exact: true }).waitFor();
      await card.getByRole('button', { name: msg(locale, 'membership.renew'), exact: true }).waitFor();
      const membership = (
        await env.host.call('GET', '/api/partners/fabrikam/membership', {
          token: await env.host.tokenFor('admin@fabrikam.example'),
        })
      ).body;
      await card.getByText(date(locale, membership.expiresAt), { exact: true }).waitFor();
      const offer = card.getByRole('link', { name: 'Go-To-Market: Silver Core' });
      await offer.waitFor();
      await expectAccessible(page, `membership card ${locale}`);
      await screenshot(page, `benefits-membership-${locale}`);

      // The link opens its tab with the filter on: only what expires within 30 days.
      await offer.click();
      await page.waitForURL(/\/benefits\/go-to-market\?expiring=1/);
      // The Software tab's switch (off) is on screen until the new tab renders: wait for the one that is on.
      const filter = page.getByRole('switch', { name: msg(locale, 'benefits.expiringSoon', { days: 30 }) });
      await page
        .getByRole('switch', { name: msg(locale, 'benefits.expiringSoon', { days: 30 }), checked: true })
        .waitFor();
      await expect(filter.isChecked()).resolves.toBe(true);
      const table = page.getByRole('table', { name: msg(locale, 'benefits.tableLabel') });
      await table.getByText('Go-To-Market: Silver Core').waitFor();
      await expect(table.getByRole('row').count()).resolves.toBe(2); // the header and Silver Core
      await expectAccessible(page, `expiring soon ${locale}`);
      // Off: every Go-To-Market offer again (Silver Core and ISV Co-sell ready).
      await filter.click();
      await table.getByText('Go-To-Market: ISV Co-sell ready').waitFor();
      await expect(table.getByRole('row').count()).resolves.toBe(3);
      // On the Software tab nothing of fabrikam's expires soon.
      await filter.click();
      await page.getByRole('tab', { name: msg(locale, 'tab.software') }).click();
      await page.getByText(msg(locale, 'benefits.noneExpiring', { days: 30 })).waitFor();
      await context.close();
    },
  );

  test.each(LOCALES)('Renew → Confirm renewal: 12 more months, Renew is gone (%s)', async (locale) => {
    const p = await partnerEndingIn(20);
    const { context, page } = await newPage(env, locale);
    await signIn(page, locale, p.adminEmail);
    const card = page.getByRole('region', { name: msg(locale, 'membership.title') });
    // The Visual Studio seat runs until the membership's end, in 20 days: it is expiring soon.
    await card.getByRole('link', { name: p.vs.productName }).waitFor();
    await card.getByRole('button', { name: msg(locale, 'membership.renew'), exact: true }).click();
    const confirm = card.getByRole('group', { name: msg(locale, 'membership.renewConfirmLabel') });
    await confirm.getByText(msg(locale, 'level.Silver'), { exact: false }).waitFor();
    await expectAccessible(page, `renew confirm ${locale}`);
    await confirm.getByRole('button', { name: msg(locale, 'membership.renewConfirmButton') }).click();
    // The click only sends the renewal: read the membership once the page's request has renewed it.
    const membership = async () =>
      (await env.host.call('GET', `/api/partners/${p.partnerId}/membership`, { token: p.token })).body;
    let renewed = await membership();
    for (let i = 0; i < 100 && renewed.expiresAt === p.expiresAt; i++) {
      await new Promise((r) => setTimeout(r, 100));
      renewed = await membership();
    }
    await card
      .getByRole('status')
      .filter({ hasText: msg(locale, 'membership.renewed', { date: date(locale, renewed.expiresAt) }) })
      .waitFor();
    expect(Date.parse(renewed.expiresAt)).toBeGreaterThan(Date.parse(p.expiresAt) + 360 * DAY);
    expect(renewed.renewal.open).toBe(false);
    await expect(
      card.getByRole('button', { name: msg(locale, 'membership.renew'), exact: true }).count(),
    ).resolves.toBe(0);
    await card.getByText(date(locale, renewed.expiresAt), { exact: true }).waitFor();
    const purchases = (
      await env.host.call('GET', `/api/partners/${p.partnerId}/purchases`, { token: p.token })
    ).body.items;
    expect(purchases.filter((x: { renewal?: unknown }) => x.renewal)).toHaveLength(1);
    await expectAccessible(page, `renewed ${locale}`);
    await context.close();
  });

  test('an Admin agent sees the open renewal but no Renew button, and who can renew', async () => {
    const p = await partnerEndingIn(40);
    const { context, page } = await newPage(env, 'en-US');
    await signIn(page, 'en-US', p.agentEmail);
    const card = page.getByRole('region', { name: msg('en-US', 'membership.title') });
    await card.getByText(msg('en-US', 'membership.renewRole')).waitFor();
    await expect(
      card.getByRole('button', { name: msg('en-US', 'membership.renew'), exact: true }).count(),
    ).resolves.toBe(0);
    await expectAccessible(page, 'membership card, admin agent');
    await context.close();
  });
});
