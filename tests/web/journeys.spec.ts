/**
 * The journeys of issue 4, against the real stack: an operator suspends and reactivates a device
 * of their site and cannot reach other sites' or tenants' devices; a compliance officer finds
 * that suspension in the trail, exports a bundle with the keyboard alone, and the standalone
 * verifier accepts the downloaded file.
 */
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, keepScreenshot, signIn, test, webUrl } from './support/fixtures.ts';

const run = promisify(execFile);
const verifier = path.resolve('audit/dist/cli/verify.js');

test.describe.configure({ mode: 'serial' });

let suspendedDeviceId = '';

test('the operator finds a North device, suspends and reactivates it', async ({ page }, testInfo) => {
  await signIn(page, 'operator');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Devices' })).toBeVisible();

  await page.getByLabel('Serial number starts with').fill('ACME-N');
  await page.getByLabel('State').selectOption('active');
  await page.getByRole('button', { name: 'Show devices' }).click();
  await expect(page).toHaveURL(/q=ACME-N/);
  const rows = page.getByRole('table', { name: 'Devices' }).locator('tbody tr');
  await expect(rows).toHaveCount(2);
  await expect(rows.first()).toContainText('North');

  await page.getByRole('link', { name: 'ACME-N-0001' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Device ACME-N-0001' })).toBeVisible();
  suspendedDeviceId = page.url().split('/').pop() ?? '';
  expect(suspendedDeviceId).toMatch(/^[0-9a-f-]{36}$/);
  const details = page.getByRole('region', { name: 'Details' });
  await expect(details.getByText('Active', { exact: true })).toBeVisible();
  // What the operator may do comes from the API: suspend, not decommission (tenant admins only).
  const actions = page.getByRole('region', { name: 'Actions' });
  await expect(actions.getByRole('button', { name: 'Suspend' })).toBeVisible();
  await expect(actions.getByRole('button', { name: 'Decommission' })).toHaveCount(0);
  await keepScreenshot(page, testInfo, 'device-before-suspend');

  await actions.getByRole('button', { name: 'Suspend' }).click();
  const suspended = page.getByRole('status').filter({ hasText: 'The device is suspended.' });
  await expect(suspended).toBeVisible();
  // The pressed button is gone (Suspend became Activate): focus goes to the result, not to <body>.
  await expect(page.locator('.focus-target')).toBeFocused();
  await expect(details.getByText('Suspended', { exact: true })).toBeVisible();
  await expect(actions.getByRole('button', { name: 'Suspend' })).toHaveCount(0);

  await actions.getByRole('button', { name: 'Activate' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'The device is active.' })).toBeVisible();
  await expect(page.locator('.focus-target')).toBeFocused();
  await expect(details.getByText('Active', { exact: true })).toBeVisible();
  await keepScreenshot(page, testInfo, 'device-after-reactivate');
});

test("the operator sees none of South's devices", async ({ page }) => {
  // The seeded devices only (other tests claim and activate devices of their own at North).
  await signIn(page, 'operator', 'en', '/devices?q=ACME');
  const table = page.getByRole('table', { name: 'Devices' });
  await expect(table.locator('tbody tr')).toHaveCount(3);
  await expect(table).not.toContainText('ACME-S');
  await page.goto(`${webUrl()}/en/devices?q=ACME-S`);
  await expect(page.getByRole('status').filter({ hasText: 'No devices match.' })).toBeVisible();
});

test('operator-globex cannot open an Acme device by its address', async ({ page }) => {
  expect(suspendedDeviceId).not.toBe('');
  await signIn(page, 'operator-globex');
  const response = await page.goto(`${webUrl()}/en/devices/${suspendedDeviceId}`);
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
  await expect(page.locator('main')).not.toContainText('ACME-N-0001');
});

test("the compliance officer can search by a person's kind and id (the pseudonym is worked out)", async ({
  page,
}) => {
  await signIn(page, 'compliance', 'en', '/compliance');
  const search = page.getByRole('search', { name: 'Audit search' });
  await search.getByLabel('Data subject kind').selectOption('patient');
  await search.getByLabel('Data subject id').fill('fa710000-0000-4000-8000-000000000001');
  await search.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/subjectKind=patient&subjectId=fa710000/);
  await expect(page.locator('main').getByRole('alert')).toHaveCount(0);
  await expect(
    page
      .getByRole('table', { name: 'Matching audit events, newest first' })
      .or(page.getByRole('status').filter({ hasText: 'No events match.' })),
  ).toBeVisible();
});

test('a search with a time that cannot be read says so instead of searching without it', async ({ page }) => {
  await signIn(page, 'compliance', 'en', '/compliance?from=2026-02-30T00:00&action=device.suspended');
  await expect(page.getByRole('alert').filter({ hasText: 'The search could not be run' })).toContainText(
    'From (UTC)',
  );
  await expect(page.getByRole('table', { name: 'Matching audit events, newest first' })).toHaveCount(0);
});

test('the compliance officer finds the suspension in the trail', async ({ page }) => {
  await signIn(page, 'compliance', 'en', '/compliance');
  const search = page.getByRole('search', { name: 'Audit search' });
  await search.getByLabel('Event type').selectOption('device.suspended');
  await search.getByLabel('Resource id').fill(suspendedDeviceId);
  await search.getByRole('button', { name: 'Search' }).click();
  const results = page.getByRole('table', { name: 'Matching audit events, newest first' });
  await expect(results.locator('tbody tr')).toHaveCount(1);
  await expect(results).toContainText('Device suspended');
  await expect(results).toContainText(suspendedDeviceId);
  await expect(results).toContainText('Allowed');
});

test('the compliance officer exports a bundle with the keyboard alone, and the verifier accepts it', async ({
  page,
}, testInfo) => {
  await signIn(page, 'compliance', 'en', '/compliance');
  await expect(page.getByRole('heading', { name: 'Trail integrity' })).toBeVisible();
  const submit = page.getByRole('button', { name: 'Build the bundle' });
  // Tab from the tenant field (the last field before the button) to the button, then Enter.
  await page.getByLabel('Tenant id', { exact: true }).last().focus();
  await page.keyboard.press('Tab');
  await expect(submit).toBeFocused();
  await page.keyboard.press('Enter');
  const download = page.getByRole('link', { name: /^Download custos-audit-.*\.tar$/ });
  await expect(download).toBeFocused({ timeout: 30_000 });
  await expect(page.getByText(/The bundle is ready/)).toBeVisible();
  const [file] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
  expect(file.suggestedFilename()).toMatch(/^custos-audit-.*\.tar$/);
  const saved = path.join(await mkdtemp(path.join(tmpdir(), 'custos-bundle-')), file.suggestedFilename());
  await file.saveAs(saved);
  await keepScreenshot(page, testInfo, 'compliance-after-export');

  const { stdout } = await run(process.execPath, [verifier, 'bundle', saved]);
  expect(stdout).toContain('VERIFIED');
});
