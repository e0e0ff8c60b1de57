/**
 * A device online for browser tests: connects to the platform's broker with mutual TLS (its
 * certificate from the platform's CA, client id = its id), reports its state (retained, with a last
 * will saying offline), publishes telemetry, and acknowledges every command it receives, as the
 * device agent does (firmware/src/agent). Plain MQTT.js, so the test needs no emulated chip.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { DeviceCredentials } from './api.ts';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the global setup did not run`);
  return value;
};

export interface ConnectedDevice {
  publishTelemetry(seq: number, measuredAt: Date, metrics: Record<string, number | boolean>): Promise<void>;
  /** Names of the commands received so far (each was acknowledged). */
  received: string[];
  close(): Promise<void>;
}

export async function connectDevice(
  id: string,
  credentials: DeviceCredentials,
  reported: Record<string, unknown>,
): Promise<ConnectedDevice> {
  // The broker's server certificate comes from the same CA the platform publishes.
  const ca = await (await fetch(`${env('CUSTOS_API_URL')}/v1/pki/ca`)).text();
  const client: MqttClient = await mqtt.connectAsync(env('CUSTOS_MQTT_URL'), {
    clientId: id,
    protocolVersion: 4,
    key: credentials.keyPem,
    cert: credentials.chainPem,
    ca,
    servername: 'localhost',
    reconnectPeriod: 0,
    will: { topic: `devices/${id}/state`, payload: Buffer.from('{"online":false}'), qos: 1, retain: true },
  });
  const received: string[] = [];
  client.on('message', (_topic, payload) => {
    const command = JSON.parse(payload.toString('utf8')) as { id: string; name: string };
    received.push(command.name);
    void client.publishAsync(
      `devices/${id}/commands/ack`,
      JSON.stringify({ id: command.id, status: 'acknowledged', result: { ok: true } }),
      { qos: 1 },
    );
  });
  await client.subscribeAsync(`devices/${id}/commands`, { qos: 1 });
  await client.publishAsync(`devices/${id}/state`, JSON.stringify({ online: true, reported }), {
    qos: 1,
    retain: true,
  });
  return {
    received,
    async publishTelemetry(seq, measuredAt, metrics) {
      await client.publishAsync(
        `devices/${id}/telemetry`,
        JSON.stringify({ seq, ts: measuredAt.toISOString(), metrics }),
        { qos: 1 },
      );
    },
    close: () => client.endAsync(),
  };
}
