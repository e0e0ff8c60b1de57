/**
 * The live chart on the device page: the operator sees a device's telemetry within two seconds of
 * the device sending it (API live channel → web app server → server-sent events), can pause the
 * view, and has the values in a table as well as on the canvas.
 */

import { activeDevice } from './support/api.ts';
import { connectDevice } from './support/connected-device.ts';
import { expect, keepScreenshot, signIn, test } from './support/fixtures.ts';

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
