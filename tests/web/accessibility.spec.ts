/**
 * Every page in every locale: no axe violation at WCAG 2.2 AA, no horizontal overflow at a 360 px
 * phone width, right-to-left layout in Arabic, and screenshots at phone and desktop widths kept as
 * artefacts. Forbidden and not-found pages are pages too.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page, TestInfo } from '@playwright/test';
import { activeDevice, apiCall } from './support/api.ts';
import { connectDevice } from './support/connected-device.ts';
import {
  expect,
  keepScreenshot,
  type Locale,
  locales,
  signIn,
  test,
  viewports,
  webUrl,
} from './support/fixtures.ts';

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

async function expectAccessible(page: Page, name: string) {
  const { violations } = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const summary = violations.map((v) => ({
    rule: v.id,
    impact: v.impact,
    nodes: v.nodes.map((n) => n.target.join(' ')),
  }));
  expect(summary, `axe violations on ${name}`).toEqual([]);
}

async function expectNoHorizontalOverflow(page: Page, name: string) {
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow, `horizontal overflow on ${name} at phone width`).toBeLessThanOrEqual(0);
}

/** Checks one page at both widths, in the order: desktop (axe, screenshot), phone (overflow, axe, screenshot). */
async function checkPage(page: Page, testInfo: TestInfo, locale: Locale, name: string) {
  await expect(page.locator('html')).toHaveAttribute('lang', locale);
  await expect(page.locator('html')).toHaveAttribute('dir', locale === 'ar' ? 'rtl' : 'ltr');
  await expect(page.locator('h1')).toHaveCount(1);
  await page.setViewportSize(viewports.desktop);
  await expectAccessible(page, `${name} (${locale}, desktop)`);
  await keepScreenshot(page, testInfo, `${locale}-${name}-desktop`);
  await page.setViewportSize(viewports.phone);
  await expectNoHorizontalOverflow(page, `${name} (${locale})`);
  await expectAccessible(page, `${name} (${locale}, phone)`);
  await keepScreenshot(page, testInfo, `${locale}-${name}-phone`);
  await page.setViewportSize(viewports.desktop);
}

async function visit(page: Page, path: string, expectedStatus = 200) {
  const response = await page.goto(`${webUrl()}${path}`);
  expect(response?.status(), path).toBe(expectedStatus);
}

for (const locale of locales) {
  test.describe(`${locale}`, () => {
    test('public pages', async ({ page }, testInfo) => {
      await visit(page, `/${locale}/sign-in`);
      await checkPage(page, testInfo, locale, 'sign-in');
      await visit(page, `/${locale}/sign-in?reason=idle`);
      await expect(page.getByRole('status')).toBeVisible();
      await checkPage(page, testInfo, locale, 'sign-in-idle');
      await visit(page, `/${locale}/signed-out`);
      await checkPage(page, testInfo, locale, 'signed-out');
    });

    test("an operator's pages, forbidden and not found", async ({ page }, testInfo) => {
      await signIn(page, 'operator', locale);
      await checkPage(page, testInfo, locale, 'dashboard');
      await visit(page, `/${locale}/devices`);
      await checkPage(page, testInfo, locale, 'devices');
      await page.locator('tbody a').first().click();
      await expect(page).toHaveURL(/\/devices\/[0-9a-f-]{36}$/);
      await checkPage(page, testInfo, locale, 'device');
      await visit(page, `/${locale}/account`);
      await checkPage(page, testInfo, locale, 'account');
      // The operator's menu has no compliance console; its address shows the forbidden page.
      await expect(page.getByRole('navigation').locator('a[href$="/compliance"]')).toHaveCount(0);
      await visit(page, `/${locale}/compliance`);
      await checkPage(page, testInfo, locale, 'forbidden');
      await visit(page, `/${locale}/no-such-page`, 404);
      await checkPage(page, testInfo, locale, 'not-found');
    });

    test("an operator's claim page and the device page's forms, with their messages", async ({
      page,
    }, testInfo) => {
      await signIn(page, 'operator', locale, '/claim');
      await checkPage(page, testInfo, locale, 'claim');
      // A refusal: the wait is written out in the locale; the field at fault is marked.
      await visit(page, `/${locale}/claim?serial=ACME-U-0001&error=too_many_attempts&retry=900`);
      await expect(page.locator('main').getByRole('alert')).toBeVisible();
      await checkPage(page, testInfo, locale, 'claim-refused');
      await visit(page, `/${locale}/claim?serial=ACME-U-0001&error=invalid_claim_code`);
      await expect(page.locator('[aria-invalid="true"]')).toHaveCount(2);
      await checkPage(page, testInfo, locale, 'claim-invalid-code');
      await visit(page, `/${locale}/devices?q=ACME-N-0001`);
      await page.locator('tbody a').first().click();
      await expect(page).toHaveURL(/\/devices\/[0-9a-f-]{36}$/);
      const params = new URLSearchParams({
        commandResult: 'params_json',
        commandName: 'set-interval',
        commandParams: '{seconds: 60}',
      });
      await visit(page, `${new URL(page.url()).pathname}?${params}`);
      await expect(page.locator('main').getByRole('alert')).toBeVisible();
      await checkPage(page, testInfo, locale, 'device-command-refused');
    });

    test("a tenant admin's device page: online, telemetry, commands, certificates, a revocation to confirm", async ({
      page,
    }, testInfo) => {
      const device = await activeDevice(`WEB-A11Y-${locale.toUpperCase()}`, { certificate: true });
      if (!device.credentials) throw new Error('no credentials');
      const agent = await connectDevice(device.id, device.credentials, { interval: 60 });
      try {
        await agent.publishTelemetry(1, new Date(), { temperature: 4.25, humidity: 41, battery: 97 });
        await apiCall('tenant-admin', 'POST', `/v1/devices/${device.id}/commands`, { name: 'reboot' });
        await signIn(page, 'tenant-admin', locale, `/devices/${device.id}`);
        // Ingest commits in batches: reload until the point is stored.
        await expect(async () => {
          await page.reload();
          await expect(page.locator('#telemetry-caption')).toBeVisible({ timeout: 1000 });
        }).toPass({ timeout: 15_000 });
        await expect(page.locator('.connection-online')).toBeVisible();
        await expect(page.locator('.revoke-form')).toHaveCount(1);
        await expect(page.locator('#commands tbody tr')).toHaveCount(1);
        await checkPage(page, testInfo, locale, 'device-admin');
        await visit(
          page,
          `/${locale}/devices/${device.id}?revoke=${device.certificateSerial}&reason=keyCompromise`,
        );
        await expect(page.locator('.confirm')).toBeVisible();
        await checkPage(page, testInfo, locale, 'device-revoke-confirm');
      } finally {
        await agent.close();
      }
    });

    test("a compliance officer's pages", async ({ page }, testInfo) => {
      await signIn(page, 'compliance', locale, '/compliance');
      await checkPage(page, testInfo, locale, 'compliance');
      await visit(page, `/${locale}/compliance?action=device.read&outcome=allowed`);
      await checkPage(page, testInfo, locale, 'compliance-search');
      await visit(page, `/${locale}`);
      await checkPage(page, testInfo, locale, 'dashboard-compliance');
    });
  });
}

test('Arabic lays out right to left', async ({ page }) => {
  await signIn(page, 'operator', 'ar');
  await page.setViewportSize(viewports.desktop);
  const brand = await page.locator('.brand').boundingBox();
  const tools = await page.locator('.header-tools').boundingBox();
  expect(brand && tools).toBeTruthy();
  // The brand starts the header line: on the right in RTL, with the tools on the left.
  expect(brand?.x ?? 0).toBeGreaterThan(tools?.x ?? 0);
  const direction = await page.locator('main').evaluate((el) => getComputedStyle(el).direction);
  expect(direction).toBe('rtl');
});

test('the locale switcher keeps the page and its query', async ({ page }) => {
  await signIn(page, 'operator', 'en', '/devices?state=active');
  await page.locator('.locale-switcher summary').click();
  await page.getByRole('link', { name: 'Deutsch' }).click();
  await expect(page).toHaveURL(`${webUrl()}/de/devices?state=active`);
  await expect(page.locator('html')).toHaveAttribute('lang', 'de');
});

test('keyboard: the skip link is the first stop, is visible when focused and leads to the content', async ({
  page,
}) => {
  await signIn(page, 'operator', 'en', '/devices');
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to main content' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  const outline = await skip.evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).not.toBe('none');
  await page.keyboard.press('Enter');
  await expect(page.locator('main')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Serial number starts with')).toBeFocused();
});

test('reduced motion is honoured', async ({ page }) => {
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.goto(`${webUrl()}/en/sign-in`);
  const duration = await page.locator('a.button').evaluate((el) => getComputedStyle(el).transitionDuration);
  expect(Number.parseFloat(duration)).toBeLessThan(0.001);
});

test("the development identity provider's pages: sign-in, a failed sign-in, sign-out", async ({
  page,
}, testInfo) => {
  await page.goto(`${webUrl()}/en/sign-in`);
  await page.locator('main a.button').click();
  await expect(page.getByLabel('Password')).toBeVisible();
  await expectAccessible(page, 'identity provider sign-in');
  await page.getByLabel('Username').fill('operator');
  await page.getByLabel('Password').fill('wrong');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('Invalid username or password');
  await expectAccessible(page, 'identity provider failed sign-in');
  await keepScreenshot(page, testInfo, 'idp-sign-in-failed');
  await page.getByLabel('Password').fill('custos-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign out of Custos?' })).toBeVisible();
  await expectAccessible(page, 'identity provider sign-out');
});
