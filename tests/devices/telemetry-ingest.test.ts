/**
 * Telemetry from simulated devices (emulated ATECC608A, certificate issued by the platform) through
 * a real Mosquitto over mutual TLS, MQTT 5, into PostgreSQL. Proves: every acknowledged message is
 * stored exactly once; through a database outage the backend holds (and does not acknowledge)
 * what it received, and stores it once the database is back; refused messages are counted and
 * audited and never stop the stream. The crash case (SIGKILL, restart) is ingest-crash.test.ts.
 */
import { Writable } from 'node:stream';
import type { DeviceAgent } from '@custos/firmware';
import mqtt from 'mqtt';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FileCertificateAuthority } from '../../backend/src/core/pki/file-certificate-authority.js';
import { TelemetryIngest } from '../../backend/src/modules/telemetry/telemetry-ingest.service.js';
import { entriesAfter, lastSeq } from '../support/audit.js';
import { onlineAgent, type SimulatedDevice, simulatedDevice } from '../support/devices.js';
import { type MosquittoBroker } from '../support/mosquitto.js';
import { type MqttStack, startMqttStack, until } from '../support/mqtt-stack.js';
import type { TcpProxy } from '../support/tcp-proxy.js';
import { viaProxy } from '../support/tcp-proxy.js';
import { type TestApp } from '../support/test-app.js';

let stack: MqttStack;
let t: TestApp;
let broker: MosquittoBroker;
let ca: FileCertificateAuthority;
let proxy: TcpProxy;
/** Everything the API logs, to show that no payload reaches the logs. */
const logs: string[] = [];
const logCapture = new Writable({
  write(chunk: Buffer, _encoding, done) {
    logs.push(chunk.toString('utf8'));
    done();
  },
});

beforeAll(async () => {
  stack = await startMqttStack({
    env: { TELEMETRY_BATCH_WAIT_MS: '5' },
    connectThrough: viaProxy((p) => (proxy = p)),
    logDestination: logCapture,
  });
  ({ t, broker, ca } = stack);
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

async function online(device: SimulatedDevice): Promise<DeviceAgent> {
  const agent = await onlineAgent(device, { url: broker.url, ca: ca.chainPem, protocolVersion: 5 });
  stack.agents.push(agent);
  return agent;
}

async function commitFailures(): Promise<number> {
  const text = (await t.request('GET', '/metrics')).text;
  return Number(/^custos_telemetry_commit_failures_total (\d+)/m.exec(text)?.[1] ?? 0);
}

const stored = (deviceId: string) =>
  t.adminPool.any(sql.type(z.object({ seq: z.coerce.number(), metrics: z.record(z.string(), z.unknown()) }))`
    SELECT seq, metrics FROM telemetry WHERE device_id = ${deviceId} ORDER BY seq`);

describe('telemetry ingest over mTLS through Mosquitto', () => {
  it('stores every acknowledged message exactly once', async () => {
    const device = await simulatedDevice(t, { serialNumber: 'ING-0001' });
    const agent = await online(device);
    const acks = [];
    for (let i = 0; i < 300; i++)
      acks.push(agent.publishTelemetry({ temperature: 2 + (i % 50) / 10, battery: 90 }));
    await Promise.all(acks);
    const rows = await stored(device.id);
    expect(rows).toHaveLength(300);
    expect(new Set(rows.map((r) => r.seq)).size).toBe(300);
    expect(rows[0]?.metrics).toEqual({ temperature: 2, battery: 90 });
  });

  it('keeps what the broker acknowledged through a database outage and stores it once it is back', async () => {
    const device = await simulatedDevice(t, { serialNumber: 'ING-0002' });
    const agent = await online(device);
    const failuresBefore = await commitFailures();
    await proxy.cut();
    try {
      // The broker acknowledges each publish to the device; the backend must not acknowledge them
      // to the broker until they are committed, so they wait in its session.
      await Promise.all(Array.from({ length: 20 }, (_, i) => agent.publishTelemetry({ temperature: i })));
      await until(async () => (await commitFailures()) > failuresBefore, 'a failed commit');
      await until(() => t.app.get(TelemetryIngest).pendingMessages() === 20, 'all 20 held, unacknowledged');
    } finally {
      await proxy.restore();
    }
    await until(async () => (await stored(device.id)).length === 20, 'the 20 rows after the outage');
    await until(() => t.app.get(TelemetryIngest).pendingMessages() === 0, 'nothing left pending');
  });

  it('refuses, counts and audits malformed and unauthorised telemetry without stopping the stream', async () => {
    const device = await simulatedDevice(t, { serialNumber: 'ING-0003' });
    const unclaimed = await simulatedDevice(t, { serialNumber: 'ING-0004', state: 'provisioned' });
    const before = await lastSeq(t);
    const raw = await mqtt.connectAsync(broker.url, {
      clientId: device.id,
      protocolVersion: 5,
      ca: ca.chainPem,
      cert: device.certificate,
      key: device.tlsKey.export({ format: 'pem', type: 'pkcs8' }) as string,
      reconnectPeriod: 0,
    });
    const topic = `devices/${device.id}/telemetry`;
    try {
      for (const payload of [
        '{"seq": 1, "note": "Jane Roe, SpO2 81"',
        '[]',
        JSON.stringify({ seq: 1, ts: new Date().toISOString(), metrics: { temperature: 987.654 } }),
      ]) {
        await raw.publishAsync(topic, payload, { qos: 1 });
      }
      await raw.publishAsync(
        topic,
        JSON.stringify({ seq: 2, ts: new Date().toISOString(), metrics: { temperature: 5 } }),
        { qos: 1 },
      );
    } finally {
      await raw.endAsync();
    }
    const agent = await online(unclaimed);
    await agent.publishTelemetry({ temperature: 3 });

    expect((await stored(device.id)).map((r) => r.seq)).toEqual([2]);
    expect(await stored(unclaimed.id)).toEqual([]);
    const events = (await entriesAfter(t, before)).filter((e) => e.type === 'device.telemetry_rejected');
    expect(
      events
        .map((e) => [e.resource.id, e.actor.kind, e.outcome, (e.payload as { reason: string }).reason])
        .sort(),
    ).toEqual(
      [
        [device.id, 'device', 'denied', 'invalid_envelope'],
        [device.id, 'device', 'denied', 'invalid_metrics'],
        [device.id, 'device', 'denied', 'malformed_json'],
        [unclaimed.id, 'device', 'denied', 'device_not_active'],
      ].sort(),
    );
    // Payloads are personal or health data: nothing of them reaches the logs.
    expect(logs.join('')).not.toContain('Jane Roe');
    expect(logs.join('')).not.toContain('987.654');
    const metrics = await t.request('GET', '/metrics');
    expect(metrics.text).toMatch(/custos_telemetry_rejected_total\{reason="malformed_json"\} [1-9]/);
    expect(metrics.text).toMatch(/custos_mqtt_connected 1/);
  });
});
