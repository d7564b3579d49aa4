/**
 * More seed flows in a real browser, in en-US and zh-TW: the marketing contact → the emailed link →
 * Confirm → a Go-To-Market activation; cancellation of a fresh purchase; Account settings → Users; the PMC
 * banner; an employee's own benefits.
 */
import { readOutbox } from '../../src/email/outbox';
import { ruRU } from '../../src/web/src/i18n/messages/ru-RU';
import { zhCN } from '../../src/web/src/i18n/messages/zh-CN';
import {
  LOCALES,
  describeBrowser,
  expectAccessible,
  freshPartner,
  msg,
  newPage,
  screenshot,
  signIn,
  startBrowserEnv,
  stopBrowserEnv,
  type BrowserEnv,
} from './support';

let env: BrowserEnv;
beforeAll(async () => {
  env = await startBrowserEnv();
});
afterAll(async () => stopBrowserEnv(env));

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describeBrowser('Partner pages', () => {
  test.each(LOCALES)(
    'marketing contact → emailed link → Confirm → Go-To-Market offer Active with Expires (%s)',
    async (locale) => {
      const p = await freshPartner(env.host, { buy: 'gold-competency', employees: 1 });
      const contactEmail = `mkt-${p.partnerId.slice(0, 8)}@mail.example`;
      const { context, page } = await newPage(env, locale);
      await signIn(page, locale, p.adminEmail);
      await page.getByRole('link', { name: msg(locale, 'nav.benefits'), exact: true }).click();
      await page.getByRole('tab', { name: msg(locale, 'tab.goToMarket') }).click();
      await page.getByRole('button', { name: msg(locale, 'contact.add'), exact: true }).click();
      const e = p.employees[0];
      await page
        .getByRole('combobox', { name: new RegExp(`^${esc(msg(locale, 'seats.user'))}`) })
        .selectOption({ label: `${e.displayName} (${e.email})` });
      await page
        .getByRole('textbox', { name: new RegExp(`^${esc(msg(locale, 'contact.email'))}`) })
        .fill(contactEmail);
      await page
        .getByRole('textbox', { name: new RegExp(`^${esc(msg(locale, 'contact.phone'))}`) })
        .fill('+886212345678');
      await page.getByRole('combobox', { name: msg(locale, 'contact.language') }).selectOption(locale);
      await page.getByRole('button', { name: msg(locale, 'seats.assignUser') }).click();
      await page.getByText(msg(locale, 'contact.PendingVerification')).waitFor();
      await expectAccessible(page, `gtm ${locale}`);
      if (locale === 'en-US') await screenshot(page, 'benefits-go-to-market-en-US');

      // The verification email (in the contact's language) links to the portal page with the token.
      const mail = (await readOutbox(env.host.outboxDir)).find(
        (m) => m.kind === 'contactVerification' && m.to.some((t) => t.address === contactEmail),
      );
      expect(mail).toBeDefined();
      const link = /href="([^"]*\/verify-contact#token=[^"]+)"/.exec(mail!.html)![1];
      const verify = await context.newPage();
      await verify.goto(link.replace(env.host.config.PUBLIC_BASE_URL, env.host.url));
      const partnerName = (
        await env.host.call('GET', `/api/partners/${p.partnerId}`, { token: p.adminToken })
      ).body.name;
      await verify
        .getByText(msg(locale, 'verify.questionMarketing', { email: contactEmail, partner: partnerName }))
        .waitFor();
      // Opening the link changed nothing.
      const before = (await env.host.call('GET', `/api/partners/${p.partnerId}`, { token: p.adminToken }))
        .body.marketingContact;
      expect(before.status).toBe('PendingVerification');
      await expectAccessible(verify, `verify ${locale}`);
      await screenshot(verify, `verify-contact-${locale}`);
      await verify.getByRole('button', { name: msg(locale, 'verify.confirm') }).click();
      await verify.getByText(msg(locale, 'verify.done')).waitFor();
      await verify.close();

      await page.reload();
      await page.getByText(msg(locale, 'contact.Verified'), { exact: true }).waitFor();
      const offers = (
        await env.host.call('GET', `/api/partners/${p.partnerId}/benefits?category=goToMarket`, {
          token: p.adminToken,
        })
      ).body.items;
      const offer = offers[0];
      await page
        .getByRole('button', {
          name: msg(locale, 'benefits.showDetails', { name: `${offer.productName} — ${offer.offerType}` }),
        })
        .click();
      await page.getByRole('button', { name: msg(locale, 'activation.activate') }).click();
      await page
        .getByRole('status')
        .filter({ hasText: msg(locale, 'activation.pending') })
        .waitFor();
      const operator = await env.host.token('operator-tests', { operator: true });
      expect(
        (
          await env.host.call(
            'POST',
            `/api/operator/partners/${p.partnerId}/benefits/${offer.id}/activation/fulfilment`,
            { token: operator, body: {} },
          )
        ).status,
      ).toBe(202);
      const row = page.getByRole('row').filter({ hasText: offer.offerType });
      await row.getByText(msg(locale, 'status.Active')).waitFor();
      const active = (
        await env.host.call('GET', `/api/partners/${p.partnerId}/benefits/${offer.id}`, {
          token: p.adminToken,
        })
      ).body;
      expect(active.status).toBe('Active');
      const expires = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(
        new Date(active.expiresAt),
      );
      await row.getByText(expires).first().waitFor();
      await context.close();
    },
  );

  test.each(LOCALES)('request cancellation of a fresh purchase with a reason (%s)', async (locale) => {
    const p = await freshPartner(env.host, { level: 'ActionPack', buy: 'action-pack' });
    const { context, page } = await newPage(env, locale);
    await signIn(page, locale, p.adminEmail);
    await page.getByRole('link', { name: msg(locale, 'nav.purchases') }).click();
    await page
      .getByRole('button', { name: msg(locale, 'purchases.requestCancellationFor', { id: p.purchaseId! }) })
      .click();
    await page
      .getByRole('textbox', { name: new RegExp(`^${esc(msg(locale, 'purchases.reason'))}`) })
      .fill('Bought the wrong package.');
    await page.getByRole('button', { name: msg(locale, 'purchases.submitCancellation') }).click();
    await page.getByText(msg(locale, 'purchases.cancelled')).waitFor();
    await expectAccessible(page, `purchases ${locale}`);
    await screenshot(page, `purchases-${locale}`);
    await page.getByRole('link', { name: msg(locale, 'nav.serviceRequests') }).click();
    await page.getByRole('cell', { name: msg(locale, 'requestType.Cancellation'), exact: true }).waitFor();
    await expectAccessible(page, `service requests ${locale}`);
    await screenshot(page, `service-requests-${locale}`);
    await page.getByRole('link', { name: msg(locale, 'nav.audit') }).click();
    await page.getByRole('table').waitFor();
    await expectAccessible(page, `audit ${locale}`);
    await screenshot(page, `audit-${locale}`);
    await context.close();
  });

  test.each(LOCALES)(
    'Account settings: add a user with a role, change roles (and a concurrent change), remove (%s)',
    async (locale) => {
      const p = await freshPartner(env.host);
      const email = `new-${p.partnerId.slice(0, 8)}@fresh.example`;
      const { context, page } = await newPage(env, locale);
      await signIn(page, locale, p.adminEmail);
      await page.getByRole('link', { name: msg(locale, 'nav.accountSettings') }).click();
      await page
        .getByRole('textbox', { name: new RegExp(`^${esc(msg(locale, 'users.displayName'))}`) })
        .fill('Mei Lin');
      await page
        .getByRole('textbox', { name: new RegExp(`^${esc(msg(locale, 'users.email'))}`) })
        .fill(email);
      await page.getByRole('checkbox', { name: msg(locale, 'role.AdminAgent') }).check();
      await page.getByRole('button', { name: msg(locale, 'users.add'), exact: true }).click();
      await page.getByText(msg(locale, 'users.added', { email })).waitFor();
      await page.getByRole('cell', { name: email, exact: true }).first().waitFor();
      await expectAccessible(page, `users ${locale}`);
      if (locale === 'en-US') await screenshot(page, 'users-en-US');
      const users = (
        await env.host.call('GET', `/api/partners/${p.partnerId}/users`, { token: p.adminToken })
      ).body.items;
      const added = users.find((u: any) => u.accountEmail === email);
      expect(added?.roles).toEqual(['AdminAgent']);

      // Change roles: Admin agent → Admin agent + User admin (PATCH with the user's ETag).
      await page.getByRole('button', { name: msg(locale, 'users.changeRolesOf', { user: email }) }).click();
      const edit = page.getByRole('form', { name: msg(locale, 'users.editLabel', { user: email }) });
      await edit.getByRole('checkbox', { name: msg(locale, 'role.UserAdmin') }).check();
      await edit.getByRole('button', { name: msg(locale, 'users.saveRoles') }).click();
      await edit.waitFor({ state: 'detached' });
      const row = page.getByRole('row').filter({ hasText: email });
      await row.getByText(`${msg(locale, 'role.UserAdmin')}, ${msg(locale, 'role.AdminAgent')}`).waitFor();
      const changed = await env.host.call('GET', `/api/partners/${p.partnerId}/users/${added.id}`, {
        token: p.adminToken,
      });
      expect([...changed.body.roles].sort()).toEqual(['AdminAgent', 'UserAdmin']);

      // Someone else changes the user while the form is open: Save is refused (412), the page reloads the
      // user, says so, and shows the roles as they are now.
      await page.getByRole('button', { name: msg(locale, 'users.changeRolesOf', { user: email }) }).click();
      await edit.getByRole('checkbox', { name: msg(locale, 'role.UserAdmin') }).waitFor();
      expect(
        (
          await env.host.call('PATCH', `/api/partners/${p.partnerId}/users/${added.id}`, {
            token: p.adminToken,
            body: { roles: ['MpnPartnerAdmin'] },
          })
        ).status,
      ).toBe(200);
      await edit.getByRole('checkbox', { name: msg(locale, 'role.AdminAgent') }).uncheck();
      await edit.getByRole('button', { name: msg(locale, 'users.saveRoles') }).click();
      await edit
        .getByRole('alert')
        .filter({ hasText: msg(locale, 'error.changedReloaded') })
        .waitFor();
      expect(
        await edit.getByRole('checkbox', { name: msg(locale, 'role.MpnPartnerAdmin') }).isChecked(),
      ).toBe(true);
      await expectAccessible(page, `users edit ${locale}`);
      await edit.getByRole('button', { name: msg(locale, 'common.cancel') }).click();

      // Remove asks first, then the user is gone.
      await page.getByRole('button', { name: msg(locale, 'users.removeUser', { user: email }) }).click();
      await page.getByText(msg(locale, 'users.removeConfirm', { user: email })).waitFor();
      await page.getByRole('button', { name: msg(locale, 'users.confirmRemove') }).click();
      await page.getByRole('cell', { name: email, exact: true }).waitFor({ state: 'detached' });
      expect(
        (
          await env.host.call('GET', `/api/partners/${p.partnerId}/users/${added.id}`, {
            token: p.adminToken,
          })
        ).status,
      ).toBe(404);
      // Add them again, so the sign-in below works with the created user.
      await page
        .getByRole('textbox', { name: new RegExp(`^${esc(msg(locale, 'users.displayName'))}`) })
        .fill('Mei Lin');
      await page
        .getByRole('textbox', { name: new RegExp(`^${esc(msg(locale, 'users.email'))}`) })
        .fill(email);
      await page.getByRole('button', { name: msg(locale, 'users.add'), exact: true }).click();
      await page.getByText(msg(locale, 'users.added', { email })).waitFor();
      // The new user can sign in from the local sign-in page (created at run time).
      await page.getByRole('button', { name: msg(locale, 'nav.signOut') }).click();
      await signIn(page, locale, email);
      await context.close();
    },
  );

  test('languages: picked from the browser, switchable, remembered; dates via Intl', async () => {
    // A browser asking for Simplified Chinese gets zh-CN without choosing anything.
    {
      const context = await env.browser.newContext({ locale: 'zh-CN', baseURL: env.host.url });
      const page = await context.newPage();
      await page.goto('/sign-in');
      await page.getByRole('button', { name: zhCN['signIn.operator'] }).waitFor();
      expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
      await expectAccessible(page, 'sign-in zh-CN');
      await context.close();
    }
    const p = await freshPartner(env.host, { level: 'ActionPack', buy: 'action-pack' });
    const { context, page } = await newPage(env, 'en-US');
    await signIn(page, 'en-US', p.adminEmail);
    await page.getByRole('link', { name: msg('en-US', 'nav.purchases') }).click();
    await page.getByRole('combobox', { name: msg('en-US', 'nav.language') }).selectOption('ru-RU');
    await page.getByRole('heading', { name: ruRU['purchases.title'], level: 1 }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('ru-RU');
    // Dates in the Russian format of Intl.
    const purchase = (
      await env.host.call('GET', `/api/partners/${p.partnerId}/purchases`, { token: p.adminToken })
    ).body.items[0];
    const ruDate = new Intl.DateTimeFormat('ru-RU', { dateStyle: 'medium' }).format(
      new Date(purchase.purchasedAt),
    );
    await page.getByText(ruDate).first().waitFor();
    await expectAccessible(page, 'purchases ru-RU');
    await screenshot(page, 'purchases-ru-RU');
    // Remembered: a reload (and a new tab) keeps Russian although the browser asks for English.
    await page.reload();
    await page.getByRole('heading', { name: ruRU['purchases.title'], level: 1 }).waitFor();
    await context.close();
  });

  test.each(LOCALES)(
    'a partner managed in PMC sees the banner with the PMC link instead of benefits (%s)',
    async (locale) => {
      const { context, page } = await newPage(env, locale);
      await signIn(page, locale, 'admin@northwind.example');
      await page.getByText(msg(locale, 'pmc.title')).waitFor();
      const link = page.getByRole('link', { name: msg(locale, 'pmc.link') });
      expect(await link.getAttribute('href')).toMatch(/^https:\/\/partner\.microsoft\.com\//);
      expect(await page.getByRole('tab').count()).toBe(0);
      await expectAccessible(page, `pmc ${locale}`);
      await screenshot(page, `pmc-${locale}`);
      await context.close();
    },
  );

  test.each(LOCALES)('an employee sees their own benefits and whom to ask (%s)', async (locale) => {
    const p = await freshPartner(env.host, { level: 'ActionPack', buy: 'action-pack', employees: 1 });
    const vs = (
      await env.host.call('GET', `/api/partners/${p.partnerId}/benefits?category=visualStudio`, {
        token: p.adminToken,
      })
    ).body.items[0];
    const e = p.employees[0];
    expect(
      (
        await env.host.call('POST', `/api/partners/${p.partnerId}/benefits/${vs.id}/assignments`, {
          token: p.adminToken,
          body: { userId: e.id },
        })
      ).status,
    ).toBe(201);
    const { context, page } = await newPage(env, locale);
    await signIn(page, locale, e.email);
    await page.waitForURL(/\/my-benefits/);
    await page.getByRole('cell', { name: vs.productName }).waitFor();
    await page.getByRole('link', { name: msg(locale, 'my.vsPortal') }).waitFor();
    await page.getByText(p.adminEmail, { exact: false }).waitFor();
    // The Benefits page says which role is needed instead of a bare 403.
    await page.goto('/benefits/software');
    await page
      .getByText(msg(locale, 'role.needed', { roles: '' }).split('{')[0].slice(0, 4))
      .first()
      .waitFor();
    await expectAccessible(page, `my benefits ${locale}`);
    await screenshot(page, `my-benefits-${locale}`);
    await context.close();
  });
});
