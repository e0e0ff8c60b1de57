/**
 * Restriction (GDPR art. 18), objection (art. 21) and consent as the access policies read them,
 * through the API: a restriction blocks what it should and no more (the restricted patient's telemetry
 * is withheld for treatment, other patients are unaffected, storage continues, an emergency still
 * reads it, lifting it restores access); analytics reaches only patients whose consent is in force
 * and who neither objected nor restricted processing, in the same SQL filter as single reads.
 */
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditRecorder } from '../../backend/src/core/audit/audit-recorder.js';
import { Database } from '../../backend/src/core/database/database.js';
import { demoPatients, demoTenants } from '../../backend/src/launcher/demo-data.js';
import { FulfilmentService } from '../../backend/src/modules/privacy/fulfilment/fulfilment.service.js';
import { liftFlags } from '../../backend/src/modules/privacy/fulfilment/restrict.js';
import { TelemetryRepository } from '../../backend/src/modules/telemetry/telemetry.repository.js';
import { deviceIdBySerial, entriesOf } from '../support/audit.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { addTelemetry, fileRequest, jobContext } from './fulfilment-support.js';

const acme = demoTenants.acme.id;
const { p1, p2, p3 } = demoPatients;
const start = '2026-11-20T08:00:00Z';
const window = `from=2026-11-20T07:00:00Z&to=2026-11-20T10:00:00Z`;

let t: TestApp;
let service: FulfilmentService;
const device: Record<'p1' | 'p2' | 'p3', string> = { p1: '', p2: '', p3: '' };

const read = (id: string, purpose?: string, as = 'clinician') =>
  t.request('GET', `/api/v1/devices/${id}/telemetry?${window}`, {
    as,
    headers: purpose ? { 'x-purpose-of-use': purpose } : {},
  });
/** How many of the device's points the caller got, and how many were withheld. */
async function points(id: string, purpose?: string, as?: string): Promise<[number, number] | number> {
  const res = await read(id, purpose, as);
  return res.status === 200 ? [res.body.items.length, res.body.withheld] : res.status;
}

async function consent(patientId: string, action: 'given' | 'withdrawn') {
  await t.adminPool.query(sql.unsafe`
    INSERT INTO consent_records (tenant_id, patient_id, purpose, action, source, recorded_at)
    VALUES (${acme}, ${patientId}, 'analytics', ${action}, 'portal', clock_timestamp())`);
}

async function ask(type: 'restriction' | 'objection', patientId: string, objectionPurposes: string[] = []) {
  const request = await fileRequest(t, { tenantId: acme, type, patientId, objectionPurposes });
  return service.fulfil(request, jobContext());
}

const lift = (
  patientId: string,
  flag: { kind: 'restriction'; purpose: null } | { kind: 'objection'; purpose: string },
) =>
  liftFlags(
    new Database(t.pool),
    t.app.get(AuditRecorder),
    { tenantId: acme, patientIds: [patientId], userIds: [] },
    flag,
    'Asked to lift',
  );

beforeAll(async () => {
  t = await createTestApp();
  service = t.app.get(FulfilmentService);
  device.p1 = await deviceIdBySerial(t, 'ACME-N-0002');
  device.p2 = await deviceIdBySerial(t, 'ACME-S-0002');
  device.p3 = await deviceIdBySerial(t, 'ACME-N-0003');
  await addTelemetry(t, { id: device.p1, tenantId: acme }, p1.id, start, 3);
  await addTelemetry(t, { id: device.p2, tenantId: acme }, p2.id, start, 3);
  // p1 wore p2's device earlier: that point is p1's data, judged by p1's flags.
  await addTelemetry(t, { id: device.p2, tenantId: acme }, p1.id, '2026-11-20T07:30:00Z', 1, 100);
  await addTelemetry(t, { id: device.p3, tenantId: acme }, p3.id, start, 3);
});
afterAll(() => t?.close());

describe('a restriction', () => {
  it('is not there yet: a treating clinician reads both patients', async () => {
    expect(await points(device.p1, 'treatment')).toEqual([3, 0]);
    expect(await points(device.p2, 'treatment')).toEqual([4, 0]);
  });

  it('withholds the restricted patient’s data for treatment, wherever it was measured, and hides the link', async () => {
    await ask('restriction', p1.id);
    expect(await points(device.p1, 'treatment')).toEqual([0, 3]);
    // p2's own points stay readable; the point p1 left on p2's device does not.
    expect(await points(device.p2, 'treatment')).toEqual([3, 1]);
    const one = await t.request('GET', `/api/v1/devices/${device.p1}`, {
      as: 'clinician',
      headers: { 'x-purpose-of-use': 'treatment' },
    });
    expect(one.status).toBe(200); // storage and operations continue: the device itself is still there
    expect(one.body).not.toHaveProperty('patientId');
    const list = await t.request('GET', '/api/v1/devices?limit=200', {
      as: 'clinician',
      headers: { 'x-purpose-of-use': 'treatment' },
    });
    const linked = Object.fromEntries(list.body.items.map((d: { id: string }) => [d.id, 'patientId' in d]));
    expect([linked[device.p1], linked[device.p2]]).toEqual([false, true]);
  });

  it('lets an emergency through (art. 18(2), vital interests), and that read is audited', async () => {
    const res = await read(device.p1, 'emergency');
    expect([res.body.items.length, res.body.withheld]).toEqual([3, 0]);
    const events = await entriesOf(t, res.headers['x-request-id'] as string);
    expect(events.map((e) => [e.type, e.purposeOfUse])).toEqual([['device.telemetry_read', 'emergency']]);
  });

  it('leaves the patient their own access, and storage goes on', async () => {
    const own = await t.request('GET', `/api/v1/devices/${device.p1}`, { as: 'subject' });
    expect(own.body.patientId).toBe(p1.id);
    const stored = await new TelemetryRepository(new Database(t.pool)).insert(
      [
        {
          deviceId: device.p1,
          tenantId: acme,
          patientId: p1.id,
          measuredAt: '2026-11-20T08:30:00.000Z',
          seq: 500,
          metrics: { heartRate: 80 },
        },
      ],
      t.pool,
    );
    expect(stored).toBe(1);
    expect(await points(device.p1, 'emergency')).toEqual([4, 0]);
    expect(await points(device.p1, 'treatment')).toEqual([0, 4]);
  });

  it('once lifted, gives treatment back its access', async () => {
    expect(await lift(p1.id, { kind: 'restriction', purpose: null })).toBe(1);
    expect(await points(device.p1, 'treatment')).toEqual([4, 0]);
    expect(await points(device.p2, 'treatment')).toEqual([4, 0]);
  });
});

describe('analytics', () => {
  it('reaches no one without consent: the clinician’s own patients show no health data, others not at all', async () => {
    expect(await points(device.p1, 'analytics')).toEqual([0, 4]);
    expect(await points(device.p3, 'analytics')).toBe(404);
  });

  it('reaches patients in the clinician’s care whose consent is in force, and no one else', async () => {
    await consent(p1.id, 'given');
    await consent(p3.id, 'given');
    expect(await points(device.p1, 'analytics')).toEqual([4, 0]);
    // Consent gives no one a care relationship: p3 is not this clinician's patient (minimum necessary).
    expect(await points(device.p3, 'analytics')).toBe(404);
    expect(await points(device.p3, 'treatment')).toBe(404);
    const list = await t.request('GET', '/api/v1/devices?limit=200', {
      as: 'clinician',
      headers: { 'x-purpose-of-use': 'analytics' },
    });
    const linked = list.body.items
      .filter((d: { patientId?: string }) => d.patientId)
      .map((d: { id: string }) => d.id);
    expect(linked).toEqual([device.p1]);
  });

  it('stops at the latest withdrawal, an objection or a restriction', async () => {
    await consent(p1.id, 'withdrawn');
    // Their device stays visible to their clinician, without the link: every point withheld.
    expect(await points(device.p1, 'analytics')).toEqual([0, 4]);
    await consent(p1.id, 'given');
    expect(await points(device.p1, 'analytics')).toEqual([4, 0]);
    await ask('objection', p1.id, ['analytics']);
    expect(await points(device.p1, 'analytics')).toEqual([0, 4]);
    expect(await lift(p1.id, { kind: 'objection', purpose: 'analytics' })).toBe(1);
    expect(await points(device.p1, 'analytics')).toEqual([4, 0]);
    await ask('restriction', p1.id);
    expect(await points(device.p1, 'analytics')).toEqual([0, 4]);
  });

  it('gives other roles nothing more for analytics', async () => {
    await consent(p2.id, 'given');
    expect(await points(device.p2, 'analytics', 'operator')).toBe(404); // not the operator's site
    expect(await points(device.p1, 'analytics', 'operator')).toEqual([0, 4]);
  });
});
