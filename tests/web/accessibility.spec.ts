/**
 * Every page in every locale: no axe violation at WCAG 2.2 AA, no horizontal overflow at a 360 px
 * phone width, right-to-left layout in Arabic, and screenshots at phone and desktop widths kept as
 * artefacts. Forbidden and not-found pages are pages too.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page, TestInfo } from '@playwright/test';
import { activeDevice, apiCall, registeredDevice } from './support/api.ts';
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
import { freshAddress, oneTimeCode } from './support/mail.ts';
import { call, PORTAL_SLUG, requestByReference, waitForRunCompleted } from './support/privacy.ts';

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

    test('the privacy portal: both steps of filing and a refusal', async ({ page }, testInfo) => {
      await visit(page, `/${locale}/portal/${PORTAL_SLUG}`);
      await checkPage(page, testInfo, locale, 'portal');
      await visit(page, `/${locale}/portal/${PORTAL_SLUG}?type=rectification`);
      await checkPage(page, testInfo, locale, 'portal-rectification');
      await visit(
        page,
        `/${locale}/portal/${PORTAL_SLUG}?type=objection&error=invalid_fields&fields=email,objectionPurposes`,
      );
      await expect(page.locator('main').getByRole('alert')).toBeVisible();
      await expect(page.locator('[aria-invalid="true"]').first()).toBeVisible();
      await checkPage(page, testInfo, locale, 'portal-refused');
    });

    test('the privacy portal: confirming with the code, the status, a refusal with its reason', async ({
      page,
    }, testInfo) => {
      const email = freshAddress(`a11y-${locale}`);
      const filed = await call<{ reference: string }>(
        null,
        'POST',
        `/v1/privacy/portal/${PORTAL_SLUG}/requests`,
        {
          body: { type: 'erasure', email, locale },
        },
      );
      expect(filed.status).toBe(202);
      const reference = filed.body.reference;
      await visit(page, `/${locale}/portal/requests/${reference}/verify?filed=1`);
      await checkPage(page, testInfo, locale, 'portal-verify');
      await visit(page, `/${locale}/portal/requests/${reference}/verify?error=invalid_code&left=3`);
      await expect(page.locator('main').getByRole('alert')).toBeVisible();
      await checkPage(page, testInfo, locale, 'portal-verify-refused');
      await visit(page, `/${locale}/portal/requests/${reference}`);
      await checkPage(page, testInfo, locale, 'portal-status-locked');

      await visit(page, `/${locale}/portal/requests/${reference}/verify`);
      await page.locator('#verify-code').fill((await oneTimeCode(email)).code);
      await page.locator('form.portal-form button[type="submit"]').click();
      await expect(page).toHaveURL(/\?verified=1$/);
      await checkPage(page, testInfo, locale, 'portal-status');
      // Refused, with the reason and the right to complain.
      const request = await requestByReference(reference);
      const current = await call('privacy', 'GET', `/v1/privacy/requests/${request.id}`);
      const rejected = await call('privacy', 'POST', `/v1/privacy/requests/${request.id}/reject`, {
        body: { reason: 'We hold no data about this address.' },
        ifMatch: current.etag,
      });
      expect(rejected.status).toBe(200);
      await visit(page, `/${locale}/portal/requests/${reference}`);
      await expect(page.locator('blockquote')).toBeVisible();
      await checkPage(page, testInfo, locale, 'portal-status-rejected');
    });

    test("a signed-in data subject's requests", async ({ page }, testInfo) => {
      const filed = await call<{ id: string }>('subject', 'POST', '/v1/privacy/requests', {
        body: { type: 'access', locale },
      });
      expect([201, 202]).toContain(filed.status);
      await signIn(page, 'subject', locale, '/portal/mine');
      await checkPage(page, testInfo, locale, 'portal-mine');
      await visit(page, `/${locale}/portal/mine/${filed.body.id}`);
      await checkPage(page, testInfo, locale, 'portal-mine-request');
    });

    test("the privacy officer's queue and a request with its actions", async ({ page }, testInfo) => {
      const filed = await call<{ id: string }>('privacy', 'POST', '/v1/privacy/requests', {
        body: {
          type: 'rectification',
          locale,
          rectification: { name: 'A. Weber' },
          details: 'Telephoned in.',
        },
      });
      expect([201, 202]).toContain(filed.status);
      await signIn(page, 'privacy', locale, '/privacy');
      await checkPage(page, testInfo, locale, 'privacy-queue');
      await visit(page, `/${locale}/privacy/requests/${filed.body.id}`);
      await checkPage(page, testInfo, locale, 'privacy-request');
      await visit(
        page,
        `/${locale}/privacy/requests/${filed.body.id}?error=reason_required&failed=extend&fields=reason`,
      );
      await expect(page.locator('#extend-reason')).toHaveAttribute('aria-invalid', 'true');
      await checkPage(page, testInfo, locale, 'privacy-request-refused');
    });

    test("the privacy officer's retention pages: schedules, holds, a release to confirm, a run's report", async ({
      page,
    }, testInfo) => {
      const device = await registeredDevice(`A11Y-HOLD-${locale.toUpperCase()}`);
      const hold = await call<{ id: string }>('privacy', 'POST', '/v1/privacy/legal-holds', {
        body: {
          scope: 'device',
          deviceId: device.id,
          reason: 'Accessibility check',
          ownerId: '05e70000-0000-4000-8000-000000000007',
        },
      });
      expect(hold.status).toBe(201);
      const run = await call<{ id: string }>('privacy', 'POST', '/v1/privacy/retention/runs', {
        body: { dryRun: true },
      });
      expect(run.status).toBe(202);
      await signIn(page, 'privacy', locale, '/privacy/retention');
      await checkPage(page, testInfo, locale, 'privacy-retention');
      await visit(page, `/${locale}/privacy/retention?release=${hold.body.id}`);
      await expect(page.locator('#release-confirm')).toBeVisible();
      await checkPage(page, testInfo, locale, 'privacy-retention-release');
      await waitForRunCompleted(run.body.id);
      await visit(page, `/${locale}/privacy/retention/runs/${run.body.id}`);
      await checkPage(page, testInfo, locale, 'privacy-run-report');
    });

    test("the privacy officer's consent, record of processing and breach pages", async ({
      page,
    }, testInfo) => {
      const breach = await call<{ id: string }>('privacy', 'POST', '/v1/privacy/breaches', {
        body: {
          title: 'Lost backup tape',
          description: 'A backup tape went missing in transit.',
          risk: 'high',
        },
      });
      expect(breach.status).toBe(201);
      await signIn(
        page,
        'privacy',
        locale,
        '/privacy/consent?kind=patient&id=fa710000-0000-4000-8000-000000000003',
      );
      await checkPage(page, testInfo, locale, 'privacy-consent');
      await visit(page, `/${locale}/privacy/records`);
      await checkPage(page, testInfo, locale, 'privacy-records');
      await visit(page, `/${locale}/privacy/breaches`);
      await checkPage(page, testInfo, locale, 'privacy-breaches');
      await visit(page, `/${locale}/privacy/breaches/${breach.body.id}`);
      await checkPage(page, testInfo, locale, 'privacy-breach');
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
