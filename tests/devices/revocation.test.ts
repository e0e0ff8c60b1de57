/**
 * Revocation end to end, on both brokers the platform runs with: a tenant administrator revokes a
 * connected device's certificate through the API; the broker drops the device's open session at
 * once and refuses its certificate at every reconnection, while other devices carry on.
 */
import { randomUUID } from 'node:crypto';
import type { DeviceAgent } from '@custos/firmware';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BrokerControl } from '../../backend/src/core/mqtt/broker-control.js';
import { embeddedBrokerControl, startEmbeddedBroker } from '../../backend/src/core/mqtt/embedded-broker.js';
import { FileCertificateAuthority } from '../../backend/src/core/pki/file-certificate-authority.js';
import { crlPem } from '../../backend/src/core/pki/x509.js';
import { onlineAgent, type SimulatedDevice, simulatedDevice } from '../support/devices.js';
import { mosquittoBrokerControl, startMosquitto } from '../support/mosquitto.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

interface Broker {
  url: string;
  control: BrokerControl;
  protocolVersion: 4 | 5;
  stop(): Promise<void>;
}

const brokers: Record<string, (ca: FileCertificateAuthority) => Promise<Broker>> = {
  'embedded broker (aedes)': async (ca) => {
    const broker = await startEmbeddedBroker({
      host: '127.0.0.1',
      port: 0,
      serverCredentials: await ca.issueTlsCredentials({
        commonName: 'localhost',
        usage: 'server',
        hostnames: ['localhost', '127.0.0.1'],
      }),
      trustedCaPem: ca.chainPem,
    });
    return {
      url: broker.url,
      control: embeddedBrokerControl(broker),
      protocolVersion: 4,
      stop: () => broker.stop(),
    };
  },
  Mosquitto: mosquitto,
  // As deployed with EMQX: every certificate names the CRL's URL and the CRL names it back (IDP).
  'Mosquitto, with certificates pointing at a published CRL': mosquitto,
};

async function mosquitto(ca: FileCertificateAuthority): Promise<Broker> {
  const empty = await ca.createRevocationList([], new Date(Date.now() + 3_600_000));
  const broker = await startMosquitto({ ca, crlPem: crlPem(empty) });
  return {
    url: broker.url,
    control: mosquittoBrokerControl(broker),
    protocolVersion: 5,
    stop: () => broker.stop(),
  };
}

describe.each(Object.keys(brokers))('revoking a connected device on the %s', (name) => {
  let t: TestApp;
  let ca: FileCertificateAuthority;
  let broker: Broker;
  const agents: DeviceAgent[] = [];

  beforeAll(async () => {
    const crlUrl = name.includes('published CRL') ? 'http://localhost:4000/api/v1/pki/crl' : undefined;
    ca = await FileCertificateAuthority.open(inject('testEnv').pkiDir, { crlUrl });
    broker = await (brokers[name] as (ca: FileCertificateAuthority) => Promise<Broker>)(ca);
    t = await createTestApp({ brokerControl: broker.control, env: crlUrl ? { PKI_CRL_URL: crlUrl } : {} });
  }, 60_000);

  afterAll(async () => {
    for (const agent of agents) await agent.stop().catch(() => undefined);
    await t?.close();
    await broker?.stop();
  });

  async function online(device: SimulatedDevice): Promise<DeviceAgent> {
    const agent = await onlineAgent(
      device,
      { url: broker.url, ca: ca.chainPem, protocolVersion: broker.protocolVersion },
      { backoff: { baseMs: 50, maxMs: 200 }, log: () => undefined },
    );
    agents.push(agent);
    return agent;
  }

  /** A fresh connection attempt with the device's certificate: resolves true if the broker admits it. */
  async function admitted(device: SimulatedDevice): Promise<boolean> {
    const client = mqtt.connect(broker.url, {
      clientId: device.id,
      protocolVersion: broker.protocolVersion,
      ca: ca.chainPem,
      cert: device.certificate,
      key: device.tlsKey.export({ format: 'pem', type: 'pkcs8' }) as string,
      servername: 'localhost',
      reconnectPeriod: 0,
      connectTimeout: 5000,
    });
    const result = await new Promise<boolean>((resolve) => {
      client.once('connect', () => resolve(true));
      client.once('error', () => resolve(false));
      client.once('close', () => resolve(false));
    });
    client.end(true);
    return result;
  }

  it('drops the open session at once and refuses every reconnection; other devices carry on', async () => {
    const suffix = randomUUID().slice(0, 6);
    const revoked = await simulatedDevice(t, { serialNumber: `REVOKE-${suffix}` });
    const bystander = await simulatedDevice(t, { serialNumber: `KEEP-${suffix}` });
    const agent = await online(revoked);
    const other = await online(bystander);

    const certificates = await t.request('GET', `/api/v1/devices/${revoked.id}/certificates`, {
      as: 'tenant-admin',
    });
    const serialNumber = certificates.body.items[0].serialNumber;
    const dropped = new Promise<number>((resolve) => agent.once('offline', () => resolve(Date.now())));
    const started = Date.now();
    const res = await t.request('POST', `/api/v1/devices/${revoked.id}/certificates/${serialNumber}/revoke`, {
      as: 'tenant-admin',
      body: { reason: 'keyCompromise' },
    });
    expect(res.status).toBe(200);
    // The API answers after the broker has applied the revocation, so the session is gone by now
    // or within moments (the disconnect is on its way to the device).
    const droppedAt = await Promise.race([
      dropped,
      new Promise<number>((r) => setTimeout(() => r(-1), 5000)),
    ]);
    expect(droppedAt, 'the device was not disconnected').toBeGreaterThan(0);
    expect(droppedAt - started).toBeLessThan(5000);

    expect(await admitted(revoked)).toBe(false);
    // The agent keeps retrying with backoff; none of its attempts gets through.
    await new Promise((r) => setTimeout(r, 600));
    expect(agent.status).not.toBe('online');
    expect(other.status).toBe('online');
    await other.publishTelemetry({ temperature: 4 });
  });
});
