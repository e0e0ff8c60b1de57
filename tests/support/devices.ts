/**
 * Simulated devices for integration tests, made the way the factory makes real ones: an emulated
 * ATECC608A generates the key, signs the CSR, and the platform's API certifies it; then the device
 * is claimed into a site and activated through the API like any other.
 */
import type { KeyObject } from 'node:crypto';
import {
  Atecc608a,
  Atecc608aEmulator,
  createCertificateSigningRequest,
  DeviceAgent,
  type DeviceAgentOptions,
  personaliseChip,
} from '@custos/firmware';
import { expect } from 'vitest';
import type { TestApp } from './test-app.js';

export interface SimulatedDevice {
  id: string;
  serialNumber: string;
  /** The device certificate followed by the issuing CA and root. */
  certificate: string;
  /** The chip's key as TLS needs it (the emulator's stand-in for an OpenSSL engine). */
  tlsKey: KeyObject;
  chip: Atecc608a;
}

/** The demo site the `operator` user is assigned to. */
export async function northSiteId(t: TestApp): Promise<string> {
  const res = await t.request('GET', '/api/v1/sites', { as: 'operator' });
  expect(res.status).toBe(200);
  return res.body.items[0].id;
}

export async function simulatedDevice(
  t: TestApp,
  options: { serialNumber: string; model?: string; state?: 'provisioned' | 'active' },
): Promise<SimulatedDevice> {
  const registered = await t.request('POST', '/api/v1/devices', {
    as: 'tenant-admin',
    body: { serialNumber: options.serialNumber, model: options.model ?? 'CX-Temp 2' },
  });
  expect(registered.status).toBe(201);
  const id: string = registered.body.id;

  const emulator = new Atecc608aEmulator({ watchdog: false });
  const chip = new Atecc608a(emulator);
  await personaliseChip(chip);
  const csr = await createCertificateSigningRequest(chip, { commonName: id });
  const issued = await t.request('POST', `/api/v1/devices/${id}/certificates`, {
    as: 'tenant-admin',
    body: { csr: csr.pem },
  });
  expect(issued.status).toBe(201);

  if ((options.state ?? 'active') === 'active') {
    const claimed = await t.request('POST', `/api/v1/devices/${id}/claim`, {
      as: 'tenant-admin',
      body: { siteId: await northSiteId(t) },
    });
    expect(claimed.status).toBe(200);
    expect((await t.request('POST', `/api/v1/devices/${id}/activate`, { as: 'tenant-admin' })).status).toBe(
      200,
    );
  }
  return {
    id,
    serialNumber: options.serialNumber,
    certificate: `${issued.body.certificatePem}\n${issued.body.chainPem}`,
    tlsKey: emulator.keyForSimulatedTls(0),
    chip,
  };
}

/**
 * Starts the device's agent against a broker and resolves once it is online. The caller stops it
 * (keep the agents in a list and stop them in afterAll).
 */
export async function onlineAgent(
  device: SimulatedDevice,
  broker: { url: string; ca: string; protocolVersion: 4 | 5 },
  options: Partial<DeviceAgentOptions> = {},
): Promise<DeviceAgent> {
  const agent = new DeviceAgent({
    deviceId: device.id,
    brokerUrl: broker.url,
    ca: broker.ca,
    certificate: device.certificate,
    key: { kind: 'simulated', key: device.tlsKey },
    protocolVersion: broker.protocolVersion,
    servername: 'localhost',
    ...options,
  });
  await new Promise<void>((resolve, reject) => {
    agent.once('online', () => resolve());
    agent.once('error', reject);
    agent.start();
  });
  return agent;
}
