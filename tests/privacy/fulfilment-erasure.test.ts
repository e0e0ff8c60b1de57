/**
 * Erasure (GDPR art. 17) on the real stack, for a patient with an account, two devices, telemetry in
 * several daily partitions, device state, care assignments, consent, an earlier request, audit events
 * with sealed personal data: their rows go or are anonymised as the data map says, in batches; legal
 * holds keep exactly what they cover and are reported; what the law makes us keep is reported with its
 * reason; nothing of theirs in the audit trail can be decrypted, and the trail still verifies; a
 * second run finds nothing left; nobody else's data is touched.
 */

import type { AuditEntry } from '@custos/audit';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AuditRecorder } from '../../backend/src/core/audit/audit-recorder.js';
import { SubjectVault } from '../../backend/src/core/audit/subject-vault.js';
import { verifyTrail } from '../../backend/src/core/audit/trail-verifier.js';
import { demoPatients, demoTenants, demoUserByName } from '../../backend/src/launcher/demo-data.js';
import {
  type FulfilmentOutcome,
  FulfilmentService,
} from '../../backend/src/modules/privacy/fulfilment/fulfilment.service.js';
import { deviceIdBySerial, flush } from '../support/audit.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { addTelemetry, fileRequest, jobContext } from './fulfilment-support.js';

const acme = demoTenants.acme.id;
const { p1, p2, p3 } = demoPatients;
const subjectUser = demoUserByName('subject')?.id as string;
const clinician = demoUserByName('clinician')?.id as string;
const officer = demoUserByName('privacy')?.id as string;

let t: TestApp;
let service: FulfilmentService;
let vault: SubjectVault;
const devices: Record<string, string> = {};
const serial = (name: string) => devices[name] as string;

const count = (query: ReturnType<typeof sql.unsafe>) =>
  t.adminPool.oneFirst(sql.type(z.object({ n: z.number() }))`SELECT count(*)::int AS n FROM (${query}) q`);

async function placeHold(
  scope: 'device' | 'subject',
  target: { deviceId?: string; patientId?: string },
  categories: string[] = [],
) {
  return t.adminPool.oneFirst(sql.type(z.object({ id: z.string() }))`
    INSERT INTO legal_holds (tenant_id, scope, device_id, patient_id, categories, reason, owner_id, created_by)
    VALUES (${acme}, ${scope}, ${target.deviceId ?? null}, ${target.patientId ?? null}, ${sql.array(categories, 'text')},
            'Litigation about a pump', ${officer}, ${officer})
    RETURNING id`);
}

/** Events whose subject is one of the person's pseudonyms, and whether their personal data still opens. */
async function sealedEventsOf(kind: 'patient' | 'user', id: string) {
  await flush(t);
  vault.forget();
  const pseudonym = await vault.pseudonym(kind, acme, id);
  const rows = await t.adminPool.any(sql.type(z.object({ entry: z.string() }))`
    SELECT entry FROM audit_events WHERE subject = ${pseudonym} ORDER BY seq`);
  const entries = rows.map((r) => JSON.parse(r.entry) as AuditEntry).filter((e) => e.sealed);
  return Promise.all(
    entries.map(async (e) => ({ type: e.type, personal: await vault.open(e.sealed as never) })),
  );
}

beforeAll(async () => {
  t = await createTestApp({ env: { RETENTION_BATCH_SIZE: '100' } });
  service = t.app.get(FulfilmentService);
  vault = t.app.get(SubjectVault);
  for (const name of ['ACME-N-0001', 'ACME-N-0002', 'ACME-N-0003', 'ACME-S-0002']) {
    devices[name] = await deviceIdBySerial(t, name);
  }
  const cardio = { id: serial('ACME-N-0002'), tenantId: acme };
  const spare = { id: serial('ACME-N-0001'), tenantId: acme };
  // p1 wears two devices; the spare one is later held for litigation.
  await t.adminPool.query(
    sql.unsafe`UPDATE devices SET patient_id = ${p1.id}, data_category = 'health' WHERE id = ${spare.id}`,
  );
  await addTelemetry(t, cardio, null, '2026-11-18T20:00:00Z', 5); // before p1 wore it: operational
  await addTelemetry(t, cardio, p1.id, '2026-11-19T20:00:00Z', 250, 100); // three daily partitions
  await addTelemetry(t, spare, p1.id, '2026-11-20T10:00:00Z', 60);
  await addTelemetry(t, { id: serial('ACME-S-0002'), tenantId: acme }, p2.id, '2026-11-20T10:00:00Z', 30);
  await addTelemetry(t, { id: serial('ACME-N-0003'), tenantId: acme }, p3.id, '2026-11-20T10:00:00Z', 40);
  for (const device of [cardio.id, spare.id, serial('ACME-N-0003')]) {
    await t.adminPool.query(sql.unsafe`
      INSERT INTO device_state (device_id, tenant_id, online, reported) VALUES (${device}, ${acme}, true, '{"heartRate": 71}')`);
  }
  await t.adminPool.query(sql.unsafe`
    INSERT INTO consent_records (tenant_id, patient_id, purpose, action, source) VALUES (${acme}, ${p1.id}, 'analytics', 'given', 'portal')`);
  await t.adminPool.query(sql.unsafe`
    INSERT INTO processing_restrictions (tenant_id, patient_id, kind, purpose) VALUES (${acme}, ${p1.id}, 'objection', 'research')`);
  await t.adminPool.query(
    sql.unsafe`INSERT INTO device_claim_throttle (user_id, failures) VALUES (${subjectUser}, 2)`,
  );
  // A command the person sent (a reference kept as text): a record of accountability.
  await t.adminPool.query(sql.unsafe`
    INSERT INTO device_commands (device_id, tenant_id, name, requested_by, expires_at)
    VALUES (${cardio.id}, ${acme}, 'reboot', ${subjectUser}, now() + interval '1 hour')`);
  // A released hold keeps nothing.
  await t.adminPool.query(sql.unsafe`
    INSERT INTO legal_holds (tenant_id, scope, device_id, reason, owner_id, created_by, released_at, released_by, release_reason)
    VALUES (${acme}, 'device', ${cardio.id}, 'Closed matter', ${officer}, ${officer}, now(), ${officer}, 'Settled')`);
  await fileRequest(t, {
    tenantId: acme,
    type: 'access',
    patientId: p1.id,
    status: 'completed',
    details: 'My heart rate, please',
  });
  // Audit events with p1's and their account's personal data sealed inside.
  const read = await t.request('GET', `/api/v1/devices/${cardio.id}`, {
    as: 'clinician',
    headers: { 'x-purpose-of-use': 'treatment' },
  });
  expect(read.status).toBe(200);
  await t.app.get(AuditRecorder).recordDurably('system', {
    type: 'user.updated',
    resource: { type: 'User', id: subjectUser, tenantId: acme },
    subject: { kind: 'user', tenantId: acme, id: subjectUser },
    payload: { changed: ['displayName'], after: {} },
    personal: { displayName: 'Pat Example' },
  });
  expect((await sealedEventsOf('patient', p1.id)).every((e) => e.personal !== null)).toBe(true);
  expect(await sealedEventsOf('user', subjectUser)).toEqual([
    { type: 'user.updated', personal: { displayName: 'Pat Example' } },
  ]);
});
afterAll(() => t?.close());

describe('erasure of a patient and their account', () => {
  let request: Awaited<ReturnType<typeof fileRequest>>;
  let outcome: FulfilmentOutcome;
  let spareHold: string;
  let receiptsBefore: number;

  beforeAll(async () => {
    spareHold = await placeHold('device', { deviceId: serial('ACME-N-0001') });
    request = await fileRequest(t, {
      tenantId: acme,
      type: 'erasure',
      patientId: p1.id,
      contactEmail: 'pat@example.org',
    });
    await t.adminPool.query(sql.unsafe`
      INSERT INTO privacy_request_codes (request_id, code_salt, code_hash, expires_at)
      VALUES (${request.id}, ${sql.binary(Buffer.alloc(16))}, ${'0'.repeat(64)}, now() + interval '30 minutes')`);
    await flush(t);
    receiptsBefore = await count(sql.unsafe`SELECT 1 FROM audit_events WHERE type = 'audit.subject_erased'`);
    outcome = await service.fulfil(request, jobContext());
  });

  it('deletes their telemetry from every partition, except what the hold keeps; nobody else’s', async () => {
    const left = await t.adminPool.any(sql.type(z.object({ device_id: z.string(), n: z.number() }))`
      SELECT device_id, count(*)::int AS n FROM telemetry WHERE patient_id = ${p1.id} GROUP BY device_id`);
    expect(left).toEqual([{ device_id: serial('ACME-N-0001'), n: 60 }]);
    expect(await count(sql.unsafe`SELECT 1 FROM telemetry WHERE patient_id = ${p2.id}`)).toBe(30);
    expect(await count(sql.unsafe`SELECT 1 FROM telemetry WHERE patient_id IS NULL`)).toBe(5);
    expect(outcome.counts.telemetry).toBe(250);
    expect(outcome.kept).toContainEqual({
      table: 'telemetry',
      reason: expect.stringContaining('legal hold'),
      holdId: spareHold,
    });
  });

  it('removes the device links (the held device keeps its link) and their devices’ reported state', async () => {
    const links = await t.adminPool.any(sql.type(
      z.object({ serial_number: z.string(), patient_id: z.string().nullable() }),
    )`
      SELECT serial_number, patient_id FROM devices WHERE id = ANY(${sql.array([serial('ACME-N-0001'), serial('ACME-N-0002')], 'uuid')})
      ORDER BY serial_number`);
    expect(links).toEqual([
      { serial_number: 'ACME-N-0001', patient_id: p1.id },
      { serial_number: 'ACME-N-0002', patient_id: null },
    ]);
    const state = await t.adminPool.oneFirst(sql.type(z.object({ reported: z.unknown() }))`
      SELECT reported FROM device_state WHERE device_id = ${serial('ACME-N-0002')}`);
    expect(state).toEqual({});
    expect(outcome.kept).toContainEqual({ table: 'devices', reason: expect.any(String), holdId: spareHold });
    expect(outcome.counts).toMatchObject({ devices: 1, device_state: 1 });
  });

  it('anonymises the account and the patient record, and deletes care assignments and preferences', async () => {
    const account = await t.adminPool.one(sql.type(z.record(z.string(), z.unknown()))`
      SELECT external_id, username, display_name, attributes, subject_patient_id, last_seen_at FROM users WHERE id = ${subjectUser}`);
    expect(account).toEqual({
      external_id: `erased:${subjectUser}`,
      username: `erased-${subjectUser}`,
      display_name: null,
      attributes: {},
      subject_patient_id: null,
      last_seen_at: null,
    });
    const code = await t.adminPool.oneFirst(
      sql.type(z.object({ code: z.string() }))`SELECT code FROM patients WHERE id = ${p1.id}`,
    );
    expect(code).toBe(`erased-${p1.id}`);
    expect(await count(sql.unsafe`SELECT 1 FROM care_assignments WHERE patient_id = ${p1.id}`)).toBe(0);
    expect(await count(sql.unsafe`SELECT 1 FROM care_assignments WHERE user_id = ${clinician}`)).toBe(1); // p2 stays in care
    expect(await count(sql.unsafe`SELECT 1 FROM processing_restrictions WHERE patient_id = ${p1.id}`)).toBe(
      0,
    );
    expect(await count(sql.unsafe`SELECT 1 FROM device_claim_throttle WHERE user_id = ${subjectUser}`)).toBe(
      0,
    );
    expect(outcome.counts).toMatchObject({
      users: 1,
      patients: 1,
      care_assignments: 1,
      processing_restrictions: 1,
      device_claim_throttle: 1,
    });
    expect(outcome.notes).toEqual([expect.stringContaining('identity provider')]);
  });

  it('anonymises earlier requests but keeps them, and this one, as evidence', async () => {
    const requests = await t.adminPool.any(sql.type(
      z.object({
        id: z.string(),
        contact_email: z.string().nullable(),
        details: z.string().nullable(),
        subject_patient_id: z.string(),
      }),
    )`
      SELECT id, contact_email, details, subject_patient_id FROM privacy_requests WHERE subject_patient_id = ${p1.id}`);
    expect(requests).toHaveLength(2);
    for (const r of requests) {
      expect(r.subject_patient_id).toBe(p1.id);
      if (r.id === request.id) expect(r.contact_email).toBe('pat@example.org');
      else expect([r.contact_email, r.details]).toEqual([null, null]);
    }
    expect(
      await count(sql.unsafe`SELECT 1 FROM privacy_request_codes WHERE request_id = ${request.id}`),
    ).toBe(0);
    expect(outcome.counts).toMatchObject({ privacy_requests: 1, privacy_request_codes: 1 });
  });

  it('keeps what the law makes us keep, saying why', () => {
    const kept = outcome.kept.filter((k) => !k.holdId).map((k) => k.table);
    expect(kept).toEqual(expect.arrayContaining(['consent_records', 'device_commands', 'privacy_requests']));
    expect(outcome.kept.find((k) => k.table === 'consent_records')?.reason).toMatch(/art\. 7\(1\)/);
    for (const k of outcome.kept) expect(k.reason.length).toBeLessThanOrEqual(200);
  });

  it('leaves nothing of theirs decryptable in the audit trail, and the trail verifies', async () => {
    const patientEvents = await sealedEventsOf('patient', p1.id);
    expect(patientEvents.length).toBeGreaterThan(0);
    expect(patientEvents.every((e) => e.personal === null)).toBe(true);
    expect(await sealedEventsOf('user', subjectUser)).toEqual([{ type: 'user.updated', personal: null }]);
    expect(outcome.counts.audit_subject_keys).toBe(2);
    expect(outcome.counts.audit_events).toBeGreaterThanOrEqual(2);
    expect(await count(sql.unsafe`SELECT 1 FROM audit_events WHERE type = 'audit.subject_erased'`)).toBe(
      receiptsBefore + 2,
    );
    expect(await verifyTrail(t.adminPool)).toMatchObject({ ok: true });
  });

  it('records on the request the account it erased (the data map keeps that link)', async () => {
    const linked = await t.adminPool.one(sql.type(
      z.object({ subject_user_id: z.string().nullable(), subject_patient_id: z.string() }),
    )`
      SELECT subject_user_id, subject_patient_id FROM privacy_requests WHERE id = ${request.id}`);
    expect(linked).toEqual({ subject_user_id: subjectUser, subject_patient_id: p1.id });
  });

  it('finds nothing left on a second run, and adds no receipt', async () => {
    // As the workflow would, after a crash: the request as stored now.
    const again = await service.fulfil({ ...request, subjectUserId: subjectUser }, jobContext());
    expect(Object.entries(again.counts).filter(([, n]) => n > 0)).toEqual([]);
    expect(again.kept).toEqual(outcome.kept);
    await flush(t);
    expect(await count(sql.unsafe`SELECT 1 FROM audit_events WHERE type = 'audit.subject_erased'`)).toBe(
      receiptsBefore + 2,
    );
  });
});

describe('a hold on the subject', () => {
  it('keeps only the categories it names: their telemetry stays, the rest goes', async () => {
    await t.app.get(AuditRecorder).recordDurably('system', {
      type: 'device.read',
      resource: { type: 'Device', id: serial('ACME-N-0003'), tenantId: acme },
      subject: { kind: 'patient', tenantId: acme, id: p3.id },
      payload: { ids: [serial('ACME-N-0003')], count: 1 },
      personal: { patientId: p3.id },
    });
    const hold = await placeHold('subject', { patientId: p3.id }, ['user.device.telemetry']);
    const request = await fileRequest(t, { tenantId: acme, type: 'erasure', patientId: p3.id });
    const outcome = await service.fulfil(request, jobContext());
    expect(await count(sql.unsafe`SELECT 1 FROM telemetry WHERE patient_id = ${p3.id}`)).toBe(40);
    const device = await t.adminPool.oneFirst(sql.type(z.object({ patient_id: z.string().nullable() }))`
      SELECT patient_id FROM devices WHERE id = ${serial('ACME-N-0003')}`);
    expect(device).toBeNull(); // the hold names telemetry, not the monitoring link
    const held = outcome.kept
      .filter((k) => k.holdId === hold)
      .map((k) => k.table)
      .sort();
    expect(held).toEqual(['device_state', 'telemetry']);
    expect(outcome.counts).toMatchObject({ telemetry: 0, devices: 1, patients: 1 });
    // The trail is not among the held categories: shredded.
    expect(outcome.counts.audit_subject_keys).toBe(1);
  });

  it('keeps the audit trail readable when the hold covers every category', async () => {
    await t.request('GET', `/api/v1/devices/${serial('ACME-S-0002')}`, {
      as: 'clinician',
      headers: { 'x-purpose-of-use': 'treatment' },
    });
    const hold = await placeHold('subject', { patientId: p2.id });
    const outcome = await service.fulfil(
      await fileRequest(t, { tenantId: acme, type: 'erasure', patientId: p2.id }),
      jobContext(),
    );
    expect(outcome.kept).toContainEqual({ table: 'audit_events', reason: expect.any(String), holdId: hold });
    expect(Object.entries(outcome.counts).filter(([, n]) => n > 0)).toEqual([]);
    const events = await sealedEventsOf('patient', p2.id);
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.personal !== null)).toBe(true);
  });
});

describe('a hold placed while an erasure runs', () => {
  it('stops the erasure before its next batch; the retry keeps what the hold covers', async () => {
    const patient = await t.adminPool.oneFirst(sql.type(z.object({ id: z.string() }))`
      INSERT INTO patients (tenant_id, code) VALUES (${acme}, 'PT-LATE-HOLD') RETURNING id`);
    await addTelemetry(
      t,
      { id: serial('ACME-N-0003'), tenantId: acme },
      patient,
      '2026-11-21T10:00:00Z',
      30,
      1000,
    );
    const request = await fileRequest(t, { tenantId: acme, type: 'erasure', patientId: patient });
    let hold: string | undefined;
    const context = jobContext();
    const interrupted = service.fulfil(request, {
      ...context,
      // The first progress report comes after the erasure read the holds and before its first batch:
      // the moment a privacy officer's hold would cross it.
      progress: async (progress) => {
        hold ??= await placeHold('subject', { patientId: patient });
        await context.progress(progress);
      },
    });
    await expect(interrupted).rejects.toMatchObject({ code: 'legal_holds_changed' });
    expect(await count(sql.unsafe`SELECT 1 FROM telemetry WHERE patient_id = ${patient}`)).toBe(30);
    const retried = await service.fulfil(request, jobContext());
    expect(await count(sql.unsafe`SELECT 1 FROM telemetry WHERE patient_id = ${patient}`)).toBe(30);
    expect(retried.kept).toContainEqual({ table: 'telemetry', reason: expect.any(String), holdId: hold });
  });
});
