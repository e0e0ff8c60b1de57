/**
 * The device page's panels against the real stack: an operator sends a command to an active device
 * and finds it listed with its status (no device is connected, so it stays queued or delivered);
 * a device that is connected shows as online with its reported state and telemetry, and
 * acknowledges a command; a tenant admin revokes a device certificate through the confirmation
 * step. Devices are made for each test through the API.
 */
import { activeDevice } from './support/api.ts';
import { connectDevice } from './support/connected-device.ts';
import { expect, keepScreenshot, signIn, test } from './support/fixtures.ts';

test('the operator sends a command to an active device and sees it listed', async ({ page }, testInfo) => {
  const device = await activeDevice('WEB-CMD');
  await signIn(page, 'operator', 'en', `/devices/${device.id}`);
  await expect(page.getByRole('heading', { level: 1, name: `Device ${device.serialNumber}` })).toBeVisible();
  const connection = page.getByRole('region', { name: 'Connection' });
  await expect(connection.getByText('Never connected')).toBeVisible();
  await expect(page.getByRole('region', { name: 'Recent telemetry' })).toContainText(
    'No measurements in the last 24 hours.',
  );
  const panel = page.getByRole('region', { name: 'Commands' });
  await expect(panel).toContainText('No commands have been sent to this device.');
  const name = panel.getByRole('textbox', { name: 'Command', exact: true });
  const params = panel.getByLabel('Parameters (optional)');

  // A typo first: the server says what is wrong and gives back what was typed.
  await name.fill('set-interval');
  await params.fill('{seconds: 60}');
  await panel.getByRole('button', { name: 'Send the command' }).click();
  await expect(panel.getByRole('alert')).toHaveText('The parameters are not valid JSON.');
  await expect(page.locator('.focus-target')).toBeFocused();
  await expect(name).toHaveValue('set-interval');
  await expect(params).toHaveValue('{seconds: 60}');
  await expect(params).toHaveAttribute('aria-invalid', 'true');
  await expect(panel.getByRole('table')).toHaveCount(0);

  await params.fill('{"seconds": 60}');
  await panel.getByRole('button', { name: 'Send the command' }).click();
  await expect(panel.getByRole('status')).toHaveText(
    'The command was sent. Its status is in the list below.',
  );
  await expect(page.locator('.focus-target')).toBeFocused();
  const rows = panel.getByRole('table', { name: 'Recent commands, newest first' }).locator('tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.first().getByRole('rowheader')).toHaveText('set-interval');
  await expect(rows.first().locator('.badge')).toHaveText(/^(Queued|Delivered)$/);
  // The form is empty again, ready for the next command.
  await expect(name).toHaveValue('');
  await keepScreenshot(page, testInfo, 'device-command-sent');

  // A second one, without parameters, is listed first.
  await name.fill('reboot');
  await panel.getByRole('button', { name: 'Send the command' }).click();
  await expect(rows).toHaveCount(2);
  await expect(rows.first().getByRole('rowheader')).toHaveText('reboot');
});

test('a connected device: online, its reported state, telemetry in its units, a command acknowledged', async ({
  page,
}, testInfo) => {
  const device = await activeDevice('WEB-LIVE', { certificate: true });
  if (!device.credentials) throw new Error('no credentials');
  const agent = await connectDevice(device.id, device.credentials, { interval: 60, firmware: '1.4.2' });
  try {
    const now = Date.now();
    await agent.publishTelemetry(1, new Date(now - 120_000), {
      temperature: 4.25,
      humidity: 41,
      battery: 97,
    });
    await agent.publishTelemetry(2, new Date(now - 60_000), { temperature: 4.5, battery: 96 });
    await signIn(page, 'operator', 'en', `/devices/${device.id}`);
    const telemetry = page.getByRole('region', { name: 'Recent telemetry' });
    const points = telemetry.getByRole('table').locator('tbody tr');
    // Ingest commits in batches: the page shows what was stored when it was loaded.
    await expect(async () => {
      await page.reload();
      await expect(points).toHaveCount(2, { timeout: 1000 });
    }).toPass({ timeout: 15_000 });
    const header = telemetry.getByRole('columnheader');
    await expect(header).toHaveText(['Measured', 'Temperature', 'Humidity', 'Battery']);
    // Newest first, each value in its unit; a metric a point lacks is a dash.
    await expect(points.nth(0).getByRole('cell')).toHaveText(['4.5 °C', '—', '96 %']);
    await expect(points.nth(1).getByRole('cell')).toHaveText(['4.25 °C', '41 %', '97 %']);
    await expect(telemetry).not.toContainText('withheld');

    const connection = page.getByRole('region', { name: 'Connection' });
    await expect(connection.getByText('Online', { exact: true })).toBeVisible();
    await expect(connection).toContainText('interval: 60');
    await expect(connection).toContainText('firmware: "1.4.2"');

    const panel = page.getByRole('region', { name: 'Commands' });
    await panel.getByRole('textbox', { name: 'Command', exact: true }).fill('reboot');
    await panel.getByRole('button', { name: 'Send the command' }).click();
    await expect(panel.getByRole('status')).toContainText('The command was sent.');
    await expect.poll(() => agent.received).toEqual(['reboot']);
    const row = panel.getByRole('table').locator('tbody tr').first();
    await expect(async () => {
      await page.reload();
      await expect(row.locator('.badge')).toHaveText('Acknowledged', { timeout: 1000 });
    }).toPass({ timeout: 15_000 });
    await keepScreenshot(page, testInfo, 'device-connected');
  } finally {
    await agent.close();
  }
});

test('commands are offered only for an active device', async ({ page }) => {
  const device = await activeDevice('WEB-SUSP');
  await signIn(page, 'operator', 'en', `/devices/${device.id}`);
  await page.getByRole('region', { name: 'Actions' }).getByRole('button', { name: 'Suspend' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'The device is suspended.' })).toBeVisible();
  const panel = page.getByRole('region', { name: 'Commands' });
  await expect(panel).toContainText('Commands can be sent to an active device only.');
  await expect(panel.getByRole('button', { name: 'Send the command' })).toHaveCount(0);
});

test('the tenant admin revokes a device certificate after confirming, the operator cannot', async ({
  page,
  browser,
}, testInfo) => {
  const device = await activeDevice('WEB-CERT', { certificate: true });
  const serial = device.certificateSerial ?? '';
  expect(serial).toMatch(/^[0-9a-f]+$/);

  const operator = await (await browser.newContext()).newPage();
  await signIn(operator, 'operator', 'en', `/devices/${device.id}`);
  const operatorPanel = operator.getByRole('region', { name: 'Certificates' });
  await expect(operatorPanel.getByRole('row', { name: new RegExp(serial) })).toContainText('Valid');
  await expect(operatorPanel.getByRole('button', { name: 'Revoke…' })).toHaveCount(0);
  await operator.context().close();

  await signIn(page, 'tenant-admin', 'en', `/devices/${device.id}`);
  const panel = page.getByRole('region', { name: 'Certificates' });
  const row = panel.getByRole('row', { name: new RegExp(serial) });
  await expect(row).toContainText('Valid');
  const form = panel.getByRole('group', { name: `Revoke certificate ${serial}`, exact: true });
  await form.getByLabel('Reason').selectOption({ label: 'Key compromised' });
  await form.getByRole('button', { name: 'Revoke…' }).click();

  // Nothing is revoked yet: the page asks first, and can be left without revoking.
  const confirm = panel.getByRole('group', { name: `Revoke certificate ${serial}?`, exact: true });
  await expect(confirm).toContainText('Reason: Key compromised.');
  await expect(page.locator('.focus-target')).toBeFocused();
  await expect(row).toContainText('Valid');
  await keepScreenshot(page, testInfo, 'device-revoke-confirm');
  await confirm.getByRole('button', { name: 'Revoke the certificate' }).click();

  await expect(panel.getByRole('status')).toHaveText(
    'The certificate is revoked: the device can no longer connect with it.',
  );
  await expect(row).toContainText('Revoked');
  await expect(row).toContainText('Key compromised');
  await expect(form).toHaveCount(0);
  await keepScreenshot(page, testInfo, 'device-revoked');
});
