/**
 * Reading telemetry through the API: a point measured for a patient is that patient's health data,
 * readable only under the policy that shows the patient link (a clinician caring for that patient,
 * with a treatment purpose), audited per patient; everyone else sees it only as a withheld count.
 */
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entriesOf } from '../../../../tests/support/audit.js';
import { createTestApp, type TestApp } from '../../../../tests/support/test-app.js';
import { Database } from '../../core/database/database.js';
import { demoPatients } from '../../launcher/demo-data.js';
import { TelemetryRepository } from './telemetry.repository.js';

let t: TestApp;
let deviceId: string;
const base = Date.parse('2026-11-20T08:00:00.000Z');
const at = (minutes: number) => new Date(base + minutes * 60_000).toISOString();

beforeAll(async () => {
  t = await createTestApp();
  const res = await t.request('GET', '/api/v1/devices?serialPrefix=ACME-N-0002', { as: 'tenant-admin' });
  deviceId = res.body.items[0].id;
  const tenantId = res.body.items[0].tenantId;
  await new TelemetryRepository(new Database(t.pool)).ensurePartitions(new Date(base), new Date(base));
  const points: [number, string | null, number][] = [
    [0, null, 61], // before the device was assigned: operational data
    [1, demoPatients.p1.id, 72],
    [2, demoPatients.p1.id, 75],
    [3, demoPatients.p3.id, 90], // an earlier wearer the clinician does not care for
  ];
  for (const [minute, patientId, heartRate] of points) {
    await t.adminPool.query(sql.unsafe`
      INSERT INTO telemetry (device_id, measured_at, seq, tenant_id, patient_id, metrics)
      VALUES (${deviceId}, ${at(minute)}::timestamptz, ${minute}, ${tenantId}, ${patientId},
              ${sql.jsonb({ heartRate })})`);
  }
});
afterAll(() => t?.close());

const read = (as: string, headers: Record<string, string> = {}, query = `from=${at(-1)}&to=${at(10)}`) =>
  t.request('GET', `/api/v1/devices/${deviceId}/telemetry?${query}`, { as, headers });

describe('GET /api/v1/devices/{id}/telemetry', () => {
  it('gives an operator the operational points and only a count of the health data', async () => {
    const res = await read('operator');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ deviceId, model: 'CX-Pulse 1', units: { heartRate: 'bpm', spo2: '%' } });
    expect(res.body.items).toEqual([{ measuredAt: at(0), seq: 0, metrics: { heartRate: 61 } }]);
    expect(res.body.withheld).toBe(3);
    const events = await entriesOf(t, res.headers['x-request-id'] as string);
    expect(events.filter((e) => e.type === 'device.telemetry_read')).toEqual([]);
  });

  it('gives a clinician without a stated purpose no health data either', async () => {
    const res = await read('clinician');
    expect(res.status).toBe(200);
    expect(res.body.items.map((p: { seq: number }) => p.seq)).toEqual([0]);
  });

  it('gives a treating clinician their patient’s points, not another patient’s, and audits the disclosure', async () => {
    const res = await read('clinician', { 'x-purpose-of-use': 'treatment' });
    expect(res.status).toBe(200);
    expect(res.body.items.map((p: { seq: number }) => p.seq)).toEqual([0, 1, 2]);
    expect(res.body.withheld).toBe(1);
    const events = await entriesOf(t, res.headers['x-request-id'] as string);
    expect(events.map((e) => [e.type, e.resource.id, e.subject !== null])).toEqual([
      ['device.telemetry_read', deviceId, true],
    ]);
  });

  it('takes the most recent points up to the limit (withheld ones count), oldest first', async () => {
    const res = await read(
      'clinician',
      { 'x-purpose-of-use': 'treatment' },
      `from=${at(-1)}&to=${at(10)}&limit=2`,
    );
    expect(res.body.items.map((p: { seq: number }) => p.seq)).toEqual([2]);
    expect(res.body.withheld).toBe(1);
  });

  it('hides the device from another tenant and refuses a malformed range', async () => {
    expect((await read('operator-globex')).status).toBe(404);
    const reversed = await read('operator', {}, `from=${at(5)}&to=${at(1)}`);
    expect(reversed.status).toBe(400);
    expect(reversed.body.errors).toEqual([expect.objectContaining({ location: 'query', path: 'from' })]);
    expect((await read('operator', {}, 'limit=0')).status).toBe(400);
    expect((await read('operator', {}, 'from=yesterday')).status).toBe(400);
  });
});
