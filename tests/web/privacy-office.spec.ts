/**
 * The privacy office's pages, one action each: a retention period, a legal hold placed and
 * released, a dry run and its report, consent recorded, the record of processing exported, a breach
 * recorded and its 72-hour clock. And who does not get them: an operator.
 */
import { registeredDevice } from './support/api.ts';
import { expect, signIn, test, webUrl } from './support/fixtures.ts';
import { call } from './support/privacy.ts';

const THIRD_PATIENT = 'fa710000-0000-4000-8000-000000000003';

test('retention: the privacy officer chooses a period within the schedule’s bounds', async ({ page }) => {
  await signIn(page, 'privacy', 'en', '/privacy/retention');
  const schedules = page.getByRole('table', { name: 'Retention schedules' });
  const field = schedules.getByLabel('Period for telemetry.operational, in days');
  await field.fill('120');
  await schedules
    .getByRole('row', { name: /telemetry\.operational/ })
    .getByRole('button', { name: 'Save' })
    .click();
  await expect(
    page.getByRole('status').filter({ hasText: 'The period for telemetry.operational is saved.' }),
  ).toBeVisible();
  await expect(page.locator('#schedule-result')).toBeFocused();
  await expect(schedules.getByRole('row', { name: /telemetry\.operational/ })).toContainText('120 days');
});

test('legal holds: a hold on a device is placed, then released with a reason', async ({ page }) => {
  const device = await registeredDevice('HOLD');
  await signIn(page, 'privacy', 'en', '/privacy/retention');
  const holds = page.getByRole('region', { name: 'Legal holds' });
  await holds.getByRole('radio', { name: 'A device' }).check();
  // The device field appears with its scope (and the site field is gone).
  await expect(holds.getByLabel('Site', { exact: true })).toBeHidden();
  await holds.getByLabel('Device id').fill(device.id);
  await holds.getByLabel('Reason', { exact: true }).fill('Warranty dispute about this sensor');
  await holds.getByLabel('Matter or case reference (optional)').fill('CASE-2026-17');
  await holds.getByRole('button', { name: 'Place the hold' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'The legal hold is placed.' })).toBeVisible();

  const row = page
    .getByRole('table', { name: 'Active legal holds' })
    .getByRole('row', { name: new RegExp(device.id) });
  await expect(row).toContainText('CASE-2026-17');
  await row.getByRole('link', { name: 'Release…' }).click();
  const confirm = page.locator('#release-confirm');
  await expect(confirm).toBeFocused();
  await confirm.getByLabel('Reason for the release').fill('Dispute settled');
  await confirm.getByRole('button', { name: 'Release the hold' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'The legal hold is released.' })).toBeVisible();
  await expect(
    page.getByRole('table', { name: 'Active legal holds' }).getByRole('row', { name: new RegExp(device.id) }),
  ).toHaveCount(0);
});

test('retention runs: a dry run starts, finishes, and its report says nothing was removed', async ({
  page,
}) => {
  await signIn(page, 'privacy', 'en', '/privacy/retention');
  const runs = page.getByRole('region', { name: 'Retention runs' });
  await runs.getByRole('button', { name: 'Start a dry run' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'The dry run has started' })).toBeVisible();
  const newest = page
    .getByRole('table', { name: 'Retention runs, newest first' })
    .locator('tbody tr')
    .first();
  await expect(async () => {
    await page.reload();
    await expect(newest).toContainText('Completed', { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  await expect(newest).toContainText('Dry run');
  await newest.getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1, name: 'Dry run report' })).toBeVisible();
  await expect(page.getByText('What a run would have removed; nothing was removed.')).toBeVisible();
});

test('consent: the privacy officer records consent given on paper, and it shows in the person’s history', async ({
  page,
}) => {
  await signIn(page, 'privacy', 'en', `/privacy/consent?kind=patient&id=${THIRD_PATIENT}`);
  await expect(page.getByRole('table', { name: 'Latest consent per purpose' })).toBeVisible();
  const form = page.getByRole('region', { name: 'Record consent' });
  await expect(form.getByLabel('Id', { exact: true })).toHaveValue(THIRD_PATIENT);
  await form.getByLabel('Purpose').selectOption('research');
  await form.getByRole('radio', { name: 'Given' }).check();
  await form.getByLabel('Evidence (optional)').fill('Signed form R-7, notice v3');
  await form.getByRole('button', { name: 'Record' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'The consent is recorded.' })).toBeVisible();
  const history = page.getByRole('table', { name: 'Consent records, newest first' });
  await expect(history.locator('tbody tr').first()).toContainText('Signed form R-7, notice v3');
  await expect(page.getByRole('region', { name: "This person's consent" })).toContainText('Research: Given');
});

test('record of processing: every purpose is listed, and the CSV export downloads', async ({ page }) => {
  await signIn(page, 'compliance', 'en', '/privacy/records');
  await expect(page.getByRole('heading', { level: 2, name: /processing activities/ })).toBeVisible();
  await expect(
    page.getByRole('heading', { level: 3, name: 'Analytics and service improvement' }),
  ).toBeVisible();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download as CSV' }).click(),
  ]);
  const { readFile } = await import('node:fs/promises');
  const csv = await readFile(await download.path(), 'utf8');
  expect(csv.split('\n')[0]).toMatch(/activity/i);
  expect(csv).toContain('analytics');
});

test('breaches: a breach detected 80 hours ago is recorded and its notification shows overdue', async ({
  page,
}) => {
  await signIn(page, 'compliance', 'en', '/privacy/breaches');
  const form = page.getByRole('region', { name: 'Record a breach' });
  const detected = new Date(Date.now() - 80 * 3600 * 1000).toISOString().slice(0, 16);
  await form.getByLabel('Title').fill('Misdirected export');
  await form.getByLabel('What happened').fill('A CSV export was e-mailed to the wrong supplier.');
  await form.getByLabel('Risk', { exact: true }).selectOption('risk');
  await form.getByLabel('Detected (UTC)').fill(detected);
  await form.getByRole('checkbox', { name: 'Device measurements' }).check();
  await form.getByRole('button', { name: 'Record the breach' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'The breach is recorded.' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 1, name: /^Breach BR-/ })).toBeVisible();
  const clock = page.getByRole('region', { name: 'Notification' });
  await expect(clock.locator('.badge.overdue')).toBeVisible();

  // Notifying the authority late needs the reasons for the delay (GDPR art. 33(1)).
  const edit = page.getByRole('region', { name: 'Change the record' });
  await edit.getByLabel('Authority notified (UTC)').fill(new Date().toISOString().slice(0, 16));
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.locator('main').getByRole('alert')).toBeVisible();
  await page
    .getByRole('region', { name: 'Change the record' })
    .getByLabel('Authority notified (UTC)')
    .fill(new Date().toISOString().slice(0, 16));
  await page
    .getByLabel('Reasons for notifying after 72 hours')
    .fill('The supplier told us only on day four.');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'The record is saved.' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Notification' })).toContainText('Authority notified');
});

test('an operator has no privacy pages: not in the menu, forbidden by address', async ({ page }) => {
  await signIn(page, 'operator', 'en', '/privacy');
  await expect(
    page.getByRole('heading', { level: 1, name: 'You do not have access to this page' }),
  ).toBeVisible();
  await expect(
    page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Privacy' }),
  ).toHaveCount(0);
  const response = await page.goto(`${webUrl()}/en/privacy/breaches`);
  expect(response?.status()).toBe(200);
  await expect(
    page.getByRole('heading', { level: 1, name: 'You do not have access to this page' }),
  ).toBeVisible();
  // The API agrees: an operator's queue holds nothing (lists are filtered by the same policy).
  const queue = await call<{ items: unknown[] }>('operator', 'GET', '/v1/privacy/requests');
  expect(queue.body.items ?? []).toEqual([]);
});
