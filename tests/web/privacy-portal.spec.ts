/**
 * The portal beyond the journey: an access request whose result the requester downloads (a zip
 * that opens, with its manifest), filing with the keyboard alone, and a signed-in data subject who
 * files without a code and follows their requests.
 */
import type { Page } from '@playwright/test';
import fc from 'fast-check';
import { expectNoAxeViolations } from './support/axe.ts';
import { expect, signIn, test, waitForHydration, webUrl } from './support/fixtures.ts';
import { freshAddress, oneTimeCode } from './support/mail.ts';
import {
  call,
  officerStep,
  PORTAL_SLUG,
  requestByReference,
  SECOND_PATIENT_ID,
  waitForStatus,
} from './support/privacy.ts';
import { zipEntries, zipEntryText } from './support/zip.ts';

/** Presses Tab until the element matching `selector` has the focus (at most `max` times). */
async function tabTo(page: Page, selector: string, max = 40) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((css) => document.activeElement?.matches(css) ?? false, selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${selector}`);
}

test('an access request: the requester downloads the result, a zip archive with its manifest', async ({
  page,
}) => {
  const email = freshAddress('access');
  const filed = await call<{ reference: string }>(
    null,
    'POST',
    `/v1/privacy/portal/${PORTAL_SLUG}/requests`,
    {
      body: { type: 'access', email, locale: 'en' },
    },
  );
  expect(filed.status).toBe(202);
  const reference = filed.body.reference;

  await page.goto(`${webUrl()}/en/portal/requests/${reference}/verify`);
  await page.getByLabel('6-digit code').fill((await oneTimeCode(email)).code);
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Confirmed.' })).toBeVisible();

  // The officer's side through the API: link the second demo patient, process, wait for the job.
  const request = await requestByReference(reference);
  await officerStep(request.id, 'verify-identity', {
    subjectPatientId: SECOND_PATIENT_ID,
    note: 'Code confirmed',
    method: 'email-code',
  });
  await officerStep(request.id, 'process');
  await waitForStatus(request.id, 'completed');

  await page.reload();
  const result = page.getByRole('region', { name: 'Your data' });
  const link = result.getByRole('link', { name: /Download your data/ });
  await expect(link).toBeVisible();
  await expectNoAxeViolations(page, 'a status page with a result to download (en)');
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  expect(download.suggestedFilename()).toMatch(/\.zip$/);
  const path = await download.path();
  const { readFile } = await import('node:fs/promises');
  const zip = await readFile(path);
  const entries = zipEntries(zip);
  const manifest = entries.find((entry) => entry.name === 'manifest.json');
  expect(manifest, entries.map((e) => e.name).join(', ')).toBeDefined();
  expect(JSON.parse(zipEntryText(zip, manifest as NonNullable<typeof manifest>))).toMatchObject({
    reference,
  });
  expect(entries.some((entry) => entry.name.startsWith('data/'))).toBe(true);
});

test('the result cannot be downloaded without the request’s cookie', async ({ request }) => {
  const response = await request.get(`${webUrl()}/api/portal/requests/DSR-AAAA-BBBB/result`);
  expect(response.status()).toBe(404);
  expect(response.headers()['content-type']).toContain('application/problem+json');
});

test("the web app's privacy downloads answer malformed input with a problem, never a server error", async ({
  page,
}) => {
  const junk = fc.sample(
    fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.stringMatching(/^DSR-[0-9A-Z]{4}-[0-9A-Z]{4}$/),
      fc.uuid(),
      fc.constantFrom('%00', '..%2F..', 'DSR-%0A', 'x'.repeat(300)),
    ),
    { numRuns: 30, seed: 20261125 },
  );
  for (const value of junk) {
    const segment = encodeURIComponent(value);
    const anonymous = await page.request.get(`${webUrl()}/api/portal/requests/${segment}/result`);
    expect(anonymous.status(), `portal result ${JSON.stringify(value)}`).toBeGreaterThanOrEqual(400);
    expect(anonymous.status(), `portal result ${JSON.stringify(value)}`).toBeLessThan(500);
  }
  // Signed out, the officers' downloads are refused by the gate; signed in, bad input is a 4xx.
  const signedOut = await page.request.get(`${webUrl()}/api/privacy/processing-record?format=csv`);
  expect(signedOut.status()).toBe(401);
  await signIn(page, 'privacy', 'en', '/privacy');
  for (const value of junk) {
    const segment = encodeURIComponent(value);
    const record = await page.request.get(`${webUrl()}/api/privacy/processing-record?format=${segment}`);
    expect(record.status(), `record format ${JSON.stringify(value)}`).toBe(400);
    expect(record.headers()['content-type']).toContain('application/problem+json');
    const result = await page.request.get(`${webUrl()}/api/privacy/requests/${segment}/result`);
    expect([400, 404], `request result ${JSON.stringify(value)}`).toContain(result.status());
  }
  // Another site cannot make the officer's browser download (and so audit-log) a result.
  const crossSite = await page.request.get(`${webUrl()}/api/privacy/processing-record?format=json`, {
    headers: { 'sec-fetch-site': 'cross-site' },
  });
  expect(crossSite.status()).toBe(403);
});

test('filing with the keyboard alone: a rectification, confirmed with the code', async ({ page }) => {
  const email = freshAddress('keyboard');
  await page.goto(`${webUrl()}/en/portal/${PORTAL_SLUG}`);
  await tabTo(page, 'input[name="type"]');
  // Arrow keys move through a radio group and choose as they go.
  for (let i = 0; i < 6; i++) {
    if (await page.evaluate(() => (document.activeElement as HTMLInputElement).value === 'rectification'))
      break;
    await page.keyboard.press('ArrowDown');
  }
  await expect(page.getByRole('radio', { name: 'Rectification' })).toBeChecked();
  await tabTo(page, 'button[type="submit"]');
  await page.keyboard.press('Enter');

  await expect(page.getByRole('heading', { name: 'Your request: Rectification' })).toBeVisible();
  await waitForHydration(page, 'input[name="timeZone"]');
  await tabTo(page, '#filing-email');
  await page.keyboard.type(email);
  await tabTo(page, '#filing-rect-name');
  await page.keyboard.type('Anna Weber');
  await tabTo(page, '#filing-details');
  await page.keyboard.type('My name is misspelt.');
  await tabTo(page, 'form.portal-form button[type="submit"]');
  await page.keyboard.press('Enter');

  await expect(page).toHaveURL(/\/verify\?filed=1/);
  // The confirmation takes the focus; from there the code field is the next stop but one.
  await expect(page.locator('.focus-target').first()).toBeFocused();
  await tabTo(page, '#verify-code');
  await page.keyboard.type((await oneTimeCode(email)).code);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status').filter({ hasText: 'Confirmed.' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Summary' })).toContainText('Rectification');
});

test('a wrong code is refused, says how many tries are left, and marks the field', async ({ page }) => {
  const email = freshAddress('wrong-code');
  const filed = await call<{ reference: string }>(
    null,
    'POST',
    `/v1/privacy/portal/${PORTAL_SLUG}/requests`,
    {
      body: { type: 'portability', email, locale: 'en' },
    },
  );
  const { code } = await oneTimeCode(email);
  const wrong = code === '000000' ? '111111' : '000000';
  await page.goto(`${webUrl()}/en/portal/requests/${filed.body.reference}/verify`);
  await page.getByLabel('6-digit code').fill(wrong);
  await page.getByRole('button', { name: 'Confirm' }).click();
  const alert = page.locator('main').getByRole('alert');
  await expect(alert).toContainText('This code is not correct, or it has expired.');
  await expect(alert).toContainText('attempts left');
  await expect(page.getByLabel('6-digit code')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#verify-error')).toBeFocused();
});

test('a signed-in data subject files without a code and follows their requests', async ({ page }) => {
  await signIn(page, 'subject', 'en', '/portal/mine');
  await expect(page.getByRole('heading', { level: 1, name: 'My requests' })).toBeVisible();
  await expect(
    page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My requests' }),
  ).toBeVisible();
  await expect(
    page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Privacy' }),
  ).toHaveCount(0);

  await page.goto(`${webUrl()}/en/portal/${PORTAL_SLUG}?type=restriction`);
  await expect(page.getByRole('status').filter({ hasText: 'You are signed in' })).toBeVisible();
  await expect(page.getByLabel('Your e-mail address')).toHaveCount(0);
  await page
    .getByLabel('Anything else we should know (optional)')
    .fill('Please pause analytics while I check.');
  await page.getByRole('button', { name: 'Send request' }).click();

  await expect(page).toHaveURL(/\/en\/portal\/mine\?filed=DSR-/);
  const reference = /DSR-[0-9A-Z]{4}-[0-9A-Z]{4}/.exec(page.url())?.[0] ?? '';
  await expect(
    page.getByRole('status').filter({ hasText: `Your request ${reference} has been filed.` }),
  ).toBeVisible();
  const row = page
    .getByRole('table', { name: 'Your requests, newest first' })
    .getByRole('row', { name: new RegExp(reference) });
  // Signed in is proof of identity: the request is verified at once.
  await expect(row).toContainText('Identity verified');
  await row.getByRole('link', { name: reference }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Request ${reference}` })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Summary' })).toContainText('Restriction of processing');
});
