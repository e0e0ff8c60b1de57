import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BACKEND_IDENTITY,
  clientIdAllowed,
  isDeviceIdentity,
  type MqttAction,
  mqttAccess,
} from './topic-acl.js';

const A = '5f0c5a52-5f7e-4a36-9b8a-2c1f3c9d0e11';
const B = '0b6f8c1e-2d3a-4b5c-8d9e-0f1a2b3c4d5e';

describe('mqttAccess (table)', () => {
  const cases: Array<[identity: string, action: MqttAction, topic: string, allowed: boolean]> = [
    [A, 'publish', `devices/${A}/telemetry`, true],
    [A, 'publish', `devices/${A}/state`, true],
    [A, 'publish', `devices/${A}/commands/ack`, true],
    [A, 'subscribe', `devices/${A}/commands`, true],
    [A, 'publish', `devices/${A}/commands`, false],
    [A, 'subscribe', `devices/${A}/telemetry`, false],
    [A, 'subscribe', `devices/${A}/commands/ack`, false],
    [A, 'publish', `devices/${B}/telemetry`, false],
    [A, 'subscribe', `devices/${B}/commands`, false],
    [A, 'subscribe', 'devices/+/commands', false],
    [A, 'subscribe', `devices/${A}/+`, false],
    [A, 'subscribe', `devices/${A}/#`, false],
    [A, 'subscribe', '#', false],
    [A, 'subscribe', '$SYS/#', false],
    [A, 'subscribe', `$share/g/devices/${A}/commands`, false],
    [A, 'publish', `devices/${A}/telemetry/`, false],
    [A, 'publish', `devices//telemetry`, false],
    [A, 'publish', `/devices/${A}/telemetry`, false],
    [A, 'publish', `devices/${A}/telemetry\u0000`, false],
    [A, 'publish', `devices/${A.toUpperCase()}/telemetry`, false],
    [A.toUpperCase(), 'publish', `devices/${A.toUpperCase()}/telemetry`, false],
    [BACKEND_IDENTITY, 'subscribe', 'devices/+/telemetry', true],
    [BACKEND_IDENTITY, 'subscribe', 'devices/+/state', true],
    [BACKEND_IDENTITY, 'subscribe', 'devices/+/commands/ack', true],
    [BACKEND_IDENTITY, 'subscribe', `devices/${A}/telemetry`, true],
    [BACKEND_IDENTITY, 'subscribe', '$share/custos/devices/+/telemetry', true],
    [BACKEND_IDENTITY, 'subscribe', '$share/custos-ingest/devices/+/commands/ack', true],
    [BACKEND_IDENTITY, 'subscribe', '$share//devices/+/telemetry', false],
    [BACKEND_IDENTITY, 'subscribe', '$share/+/devices/+/telemetry', false],
    [BACKEND_IDENTITY, 'subscribe', '$share/custos', false],
    [BACKEND_IDENTITY, 'subscribe', '$share/custos/#', false],
    [BACKEND_IDENTITY, 'subscribe', 'devices/+/commands', false],
    [BACKEND_IDENTITY, 'subscribe', 'devices/#', false],
    [BACKEND_IDENTITY, 'subscribe', 'devices/+/+', false],
    [BACKEND_IDENTITY, 'subscribe', '#', false],
    [BACKEND_IDENTITY, 'subscribe', '$SYS/#', false],
    [BACKEND_IDENTITY, 'publish', `devices/${A}/commands`, true],
    [BACKEND_IDENTITY, 'publish', 'devices/+/commands', false],
    [BACKEND_IDENTITY, 'publish', 'devices/not-a-uuid/commands', false],
    [BACKEND_IDENTITY, 'publish', `devices/${A}/telemetry`, false],
    [BACKEND_IDENTITY, 'publish', `devices/${BACKEND_IDENTITY}/telemetry`, false],
    ['custos-backend-1', 'subscribe', 'devices/+/telemetry', false],
    ['', 'publish', `devices/${A}/telemetry`, false],
    ['localhost', 'subscribe', '#', false],
  ];
  it.each(cases)('%s %s %s → %s', (identity, action, topic, allowed) => {
    expect(mqttAccess(identity, action, topic)).toBe(allowed);
  });
});

describe('clientIdAllowed', () => {
  it.each([
    [A, A, true],
    [A, B, false],
    [A, '', false],
    [A, `${A} `, false],
    [BACKEND_IDENTITY, 'custos-backend-7f3a', true],
    [BACKEND_IDENTITY, 'custos-backend-api-0.eu-west-1:2', true],
    [BACKEND_IDENTITY, BACKEND_IDENTITY, false],
    [BACKEND_IDENTITY, A, false],
    ['localhost', 'localhost', false],
  ])('%s as %s → %s', (identity, clientId, allowed) => {
    expect(clientIdAllowed(identity, clientId)).toBe(allowed);
  });
});

const deviceId = fc.uuid().filter(isDeviceIdentity);
const action = fc.constantFrom<MqttAction>('publish', 'subscribe');
const WORDS = ['devices', 'telemetry', 'state', 'commands', 'ack', '+', '#', '', '$SYS', '$share', 'custos'];

/**
 * Topics built from the words that matter and the given ids: half shaped like the real ones (so
 * that granted cases come up often), half arbitrary.
 */
const topicAround = (ids: string[]) =>
  fc.oneof(
    fc
      .tuple(
        fc.constantFrom('devices', '$share/custos/devices', '', '+', '#'),
        fc.constantFrom(...ids, '+', '#', '', 'custos-backend'),
        fc.constantFrom('telemetry', 'state', 'commands', 'commands/ack', 'commands/+', '#', '+', ''),
      )
      .map((levels) => levels.join('/')),
    fc
      .array(fc.oneof(fc.constantFrom(...WORDS, ...ids), deviceId, fc.string({ maxLength: 8 })), {
        minLength: 1,
        maxLength: 6,
      })
      .map((levels) => levels.join('/')),
  );

/** A device, another device, and a topic that may name either. */
const twoDevicesAndTopic = fc
  .tuple(deviceId, deviceId)
  .filter(([self, other]) => self !== other)
  .chain(([self, other]) =>
    fc.tuple(fc.constant(self), fc.constant(other), action, topicAround([self, other])),
  );

describe('mqttAccess (properties)', () => {
  it("never lets a device touch another device's topics, nor use a wildcard", () => {
    let granted = 0;
    fc.assert(
      fc.property(twoDevicesAndTopic, ([self, other, act, topic]) => {
        if (!mqttAccess(self, act, topic)) return;
        granted++;
        const levels = topic.split('/');
        expect(levels[0]).toBe('devices');
        expect(levels[1]).toBe(self);
        expect(topic).not.toContain(other);
        expect(topic).not.toMatch(/[+#\0]/);
      }),
      { numRuns: 5000 },
    );
    // The generator must reach the allow path, or the property proves nothing.
    expect(granted).toBeGreaterThan(0);
  });

  it('never grants a device anything under another device id, whatever the rest of the topic', () => {
    fc.assert(
      fc.property(twoDevicesAndTopic, ([self, other, act, tail]) => {
        expect(mqttAccess(self, act, `devices/${other}/${tail}`)).toBe(false);
        expect(mqttAccess(self, act, `$share/g/devices/${other}/${tail}`)).toBe(false);
      }),
    );
  });

  it('denies every identity that is neither a device id nor the backend', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), action, topicAround([]), (identity, act, topic) => {
        fc.pre(!isDeviceIdentity(identity) && identity !== BACKEND_IDENTITY);
        expect(mqttAccess(identity, act, topic)).toBe(false);
      }),
    );
  });

  it("lets the backend subscribe only to device channels, and publish only one device's commands", () => {
    const prefixes = fc.constantFrom('', '$share/custos/', '$share//', '$share/+/', '$share/#/');
    const cases = fc
      .tuple(action, prefixes, deviceId)
      .chain(([act, prefix, id]) => fc.tuple(fc.constant(act), fc.constant(prefix), topicAround([id])));
    let granted = 0;
    fc.assert(
      fc.property(cases, ([act, prefix, topic]) => {
        if (!mqttAccess(BACKEND_IDENTITY, act, prefix + topic)) return;
        granted++;
        const filter = (prefix + topic).replace(/^\$share\/custos\//, '');
        if (act === 'publish') expect(prefix + topic).toMatch(/^devices\/[0-9a-f-]{36}\/commands$/);
        else expect(filter).toMatch(/^devices\/([0-9a-f-]{36}|\+)\/(telemetry|state|commands\/ack)$/);
      }),
      { numRuns: 5000 },
    );
    expect(granted).toBeGreaterThan(0);
  });
});
