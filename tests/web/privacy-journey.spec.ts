/**
 * The journey of issue 6: a data subject files an erasure request in German through the portal,
 * confirms it with the code from the mail, and sees it received; the privacy officer finds it in the
 * queue, verifies the identity linking the demo patient, and processes it; the requester's status
 * page then shows it completed, with what was kept and why.
 */

import { expectNoAxeViolations } from './support/axe.ts';
import { expect, keepScreenshot, signIn, test, waitForHydration, webUrl } from './support/fixtures.ts';
import { freshAddress, oneTimeCode } from './support/mail.ts';
import { DEMO_PATIENT_ID, PORTAL_SLUG } from './support/privacy.ts';

test.describe.configure({ mode: 'serial' });

const email = freshAddress('erasure-de');
let reference = '';
let statusUrl = '';
/** The requester's browser state (the request's access cookie), kept between the tests. */
let requesterCookies: Awaited<ReturnType<import('@playwright/test').BrowserContext['cookies']>> = [];

test('a data subject files an erasure request in German and confirms it with the mailed code', async ({
  page,
}, testInfo) => {
  await page.goto(`${webUrl()}/de/portal/${PORTAL_SLUG}`);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Ihre Datenschutzrechte');
  await page.getByRole('radio', { name: 'Löschung' }).check();
  await page.getByRole('button', { name: 'Weiter' }).click();
  await expect(page.getByRole('heading', { name: 'Ihr Antrag: Löschung' })).toBeVisible();
  // Only the erasure's fields: no corrections, no purposes to object to.
  await expect(page.getByLabel('Richtiger Name')).toHaveCount(0);
  await page.getByLabel('Ihre E-Mail-Adresse').fill(email);
  await page.getByLabel('Ihr Patientencode oder Benutzername (optional)').fill('PT-0001');
  await page.getByLabel('Was wir sonst wissen sollten (optional)').fill('Bitte löschen Sie meine Messdaten.');
  await waitForHydration(page, 'input[name="timeZone"]');
  await keepScreenshot(page, testInfo, 'privacy-portal-erasure-de');
  await page.getByRole('button', { name: 'Antrag senden' }).click();

  await expect(page).toHaveURL(/\/de\/portal\/requests\/DSR-[0-9A-Z]{4}-[0-9A-Z]{4}\/verify\?filed=1/);
  reference = /DSR-[0-9A-Z]{4}-[0-9A-Z]{4}/.exec(page.url())?.[0] ?? '';
  const filed = page.getByRole('status').filter({ hasText: `Ihr Antrag ${reference} ist eingegangen.` });
  await expect(filed).toBeVisible();
  await expect(page.locator('.focus-target').first()).toBeFocused();

  const { code } = await oneTimeCode(email);
  await page.getByLabel('6-stelliger Code').fill(code);
  await page.getByRole('button', { name: 'Bestätigen' }).click();
  await expect(page).toHaveURL(new RegExp(`/de/portal/requests/${reference}\\?verified=1$`));
  statusUrl = `${webUrl()}/de/portal/requests/${reference}`;
  const summary = page.getByRole('region', { name: 'Überblick' });
  await expect(summary.getByText('Eingegangen', { exact: true })).toBeVisible();
  await expect(summary).toContainText('Löschung');
  await expect(page.getByRole('region', { name: 'Bisherige Schritte' })).toContainText(
    'E-Mail-Adresse bestätigt',
  );
  await keepScreenshot(page, testInfo, 'privacy-status-received-de');
  requesterCookies = await page.context().cookies();
  expect(requesterCookies.find((c) => c.name === `custos_dsr_${reference}`)).toMatchObject({
    httpOnly: true,
    secure: true,
    sameSite: 'Lax',
  });
});

test('without the cookie the status page asks for a code and reveals nothing', async ({ page }) => {
  expect(reference).not.toBe('');
  await page.goto(`${webUrl()}/de/portal/requests/${reference}`);
  await expect(page.getByRole('status')).toContainText('geben Sie den Code ein');
  await expect(page.locator('main')).not.toContainText('Löschung');
});

test('the privacy officer finds the request, verifies the identity linking the demo patient, and processes it', async ({
  page,
}, testInfo) => {
  expect(reference).not.toBe('');
  await signIn(page, 'privacy', 'en', '/privacy?type=erasure&status=received');
  const queue = page.getByRole('table', { name: 'Requests, soonest deadline first' });
  await queue.getByRole('link', { name: reference }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Request ${reference}` })).toBeVisible();
  const details = page.getByRole('region', { name: 'Details' });
  await expect(details).toContainText(email);
  await expect(details).toContainText('PT-0001');

  const actions = page.getByRole('region', { name: 'Actions' });
  await actions.getByLabel('Patient id').fill(DEMO_PATIENT_ID);
  await actions.getByRole('radio', { name: 'By the code mailed to the requester' }).check();
  await actions
    .getByLabel('Note on the check (for example, which document was seen)')
    .fill('Code confirmed; PT-0001 matches.');
  await actions.getByRole('button', { name: 'Verify identity' }).click();
  await expect(
    page.getByRole('status').filter({ hasText: 'The identity is verified and the data subject linked.' }),
  ).toBeVisible();
  await expect(page.locator('#request-result')).toBeFocused();
  await expect(details.getByText('Identity verified', { exact: true })).toBeVisible();
  await expect(details).toContainText(DEMO_PATIENT_ID);

  await actions.getByRole('button', { name: 'Process the request' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Processing has started.' })).toBeVisible();
  // The job runs in the background: follow it by reloading until the outcome shows.
  await expect(async () => {
    await page.reload();
    await expect(details.locator('.badge', { hasText: 'Completed' })).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 60_000, intervals: [1000, 2000] });
  const outcome = page.getByRole('region', { name: 'Outcome' });
  await expect(outcome.getByRole('table', { name: 'Rows per table' })).toBeVisible();
  await expect(outcome.getByRole('heading', { name: 'Kept, and why' })).toBeVisible();
  await expectNoAxeViolations(page, 'a completed request (en)');
  await keepScreenshot(page, testInfo, 'privacy-request-completed');
});

test("the requester's status page then shows the request completed, with what was kept and why", async ({
  page,
}, testInfo) => {
  expect(statusUrl).not.toBe('');
  await page.context().addCookies(requesterCookies);
  await page.goto(statusUrl);
  const summary = page.getByRole('region', { name: 'Überblick' });
  await expect(summary.getByText('Erledigt', { exact: true })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Bisherige Schritte' })).toContainText('Identität bestätigt');
  const kept = page.getByRole('region', { name: 'Was wir aufbewahrt haben, und warum' });
  await expect(kept.locator('li').first()).toBeVisible();
  // The tables are named in German; the declared reasons are the data map's English, marked so.
  await expect(kept.locator('[lang="en"]').first()).toBeVisible();
  await expectNoAxeViolations(page, 'a completed request’s status (de)');
  await keepScreenshot(page, testInfo, 'privacy-status-completed-de');
});
