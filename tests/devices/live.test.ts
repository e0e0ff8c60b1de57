/**
 * The live channel (WebSocket at /api/v1/live) with simulated devices through a real Mosquitto:
 * a viewer who may read a device gets its telemetry and state as they happen; the same policies as
 * the API decide who watches what, and a patient's points reach only viewers who may see that
 * patient link; malformed messages and bad tokens are refused without harm.
 */
import { randomUUID } from 'node:crypto';
import type { DeviceAgent } from '@custos/firmware';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { BackendMqtt } from '../../backend/src/core/mqtt/backend-mqtt.js';
import { FileCertificateAuthority } from '../../backend/src/core/pki/file-certificate-authority.js';
import { demoPatients } from '../../backend/src/launcher/demo-data.js';
import { onlineAgent, type SimulatedDevice, simulatedDevice } from '../support/devices.js';
import { type MosquittoBroker } from '../support/mosquitto.js';
import { type MqttStack, startMqttStack, until } from '../support/mqtt-stack.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

let stack: MqttStack;
let t: TestApp;
let broker: MosquittoBroker;
let ca: FileCertificateAuthority;
let liveUrl: string;
const sockets: WebSocket[] = [];

beforeAll(async () => {
  stack = await startMqttStack();
  ({ t, broker, ca } = stack);
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const address = t.app.getHttpServer().address() as { port: number };
  liveUrl = `ws://127.0.0.1:${address.port}/api/v1/live`;
}, 60_000);

afterAll(async () => {
  for (const socket of sockets) {
    // A socket the server refused is already done; terminate() would throw on it.
    if (socket.readyState !== WebSocket.CLOSED && socket.readyState !== WebSocket.CONNECTING)
      socket.terminate();
  }
  await stack?.close();
});

interface Viewer {
  socket: WebSocket;
  received: Record<string, unknown>[];
}

async function viewer(as: string, headers: Record<string, string> = {}, url = liveUrl): Promise<Viewer> {
  const socket = new WebSocket(url, {
    headers: { authorization: `Bearer ${await t.tokenFor(as)}`, ...headers },
  });
  sockets.push(socket);
  const received: Record<string, unknown>[] = [];
  socket.on('message', (data) => received.push(JSON.parse(data.toString())));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { socket, received };
}

async function watch(v: Viewer, deviceId: string): Promise<Record<string, unknown> | undefined> {
  v.socket.send(JSON.stringify({ type: 'watch', deviceId }));
  return until(
    () => v.received.find((m) => m.deviceId === deviceId && (m.type === 'watching' || m.type === 'error')),
    'the answer to watch',
  );
}

async function streaming(serial: string): Promise<{ device: SimulatedDevice; agent: DeviceAgent }> {
  const device = await simulatedDevice(t, { serialNumber: `${serial}-${randomUUID().slice(0, 6)}` });
  const agent = await onlineAgent(device, { url: broker.url, ca: ca.chainPem, protocolVersion: 5 });
  stack.agents.push(agent);
  return { device, agent };
}

describe('the live channel', () => {
  it('pushes a device’s telemetry and state to a viewer who may read it, within moments', async () => {
    const { device, agent } = await streaming('LIVE');
    const operator = await viewer('operator');
    expect(await watch(operator, device.id)).toMatchObject({
      type: 'watching',
      model: 'CX-Temp 2',
      units: { temperature: '°C' },
    });
    const sentAt = Date.now();
    await agent.publishTelemetry({ temperature: 6.5, battery: 80 });
    const point = await until(() => operator.received.find((m) => m.type === 'telemetry'), 'the point');
    expect(point).toMatchObject({ deviceId: device.id, metrics: { temperature: 6.5, battery: 80 } });
    expect(Date.now() - sentAt).toBeLessThan(2000);
    await agent.reportState({ firmware: '3.0.0' });
    const state = await until(
      () =>
        operator.received.find((m) => m.type === 'state' && (m.reported as { firmware?: string }).firmware),
      'the state',
    );
    expect(state).toMatchObject({ online: true, reported: { firmware: '3.0.0' } });
  });

  it('does not let a viewer watch a device they may not read', async () => {
    const { device } = await streaming('LIVE-OTHER');
    const outsider = await viewer('operator-globex');
    expect(await watch(outsider, device.id)).toEqual({
      type: 'error',
      code: 'not_found',
      deviceId: device.id,
    });
  });

  it('sends a patient’s points only to viewers who may see that patient link', async () => {
    const { device, agent } = await streaming('LIVE-PATIENT');
    await t.adminPool.query(sql.unsafe`
      UPDATE devices SET patient_id = ${demoPatients.p1.id}, data_category = 'health' WHERE id = ${device.id}`);
    // The device directory caches devices for 5 s; wait until ingest sees the patient link.
    await new Promise((r) => setTimeout(r, 5_100));
    const operator = await viewer('operator');
    const clinician = await viewer('clinician', { 'x-purpose-of-use': 'treatment' });
    expect((await watch(operator, device.id))?.type).toBe('watching');
    expect((await watch(clinician, device.id))?.type).toBe('watching');
    await agent.publishTelemetry({ temperature: 7 });
    await until(() => clinician.received.find((m) => m.type === 'telemetry'), 'the clinician’s point');
    await new Promise((r) => setTimeout(r, 300));
    expect(operator.received.filter((m) => m.type === 'telemetry')).toEqual([]);
  });

  it('answers malformed messages with an error and refuses a connection without a valid token', async () => {
    const operator = await viewer('operator');
    for (const bad of ['not json', '{"type":"watch","deviceId":"nope"}', '{"type":"shout"}']) {
      operator.socket.send(bad);
    }
    await until(
      () => operator.received.filter((m) => m.code === 'invalid_message').length === 3,
      'the errors',
    );
    expect(operator.socket.readyState).toBe(WebSocket.OPEN);
    // Oversized frames end the connection (1009, message too big) before they are parsed.
    const closed = new Promise<number>((resolve) => operator.socket.once('close', (code) => resolve(code)));
    operator.socket.send('x'.repeat(5000));
    expect(await closed).toBe(1009);

    const refused = new WebSocket(liveUrl, { headers: { authorization: 'Bearer not-a-token' } });
    sockets.push(refused);
    const status = await new Promise<number>((resolve) => {
      refused.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      refused.once('open', () => resolve(101));
    });
    expect(status).toBe(401);
  });

  it('reaches viewers on every backend instance, though the instances share the ingest', async () => {
    // A second instance on the same database and broker: the shared subscription gives each
    // instance about half of the ingest copies.
    const second = await createTestApp({
      sameDatabaseAs: t,
      env: {
        MQTT_ENABLED: 'true',
        MQTT_URL: broker.url,
        MQTT_EMBEDDED_BROKER: 'false',
        MQTT_PROTOCOL_VERSION: '5',
        MQTT_CLIENT_ID: `custos-backend-second-${randomUUID().slice(0, 8)}`,
      },
    });
    try {
      await until(() => second.app.get(BackendMqtt).connected, 'the second instance to connect');
      await second.app.listen({ host: '127.0.0.1', port: 0 });
      const address = second.app.getHttpServer().address() as { port: number };
      const { device, agent } = await streaming('LIVE-TWO');
      const onFirst = await viewer('operator');
      const onSecond = await viewer('operator', {}, `ws://127.0.0.1:${address.port}/api/v1/live`);
      expect((await watch(onFirst, device.id))?.type).toBe('watching');
      expect((await watch(onSecond, device.id))?.type).toBe('watching');
      for (let i = 0; i < 10; i++) await agent.publishTelemetry({ temperature: 10 + i });
      for (const v of [onFirst, onSecond]) {
        await until(() => v.received.filter((m) => m.type === 'telemetry').length === 10, 'all ten points');
      }
      // Each point once, on both; the order may differ (the chart sorts by measurement time).
      const seqs = (v: typeof onFirst) =>
        v.received
          .filter((m) => m.type === 'telemetry')
          .map((m) => m.seq as number)
          .sort((x, y) => x - y);
      expect(seqs(onSecond)).toEqual(seqs(onFirst));
      expect(new Set(seqs(onFirst)).size).toBe(10);
    } finally {
      await second.close();
    }
  });
});
