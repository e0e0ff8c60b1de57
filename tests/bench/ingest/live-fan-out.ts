/**
 * WebSocket fan-out, for `npm run bench:ingest`: how long from a device's publish until each of N
 * dashboard clients (the live channel, /api/v1/live) has the point. Runs as `npm start` does: the
 * embedded broker (aedes, MQTT 3.1.1) and the API in one process, the API ingesting and serving the
 * live channel; the viewers are `ws` clients with a real operator token (the web app's server holds
 * such sockets for its users), all watching the same device, the worst case for fan-out.
 *
 * A child process of the benchmark (forked, driven over IPC), like revocation.ts.
 */
import mqtt from 'mqtt';
import WebSocket from 'ws';
import type { FileCertificateAuthority } from '../../../backend/dist/core/pki/file-certificate-authority.js';
import { fetchPasswordToken } from '../../../backend/dist/dev-idp/identity-provider.js';
import { revived, startEmbeddedPlatform, workOn } from './embedded-platform.ts';
import type { BenchDevice } from './fleet.ts';

export interface FanOutResult {
  viewers: number;
  messages: number;
  /** Publish → a viewer has it, ms, over every delivery (sorted). */
  latencyMs: number[];
  missing: number;
}

export async function measureFanOut(options: {
  ca: FileCertificateAuthority;
  device: BenchDevice;
  viewers: number;
  messages: number;
  ratePerSecond: number;
  appDatabaseUrl: string;
  issuer: string;
  jwksUri: string;
  tokenEndpoint: string;
  pkiDir: string;
  masterKeyFile: string;
}): Promise<FanOutResult> {
  const cleanups: Array<() => Promise<unknown>> = [];
  try {
    const platform = await startEmbeddedPlatform({ ...options, ingest: true });
    cleanups.push(() => platform.close());
    const { broker } = platform;
    const url = `${platform.api.replace(/^http/, 'ws')}/live`;
    const token = await fetchPasswordToken(options.tokenEndpoint, 'operator');

    const latencyMs: number[] = [];
    const sockets: WebSocket[] = [];
    cleanups.push(async () => {
      for (const socket of sockets) socket.terminate();
    });
    for (let i = 0; i < options.viewers; i++) {
      const socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
      sockets.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('open', () => resolve());
        socket.once('error', reject);
      });
      const watching = new Promise<void>((resolve, reject) =>
        socket.on('message', (data) => {
          const message = JSON.parse(data.toString()) as { type: string; measuredAt?: string; code?: string };
          if (message.type === 'watching') resolve();
          else if (message.type === 'error') reject(new Error(`live channel: ${message.code}`));
          else if (message.type === 'telemetry')
            latencyMs.push(Date.now() - Date.parse(message.measuredAt as string));
        }),
      );
      socket.send(JSON.stringify({ type: 'watch', deviceId: options.device.id }));
      await watching;
    }

    const device = await mqtt.connectAsync(broker.url, {
      clientId: options.device.id,
      protocolVersion: 4,
      ca: options.ca.chainPem,
      cert: options.device.chainPem,
      key: options.device.keyPem,
      servername: 'localhost',
      reconnectPeriod: 0,
    });
    cleanups.push(() => device.endAsync(true));
    for (let seq = 0; seq < options.messages; seq++) {
      // The measurement time is the send time: the viewer's latency is its arrival minus this.
      const payload = JSON.stringify({
        seq,
        ts: new Date().toISOString(),
        metrics: { temperature: 4 + (seq % 10) / 10 },
      });
      await device.publishAsync(`devices/${options.device.id}/telemetry`, payload, { qos: 1 });
      await new Promise((resolve) => setTimeout(resolve, 1000 / options.ratePerSecond));
    }
    const expected = options.viewers * options.messages;
    const until = Date.now() + 10_000;
    while (latencyMs.length < expected && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    latencyMs.sort((a, b) => a - b);
    return {
      viewers: options.viewers,
      messages: options.messages,
      latencyMs,
      missing: expected - latencyMs.length,
    };
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}

/** What the benchmark sends: the options, with the CA's directory instead of the CA. */
export interface FanOutCommand extends Omit<Parameters<typeof measureFanOut>[0], 'ca'> {
  type: 'fan-out';
}

workOn<FanOutCommand>('fan-out', 'measured', (command, ca) =>
  measureFanOut({ ...command, ca, device: revived(command.device) }),
);
