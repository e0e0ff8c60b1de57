/** Parsing telemetry: every input becomes a row or a stable reason, never an exception. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DeviceFacts, deviceIdOf, parseTelemetry, rejectionReasons } from './telemetry-message.js';

const now = Date.parse('2026-11-25T12:00:00.000Z');
const window = { now, maxAgeMs: 7 * 24 * 3600_000, maxAheadMs: 300_000 };
const device: DeviceFacts = {
  id: '5f0c5a52-5f7e-4a36-9b8a-2c1f3c9d0e11',
  tenantId: '11111111-1111-4111-8111-111111111111',
  model: 'CX-Temp 2',
  lifecycleState: 'active',
  patientId: null,
};
const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const good = { seq: 7, ts: '2026-11-25T11:59:59.250Z', metrics: { temperature: 4.2, battery: 88 } };

describe('parseTelemetry', () => {
  it('turns a valid message into a row in UTC', () => {
    const parsed = parseTelemetry(device, json({ ...good, ts: '2026-11-25T12:59:59.250+01:00' }), window);
    expect(parsed).toEqual({
      ok: true,
      row: {
        deviceId: device.id,
        tenantId: device.tenantId,
        patientId: null,
        measuredAt: '2026-11-25T11:59:59.250Z',
        seq: 7,
        metrics: { temperature: 4.2, battery: 88 },
      },
    });
  });

  it.each([
    ['an unregistered device', undefined, json(good), 'unknown_device'],
    ['a suspended device', { ...device, lifecycleState: 'suspended' }, json(good), 'device_not_active'],
    [
      'a provisioned, unclaimed device',
      { ...device, lifecycleState: 'provisioned' },
      json(good),
      'device_not_active',
    ],
    ['a payload over 16 KiB', device, Buffer.alloc(16 * 1024 + 1, 0x20), 'payload_too_large'],
    ['bytes that are not JSON', device, Buffer.from('{"seq":'), 'malformed_json'],
    ['a missing seq', device, json({ ts: good.ts, metrics: good.metrics }), 'invalid_envelope'],
    ['a negative seq', device, json({ ...good, seq: -1 }), 'invalid_envelope'],
    ['a time without offset', device, json({ ...good, ts: '2026-11-25T11:59:59' }), 'invalid_envelope'],
    ['an extra envelope field', device, json({ ...good, patientName: 'x' }), 'invalid_envelope'],
    ['a metric of another model', device, json({ ...good, metrics: { heartRate: 80 } }), 'invalid_metrics'],
    [
      'a value out of physical range',
      device,
      json({ ...good, metrics: { temperature: 900 } }),
      'invalid_metrics',
    ],
    [
      'a value of the wrong type',
      device,
      json({ ...good, metrics: { temperature: '4.2' } }),
      'invalid_metrics',
    ],
    ['an unknown model', { ...device, model: 'Nope 1' }, json(good), 'unknown_model'],
    ['a time in the future', device, json({ ...good, ts: '2026-11-25T12:10:00Z' }), 'time_out_of_range'],
    [
      'a time older than the window',
      device,
      json({ ...good, ts: '2026-11-10T12:00:00Z' }),
      'time_out_of_range',
    ],
  ])('refuses %s', (_name, facts, payload, reason) => {
    expect(parseTelemetry(facts, payload, window)).toEqual({ ok: false, reason });
  });

  it('never throws and always answers a known reason, whatever the bytes', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
          fc.jsonValue().map((v) => json(v)),
          fc
            .record({ seq: fc.anything(), ts: fc.anything(), metrics: fc.anything() }, { requiredKeys: [] })
            .map((v) => Buffer.from(JSON.stringify(v) ?? '')),
        ),
        (payload) => {
          const parsed = parseTelemetry(device, payload, window);
          if (!parsed.ok) expect(rejectionReasons).toContain(parsed.reason);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('deviceIdOf', () => {
  it('reads the device id from a telemetry topic only', () => {
    expect(deviceIdOf(`devices/${device.id}/telemetry`)).toBe(device.id);
    for (const topic of [
      `devices/${device.id}/state`,
      `devices/${device.id.toUpperCase()}/telemetry`,
      `devices/${device.id}/telemetry/x`,
      'devices/+/telemetry',
      `/devices/${device.id}/telemetry`,
    ]) {
      expect(deviceIdOf(topic)).toBeUndefined();
    }
  });
});
