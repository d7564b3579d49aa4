/**
 * The seeds' flows in a real browser, in en-US and zh-TW (docs/product.md §11): Get keys (after which the
 * purchase is no longer cancellable), Assign yourself to Azure, Visual Studio seats up to the limit, Activate a
 * technical benefit (Access ID shown without a reload), and the operator fulfilling an activation.
 */
import type { Locator, Page } from 'playwright-core';
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
  type TestLocale,
} from './support';

let env: BrowserEnv;
beforeAll(async () => {
  env = await startBrowserEnv();
});
afterAll(async () => stopBrowserEnv(env));

async function openTab(page: Page, locale: TestLocale, tab: Parameters<typeof msg>[1]) {
  await page.getByRole('link', { name: msg(locale, 'nav.benefits'), exact: true }).click();
  await page.getByRole('tab', { name: msg(locale, tab) }).click();
  await page.getByRole('table').waitFor();
}

async function expand(page: Page, locale: TestLocale, name: string) {
  await page
    .getByRole('button', { name: msg(locale, 'benefits.showDetails', { name }) })
    .first()
    .click();
}

describeBrowser('Benefits page', () => {
  test.each(LOCALES)(
    'Get keys with language and OS; afterwards the purchase cannot be cancelled (%s)',
    async (locale) => {
      const p = await freshPartner(env.host, { buy: 'gold-competency' });
      const { context, page } = await newPage(env, locale);
      await context.grantPermissions(['clipboard-read', 'clipboard-write']);
      await signIn(page, locale, p.adminEmail);
      await page.waitForURL(/\/benefits\/software/);
      await page.getByRole('table').waitFor();
      await expectAccessible(page, `software ${locale}`);
      const benefits = (
        await env.host.call('GET', `/api/partners/${p.partnerId}/benefits?category=software`, {
          token: p.adminToken,
        })
      ).body.items;
      const office = benefits.find((b: any) => b.operatingSystems?.length > 1) ?? benefits[0];
      await expand(page, locale, office.productName);
      await page.getByText(msg(locale, 'keys.refundWarning')).waitFor();
      await page.getByLabel(msg(locale, 'keys.language')).selectOption(office.languages.at(-1));
      await page.getByLabel(msg(locale, 'keys.os')).selectOption(office.operatingSystems.at(-1));
      await page.getByRole('button', { name: msg(locale, 'keys.getKeys') }).click();
      const result = page.getByRole('region', { name: msg(locale, 'keys.resultLabel') });
      await result.waitFor();
      const copy = result
        .getByRole('button', { name: new RegExp(`^${escape(msg(locale, 'keys.copyFor', { key: '' }))}`) })
        .first();
      await copy.click();
      await page.getByText(msg(locale, 'keys.copied')).waitFor();
      const clip = await page.evaluate(
        () => (globalThis as any).navigator.clipboard.readText() as Promise<string>,
      );
      expect(clip).toMatch(/\w{5}-\w{5}/);
      // The product's special instructions come with the keys, and every download link opens a real file.
      await result.getByText(msg(locale, 'keys.instructions')).waitFor();
      const hrefs = await result
        .getByRole('link')
        .evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
      expect(hrefs.length).toBeGreaterThan(0);
      for (const href of hrefs) {
        const file = await fetch(href.replace(env.host.config.PUBLIC_BASE_URL, env.host.url));
        expect({ href, status: file.status }).toEqual({ href, status: 200 });
      }
      if (locale === 'en-US') await screenshot(page, 'benefits-software-keys-en-US');
      await expectAccessible(page, `keys ${locale}`);

      // The purchase is no longer cancellable, and the page says why.
      await page.getByRole('link', { name: msg(locale, 'nav.purchases') }).click();
      await page.getByText(msg(locale, 'purchases.why.software-benefits-activated')).waitFor();
      await expectAccessible(page, `purchases ${locale}`);
      await context.close();
    },
  );

  test.each(LOCALES)(
    'Assign yourself to the usage-based Azure subscription; the Azure portal link (%s)',
    async (locale) => {
      const p = await freshPartner(env.host, { buy: 'gold-competency' });
      const { context, page } = await newPage(env, locale);
      await signIn(page, locale, p.adminEmail);
      await openTab(page, locale, 'tab.cloud');
      const cloud = (
        await env.host.call('GET', `/api/partners/${p.partnerId}/benefits?category=cloud`, {
          token: p.adminToken,
        })
      ).body.items;
      const azure = cloud.find((b: any) => b.cloudKind === 'usageBased');
      await expand(page, locale, azure.productName);
      await page.getByRole('button', { name: msg(locale, 'cloud.assignYourself') }).click();
      await page.getByText(msg(locale, 'cloud.assignedToYou')).waitFor();
      expect(
        await page.getByRole('link', { name: msg(locale, 'cloud.azurePortal') }).getAttribute('href'),
      ).toBe('https://portal.azure.com/');
      await page
        .getByRole('cell', { name: msg(locale, 'benefits.seatsUsed', { used: 1, total: 1 }) })
        .waitFor();
      if (locale === 'en-US') await screenshot(page, 'benefits-cloud-en-US');
      await expectAccessible(page, `cloud ${locale}`);
      await context.close();
    },
  );

  test.each(LOCALES)(
    'Visual Studio: assign → remove → reassign up to the seat limit, then the error (%s)',
    async (locale) => {
      const p = await freshPartner(env.host, { level: 'ActionPack', buy: 'action-pack', employees: 6 });
      const vs = (
        await env.host.call('GET', `/api/partners/${p.partnerId}/benefits?category=visualStudio`, {
          token: p.adminToken,
        })
      ).body.items[0];
      expect(vs.seats).toBe(5);
      for (const e of p.employees.slice(0, 3)) {
        const r = await env.host.call('POST', `/api/partners/${p.partnerId}/benefits/${vs.id}/assignments`, {
          token: p.adminToken,
          body: { userId: e.id },
        });
        expect(r.status).toBe(201);
      }
      const { context, page } = await newPage(env, locale);
      await signIn(page, locale, p.adminEmail);
      await openTab(page, locale, 'tab.visualStudio');
      await expand(page, locale, vs.productName);
      const userSelect = page.getByRole('combobox', {
        name: new RegExp(`^${escape(msg(locale, 'seats.user'))}`),
      });
      const assign = page.getByRole('button', { name: msg(locale, 'seats.assignUser') });
      const pick = async (email: string) => {
        const e = p.employees.find((x) => x.email === email)!;
        await userSelect.selectOption({ label: `${e.displayName} (${e.email})` });
      };
      await pick(p.employees[3].email);
      await assign.click();
      await page
        .getByText(msg(locale, 'benefits.seatsUsed', { used: 4, total: 5 }))
        .first()
        .waitFor();
      // Remove, then reassign the seat to someone else.
      await page.getByRole('button', { name: new RegExp(escape(p.employees[3].email)) }).click();
      await page
        .getByText(msg(locale, 'benefits.seatsUsed', { used: 3, total: 5 }))
        .first()
        .waitFor();
      await pick(p.employees[4].email);
      await assign.click();
      await page
        .getByText(msg(locale, 'benefits.seatsUsed', { used: 4, total: 5 }))
        .first()
        .waitFor();
      await pick(p.employees[3].email);
      await assign.click();
      await page
        .getByText(msg(locale, 'benefits.seatsUsed', { used: 5, total: 5 }))
        .first()
        .waitFor();
      // A sixth user: the API refuses and the page says so next to the button.
      await pick(p.employees[5].email);
      await assign.click();
      await page
        .getByRole('alert')
        .filter({ hasText: msg(locale, 'error.seat-limit-reached') })
        .waitFor();
      if (locale === 'en-US') await screenshot(page, 'benefits-visual-studio-en-US');
      else await screenshot(page, 'benefits-visual-studio-zh-TW');
      await expectAccessible(page, `vs ${locale}`);
      await context.close();
    },
  );

  test.each(LOCALES)(
    'Activate a technical benefit: Pending, then Access ID and Contract ID without a reload (%s)',
    async (locale) => {
      const p = await freshPartner(env.host, { buy: 'gold-competency' });
      const tech = (
        await env.host.call('GET', `/api/partners/${p.partnerId}/benefits?category=technical`, {
          token: p.adminToken,
        })
      ).body.items[0];
      const { context, page } = await newPage(env, locale);
      await signIn(page, locale, p.adminEmail);
      await openTab(page, locale, 'tab.technical');
      await expand(page, locale, tech.productName);
      await page.getByRole('button', { name: msg(locale, 'activation.activate') }).click();
      await page
        .getByRole('status')
        .filter({ hasText: msg(locale, 'activation.pending') })
        .waitFor();
      const operator = await env.host.token('operator-tests', { operator: true });
      const accessId = `AID-${locale}`;
      const fulfil = await env.host.call(
        'POST',
        `/api/operator/partners/${p.partnerId}/benefits/${tech.id}/activation/fulfilment`,
        {
          token: operator,
          body: { accessId, contractId: `CID-${locale}` },
        },
      );
      expect(fulfil.status).toBe(202);
      await page.getByText(accessId, { exact: true }).waitFor();
      await page.getByText(`CID-${locale}`, { exact: true }).waitFor();
      await page.getByText(msg(locale, 'details.accessId'), { exact: true }).waitFor();
      // Now Active: the request form with its balance (advisory hours or support incidents) files a request.
      const presales = tech.technicalKind === 'presales';
      const form = page.getByRole('form', {
        name: msg(locale, presales ? 'requests.advisoryTitle' : 'requests.incidentTitle'),
      });
      const balance = presales
        ? msg(locale, 'requests.hoursRemaining', { hours: tech.advisoryHoursRemaining })
        : msg(locale, 'requests.incidentsRemaining', { count: tech.incidentsRemaining });
      await form.getByText(balance).waitFor();
      await form
        .getByRole('textbox', {
          name: new RegExp(
            `^${escape(msg(locale, presales ? 'requests.topic' : 'requests.incidentTitleField'))}`,
          ),
        })
        .fill('Migration of the line-of-business app');
      if (presales) {
        await form
          .getByRole('spinbutton', { name: new RegExp(`^${escape(msg(locale, 'requests.hours'))}`) })
          .fill('2');
      }
      await form
        .getByRole('textbox', { name: new RegExp(`^${escape(msg(locale, 'requests.description'))}`) })
        .fill('Two hours of design review, please.');
      await form.getByRole('button', { name: msg(locale, 'requests.submit') }).click();
      await form.getByText(msg(locale, 'requests.filed')).waitFor();
      const after = presales
        ? msg(locale, 'requests.hoursRemaining', { hours: tech.advisoryHoursRemaining - 2 })
        : msg(locale, 'requests.incidentsRemaining', { count: tech.incidentsRemaining - 1 });
      await form.getByText(after).waitFor();
      if (locale === 'en-US') await screenshot(page, 'benefits-technical-en-US');
      await expectAccessible(page, `technical ${locale}`);
      await context.close();
    },
  );

  test.each(LOCALES)('the operator fulfils a waiting activation from the console (%s)', async (locale) => {
    const p = await freshPartner(env.host, { buy: 'gold-competency' });
    const tech = (
      await env.host.call('GET', `/api/partners/${p.partnerId}/benefits?category=technical`, {
        token: p.adminToken,
      })
    ).body.items[0];
    expect(
      (
        await env.host.call('POST', `/api/partners/${p.partnerId}/benefits/${tech.id}/activation`, {
          token: p.adminToken,
        })
      ).status,
    ).toBe(202);
    const partnerName = (await env.host.call('GET', `/api/partners/${p.partnerId}`, { token: p.adminToken }))
      .body.name;
    const { context, page } = await newPage(env, locale);
    await signIn(page, locale, 'operator');
    await page.waitForURL(/\/operator/);
    await page
      .getByRole('button', {
        name: msg(locale, 'operator.fulfilFor', { name: tech.productName, partner: partnerName }),
      })
      .click();
    await page.getByLabel(msg(locale, 'details.accessId')).fill('AID-OPS-1');
    await page.getByLabel(msg(locale, 'details.contractId')).fill('CID-OPS-1');
    await page.getByRole('button', { name: msg(locale, 'operator.confirmFulfil') }).click();
    await page
      .getByRole('status')
      .filter({ hasText: msg(locale, 'operator.fulfilled') })
      .waitFor();
    await expectAccessible(page, `operator ${locale}`);
    await screenshot(page, `operator-${locale}`);

    // Onboard a partner: it appears in the partner list (by name, so "A-…" is on the first page).
    const name = `A-Litware ${locale} ${p.partnerId.slice(-6)}`;
    const onboard = page.getByRole('form', { name: msg(locale, 'operator.onboardHeading') });
    await onboard
      .getByRole('textbox', { name: new RegExp(`^${escape(msg(locale, 'operator.partnerName'))}`) })
      .fill(name);
    await onboard.getByRole('combobox', { name: msg(locale, 'operator.level') }).selectOption('Gold');
    await onboard
      .getByRole('textbox', { name: new RegExp(`^${escape(msg(locale, 'operator.adminName'))}`) })
      .fill('Ada Admin');
    await onboard
      .getByRole('textbox', { name: new RegExp(`^${escape(msg(locale, 'operator.adminEmail'))}`) })
      .fill(`ada-${p.partnerId.slice(-6)}-${locale}@litware.example`);
    await onboard.getByRole('button', { name: msg(locale, 'operator.onboard') }).click();
    const partners = page.getByRole('table', { name: msg(locale, 'operator.partnersHeading') });
    await partners.getByRole('row').filter({ hasText: name }).getByText(msg(locale, 'level.Gold')).waitFor();
    for (let i = 0; i < 100; i++) {
      const b = (
        await env.host.call('GET', `/api/partners/${p.partnerId}/benefits/${tech.id}`, {
          token: p.adminToken,
        })
      ).body;
      if (b.status === 'Active') {
        expect(b).toMatchObject({ accessId: 'AID-OPS-1', contractId: 'CID-OPS-1' });
        break;
      }
      expect(i).toBeLessThan(99);
      await new Promise((r) => setTimeout(r, 100));
    }
    await context.close();
  });
});

/**
 * Keyboard only: presses Tab (Shift+Tab with `back`) until `target` has the focus; fails after `max` presses.
 * No click, no programmatic focus.
 */
async function tabTo(page: Page, target: Locator, max = 80, back = false): Promise<void> {
  await target.waitFor();
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    if (await target.evaluate((el) => el === el.ownerDocument.activeElement)) return;
  }
  throw new Error(`Tab never reached ${target}`);
}

describeBrowser('Keyboard only', () => {
  test.each(LOCALES)(
    'sign in, open Visual Studio subscriptions, assign a seat and remove it with Tab, Enter, Space and arrows (%s)',
    async (locale) => {
      const p = await freshPartner(env.host, { level: 'ActionPack', buy: 'action-pack', employees: 2 });
      const vs = (
        await env.host.call('GET', `/api/partners/${p.partnerId}/benefits?category=visualStudio`, {
          token: p.adminToken,
        })
      ).body.items[0];
      const { context, page } = await newPage(env, locale);
      await page.goto('/sign-in');
      // The skip link and the sign-in buttons are reachable with Tab; Enter signs in.
      await tabTo(page, page.getByRole('button', { name: p.adminEmail, exact: true }), 400);
      await page.keyboard.press('Enter');
      await page.getByRole('button', { name: msg(locale, 'nav.signOut') }).waitFor();
      // The Benefits page opens on Software; Tab to the tab list and move to Visual Studio with the arrows.
      const software = page.getByRole('tab', { name: msg(locale, 'tab.software') });
      await tabTo(page, software);
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/benefits\/visual-studio/);
      await page.getByRole('table').waitFor();
      await tabTo(
        page,
        page.getByRole('button', { name: msg(locale, 'benefits.showDetails', { name: vs.productName }) }),
      );
      await page.keyboard.press('Enter');
      // The user list: type-ahead picks the employee, Space presses Assign user.
      const userSelect = page.getByRole('combobox', {
        name: new RegExp(`^${escape(msg(locale, 'seats.user'))}`),
      });
      // The list fills in when the partner's users have loaded; a person waits for the name to show.
      await userSelect
        .locator('option', { hasText: p.employees[1].displayName })
        .waitFor({ state: 'attached' });
      await tabTo(page, userSelect);
      await page.keyboard.type(p.employees[1].displayName);
      await userSelect
        .locator('option:checked', { hasText: p.employees[1].displayName })
        .waitFor({ state: 'attached' });
      expect(await userSelect.inputValue()).toBe(p.employees[1].id);
      await tabTo(page, page.getByRole('button', { name: msg(locale, 'seats.assignUser') }));
      await page.keyboard.press('Space');
      await page
        .getByText(msg(locale, 'benefits.seatsUsed', { used: 1, total: 5 }))
        .first()
        .waitFor();
      // Remove is next in the list of assignees: Shift+Tab back to it, Enter.
      const remove = page.getByRole('button', { name: new RegExp(escape(p.employees[1].email)) });
      await tabTo(page, remove, 40, true);
      await page.keyboard.press('Enter');
      await page
        .getByText(msg(locale, 'benefits.seatsUsed', { used: 0, total: 5 }))
        .first()
        .waitFor();
      const after = (
        await env.host.call('GET', `/api/partners/${p.partnerId}/benefits/${vs.id}`, { token: p.adminToken })
      ).body;
      expect(after.assignments.filter((a: any) => !a.endedAt)).toEqual([]);
      await context.close();
    },
  );
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
