/**
 * What operating each test-time broker relies on, beyond the shared mTLS and ACL checks in
 * broker-mtls.test.ts: the embedded broker's view of who is connected and its refusal of shared
 * subscriptions it cannot serve; the Mosquitto harness keeping sessions across restart().
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt, { ErrorWithSubackPacket, type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedBroker } from '../../backend/src/core/mqtt/embedded-broker.js';
import { FileCertificateAuthority } from '../../backend/src/core/pki/file-certificate-authority.js';
import { generateP256KeyPair, privateKeyPem, x509 } from '../../backend/src/core/pki/x509.js';
import { startMosquitto } from '../support/mosquitto.js';

let dir: string;
let ca: FileCertificateAuthority;
let backend: { cert: string; key: string };
let device: { id: string; cert: string; key: string };

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'custos-mqtt-ops-'));
  ca = await FileCertificateAuthority.open(path.join(dir, 'ca'));
  const issued = await ca.issueTlsCredentials({ commonName: 'custos-backend', usage: 'client' });
  backend = { cert: issued.chainPem, key: issued.privateKeyPem };
  const keys = await generateP256KeyPair();
  const id = randomUUID();
  const certificate = await ca.issueDeviceCertificate({
    deviceId: id,
    publicKey: await x509.PublicKey.create(keys.publicKey),
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
  });
  // The broker trusts the issuing CA too, so the certificate alone is a complete chain here.
  device = { id, cert: certificate.toString('pem'), key: await privateKeyPem(keys.privateKey) };
});

afterAll(() => rm(dir, { recursive: true, force: true }));

const clientOptions = (
  credentials: { cert: string; key: string },
  clientId: string,
  protocolVersion: 4 | 5,
): IClientOptions => ({
  ca: ca.chainPem,
  cert: credentials.cert,
  key: credentials.key,
  clientId,
  protocolVersion,
  reconnectPeriod: 0,
  connectTimeout: 5000,
});

describe('embedded aedes broker', () => {
  it('refuses $share subscriptions it cannot serve, and tracks and drops identities', async () => {
    const server = await ca.issueTlsCredentials({
      commonName: 'localhost',
      usage: 'server',
      hostnames: ['127.0.0.1'],
    });
    const broker = await startEmbeddedBroker({
      host: '127.0.0.1',
      port: 0,
      serverCredentials: server,
      trustedCaPem: ca.chainPem,
    });
    const ingest = await mqtt.connectAsync(broker.url, clientOptions(backend, 'custos-backend-ops', 4));
    const client = await mqtt.connectAsync(broker.url, clientOptions(device, device.id, 4));
    try {
      // aedes would take the filter literally and deliver nothing: a refusal tells the backend.
      expect(await subackCodes(ingest, '$share/custos/devices/+/telemetry')).toEqual([128]);
      expect(broker.connectedIdentities().sort()).toEqual(['custos-backend', device.id].sort());
      const dropped = new Promise<void>((resolve) => client.once('close', () => resolve()));
      expect(await broker.disconnect(device.id)).toBe(1);
      await dropped;
      expect(broker.connectedIdentities()).toEqual(['custos-backend']);
    } finally {
      await Promise.all([ingest.endAsync(true), client.endAsync(true)]);
      await broker.stop();
    }
  });
});

describe('Mosquitto harness', () => {
  it('keeps persistent sessions and their queued commands across restart()', async () => {
    const broker = await startMosquitto({ ca });
    const persistent = (credentials: { cert: string; key: string }, clientId: string): IClientOptions => ({
      ...clientOptions(credentials, clientId, 5),
      clean: false,
      properties: { sessionExpiryInterval: 300 },
    });
    try {
      const offline = await mqtt.connectAsync(broker.url, persistent(device, device.id));
      await offline.subscribeAsync(`devices/${device.id}/commands`, { qos: 1 });
      await offline.endAsync();
      const sender = await mqtt.connectAsync(broker.url, persistent(backend, 'custos-backend-restart'));
      await sender.publishAsync(`devices/${device.id}/commands`, 'queued', { qos: 1 });
      await sender.endAsync();

      await broker.restart();

      const back = mqtt.connect(broker.url, persistent(device, device.id));
      try {
        const payload = await new Promise<string>((resolve, reject) => {
          back.once('message', (_topic, message) => resolve(message.toString()));
          back.once('error', reject);
          setTimeout(() => reject(new Error('the queued command did not arrive in 5 s')), 5000);
        });
        expect(payload).toBe('queued');
      } finally {
        await back.endAsync(true);
      }
    } finally {
      await broker.stop();
    }
  });
});

/** SUBACK codes, also when mqtt.js rejects the subscription because one is a refusal. */
async function subackCodes(client: MqttClient, topic: string): Promise<number[]> {
  try {
    return (await client.subscribeAsync(topic, { qos: 1 })).map((grant) => grant.qos);
  } catch (error) {
    if (error instanceof ErrorWithSubackPacket && error.packet && 'granted' in error.packet) {
      return (error.packet.granted as unknown[]).map(Number);
    }
    throw error;
  }
}
