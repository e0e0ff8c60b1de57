/**
 * The live chart on the device page: the operator sees a device's telemetry within two seconds of
 * the device sending it (API live channel → web app server → server-sent events), can pause the
 * view, and has the values in a table as well as on the canvas; and the whole journey: a device
 * claimed by scanning its QR code with the camera, then switched on, streams to the page.
 */
import path from 'node:path';
import { activeDevice, certifiedDevice, issueClaimCode } from './support/api.ts';
import { chromiumArgs, chromiumPath } from './support/chromium.ts';
import { connectDevice } from './support/connected-device.ts';
import { expect, keepScreenshot, signIn, test, viewports, waitForHydration } from './support/fixtures.ts';
import { writeQrVideo } from './support/qr-video.ts';

test('the operator sees a device’s telemetry live, within two seconds, and can pause the view', async ({
  page,
}, testInfo) => {
  const device = await activeDevice('WEB-STREAM', { certificate: true });
  if (!device.credentials) throw new Error('no credentials');
  const agent = await connectDevice(device.id, device.credentials, { firmware: '1.0.0' });
  try {
    await signIn(page, 'operator', 'en', `/devices/${device.id}`);
    const live = page.getByRole('region', { name: 'Live telemetry' });
    await expect(live.getByRole('status')).toHaveText('Waiting for measurements…');
    await expect(live.getByRole('img', { name: /Chart of the latest measurements/ })).toBeAttached();

    // The subscription is made when the page opens the stream: send until the first point shows.
    let seq = 0;
    const latest = live
      .getByRole('row', { name: /Temperature/ })
      .getByRole('cell')
      .first();
    await expect(async () => {
      seq += 1;
      await agent.publishTelemetry(seq, new Date(), { temperature: 21.5, battery: 90 });
      await expect(latest).toHaveText('21.5 °C', { timeout: 1000 });
    }).toPass({ timeout: 15_000 });

    // Now a fresh value must arrive within two seconds.
    const sentAt = Date.now();
    await agent.publishTelemetry(++seq, new Date(), { temperature: 22.75, battery: 90 });
    await expect(latest).toHaveText('22.75 °C', { timeout: 2000 });
    expect(Date.now() - sentAt).toBeLessThan(2000);
    await expect(live.getByRole('status')).toHaveText('Receiving measurements as they arrive.');

    // Paused: the view stays as it is; resumed: it shows what arrived meanwhile.
    await live.getByRole('button', { name: 'Pause' }).click();
    await expect(live.getByRole('button', { name: 'Resume' })).toHaveAttribute('aria-pressed', 'true');
    await agent.publishTelemetry(++seq, new Date(), { temperature: 30, battery: 90 });
    await page.waitForTimeout(1000);
    await expect(latest).toHaveText('22.75 °C');
    await live.getByRole('button', { name: 'Resume' }).click();
    await expect(latest).toHaveText('30 °C');
    await expect(
      live
        .getByRole('row', { name: /Temperature/ })
        .getByRole('cell')
        .nth(2),
    ).toHaveText('30 °C');
    await keepScreenshot(page, testInfo, 'device-live');
  } finally {
    await agent.close();
  }
});

test('the operator claims a device with the camera, and sees its telemetry within two seconds', async ({
  playwright,
}, testInfo) => {
  // Provisioned at the factory (certificate from its CSR), not yet in a site, switched off.
  const device = await certifiedDevice('WEB-CLAIM-LIVE');
  const sticker = await issueClaimCode(device.id);
  const video = testInfo.outputPath('sticker.y4m');
  await writeQrVideo(sticker.claimUrl, video);
  const browser = await playwright.chromium.launch({
    executablePath: chromiumPath,
    args: [
      ...chromiumArgs,
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${path.resolve(video)}`,
    ],
  });
  const agent = { current: undefined as Awaited<ReturnType<typeof connectDevice>> | undefined };
  try {
    const page = await (await browser.newContext({ viewport: viewports.desktop })).newPage();
    await signIn(page, 'operator', 'en', '/claim');
    await waitForHydration(page, '.claim-fields button');
    await page.getByRole('button', { name: 'Scan the QR code' }).click();
    await expect(page.getByLabel('Claim code')).toHaveValue(sticker.code, { timeout: 30_000 });
    await page.getByLabel('Site', { exact: true }).selectOption({ label: 'North (NORTH)' });
    await page.getByRole('button', { name: 'Claim the device' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `${device.serialNumber} is claimed into` })
      .getByRole('link')
      .click();

    // The device is switched on at its new place and starts sending.
    agent.current = await connectDevice(device.id, device.credentials, { firmware: '1.0.0' });
    const live = page.getByRole('region', { name: 'Live telemetry' });
    const latest = live
      .getByRole('row', { name: /Temperature/ })
      .getByRole('cell')
      .first();
    let seq = 0;
    await expect(async () => {
      seq += 1;
      await agent.current?.publishTelemetry(seq, new Date(), { temperature: 18 });
      await expect(latest).toHaveText('18 °C', { timeout: 1000 });
    }).toPass({ timeout: 15_000 });
    const sentAt = Date.now();
    await agent.current.publishTelemetry(++seq, new Date(), { temperature: 19.25 });
    await expect(latest).toHaveText('19.25 °C', { timeout: 2000 });
    expect(Date.now() - sentAt).toBeLessThan(2000);
    await keepScreenshot(page, testInfo, 'claimed-device-live');
  } finally {
    await agent.current?.close();
    await browser.close();
  }
});
