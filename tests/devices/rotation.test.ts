/**
 * Certificate rotation end to end, through a real Mosquitto: the platform asks the device for a new
 * CSR, its chip signs one for the same key, the platform issues the certificate and sends it, the
 * device reconnects with it and confirms, and only then is the old certificate revoked as
 * superseded. Started by hand (API) and by the expiry job; every step audited.
 */
import { randomUUID } from 'node:crypto';
import { answerCertificateRotation, type DeviceAgent } from '@custos/firmware';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileCertificateAuthority } from '../../backend/src/core/pki/file-certificate-authority.js';
import { CertificateRotation } from '../../backend/src/modules/devices/certificates/certificate-rotation.js';
import { entriesAfter, lastSeq } from '../support/audit.js';
import { onlineAgent, type SimulatedDevice, simulatedDevice } from '../support/devices.js';
import { type MosquittoBroker } from '../support/mosquitto.js';
import { type MqttStack, startMqttStack, until } from '../support/mqtt-stack.js';
import { type TestApp } from '../support/test-app.js';

let stack: MqttStack;
let t: TestApp;
let broker: MosquittoBroker;
let ca: FileCertificateAuthority;

beforeAll(async () => {
  stack = await startMqttStack({ env: { DEVICE_CERT_RENEW_BEFORE_DAYS: '400' } });
  ({ t, broker, ca } = stack);
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

async function rotatingDevice(): Promise<{ device: SimulatedDevice; agent: DeviceAgent }> {
  const device = await simulatedDevice(t, { serialNumber: `ROT-${randomUUID().slice(0, 8)}` });
  const agent = await onlineAgent(device, { url: broker.url, ca: ca.chainPem, protocolVersion: 5 });
  stack.agents.push(agent);
  answerCertificateRotation(agent, device.chip, {
    deviceId: device.id,
    key: { kind: 'simulated', key: device.tlsKey },
  });
  return { device, agent };
}

const certificatesOf = async (id: string) =>
  (await t.request('GET', `/api/v1/devices/${id}/certificates`, { as: 'tenant-admin' })).body.items as {
    serialNumber: string;
    status: string;
    revocationReason: string | null;
    fingerprintSha256: string;
  }[];

/** Waits until the device has one active certificate that is not `old`, and `old` is superseded. */
const rotatedFrom = (id: string, old: string) =>
  until(async () => {
    const items = await certificatesOf(id);
    const current = items.find((c) => c.status === 'active');
    const previous = items.find((c) => c.serialNumber === old);
    return current && current.serialNumber !== old && previous?.revocationReason === 'superseded'
      ? current
      : null;
  }, 'the rotation to complete');

describe('certificate rotation', () => {
  it('rotates on request: new CSR from the chip, new certificate in use, old one superseded', async () => {
    const { device, agent } = await rotatingDevice();
    const [original] = await certificatesOf(device.id);
    const before = await lastSeq(t);
    const res = await t.request('POST', `/api/v1/devices/${device.id}/certificates/rotate`, {
      as: 'tenant-admin',
    });
    expect(res.status).toBe(202);
    expect(res.body.name).toBe('renew-certificate');
    const current = await rotatedFrom(device.id, original?.serialNumber as string);

    // The device works on with the new certificate.
    await agent.publishTelemetry({ temperature: 5 });
    expect(agent.status).toBe('online');
    // Connection events come and go with the reconnection; the rotation's own steps are these.
    const events = (await entriesAfter(t, before)).filter(
      (e) =>
        e.resource.id === device.id &&
        !e.type.startsWith('device.connected') &&
        e.type !== 'device.disconnected',
    );
    expect(
      events.map((e) => [
        e.type,
        e.actor.kind,
        (e.payload as { name?: string; purpose?: string; reason?: string }).name ??
          (e.payload as { purpose?: string }).purpose ??
          (e.payload as { reason?: string }).reason,
      ]),
    ).toEqual([
      ['device.command_requested', 'user', 'renew-certificate'],
      ['device.command_completed', 'device', 'renew-certificate'],
      ['device.certificate_issued', 'system', 'rotation'],
      ['device.command_completed', 'device', 'install-certificate'],
      ['device.certificate_revoked', 'system', 'superseded'],
    ]);
    expect(current?.fingerprintSha256).not.toBe(original?.fingerprintSha256);
  });

  it('is started by the expiry job for active devices whose certificate is due', async () => {
    const { device } = await rotatingDevice();
    const [original] = await certificatesOf(device.id);
    expect(await t.app.get(CertificateRotation).sweep()).toBeGreaterThanOrEqual(1);
    await rotatedFrom(device.id, original?.serialNumber as string);
    // A rotation under way is not started twice.
    const commands = (await t.request('GET', `/api/v1/devices/${device.id}/commands`, { as: 'tenant-admin' }))
      .body.items;
    expect(commands.filter((c: { name: string }) => c.name === 'renew-certificate')).toHaveLength(1);
  });

  it('refuses to rotate a device that is not active, and lets only provisioners start it', async () => {
    const { device } = await rotatingDevice();
    expect([403, 404]).toContain(
      (await t.request('POST', `/api/v1/devices/${device.id}/certificates/rotate`, { as: 'operator' }))
        .status,
    );
    await t.request('POST', `/api/v1/devices/${device.id}/suspend`, { as: 'tenant-admin' });
    const res = await t.request('POST', `/api/v1/devices/${device.id}/certificates/rotate`, {
      as: 'tenant-admin',
    });
    expect(res.status).toBe(409);
  });
});
