/**
 * The device agent against a real broker: aedes (MQTT 3.1.1) behind mutual TLS, with devices whose
 * certificates were issued from the CSR their emulated ATECC608A signed. Telemetry and state, the offline
 * queue across a broker restart, the last will, commands and their acks, certificate rotation, a clean stop,
 * and brokers that refuse the device.
 */

import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DeviceAgent, type DeviceAgentOptions } from './device-agent.js';
import { AedesTestBroker, type ObservedPublish } from './test-broker.test-helper.js';
import { type SimulatedDevice, simulatedDevice, type TestCa, temporaryCa } from './test-pki.test-helper.js';

let pki: TestCa;
/** A CA that neither the broker nor the devices trust. */
let foreign: TestCa;
let broker: AedesTestBroker;
const agents: DeviceAgent[] = [];

beforeAll(async () => {
  [pki, foreign] = await Promise.all([temporaryCa(), temporaryCa()]);
  broker = await AedesTestBroker.start(pki.ca);
});

afterEach(async () => {
  await Promise.all(agents.splice(0).map((agent) => agent.stop()));
});

afterAll(async () => {
  await broker?.stop();
  await Promise.all([pki?.remove(), foreign?.remove()]);
});

function agentFor(device: SimulatedDevice, options: Partial<DeviceAgentOptions> = {}) {
  const agent = new DeviceAgent({
    deviceId: device.deviceId,
    brokerUrl: broker.url,
    ca: pki.ca.trustAnchorPem,
    certificate: device.certificate,
    key: device.key,
    protocolVersion: 4,
    backoff: { baseMs: 20, maxMs: 200 },
    ...options,
  });
  const errors: Error[] = [];
  agent.on('error', (error) => errors.push(error));
  agents.push(agent);
  return { agent, errors };
}

async function online(device: SimulatedDevice, options: Partial<DeviceAgentOptions> = {}) {
  const started = agentFor(device, options);
  started.agent.start();
  await nextOnline(started.agent);
  await broker.waitForCommandSubscription(device.deviceId);
  return started;
}

/**
 * The next `online` / `offline` event; `events.once` would reject on the `error` events that come with them.
 */
const nextOnline = (agent: DeviceAgent) => new Promise<void>((resolve) => agent.once('online', resolve));
const nextOffline = (agent: DeviceAgent) =>
  new Promise<{ retryInMs: number; error: Error }>((resolve) => agent.once('offline', resolve));

const json = (publish: ObservedPublish) => JSON.parse(publish.payload);
const on = (topic: string) => (publish: ObservedPublish) => publish.topic === topic;

describe('DeviceAgent on aedes (MQTT 3.1.1, mutual TLS)', () => {
  it('connects as its chip-backed certificate, reports state, and publishes telemetry the broker acknowledges', async () => {
    const device = await simulatedDevice(pki.ca);
    const { agent, errors } = await online(device);
    const connection = broker.connections.findLast((c) => c.clientId === device.deviceId);
    expect(connection?.commonName).toBe(device.deviceId);
    expect(connection?.fingerprint256).toBe(new X509Certificate(device.certificate).fingerprint256);

    const state = await broker.waitFor(on(agent.topics.state));
    expect(json(state)).toEqual({ online: true, reported: {} });
    expect(state).toMatchObject({ retain: true, qos: 1, clientId: device.deviceId });

    const measuredAt = new Date('2026-03-01T12:00:00.123Z');
    await agent.publishTelemetry({ temperature: 4.2, door: 'closed', alarm: false }, measuredAt);
    await agent.publishTelemetry({ temperature: 4.3 });
    // aedes may emit its `publish` event after the PUBACK has gone out.
    await broker.waitFor((p) => on(agent.topics.telemetry)(p) && json(p).seq === 2);
    const telemetry = broker.published.filter(on(agent.topics.telemetry));
    expect(telemetry.map(json)).toEqual([
      { seq: 1, ts: '2026-03-01T12:00:00.123Z', metrics: { temperature: 4.2, door: 'closed', alarm: false } },
      {
        seq: 2,
        ts: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        metrics: { temperature: 4.3 },
      },
    ]);
    expect(telemetry.every((publish) => publish.qos === 1 && !publish.retain)).toBe(true);

    await agent.reportState({ firmware: '1.4.2', intervalSeconds: 60 });
    const reported = await broker.waitFor((p) => on(agent.topics.state)(p) && json(p).reported.firmware);
    expect(json(reported)).toEqual({ online: true, reported: { firmware: '1.4.2', intervalSeconds: 60 } });
    expect(agent.counters).toMatchObject({ published: 2, acked: 2, dropped: 0, reconnects: 0 });
    expect(agent.status).toBe('online');
    expect(errors).toEqual([]);
  });

  it('queues telemetry while the broker is down and sends it in order after the restart, dropping the oldest', async () => {
    const device = await simulatedDevice(pki.ca);
    const { agent } = await online(device, { queueLimit: 4 });
    await agent.publishTelemetry({ n: 1 });

    const offline = nextOffline(agent);
    await broker.stop();
    await offline;
    const pending = [2, 3, 4, 5, 6, 7].map((n) => agent.publishTelemetry({ n }));
    expect(agent.status).not.toBe('online');
    const mark = broker.published.length;
    const back = nextOnline(agent);
    await broker.start();
    await back;

    const results = await Promise.allSettled(pending);
    expect(results.map((result) => result.status)).toEqual([
      'rejected',
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
    expect(results[0]).toMatchObject({ reason: { code: 'dropped' } });
    await broker.waitFor((p) => on(agent.topics.telemetry)(p) && json(p).seq === 7, mark);
    const resent = broker.published.slice(mark).filter(on(agent.topics.telemetry));
    expect(resent.map((publish) => json(publish).seq)).toEqual([4, 5, 6, 7]);
    expect(agent.counters).toMatchObject({ dropped: 2, reconnects: 1 });
  });

  it('has the broker publish its last will (retained {"online":false}) when the connection dies, then comes back', async () => {
    const device = await simulatedDevice(pki.ca);
    const { agent } = await online(device);
    const mark = broker.published.length;
    const back = nextOnline(agent);

    broker.dropConnection(device.deviceId);
    const will = await broker.waitFor(
      (p) => on(agent.topics.state)(p) && p.payload === '{"online":false}',
      mark,
    );
    expect(will).toMatchObject({ retain: true, qos: 1, clientId: device.deviceId });

    await back;
    const afterWill = broker.published.indexOf(will) + 1;
    const again = await broker.waitFor(
      (p) => on(agent.topics.state)(p) && json(p).online === true,
      afterWill,
    );
    expect(json(again)).toEqual({ online: true, reported: {} });
    expect(agent.counters.reconnects).toBe(1);
  });

  it('runs a command and acknowledges it; rejects unknown and expired commands', async () => {
    const device = await simulatedDevice(pki.ca);
    const { agent } = agentFor(device);
    const setInterval = vi.fn((params: Record<string, unknown>) => ({ intervalSeconds: params.seconds }));
    agent.onCommand('setInterval', setInterval);
    agent.start();
    await nextOnline(agent);
    await broker.waitForCommandSubscription(device.deviceId);

    const ackOf = (id: string) => broker.waitFor((p) => on(agent.topics.commandAcks)(p) && json(p).id === id);
    await broker.sendCommand(device.deviceId, { id: 'c1', name: 'setInterval', params: { seconds: 30 } });
    const ack = await ackOf('c1');
    expect(json(ack)).toEqual({ id: 'c1', status: 'acknowledged', result: { intervalSeconds: 30 } });
    expect(ack).toMatchObject({ qos: 1, retain: false, clientId: device.deviceId });

    await broker.sendCommand(device.deviceId, { id: 'c2', name: 'selfDestruct', params: {} });
    expect(json(await ackOf('c2'))).toEqual({ id: 'c2', status: 'rejected', error: 'unknown_command' });
    const expiresAt = new Date(Date.now() - 1000).toISOString();
    await broker.sendCommand(device.deviceId, { id: 'c3', name: 'setInterval', params: {}, expiresAt });
    expect(json(await ackOf('c3'))).toEqual({ id: 'c3', status: 'rejected', error: 'expired' });
    expect(setInterval).toHaveBeenCalledTimes(1);
  });

  it('answers a redelivered command id with the same ack without running it again', async () => {
    const device = await simulatedDevice(pki.ca);
    const { agent } = agentFor(device);
    let runs = 0;
    agent.onCommand('reboot', () => ({ run: ++runs }));
    agent.start();
    await nextOnline(agent);
    await broker.waitForCommandSubscription(device.deviceId);

    const command = { id: '7d3f9a0e-1c2b-4e5f-8a6b-0c9d8e7f6a5b', name: 'reboot', params: {} };
    const isAck = (p: ObservedPublish) => on(agent.topics.commandAcks)(p) && json(p).id === command.id;
    await broker.sendCommand(device.deviceId, command);
    const first = await broker.waitFor(isAck);
    await broker.sendCommand(device.deviceId, command);
    const second = await broker.waitFor(isAck, broker.published.indexOf(first) + 1);
    expect(json(second)).toEqual(json(first));
    expect(json(first)).toEqual({ id: command.id, status: 'acknowledged', result: { run: 1 } });
    expect(runs).toBe(1);
  });

  it('ignores and counts a malformed command, and keeps serving commands', async () => {
    const device = await simulatedDevice(pki.ca);
    const { agent, errors } = agentFor(device);
    agent.onCommand('ping', () => 'pong');
    agent.start();
    await nextOnline(agent);
    await broker.waitForCommandSubscription(device.deviceId);

    const malformed = once(agent, 'malformedCommand');
    await broker.sendCommand(device.deviceId, '{"id": "broken", "name": ');
    expect(await malformed).toEqual(['not JSON']);
    await broker.sendCommand(device.deviceId, { id: 'p1', name: 'ping' });
    await broker.waitFor((p) => on(agent.topics.commandAcks)(p) && json(p).id === 'p1');
    expect(broker.published.filter(on(agent.topics.commandAcks)).map(json)).toEqual([
      { id: 'p1', status: 'acknowledged', result: 'pong' },
    ]);
    expect(agent.counters.malformedCommands).toBe(1);
    expect(errors).toEqual([]);
  });

  it('rotates to a new key and certificate: reconnects with them, without a last will', async () => {
    const device = await simulatedDevice(pki.ca);
    const { agent } = await online(device);
    const mark = broker.published.length;

    const rotated = await device.rotate(1);
    await agent.rotateCredentials(rotated);
    expect(agent.status).toBe('online');
    // Once a PUBACK is back, the broker has finished with the new connection's CONNECT.
    await agent.publishTelemetry({ rotated: true });
    await broker.waitFor((p) => on(agent.topics.telemetry)(p) && json(p).metrics.rotated, mark);
    const connection = broker.connections.findLast((c) => c.clientId === device.deviceId);
    expect(connection?.fingerprint256).toBe(new X509Certificate(rotated.certificate).fingerprint256);
    expect(connection?.fingerprint256).not.toBe(new X509Certificate(device.certificate).fingerprint256);

    const since = broker.published.slice(mark).filter((p) => p.clientId === device.deviceId);
    expect(since.filter((p) => p.payload === '{"online":false}')).toEqual([]);
    expect(since.filter(on(agent.topics.telemetry)).map(json)).toMatchObject([
      { metrics: { rotated: true } },
    ]);
  });

  it('stops cleanly: publishes {"online":false} itself, disconnects, and refuses further work', async () => {
    const device = await simulatedDevice(pki.ca);
    const { agent } = await online(device);
    const mark = broker.published.length;
    await agent.stop();
    expect(agent.status).toBe('stopped');
    await broker.waitFor((p) => on(agent.topics.state)(p) && p.payload === '{"online":false}', mark);
    const offline = broker.published.slice(mark).filter(on(agent.topics.state));
    expect(offline).toMatchObject([{ payload: '{"online":false}', retain: true }]);
    await expect(agent.publishTelemetry({ n: 1 })).rejects.toMatchObject({ code: 'stopped' });
    await expect(agent.reportState({})).rejects.toMatchObject({ code: 'stopped' });
  });

  it('survives a broker that refuses it: a client id that is not its certificate CN', async () => {
    const device = await simulatedDevice(pki.ca);
    const impostor = { ...device, deviceId: '00000000-0000-4000-8000-000000000000' };
    const { agent, errors } = agentFor(impostor);
    agent.start();
    const { error } = await nextOffline(agent);
    expect(error.message).toMatch(/not authorized/i);
    expect(errors.length).toBeGreaterThan(0);
    expect(['offline', 'connecting']).toContain(agent.status);
  });

  it('retries, without throwing, when TLS cannot load its key (an OpenSSL engine that is not there)', async () => {
    const device = await simulatedDevice(pki.ca);
    const key = { kind: 'engine', engine: 'custos-no-such-engine', keyId: '0' } as const;
    const { agent, errors } = agentFor(device, { key });
    const first = nextOffline(agent);
    expect(() => agent.start()).not.toThrow();
    expect((await first).error.message).toMatch(/could not load/i);
    await nextOffline(agent);
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(agent.counters.reconnects).toBe(0);
  });

  it('refuses a broker whose certificate does not chain to its trust anchors', async () => {
    const device = await simulatedDevice(pki.ca);
    const { agent } = agentFor(device, { ca: foreign.ca.trustAnchorPem });
    agent.start();
    const { error } = await nextOffline(agent);
    expect(error.message).toMatch(/certificate/i);
    expect(broker.connections.some((c) => c.clientId === device.deviceId)).toBe(false);
  });
});
