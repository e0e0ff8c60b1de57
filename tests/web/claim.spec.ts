/**
 * Claiming a device, as DESIGN.md's operator does it: the device is registered and provisioned and
 * its sticker printed through the API (tenant admin), then the operator claims it into their site
 * in the browser, by scanning the sticker's QR code with a camera (Chromium's fake camera playing a
 * video of that QR code), by typing the code on a phone, or by opening the address the QR code holds.
 */
import path from 'node:path';
import { issueClaimCode, provisionedDevice } from './support/api.ts';
import { chromiumArgs, chromiumPath } from './support/chromium.ts';
import {
  expect,
  horizontalOverflow,
  keepScreenshot,
  signIn,
  test,
  viewports,
  waitForHydration,
  webUrl,
} from './support/fixtures.ts';
import { writeQrVideo } from './support/qr-video.ts';

test('the operator claims a provisioned device by scanning its QR code with the camera', async ({
  playwright,
}, testInfo) => {
  const device = await provisionedDevice('WEB-QR');
  const sticker = await issueClaimCode(device.id);
  // The sticker leads to this web app's claim page (the proxy adds the locale).
  expect(sticker.claimUrl).toBe(
    `${webUrl()}/claim?serial=${device.serialNumber}&code=${encodeURIComponent(sticker.code)}`,
  );
  const video = testInfo.outputPath('sticker.y4m');
  await writeQrVideo(sticker.claimUrl, video);

  // A browser of its own: the fake camera is chosen when Chromium starts.
  const browser = await playwright.chromium.launch({
    executablePath: chromiumPath,
    args: [
      ...chromiumArgs,
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${path.resolve(video)}`,
    ],
  });
  try {
    const page = await (await browser.newContext({ viewport: viewports.desktop })).newPage();
    await signIn(page, 'operator');
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Claim a device' })
      .click();
    await expect(page.getByRole('heading', { level: 1, name: 'Claim a device' })).toBeVisible();
    const serial = page.getByLabel('Serial number');
    const code = page.getByLabel('Claim code');
    await expect(serial).toHaveValue('');
    await expect(code).toHaveValue('');

    await waitForHydration(page, '.claim-fields button');
    await page.getByRole('button', { name: 'Scan the QR code' }).click();
    await expect(serial).toHaveValue(device.serialNumber, { timeout: 30_000 });
    await expect(code).toHaveValue(sticker.code);
    await expect(page.getByRole('status').filter({ hasText: 'QR code read' })).toContainText(
      device.serialNumber,
    );
    // The camera is off again, and the focus is on the next thing to do: the site.
    await expect(page.getByRole('button', { name: 'Scan the QR code' })).toBeVisible();
    await expect(page.locator('video')).toBeHidden();
    const site = page.getByLabel('Site', { exact: true });
    await expect(site).toBeFocused();
    await site.selectOption({ label: 'North (NORTH)' });
    await keepScreenshot(page, testInfo, 'claim-scanned');

    await page.getByRole('button', { name: 'Claim the device' }).click();
    const claimed = page.getByRole('status').filter({ hasText: `${device.serialNumber} is claimed into` });
    await expect(claimed).toBeVisible();
    await expect(page.locator('.focus-target')).toBeFocused();
    // The form is empty again, for the next device; the code is in no address.
    await expect(serial).toHaveValue('');
    expect(page.url()).not.toContain(sticker.code);
    await keepScreenshot(page, testInfo, 'claim-done');

    await claimed.getByRole('link', { name: `Open device ${device.serialNumber}` }).click();
    await expect(
      page.getByRole('heading', { level: 1, name: `Device ${device.serialNumber}` }),
    ).toBeVisible();
    const details = page.getByRole('region', { name: 'Details' });
    await expect(details.getByText('Claimed', { exact: true })).toBeVisible();
    await expect(details).toContainText('North');
  } finally {
    await browser.close();
  }
});

test('the operator claims a device by typing its code on a phone', async ({ page }, testInfo) => {
  const device = await provisionedDevice('WEB-TYPE');
  const sticker = await issueClaimCode(device.id);
  await page.setViewportSize(viewports.phone);
  await signIn(page, 'operator', 'en', '/claim');
  await expect(page.getByRole('heading', { level: 1, name: 'Claim a device' })).toBeVisible();
  expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
  const serial = page.getByLabel('Serial number');
  const code = page.getByLabel('Claim code');

  // A wrong code first: one answer for every way a code can be wrong, the serial number kept.
  await serial.fill(device.serialNumber);
  await code.fill('AAAA-BBBB-CCCC-DDDD');
  await page.getByRole('button', { name: 'Claim the device' }).click();
  const refused = page.getByRole('alert').filter({ hasText: 'do not let you claim a device' });
  await expect(refused).toBeVisible();
  await expect(page.locator('.focus-target')).toBeFocused();
  await expect(serial).toHaveValue(device.serialNumber);
  await expect(serial).toHaveAttribute('aria-invalid', 'true');
  await expect(code).toHaveValue('');
  expect(page.url()).not.toContain('AAAA');
  await keepScreenshot(page, testInfo, 'claim-refused-phone');

  // Typed as people type codes off a sticker: lower case, spaces for hyphens.
  await code.fill(sticker.code.toLowerCase().replaceAll('-', ' '));
  await page.getByRole('button', { name: 'Claim the device' }).click();
  await expect(
    page.getByRole('status').filter({ hasText: `${device.serialNumber} is claimed into North` }),
  ).toBeVisible();
  expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
  await keepScreenshot(page, testInfo, 'claim-done-phone');
  await page.getByRole('link', { name: `Open device ${device.serialNumber}` }).click();
  await expect(
    page.getByRole('region', { name: 'Details' }).getByText('Claimed', { exact: true }),
  ).toBeVisible();

  // The code is used up: a second claim with it is refused.
  await page.goto(`${webUrl()}/en/claim`);
  await serial.fill(device.serialNumber);
  await code.fill(sticker.code);
  await page.getByRole('button', { name: 'Claim the device' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'do not let you claim a device' })).toBeVisible();
});

test("the address in a sticker's QR code opens the claim form filled in", async ({ page }) => {
  const device = await provisionedDevice('WEB-LINK');
  const sticker = await issueClaimCode(device.id);
  await signIn(page, 'operator');
  // As a phone's own camera app opens it: no locale in the address.
  await page.goto(sticker.claimUrl);
  await expect(page).toHaveURL(new RegExp(`/en/claim\\?serial=${device.serialNumber}&code=`));
  await expect(page.getByLabel('Serial number')).toHaveValue(device.serialNumber);
  await expect(page.getByLabel('Claim code')).toHaveValue(sticker.code);
  await page.getByRole('button', { name: 'Claim the device' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'is claimed into North' })).toBeVisible();
});

test('without a camera the scan says so, and typing remains', async ({ page }) => {
  await signIn(page, 'operator', 'en', '/claim');
  await waitForHydration(page, '.claim-fields button');
  await page.getByRole('button', { name: 'Scan the QR code' }).click();
  // Headless Chromium without a fake device has no camera, or refuses it.
  await expect(page.locator('main').getByRole('alert')).toContainText(
    'Type the serial number and claim code instead.',
  );
  await expect(page.getByRole('button', { name: 'Scan the QR code' })).toBeFocused();
  await expect(page.getByLabel('Serial number')).toBeEditable();
});

test('users who may not claim devices have no claim menu and a forbidden page', async ({ page }) => {
  await signIn(page, 'compliance');
  await expect(
    page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Claim a device' }),
  ).toHaveCount(0);
  await page.goto(`${webUrl()}/en/claim`);
  await expect(
    page.getByRole('heading', { level: 1, name: 'You do not have access to this page' }),
  ).toBeVisible();
});
