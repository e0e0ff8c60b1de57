/**
 * Every kind of data-subject request, end to end through the API on the real stack: the demo data
 * subject (patient PT-0001 and their account, with a device, telemetry in several daily partitions,
 * audit events with sealed personal data and a consent record) files while signed in, the privacy
 * officer processes it, the queued job fulfils it, and the request ends completed with its effect
 * in the database. Erasure goes last: it removes what the others read.
 */
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SubjectVault } from '../../backend/src/core/audit/subject-vault.js';
import { JobWorker } from '../../backend/src/core/jobs/job-worker.js';
import { demoPatients, demoTenants, demoUserByName } from '../../backend/src/launcher/demo-data.js';
import { deviceIdBySerial, flush } from '../support/audit.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { addTelemetry, storedBundle, unzip } from './fulfilment-support.js';

const acme = demoTenants.acme.id;
const patient = demoPatients.p1.id;
const account = demoUserByName('subject')?.id as string;
const base = '/api/v1/privacy/requests';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  const device = await deviceIdBySerial(t, 'ACME-N-0002');
  await t.adminPool.query(
    sql.unsafe`UPDATE devices SET patient_id = ${patient}, data_category = 'health' WHERE id = ${device}`,
  );
  await addTelemetry(t, { id: device, tenantId: acme }, patient, '2026-11-20T22:00:00Z', 200);
  await t.adminPool.query(sql.unsafe`
    INSERT INTO consent_records (tenant_id, patient_id, purpose, action, source) VALUES (${acme}, ${patient}, 'analytics', 'given', 'portal')`);
  // A clinician reading the device: an audit event with the patient's personal data sealed.
  const read = await t.request('GET', `/api/v1/devices/${device}`, {
    as: 'clinician',
    headers: { 'x-purpose-of-use': 'treatment' },
  });
  expect(read.status).toBe(200);
});
afterAll(() => t?.close());

/** Files as the signed-in subject, processes as the officer, runs the job; returns the finished request. */
async function fulfil(body: Record<string, unknown>) {
  const filed = await t.request('POST', base, { as: 'subject', body: { locale: 'de', ...body } });
  expect(filed.status, filed.text).toBe(201);
  const id = String(filed.body.id);
  const seen = await t.request('GET', `${base}/${id}`, { as: 'privacy' });
  expect(seen.body).toMatchObject({ status: 'identity-verified', subjectPatientId: patient });
  const started = await t.request('POST', `${base}/${id}/process`, {
    as: 'privacy',
    headers: { 'if-match': String(seen.headers.etag) },
  });
  expect(started.status, started.text).toBe(202);
  while (await t.app.get(JobWorker).runOnce()) {
    /* until the queue is empty */
  }
  const done = await t.request('GET', `${base}/${id}`, { as: 'privacy' });
  expect(done.body, `${String(body.type)} request`).toMatchObject({ status: 'completed' });
  return done.body as { id: string; outcome: { counts: Record<string, number>; kept: unknown[] } };
}

const count = (query: ReturnType<typeof sql.unsafe>) =>
  t.adminPool.oneFirst(sql.type(z.object({ n: z.number() }))`SELECT count(*)::int AS n FROM (${query}) q`);

describe('each kind of request, filed by the data subject and fulfilled by the officer', () => {
  it('access: a zip with their telemetry, their consent and their audit events', async () => {
    const request = await fulfil({ type: 'access' });
    expect(request.outcome.counts.telemetry).toBe(200);
    const files = unzip((await storedBundle(t, request.id)).bytes);
    expect([...files.keys()]).toEqual(expect.arrayContaining(['manifest.json', 'data/telemetry.csv']));
    expect(files.get('data/consent_records.json')?.toString()).toContain('analytics');
  });

  it('portability: the same machine-readable formats', async () => {
    const request = await fulfil({ type: 'portability' });
    const files = unzip((await storedBundle(t, request.id)).bytes);
    expect(files.has('data/telemetry.json') && files.has('data/telemetry.csv')).toBe(true);
  });

  it('rectification: the corrected name everywhere the data map holds it', async () => {
    await fulfil({ type: 'rectification', rectification: { name: 'Pat Corrected' } });
    const name = await t.adminPool.oneFirst(sql.type(z.object({ display_name: z.string().nullable() }))`
      SELECT display_name FROM users WHERE id = ${account}`);
    expect(name).toBe('Pat Corrected');
  });

  it('restriction and objection: flags the policies read', async () => {
    const device = await deviceIdBySerial(t, 'ACME-N-0002');
    const treatmentRead = async () => {
      const res = await t.request(
        'GET',
        `/api/v1/devices/${device}/telemetry?from=2026-11-20T21:00:00.000Z&to=2026-11-21T03:00:00.000Z&limit=500`,
        { as: 'clinician', headers: { 'x-purpose-of-use': 'treatment' } },
      );
      expect(res.status, res.text).toBe(200);
      return res.body as { items: unknown[]; withheld: number };
    };
    expect((await treatmentRead()).items).toHaveLength(200);
    await fulfil({ type: 'restriction' });
    await fulfil({ type: 'objection', objectionPurposes: ['analytics'] });
    const flags = await t.adminPool.any(sql.type(
      z.object({ kind: z.string(), purpose: z.string().nullable() }),
    )`
      SELECT kind, purpose FROM processing_restrictions WHERE patient_id = ${patient} AND lifted_at IS NULL ORDER BY kind`);
    expect(flags).toEqual([
      { kind: 'objection', purpose: 'analytics' },
      { kind: 'restriction', purpose: null },
    ]);
    // The clinician's treatment reads of this patient's telemetry stop; storage continues.
    expect(await treatmentRead()).toMatchObject({ items: [], withheld: 200 });
    expect(await count(sql.unsafe`SELECT 1 FROM telemetry WHERE patient_id = ${patient}`)).toBe(200);
  });

  it('erasure: their telemetry gone, their links removed, their audit data unreadable', async () => {
    const request = await fulfil({ type: 'erasure' });
    expect(await count(sql.unsafe`SELECT 1 FROM telemetry WHERE patient_id = ${patient}`)).toBe(0);
    expect(await count(sql.unsafe`SELECT 1 FROM devices WHERE patient_id = ${patient}`)).toBe(0);
    expect(request.outcome.counts.telemetry).toBe(200);
    await flush(t);
    const vault = t.app.get(SubjectVault);
    vault.forget();
    const pseudonym = await vault.pseudonym('patient', acme, patient);
    const sealed = await t.adminPool.any(sql.type(z.object({ entry: z.string() }))`
      SELECT entry FROM audit_events WHERE subject = ${pseudonym} AND entry LIKE '%"sealed":{%'`);
    expect(sealed.length).toBeGreaterThan(0);
    for (const row of sealed) {
      expect(await vault.open(JSON.parse(row.entry).sealed)).toBeNull();
    }
  });
});
