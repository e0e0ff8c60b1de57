/**
 * Time to revoke, for `npm run bench:ingest`: how long from a tenant administrator's revocation
 * request until the device's open MQTT connection is gone. `serve.js` has no revocation channel to
 * Mosquitto (only EMQX's REST API or the in-process embedded broker), so this runs as `npm start`
 * does: the embedded broker (aedes, MQTT 3.1.1) and the API in one process, the API pushing
 * revocations to the broker through `embeddedBrokerControl`. The request goes over real HTTP with
 * a real token from the development identity provider; the devices are plain MQTT.js clients.
 *
 * A child process of the benchmark (forked, driven over IPC), because NestFactory ends the whole
 * process when the application fails to start.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { FileCertificateAuthority } from '../../../backend/dist/core/pki/file-certificate-authority.js';
import { fetchPasswordToken } from '../../../backend/dist/dev-idp/identity-provider.js';
import { revived, startEmbeddedPlatform, workOn } from './embedded-platform.ts';
import type { BenchDevice } from './fleet.ts';

export interface RevocationResult {
  revocations: number;
  /** Request start → the device's connection closed, ms (sorted). */
  closeMs: number[];
  /** Request start → HTTP response, ms (sorted). */
  responseMs: number[];
  statuses: number[];
  notClosed: number;
  /** A fresh connection with the first revoked certificate was refused. */
  reconnectRefused: boolean;
}

export async function measureRevocation(options: {
  ca: FileCertificateAuthority;
  devices: readonly BenchDevice[];
  appDatabaseUrl: string;
  issuer: string;
  jwksUri: string;
  tokenEndpoint: string;
  pkiDir: string;
  masterKeyFile: string;
}): Promise<RevocationResult> {
  const cleanups: Array<() => Promise<unknown>> = [];
  try {
    // This API instance only revokes; the ingest was measured with serve.js.
    const platform = await startEmbeddedPlatform({ ...options, ingest: false });
    cleanups.push(() => platform.close());
    const { broker, api } = platform;
    const token = await fetchPasswordToken(options.tokenEndpoint, 'tenant-admin');
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

    const dial = (device: BenchDevice): Promise<MqttClient> =>
      mqtt.connectAsync(broker.url, {
        clientId: device.id,
        protocolVersion: 4,
        ca: options.ca.chainPem,
        cert: device.chainPem,
        key: device.keyPem,
        servername: 'localhost',
        reconnectPeriod: 0,
        connectTimeout: 10_000,
      });
    const clients: MqttClient[] = [];
    cleanups.push(() => Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined))));
    for (const device of options.devices) clients.push(await dial(device));

    // Warm-up: token verification (the JWKS fetch), policies and the route, on a read.
    const first = options.devices[0] as BenchDevice;
    await (await fetch(`${api}/devices/${first.id}/certificates`, { headers })).arrayBuffer();

    const result: RevocationResult = {
      revocations: options.devices.length,
      closeMs: [],
      responseMs: [],
      statuses: [],
      notClosed: 0,
      reconnectRefused: false,
    };
    for (const [index, device] of options.devices.entries()) {
      const client = clients[index] as MqttClient;
      const closed = new Promise<number>((resolve) => client.once('close', () => resolve(performance.now())));
      const started = performance.now();
      const response = await fetch(
        `${api}/devices/${device.id}/certificates/${device.certificateSerial}/revoke`,
        {
          method: 'POST',
          headers,
          body: JSON.stringify({ reason: 'keyCompromise' }),
        },
      );
      await response.arrayBuffer();
      result.responseMs.push(performance.now() - started);
      result.statuses.push(response.status);
      const closedAt = await Promise.race([
        closed,
        new Promise<null>((resolve) => setTimeout(() => resolve(null), 10_000)),
      ]);
      if (closedAt === null) result.notClosed++;
      else result.closeMs.push(closedAt - started);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    result.closeMs.sort((a, b) => a - b);
    result.responseMs.sort((a, b) => a - b);
    result.reconnectRefused = !(await admitted(broker.url, options.ca.chainPem, first));
    return result;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}

/** A fresh connection attempt with the device's certificate: true if the broker admits it. */
async function admitted(url: string, trustPem: string, device: BenchDevice): Promise<boolean> {
  const client = mqtt.connect(url, {
    clientId: device.id,
    protocolVersion: 4,
    ca: trustPem,
    cert: device.chainPem,
    key: device.keyPem,
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

/** What the benchmark sends: the options, with the CA's directory instead of the CA. */
export interface RevocationCommand extends Omit<Parameters<typeof measureRevocation>[0], 'ca'> {
  type: 'revoke';
}

workOn<RevocationCommand>('revoke', 'revoked', (command, ca) =>
  measureRevocation({ ...command, ca, devices: command.devices.map(revived) }),
);
