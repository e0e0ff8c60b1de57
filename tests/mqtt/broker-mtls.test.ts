/**
 * Mutual TLS and topic access on both brokers Custos runs outside production: the embedded aedes
 * broker (`npm start`) and a real Mosquitto 2.0 with the generated ACL. Each check runs against
 * both; where the brokers differ by design, the case says what each one does and the test asserts
 * that, plus the property that matters to both (the other side never gets the message).
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import mqtt, { ErrorWithSubackPacket, type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedBroker } from '../../backend/src/core/mqtt/embedded-broker.js';
import type { RevocationEntry } from '../../backend/src/core/pki/certificate-authority.js';
import { FileCertificateAuthority } from '../../backend/src/core/pki/file-certificate-authority.js';
import { crlPem, generateP256KeyPair, privateKeyPem, x509 } from '../../backend/src/core/pki/x509.js';
import { startMosquitto } from '../support/mosquitto.js';

interface Credentials {
  id: string;
  cert: string;
  key: string;
  serial: string;
}

interface Broker {
  url: string;
  setRevocationList(crlPem: string): Promise<void> | void;
  disconnect(identity: string): Promise<unknown>;
  stop(): Promise<void>;
}

interface BrokerCase {
  name: string;
  protocolVersion: 4 | 5;
  /** The backend's telemetry subscription there (a fresh share group per test keeps tests apart). */
  telemetryFilter(group: string): string;
  /** What a device publishing outside its topics gets: a negative PUBACK, or its connection closed. */
  publishRefusal: 'puback-135' | 'disconnected';
  /** SUBACK code for a filter the device may not use (Mosquitto's acl_file grants it, then filters delivery). */
  subscribeRefusalCode: number;
  /** Whether a client id other than the certificate CN is refused at CONNECT. */
  refusesForeignClientId: boolean;
  /**
   * Why the last connection was refused, in words to match: Mosquitto sends a TLS alert naming
   * the cause; Node's TLS server hangs up without one, and the embedded broker logs its own
   * (revocation) refusals.
   */
  refusalReason(clientError: Error): string;
  refusals: Record<'noCertificate' | 'unknownCa' | 'expired' | 'revoked', RegExp>;
  start(crl: string): Promise<Broker>;
}

let dir: string;
let ca: FileCertificateAuthority;
let backend: { cert: string; key: string };
const devices: Record<'a' | 'b' | 'expired' | 'revokedEarly' | 'revokedLater' | 'foreign', Credentials> =
  {} as never;
const revokedEarly: RevocationEntry[] = [];

async function deviceCredentials(
  authority: FileCertificateAuthority,
  validity: { notBefore: Date; notAfter: Date } = {
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
  },
): Promise<Credentials> {
  const keys = await generateP256KeyPair();
  const id = randomUUID();
  const certificate = await authority.issueDeviceCertificate({
    deviceId: id,
    publicKey: await x509.PublicKey.create(keys.publicKey),
    ...validity,
  });
  // What the device presents: its certificate, then the issuing CA (chainPem starts with it).
  const issuing = authority.chainPem.split(/(?<=-----END CERTIFICATE-----)/)[0] as string;
  return {
    id,
    cert: `${certificate.toString('pem')}\n${issuing.trim()}\n`,
    key: await privateKeyPem(keys.privateKey),
    serial: certificate.serialNumber,
  };
}

async function crlListing(entries: readonly Credentials[]): Promise<string> {
  const list = [
    ...revokedEarly,
    ...entries.map((c) => ({
      serialNumber: c.serial,
      revokedAt: new Date(),
      reason: 'keyCompromise' as const,
    })),
  ];
  return crlPem(await ca.createRevocationList(list, new Date(Date.now() + 3_600_000)));
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'custos-mqtt-test-'));
  ca = await FileCertificateAuthority.open(path.join(dir, 'ca'));
  const otherCa = await FileCertificateAuthority.open(path.join(dir, 'other-ca'));
  const issued = await ca.issueTlsCredentials({ commonName: 'custos-backend', usage: 'client' });
  backend = { cert: issued.chainPem, key: issued.privateKeyPem };
  const past = {
    notBefore: new Date(Date.now() - 2 * 86_400_000),
    notAfter: new Date(Date.now() - 86_400_000),
  };
  [devices.a, devices.b, devices.expired, devices.revokedEarly, devices.revokedLater, devices.foreign] =
    await Promise.all([
      deviceCredentials(ca),
      deviceCredentials(ca),
      deviceCredentials(ca, past),
      deviceCredentials(ca),
      deviceCredentials(ca),
      deviceCredentials(otherCa),
    ]);
  revokedEarly.push({
    serialNumber: devices.revokedEarly.serial,
    revokedAt: new Date(),
    reason: 'keyCompromise',
  });
});

afterAll(() => rm(dir, { recursive: true, force: true }));

const embeddedLog: string[] = [];
const remember = (details: object, message: string) =>
  embeddedLog.push(`${message} ${JSON.stringify(details)}`);

const cases: BrokerCase[] = [
  {
    name: 'embedded aedes broker',
    protocolVersion: 4,
    telemetryFilter: () => 'devices/+/telemetry',
    publishRefusal: 'disconnected',
    subscribeRefusalCode: 128,
    refusesForeignClientId: true,
    refusalReason: (clientError) => `${clientError.message} ${embeddedLog.at(-1) ?? ''}`,
    refusals: {
      noCertificate: /alert certificate required/,
      unknownCa: /closed before CONNACK/,
      expired: /closed before CONNACK/,
      revoked: /closed before CONNACK mqtt connection refused: certificate revoked/,
    },
    async start(crl) {
      const server = await ca.issueTlsCredentials({
        commonName: 'localhost',
        usage: 'server',
        hostnames: ['127.0.0.1'],
      });
      return startEmbeddedBroker({
        host: '127.0.0.1',
        port: 0,
        serverCredentials: server,
        trustedCaPem: ca.chainPem,
        crlPem: crl,
        log: { info() {}, debug: remember, warn: remember },
      });
    },
  },
  {
    name: 'Mosquitto 2.0',
    protocolVersion: 5,
    telemetryFilter: (group) => `$share/${group}/devices/+/telemetry`,
    publishRefusal: 'puback-135',
    subscribeRefusalCode: 0,
    refusesForeignClientId: false,
    refusalReason: (clientError) => clientError.message,
    refusals: {
      noCertificate: /alert certificate required/,
      unknownCa: /alert unknown ca/,
      expired: /alert certificate expired/,
      revoked: /alert certificate revoked/,
    },
    start: (crl) => startMosquitto({ ca, crlPem: crl }),
  },
];

describe.each(cases)('$name', (broker) => {
  let running: Broker;
  const open: MqttClient[] = [];

  beforeAll(async () => {
    running = await broker.start(await crlListing([]));
  });
  afterAll(async () => {
    await Promise.all(open.map((client) => client.endAsync(true)));
    await running?.stop();
  });

  /** Connects and resolves on CONNACK; rejects on a refused handshake or CONNACK, or a close before it. */
  function connect(
    credentials: { cert: string; key: string } | undefined,
    clientId: string,
    extra: IClientOptions = {},
  ) {
    return new Promise<MqttClient>((resolve, reject) => {
      const client = mqtt.connect(running.url, {
        ca: ca.chainPem,
        ...(credentials ? { cert: credentials.cert, key: credentials.key } : {}),
        clientId,
        protocolVersion: broker.protocolVersion,
        reconnectPeriod: 0,
        connectTimeout: 5000,
        ...extra,
      });
      open.push(client);
      client.once('connect', () => resolve(client));
      // Kept for the client's whole life: an error after CONNACK must not go unhandled.
      client.on('error', reject);
      client.once('close', () => reject(new Error('connection closed before CONNACK')));
    });
  }

  const connectDevice = (device: Credentials, extra?: IClientOptions) => connect(device, device.id, extra);
  const connectBackend = () => connect(backend, `custos-backend-${randomUUID().slice(0, 8)}`);

  /** Collects what a client receives. */
  function inbox(client: MqttClient) {
    const received: Array<{ topic: string; payload: string }> = [];
    client.on('message', (topic, payload) => received.push({ topic, payload: payload.toString() }));
    return {
      received,
      async waitFor(payload: string) {
        for (let i = 0; i < 250 && !received.some((m) => m.payload === payload); i++) await sleep(20);
        expect(received.map((m) => m.payload)).toContain(payload);
      },
    };
  }

  it('accepts a device certificate and delivers its telemetry to the backend', async () => {
    const ingest = await connectBackend();
    expect(await subscribe(ingest, [broker.telemetryFilter(randomUUID())], 1)).toEqual([1]);
    const messages = inbox(ingest);
    const device = await connectDevice(devices.a);
    await device.publishAsync(`devices/${devices.a.id}/telemetry`, '{"t":21.5}', { qos: 1 });
    await messages.waitFor('{"t":21.5}');
    expect(messages.received[0]?.topic).toBe(`devices/${devices.a.id}/telemetry`);
  });

  /** Expects the connection to be refused, for the given reason. */
  async function expectRefused(attempt: Promise<MqttClient>, reason: keyof BrokerCase['refusals']) {
    const error = await attempt.then(
      () => new Error('connected'),
      (refusal: Error) => refusal,
    );
    expect(broker.refusalReason(error)).toMatch(broker.refusals[reason]);
  }

  it('refuses a connection without a client certificate', async () => {
    await expectRefused(connect(undefined, randomUUID()), 'noCertificate');
  });

  it('refuses a certificate from another CA', async () => {
    await expectRefused(connectDevice(devices.foreign), 'unknownCa');
  });

  it('refuses an expired certificate', async () => {
    await expectRefused(connectDevice(devices.expired), 'expired');
  });

  it('refuses a certificate the CRL lists', async () => {
    await expectRefused(connectDevice(devices.revokedEarly), 'revoked');
  });

  it('never delivers what a device publishes on another device’s topic', async () => {
    const ingest = await connectBackend();
    expect(await subscribe(ingest, [broker.telemetryFilter(randomUUID())], 1)).toEqual([1]);
    const messages = inbox(ingest);
    const spoofer = await connectDevice(devices.a);
    const dropped = closed(spoofer);
    const spoof = spoofer.publishAsync(`devices/${devices.b.id}/telemetry`, 'spoofed', { qos: 1 });
    if (broker.publishRefusal === 'puback-135') {
      await expect(spoof).rejects.toMatchObject({ code: 135 });
    } else {
      // MQTT 3.1.1 has no negative PUBACK: aedes drops the connection, and the publish stays
      // unacknowledged until the client gives up on it.
      spoof.catch(() => undefined);
      await within(dropped, 'the connection to close');
    }
    const honest = await connectDevice(devices.b);
    await honest.publishAsync(`devices/${devices.b.id}/telemetry`, 'marker', { qos: 1 });
    await messages.waitFor('marker');
    expect(messages.received.map((m) => m.payload)).not.toContain('spoofed');
  });

  it('gives a device nothing through #, $SYS/# or another device’s commands', async () => {
    const device = await connectDevice(devices.a);
    const messages = inbox(device);
    const forbidden = ['#', '$SYS/#', `devices/${devices.b.id}/commands`, 'devices/+/commands'];
    expect(await subscribe(device, forbidden, 0)).toEqual(forbidden.map(() => broker.subscribeRefusalCode));
    expect(await subscribe(device, [`devices/${devices.a.id}/commands`], 1)).toEqual([1]);
    const sender = await connectBackend();
    await sender.publishAsync(`devices/${devices.b.id}/commands`, 'not-for-a', { qos: 1 });
    await sender.publishAsync(`devices/${devices.a.id}/commands`, 'for-a', { qos: 1 });
    await messages.waitFor('for-a');
    expect(messages.received.map((m) => m.payload)).not.toContain('not-for-a');
  });

  it('keeps a device to its own identity when its client id names another device', async () => {
    const impostor = connect(devices.a, devices.b.id);
    if (broker.refusesForeignClientId) {
      await expect(impostor).rejects.toMatchObject({ code: 2 }); // CONNACK "identifier rejected"
      return;
    }
    // Mosquitto 2.0 cannot tie the client id to the certificate (see the runbook): it connects,
    // but the ACL still follows the certificate, so it cannot act as the device it names.
    const client = await impostor;
    await expect(
      client.publishAsync(`devices/${devices.b.id}/telemetry`, 'x', { qos: 1 }),
    ).rejects.toMatchObject({
      code: 135,
    });
  });

  it('drops the open session of a revoked device and refuses its reconnection', async () => {
    const bystander = await connectDevice(devices.b);
    const victim = await connectDevice(devices.revokedLater);
    const dropped = closed(victim);
    await running.setRevocationList(await crlListing([devices.revokedLater]));
    await running.disconnect(devices.revokedLater.id);
    await within(dropped, 'the connection to close');
    await expectRefused(connectDevice(devices.revokedLater), 'revoked');
    expect(bystander.connected).toBe(true);
    await expect(connectDevice(devices.a)).resolves.toBeTruthy(); // the new CRL did not lock out the fleet
  });

  it('survives garbage after the TLS handshake and keeps serving', async () => {
    const url = new URL(running.url);
    const socket = tlsConnect({
      host: url.hostname,
      port: Number(url.port),
      ca: ca.chainPem,
      cert: devices.b.cert,
      key: devices.b.key,
    });
    socket.on('error', () => {}); // the broker hangs up on us: that is the point
    const hungUp = new Promise((resolve) => socket.once('close', resolve));
    await once(socket, 'secureConnect');
    // A CONNECT whose remaining length runs past four bytes, then noise.
    socket.write(Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x00, 0x04, 0x4d, 0x51]));
    socket.write(Buffer.alloc(64, 0xee));
    await within(hungUp, 'the broker to hang up');
    await expect(connectDevice(devices.b)).resolves.toBeTruthy();
  });
});

/** The SUBACK return codes (mqtt.js rejects when one is a refusal; the codes are what we check). */
async function subscribe(client: MqttClient, topics: string[], qos: 0 | 1): Promise<number[]> {
  try {
    return (await client.subscribeAsync(topics, { qos })).map((grant) => grant.qos);
  } catch (error) {
    if (error instanceof ErrorWithSubackPacket && error.packet && 'granted' in error.packet) {
      return (error.packet.granted as unknown[]).map(Number);
    }
    throw error;
  }
}

/** Resolves when the client's connection closes (MqttClient is not a Node EventEmitter for `once`). */
function closed(client: MqttClient): Promise<void> {
  return new Promise((resolve) => client.once('close', () => resolve()));
}

/** Fails the test after 5 s instead of letting it hang until the test timeout. */
function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`waited 5 s for ${what}`)), 5000);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
