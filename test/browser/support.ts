/**
 * Browser tests: Debian's Chromium driven by playwright-core against the real local host (which serves the
 * built portal), one browser per test file and a fresh context per test. Elements are found by role and
 * accessible name in the page's language (the portal's own dictionaries), and every page is checked with
 * axe-core: no serious or critical violation.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';
import { enUS, type MessageKey } from '../../src/web/src/i18n/messages/en-US';
import { zhTW } from '../../src/web/src/i18n/messages/zh-TW';
import { startTestHost, type TestHost } from '../support/testHost';

// A browser flow is tens of steps, each waiting up to 15 s for its element; on the shared 2-core machine a whole
// flow can take longer than jest's 60 s without anything being wrong. The steps' own waits catch a stuck page.
jest.setTimeout(180_000);

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const LOCALES = ['en-US', 'zh-TW'] as const;
export type TestLocale = (typeof LOCALES)[number];
const DICTIONARIES = { 'en-US': enUS, 'zh-TW': zhTW } as const;

/** True when Chromium can be driven; outside CI a missing browser skips loudly, in CI it fails. */
function browserAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true')
    throw new Error(`Chromium not found at ${CHROMIUM}: .ci/run installs it (apt-get install -y chromium).`);
  console.warn(
    `\n*** Browser tests SKIPPED: no Chromium at ${CHROMIUM}. Install it with: sudo apt-get update && sudo apt-get install -y chromium ***\n`,
  );
  return false;
}

/** `describe` that skips when there is no browser. */
export const describeBrowser = (name: string, fn: () => void) =>
  (browserAvailable() ? describe : describe.skip)(name, fn);

/** A message of the portal in a locale, with `{placeholders}` filled. */
export function msg(
  locale: TestLocale,
  key: MessageKey,
  values: Record<string, string | number> = {},
): string {
  return DICTIONARIES[locale][key].replace(/\{(\w+)\}/g, (_, k: string) => String(values[k] ?? `{${k}}`));
}

export interface BrowserEnv {
  host: TestHost;
  browser: Browser;
}

/** Starts a host and a browser for a test file (call in beforeAll; close in afterAll). */
export async function startBrowserEnv(settings: Record<string, string> = {}): Promise<BrowserEnv> {
  const host = await startTestHost({ settings: { ACTIVATION_PROCESSING_TIME: 'P3D', ...settings } });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  return { host, browser };
}

export async function stopBrowserEnv(env: BrowserEnv | undefined): Promise<void> {
  await env?.browser.close();
  await env?.host.close();
}

/** A new context in a locale (the portal picks it from the browser) with one page. */
export async function newPage(
  env: BrowserEnv,
  locale: TestLocale,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await env.browser.newContext({
    locale,
    baseURL: env.host.url,
    viewport: { width: 1280, height: 900 },
  });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  return { context, page };
}

const signInShot = new Set<TestLocale>();

/** Signs in through the local sign-in page with the button named by the email (or "Program operator"). */
export async function signIn(page: Page, locale: TestLocale, who: string): Promise<void> {
  await page.goto('/sign-in');
  const name = who === 'operator' ? msg(locale, 'signIn.operator') : who;
  if (!signInShot.has(locale)) {
    // One picture of the sign-in page per language (docs/screenshots).
    signInShot.add(locale);
    await page.getByRole('button', { name: msg(locale, 'signIn.operator') }).waitFor();
    await screenshot(page, `sign-in-${locale}`);
    await expectAccessible(page, `sign-in ${locale}`);
  }
  await page.getByRole('button', { name, exact: true }).click();
  await page.getByRole('button', { name: msg(locale, 'nav.signOut') }).waitFor();
}

/** axe-core on the current page: no serious or critical violation. */
export async function expectAccessible(page: Page, context = ''): Promise<void> {
  // Fluent UI's focus manager (Tabster) adds aria-hidden <i data-tabster-dummy tabindex=0> sentinels that only
  // redirect focus into their group; they are never a stop a person lands on (docs/decisions.md).
  const result = await new AxeBuilder({ page }).exclude('[data-tabster-dummy]').analyze();
  const bad = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 3)
          .join(' | ')}`,
    );
  expect({ page: context || page.url(), violations: bad }).toEqual({
    page: context || page.url(),
    violations: [],
  });
}

/** Writes a screenshot to test-output/screenshots (gitignored). */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = join(__dirname, '..', '..', 'test-output', 'screenshots');
  await mkdir(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

/**
 * A fresh partner for one test (so tests never share seats, keys or contacts): onboarded by the operator
 * through the API, with its GlobalAdmin, optionally employees and a purchase.
 */
export async function freshPartner(
  host: TestHost,
  options: {
    level?: 'Gold' | 'Silver' | 'ActionPack';
    managedIn?: 'PartnerCenter' | 'PMC';
    buy?: string;
    employees?: number;
  } = {},
): Promise<{
  partnerId: string;
  adminEmail: string;
  adminToken: string;
  employees: Array<{ id: string; email: string; displayName: string }>;
  purchaseId?: string;
}> {
  const operator = await host.token('operator-tests', { operator: true });
  const suffix = randomUUID().slice(0, 8);
  const adminObjectId = randomUUID();
  const adminEmail = `admin-${suffix}@fresh.example`;
  const created = await host.call('POST', '/api/operator/partners', {
    token: operator,
    body: {
      name: `Fresh ${suffix}`,
      level: options.level ?? 'Gold',
      managedIn: options.managedIn ?? 'PartnerCenter',
      membership: { status: 'Active', expiresAt: new Date(Date.now() + 365 * 864e5).toISOString() },
      globalAdmin: { objectId: adminObjectId, displayName: `Admin ${suffix}`, accountEmail: adminEmail },
    },
  });
  expect(created.status).toBe(201);
  const partnerId: string = created.body.id;
  const adminToken = await host.token(adminObjectId);
  const employees: Array<{ id: string; email: string; displayName: string }> = [];
  for (let i = 1; i <= (options.employees ?? 0); i++) {
    const id = randomUUID();
    const email = `dev${i}-${suffix}@fresh.example`;
    const u = await host.call('POST', `/api/partners/${partnerId}/users`, {
      token: adminToken,
      body: { objectId: id, displayName: `Dev ${i} ${suffix}`, accountEmail: email, roles: [] },
    });
    expect(u.status).toBe(201);
    employees.push({ id, email, displayName: `Dev ${i} ${suffix}` });
  }
  let purchaseId: string | undefined;
  if (options.buy) {
    const p = await host.call('POST', `/api/partners/${partnerId}/purchases`, {
      token: adminToken,
      body: { packageId: options.buy },
    });
    expect(p.status).toBe(201);
    purchaseId = p.body.purchase.id;
  }
  return { partnerId, adminEmail, adminToken, employees, purchaseId };
}
