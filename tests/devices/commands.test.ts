/**
 * Commands and device state through a real Mosquitto (MQTT 5, mutual TLS) with simulated devices:
 * an operator's command reaches the device's agent, its answer completes the command, silence times
 * it out; the retained state and the last will tell the platform when a device comes and goes; all
 * of it audited. Forged and malformed device messages are counted and change nothing.
 */
import { randomUUID } from 'node:crypto';
import type { DeviceAgent } from '@custos/firmware';
import fc from 'fast-check';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackendMqtt } from '../../backend/src/core/mqtt/backend-mqtt.js';
import { FileCertificateAuthority } from '../../backend/src/core/pki/file-certificate-authority.js';
import { entriesAfter, lastSeq } from '../support/audit.js';
import { onlineAgent, type SimulatedDevice, simulatedDevice } from '../support/devices.js';
import { type MosquittoBroker } from '../support/mosquitto.js';
import { type MqttStack, startMqttStack, until } from '../support/mqtt-stack.js';
import { type TestApp } from '../support/test-app.js';

let stack: MqttStack;
let t: TestApp;
let broker: MosquittoBroker;
let ca: FileCertificateAuthority;

beforeAll(async () => {
  stack = await startMqttStack();
  ({ t, broker, ca } = stack);
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

async function device(serial: string): Promise<{ device: SimulatedDevice; agent: DeviceAgent }> {
  const simulated = await simulatedDevice(t, { serialNumber: `${serial}-${randomUUID().slice(0, 6)}` });
  const agent = await onlineAgent(simulated, { url: broker.url, ca: ca.chainPem, protocolVersion: 5 });
  stack.agents.push(agent);
  return { device: simulated, agent };
}

const send = (deviceId: string, body: object, as = 'operator') =>
  t.request('POST', `/api/v1/devices/${deviceId}/commands`, { as, body });

const commandOf = async (deviceId: string, commandId: string) =>
  (await t.request('GET', `/api/v1/devices/${deviceId}/commands/${commandId}`, { as: 'operator' })).body;

describe('device commands', () => {
  it('delivers a command, runs it on the device and records its answer', async () => {
    const { device: d, agent } = await device('CMD-OK');
    agent.onCommand('set-interval', (params) => ({ intervalSeconds: params.seconds }));
    const before = await lastSeq(t);
    const res = await send(d.id, { name: 'set-interval', params: { seconds: 30 } });
    expect(res.status).toBe(201);
    expect(['queued', 'delivered']).toContain(res.body.status);
    const done = await until(async () => {
      const command = await commandOf(d.id, res.body.id);
      return command.status === 'acknowledged' ? command : null;
    }, 'the acknowledgement');
    expect(done).toMatchObject({
      result: { intervalSeconds: 30 },
      error: null,
      requestedBy: expect.any(String),
    });
    expect(done.deliveredAt).not.toBeNull();

    const events = (await entriesAfter(t, before)).filter((e) => e.type.startsWith('device.command'));
    expect(events.map((e) => [e.type, e.actor.kind, e.payload])).toEqual([
      ['device.command_requested', 'user', { commandId: res.body.id, name: 'set-interval' }],
      [
        'device.command_completed',
        'device',
        { commandId: res.body.id, name: 'set-interval', status: 'acknowledged' },
      ],
    ]);
  });

  it('records a command the device does not know as failed, with its reason', async () => {
    const { device: d } = await device('CMD-UNKNOWN');
    const res = await send(d.id, { name: 'self-destruct' });
    const done = await until(async () => {
      const command = await commandOf(d.id, res.body.id);
      return command.status === 'failed' ? command : null;
    }, 'the refusal');
    expect(done.error).toBe('unknown_command');
  });

  it('times out a command nobody answers', async () => {
    const { device: d, agent } = await device('CMD-SILENT');
    await agent.stop();
    const before = await lastSeq(t);
    const res = await send(d.id, { name: 'reboot', timeoutSeconds: 5 });
    expect(res.status).toBe(201);
    const done = await until(
      async () => {
        const command = await commandOf(d.id, res.body.id);
        return command.status === 'timed_out' ? command : null;
      },
      'the timeout',
      15_000,
    );
    expect(done.completedAt).not.toBeNull();
    const events = (await entriesAfter(t, before)).filter((e) => e.type === 'device.command_completed');
    expect(events.map((e) => [e.actor.kind, e.outcome, e.payload])).toEqual([
      ['system', 'failed', { commandId: res.body.id, name: 'reboot', status: 'timed_out' }],
    ]);
  });

  it('sets the desired state and sends it to the device', async () => {
    const { device: d, agent } = await device('CMD-DESIRED');
    const received: unknown[] = [];
    agent.onCommand('set-desired-state', (params) => {
      received.push(params);
      return {};
    });
    const res = await t.request('PUT', `/api/v1/devices/${d.id}/state/desired`, {
      as: 'operator',
      body: { desired: { reportingIntervalSeconds: 60 } },
    });
    expect(res.status).toBe(201);
    await until(() => received.length === 1, 'the desired state on the device');
    expect(received).toEqual([{ reportingIntervalSeconds: 60 }]);
    const state = await t.request('GET', `/api/v1/devices/${d.id}/state`, { as: 'operator' });
    expect(state.body.desired).toEqual({ reportingIntervalSeconds: 60 });
  });

  it('refuses commands to devices that are not active, or not the caller’s', async () => {
    const { device: d } = await device('CMD-REFUSE');
    expect((await send(d.id, { name: 'reboot' }, 'operator-globex')).status).toBe(404);
    expect([403, 404]).toContain((await send(d.id, { name: 'reboot' }, 'clinician')).status);
    expect((await send(d.id, { name: 'Reboot!' })).status).toBe(400);
    expect((await t.request('POST', `/api/v1/devices/${d.id}/suspend`, { as: 'operator' })).status).toBe(200);
    const refused = await send(d.id, { name: 'reboot' });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('invalid_state_transition');
  });

  it('ignores an acknowledgement a device sends for another device’s command, and malformed ones', async () => {
    const { device: target, agent: targetAgent } = await device('CMD-TARGET');
    // Offline: the broker holds the command for it, so it stays delivered and unanswered.
    await targetAgent.stop();
    const { device: forger, agent: forgerAgent } = await device('CMD-FORGER');
    await forgerAgent.stop();
    const res = await send(target.id, { name: 'no-handler-yet', timeoutSeconds: 600 });
    await until(async () => (await commandOf(target.id, res.body.id)).status !== 'queued', 'the delivery');

    const raw = await mqtt.connectAsync(broker.url, {
      clientId: forger.id,
      protocolVersion: 5,
      ca: ca.chainPem,
      cert: forger.certificate,
      key: forger.tlsKey.export({ format: 'pem', type: 'pkcs8' }) as string,
      reconnectPeriod: 0,
    });
    try {
      // The forger may publish only on its own topics; it names the target's command there.
      await raw.publishAsync(
        `devices/${forger.id}/commands/ack`,
        JSON.stringify({ id: res.body.id, status: 'acknowledged' }),
        { qos: 1 },
      );
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.string(),
            fc.jsonValue().map((v) => JSON.stringify(v)),
          ),
          async (payload) => {
            await raw.publishAsync(`devices/${forger.id}/commands/ack`, payload, { qos: 1 });
            await raw.publishAsync(`devices/${forger.id}/state`, payload, { qos: 1 });
          },
        ),
        { numRuns: 40 },
      );
    } finally {
      await raw.endAsync();
    }
    const metrics = await until(async () => {
      const text = (await t.request('GET', '/metrics')).text;
      return /custos_device_messages_ignored_total\{channel="ack",reason="no_open_command"\} [1-9]/.test(
        text,
      ) && /custos_device_messages_ignored_total\{channel="state",reason="malformed"\} [1-9]/.test(text)
        ? text
        : null;
    }, 'the ignored messages to be counted');
    expect(metrics).toBeTruthy();
    expect((await commandOf(target.id, res.body.id)).status).toBe('delivered');
    expect(t.app.get(BackendMqtt).connected).toBe(true);
  });
});

describe('device state', () => {
  it('follows the device online and offline (retained state, last will) and audits both', async () => {
    const before = await lastSeq(t);
    const { device: d, agent } = await device('STATE');
    await until(
      async () => (await t.request('GET', `/api/v1/devices/${d.id}/state`, { as: 'operator' })).body.online,
      'online',
    );
    await agent.reportState({ firmware: '2.1.0' });
    await until(
      async () =>
        (await t.request('GET', `/api/v1/devices/${d.id}/state`, { as: 'operator' })).body.reported
          .firmware === '2.1.0',
      'the reported state',
    );
    await agent.stop();
    const state = await until(async () => {
      const body = (await t.request('GET', `/api/v1/devices/${d.id}/state`, { as: 'operator' })).body;
      return body.online === false ? body : null;
    }, 'offline');
    expect(state.offlineSince).not.toBeNull();
    const events = (await entriesAfter(t, before)).filter(
      (e) => (e.type === 'device.connected' || e.type === 'device.disconnected') && e.resource.id === d.id,
    );
    expect(events.map((e) => [e.type, e.actor.kind, e.actor.id])).toEqual([
      ['device.connected', 'device', d.id],
      ['device.disconnected', 'device', d.id],
    ]);
  });
});
