/**
 * The firmware's device agent on Mosquitto 2 with MQTT 5 (the agent's default protocol), under the
 * platform's ACL (tests/support/mosquitto.ts generates it from topic-acl.ts): the platform, connected as
 * `custos-backend` and subscribed to exactly what the ACL grants it, sees the agent's state and telemetry; a
 * command it sends gets its ack; a publish the ACL forbids comes back as a negative PUBACK (135 Not
 * authorized) that the agent reports. Devices are certified from their emulated chip's CSR by the same CA
 * that the broker trusts.
 */
import { DeviceAgent, type DeviceAgentOptions } from '@custos/firmware';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BACKEND_IDENTITY } from '../../backend/src/core/mqtt/topic-acl.js';
import {
  type SimulatedDevice,
  simulatedDevice,
  type TestCa,
  temporaryCa,
} from '../../firmware/src/agent/test-pki.test-helper.js';
import { type MosquittoBroker, startMosquitto } from '../support/mosquitto.js';
import { startTcpProxy } from '../support/tcp-proxy.js';

/** What topic-acl.ts lets the backend subscribe to: every device's state, telemetry and command acks. */
const PLATFORM_SUBSCRIPTIONS = ['devices/+/state', 'devices/+/telemetry', 'devices/+/commands/ack'];

type Received = { topic: string; payload: string; retain: boolean };

/** The platform's side: subscribed to every device's topics, as the ingest is. */
class PlatformObserver {
  readonly received: Received[] = [];
  readonly #waiters = new Set<{
    predicate: (message: Received) => boolean;
    resolve: (m: Received) => void;
  }>();

  constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      const message = { topic, payload: payload.toString('utf8'), retain: packet.retain };
      this.received.push(message);
      for (const waiter of this.#waiters) {
        if (!waiter.predicate(message)) continue;
        this.#waiters.delete(waiter);
        waiter.resolve(message);
      }
    });
  }

  waitFor(predicate: (message: Received) => boolean): Promise<Received> {
    const seen = this.received.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.#waiters.add({ predicate, resolve }));
  }
}

let pki: TestCa;
let broker: MosquittoBroker;
let platform: PlatformObserver;
const agents: DeviceAgent[] = [];

describe('DeviceAgent on Mosquitto (MQTT 5, mutual TLS, the platform ACL)', () => {
  beforeAll(async () => {
    pki = await temporaryCa();
    broker = await startMosquitto({ ca: pki.ca });
    const credentials = await pki.ca.issueTlsCredentials({ commonName: BACKEND_IDENTITY, usage: 'client' });
    const client = await connectAsync(broker.url, {
      protocolVersion: 5,
      clientId: `${BACKEND_IDENTITY}-agent-test-${process.pid}`,
      ca: pki.ca.trustAnchorPem,
      cert: credentials.chainPem,
      key: credentials.privateKeyPem,
      reconnectPeriod: 0,
    });
    platform = new PlatformObserver(client);
    // Retain as published: the platform sees which state messages the broker keeps.
    await client.subscribeAsync(PLATFORM_SUBSCRIPTIONS, { qos: 1, rap: true });
  });

  afterEach(async () => {
    await Promise.all(agents.splice(0).map((agent) => agent.stop()));
  });

  afterAll(async () => {
    await platform?.client.endAsync();
    await broker?.stop();
    await pki?.remove();
  });

  function agentFor(device: SimulatedDevice, options: Partial<DeviceAgentOptions> = {}) {
    const agent = new DeviceAgent({
      deviceId: device.deviceId,
      brokerUrl: broker.url,
      ca: pki.ca.trustAnchorPem,
      certificate: device.certificate,
      key: device.key,
      backoff: { baseMs: 20, maxMs: 200 },
      ...options,
    });
    const errors: Error[] = [];
    agent.on('error', (error) => errors.push(error));
    agents.push(agent);
    return { agent, errors };
  }

  async function online(agent: DeviceAgent): Promise<void> {
    const up = new Promise<void>((resolve) => agent.once('online', resolve));
    agent.start();
    await up;
  }

  it('publishes state and telemetry that the broker acknowledges and the platform receives', async () => {
    const device = await simulatedDevice(pki.ca);
    const { agent, errors } = agentFor(device);
    await online(agent);
    await agent.reportState({ firmware: '1.4.2' });
    await agent.publishTelemetry({ temperature: 4.2 }, new Date('2026-03-01T12:00:00.000Z'));

    const telemetry = await platform.waitFor((m) => m.topic === agent.topics.telemetry);
    expect(JSON.parse(telemetry.payload)).toEqual({
      seq: 1,
      ts: '2026-03-01T12:00:00.000Z',
      metrics: { temperature: 4.2 },
    });
    const state = await platform.waitFor(
      (m) => m.topic === agent.topics.state && JSON.parse(m.payload).reported?.firmware === '1.4.2',
    );
    expect(JSON.parse(state.payload)).toEqual({ online: true, reported: { firmware: '1.4.2' } });
    expect(state.retain).toBe(true);
    expect(agent.counters).toMatchObject({ published: 1, acked: 1, refused: 0 });
    expect(errors).toEqual([]);
  });

  it('delivers a burst far beyond the broker Receive Maximum (20) whole and in order', async () => {
    const device = await simulatedDevice(pki.ca);
    const { agent, errors } = agentFor(device);
    await online(agent);
    await Promise.all(Array.from({ length: 200 }, (_, n) => agent.publishTelemetry({ n })));
    await platform.waitFor((m) => m.topic === agent.topics.telemetry && JSON.parse(m.payload).seq === 200);
    const received = platform.received.filter((m) => m.topic === agent.topics.telemetry);
    expect(received.map((m) => JSON.parse(m.payload).seq)).toEqual(
      Array.from({ length: 200 }, (_, i) => i + 1),
    );
    expect(agent.counters).toMatchObject({ published: 200, acked: 200, reconnects: 0 });
    expect(errors).toEqual([]);
  });

  it('answers a command from the platform with an ack', async () => {
    const device = await simulatedDevice(pki.ca);
    const { agent } = agentFor(device);
    agent.onCommand('setInterval', (params) => ({ intervalSeconds: params.seconds }));
    await online(agent);
    // The subscription is in place once the agent's first QoS 1 message is acknowledged after it.
    await agent.publishTelemetry({ ready: true });

    const command = {
      id: '3c9e1a7b-2d4f-4a6e-8b1c-5d7f9e0a2b4c',
      name: 'setInterval',
      params: { seconds: 15 },
    };
    await platform.client.publishAsync(agent.topics.commands, JSON.stringify(command), { qos: 1 });
    const ack = await platform.waitFor((m) => m.topic === agent.topics.commandAcks);
    expect(JSON.parse(ack.payload)).toEqual({
      id: command.id,
      status: 'acknowledged',
      result: { intervalSeconds: 15 },
    });
  });

  it('has Mosquitto publish the retained last will when the link dies', async () => {
    const device = await simulatedDevice(pki.ca);
    const proxy = await startTcpProxy('127.0.0.1', broker.port);
    const { agent } = agentFor(device, { brokerUrl: `mqtts://localhost:${proxy.port}` });
    await online(agent);
    await platform.waitFor((m) => m.topic === agent.topics.state && JSON.parse(m.payload).online === true);
    const offline = new Promise((resolve) => agent.once('offline', resolve));
    await proxy.cut();
    const will = await platform.waitFor(
      (m) => m.topic === agent.topics.state && m.payload === '{"online":false}',
    );
    expect(will.retain).toBe(true);
    await offline;
  });

  it('reports a publish the ACL forbids as refused, reason code 135, and stays connected', async () => {
    const device = await simulatedDevice(pki.ca);
    // The certificate names the device; the agent claims another id, so its topics are not its own.
    const { agent, errors } = agentFor({ ...device, deviceId: '00000000-0000-4000-8000-000000000000' });
    await online(agent);
    await expect(agent.publishTelemetry({ temperature: 99 })).rejects.toMatchObject({
      name: 'AgentError',
      code: 'refused',
      reasonCode: 135,
    });
    expect(agent.counters).toMatchObject({ refused: 1, acked: 0 });
    expect(agent.status).toBe('online');
    // Mosquitto 2.0.11 grants the commands subscription and applies the read ACL on delivery instead.
    expect(errors).toEqual([]);
  });
});
