/**
 * A test API connected over mutual TLS to its own Mosquitto (MQTT 5, shared subscriptions), as a
 * backend instance is in production, with the device CA of the test run. For the device tests.
 */
import { randomUUID } from 'node:crypto';
import type { DeviceAgent } from '@custos/firmware';
import type { DestinationStream } from 'pino';
import { inject } from 'vitest';
import { BackendMqtt } from '../../backend/src/core/mqtt/backend-mqtt.js';
import { FileCertificateAuthority } from '../../backend/src/core/pki/file-certificate-authority.js';
import { type MosquittoBroker, startMosquitto } from './mosquitto.js';
import { createTestApp, type TestApp } from './test-app.js';

export interface MqttStack {
  t: TestApp;
  broker: MosquittoBroker;
  ca: FileCertificateAuthority;
  /** Agents the test starts; stopped by `close`. */
  agents: DeviceAgent[];
  close(): Promise<void>;
}

export async function startMqttStack(
  options: {
    env?: Record<string, string>;
    connectThrough?: (databaseUrl: string) => Promise<string>;
    logDestination?: DestinationStream;
  } = {},
): Promise<MqttStack> {
  const ca = await FileCertificateAuthority.open(inject('testEnv').pkiDir);
  const broker = await startMosquitto({ ca });
  const t = await createTestApp({
    env: {
      MQTT_ENABLED: 'true',
      MQTT_URL: broker.url,
      MQTT_EMBEDDED_BROKER: 'false',
      MQTT_PROTOCOL_VERSION: '5',
      MQTT_CLIENT_ID: `custos-backend-test-${randomUUID().slice(0, 8)}`,
      ...options.env,
    },
    ...(options.connectThrough ? { connectThrough: options.connectThrough } : {}),
    ...(options.logDestination ? { logDestination: options.logDestination } : {}),
  });
  await until(() => t.app.get(BackendMqtt).connected, 'the backend to connect to the broker');
  const agents: DeviceAgent[] = [];
  return {
    t,
    broker,
    ca,
    agents,
    async close() {
      for (const agent of agents) await agent.stop().catch(() => undefined);
      await t.close();
      await broker.stop();
    },
  };
}

/** Polls until `check` gives something truthy, which it returns; fails naming what it waited for. */
export async function until<T>(check: () => T | Promise<T>, what: string, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
