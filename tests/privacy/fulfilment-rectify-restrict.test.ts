/**
 * Rectification (GDPR art. 16, HIPAA §164.526), restriction (art. 18) and objection (art. 21) on the
 * real stack: corrected values reach every column the data map marks, in one transaction, with one
 * audit event per table and the values sealed; answered requests stay as they were; restriction and
 * objection become flags (rows) without duplicates, each with its event; bad input is refused.
 */
import type { AuditEntry } from '@custos/audit';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AuditRecorder } from '../../backend/src/core/audit/audit-recorder.js';
import { SubjectVault } from '../../backend/src/core/audit/subject-vault.js';
import { Database } from '../../backend/src/core/database/database.js';
import { AppError } from '../../backend/src/core/errors/app-error.js';
import { demoPatients, demoTenants, demoUserByName } from '../../backend/src/launcher/demo-data.js';
import { FulfilmentService } from '../../backend/src/modules/privacy/fulfilment/fulfilment.service.js';
import { liftFlags } from '../../backend/src/modules/privacy/fulfilment/restrict.js';
import { flush } from '../support/audit.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { fileRequest, jobContext } from './fulfilment-support.js';

const acme = demoTenants.acme.id;
const { p1, p2 } = demoPatients;
const subjectUser = demoUserByName('subject')?.id as string;

let t: TestApp;
let service: FulfilmentService;

async function eventsOfType(type: string): Promise<AuditEntry[]> {
  await flush(t);
  const rows = await t.adminPool.any(sql.type(z.object({ entry: z.string() }))`
    SELECT entry FROM audit_events WHERE type = ${type} ORDER BY seq`);
  return rows.map((r) => JSON.parse(r.entry) as AuditEntry);
}

async function refusal(run: Promise<unknown>): Promise<AppError> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

beforeAll(async () => {
  t = await createTestApp();
  service = t.app.get(FulfilmentService);
});
afterAll(() => t?.close());

describe('rectification', () => {
  it('writes the corrected name and e-mail into every marked column of the subject, once', async () => {
    const answered = await fileRequest(t, {
      tenantId: acme,
      type: 'access',
      patientId: p1.id,
      status: 'completed',
      contactEmail: 'old@example.org',
    });
    const waiting = await fileRequest(t, {
      tenantId: acme,
      type: 'access',
      patientId: p1.id,
      status: 'received',
      contactEmail: 'old@example.org',
    });
    const other = await fileRequest(t, {
      tenantId: acme,
      type: 'access',
      patientId: p2.id,
      contactEmail: 'other@example.org',
    });
    const request = await fileRequest(t, {
      tenantId: acme,
      type: 'rectification',
      userId: subjectUser,
      contactEmail: 'old@example.org',
      rectification: { name: ' Pat Newname ', email: 'pat.new@example.org' },
    });
    const versionBefore = await t.adminPool.oneFirst(sql.type(z.object({ version: z.number() }))`
      SELECT version FROM users WHERE id = ${subjectUser}`);

    const outcome = await service.fulfil(request, jobContext());

    expect(outcome).toEqual({
      counts: { users: 1, privacy_requests: 2 },
      kept: [{ table: 'privacy_requests', reason: expect.stringContaining('Answered requests') }],
      notes: [expect.stringContaining('identity provider')],
    });
    const user = await t.adminPool.one(sql.type(z.object({ display_name: z.string(), version: z.number() }))`
      SELECT display_name, version FROM users WHERE id = ${subjectUser}`);
    expect(user).toEqual({ display_name: 'Pat Newname', version: versionBefore + 1 });
    const contacts = await t.adminPool.any(sql.type(z.object({ id: z.string(), contact_email: z.string() }))`
      SELECT id, contact_email FROM privacy_requests WHERE id = ANY(${sql.array([answered.id, waiting.id, other.id, request.id], 'uuid')})`);
    expect(Object.fromEntries(contacts.map((c) => [c.id, c.contact_email]))).toEqual({
      [answered.id]: 'old@example.org', // answered: evidence as it was
      [waiting.id]: 'pat.new@example.org',
      [request.id]: 'pat.new@example.org',
      [other.id]: 'other@example.org', // someone else's
    });

    const events = (await eventsOfType('privacy.data_rectified')).filter((e) => e.resource.id === request.id);
    expect(events.map((e) => e.payload)).toEqual([
      { table: 'users', columns: ['display_name'], rows: 1 },
      { table: 'privacy_requests', columns: ['contact_email'], rows: 2 },
    ]);
    const vault = t.app.get(SubjectVault);
    expect(events.every((e) => e.subject === events[0]?.subject && e.subject !== null)).toBe(true);
    expect(await Promise.all(events.map((e) => vault.open(e.sealed as never)))).toEqual([
      { name: 'Pat Newname' },
      { email: 'pat.new@example.org' },
    ]);
    expect(JSON.stringify(events.map((e) => e.payload))).not.toContain('Newname');

    // A second run (a job retried) finds everything corrected: same counts, no new events.
    expect(await service.fulfil(request, jobContext())).toEqual(outcome);
    expect(
      (await eventsOfType('privacy.data_rectified')).filter((e) => e.resource.id === request.id),
    ).toHaveLength(2);
  });

  it('changes nothing and tells why when the values are not acceptable', async () => {
    const cases: Array<[unknown, string]> = [
      [{ email: 'not an address' }, 'rectification.email'],
      [{ name: '' }, 'rectification.name'],
      [{ phone: '+44 20 7946 0000' }, 'rectification'],
      [{}, 'rectification'],
      [null, 'rectification'],
    ];
    for (const [rectification, path] of cases) {
      const request = await fileRequest(t, { tenantId: acme, type: 'rectification', patientId: p2.id });
      const error = await refusal(
        service.fulfil({ ...request, rectification: rectification as never }, jobContext()),
      );
      expect(error.code).toBe('validation_failed');
      expect(error.options.errors?.map((e) => e.path)).toContain(path);
    }
    const names = await t.adminPool.oneFirst(sql.type(z.object({ n: z.number() }))`
      SELECT count(*)::int AS n FROM users WHERE display_name = ''`);
    expect(names).toBe(0);
  });

  it('refuses a request linked to no one', async () => {
    const request = await fileRequest(t, {
      tenantId: acme,
      type: 'rectification',
      rectification: { name: 'X' },
    });
    expect((await refusal(service.fulfil(request, jobContext()))).code).toBe('invalid_state_transition');
  });
});

describe('restriction and objection', () => {
  const flags = (patientId: string) =>
    t.adminPool.any(sql.type(
      z.object({ kind: z.string(), purpose: z.string().nullable(), record: z.string(), lifted: z.boolean() }),
    )`
      SELECT kind, purpose, CASE WHEN patient_id IS NULL THEN 'user' ELSE 'patient' END AS record, lifted_at IS NOT NULL AS lifted
      FROM processing_restrictions
      WHERE patient_id = ${patientId} OR user_id IN (SELECT id FROM users WHERE subject_patient_id = ${patientId})
      ORDER BY kind, purpose, record, lifted`);

  it('restricts every record of the person once, with an event for each new flag', async () => {
    const before = (await eventsOfType('privacy.restriction_changed')).length;
    const request = await fileRequest(t, { tenantId: acme, type: 'restriction', patientId: p1.id });
    const outcome = await service.fulfil(request, jobContext());
    expect(outcome).toEqual({
      counts: { processing_restrictions: 2 },
      kept: [],
      notes: [expect.stringContaining('emergency')],
    });
    expect(await flags(p1.id)).toEqual([
      { kind: 'restriction', purpose: null, record: 'patient', lifted: false },
      { kind: 'restriction', purpose: null, record: 'user', lifted: false },
    ]);
    await service.fulfil(request, jobContext());
    expect(await flags(p1.id)).toHaveLength(2);
    const events = (await eventsOfType('privacy.restriction_changed')).slice(before);
    expect(events.map((e) => e.payload)).toEqual([
      { kind: 'restriction', purpose: null, active: true },
      { kind: 'restriction', purpose: null, active: true },
    ]);
    expect(new Set(events.map((e) => e.subject)).size).toBe(2); // the patient and the account
  });

  it('sets objections only for purposes that allow objecting, and says why not for the rest', async () => {
    const request = await fileRequest(t, { tenantId: acme, type: 'objection', patientId: p2.id });
    const outcome = await service.fulfil(
      { ...request, objectionPurposes: ['analytics', 'care', 'marketing', 'analytics'] },
      jobContext(),
    );
    expect(outcome.counts).toEqual({ processing_restrictions: 1 });
    expect(outcome.kept).toEqual([
      { table: 'processing_restrictions', reason: expect.stringContaining('"care" does not apply') },
      { table: 'processing_restrictions', reason: expect.stringContaining('"marketing" is not a purpose') },
    ]);
    expect(await flags(p2.id)).toEqual([
      { kind: 'objection', purpose: 'analytics', record: 'patient', lifted: false },
    ]);
    const none = await fileRequest(t, { tenantId: acme, type: 'objection', patientId: p2.id });
    expect((await refusal(service.fulfil(none, jobContext()))).code).toBe('validation_failed');
  });

  it('lifts a flag, keeping the row as a record, with its event', async () => {
    const subject = { tenantId: acme, patientIds: [p2.id], userIds: [] };
    const lift = () =>
      liftFlags(
        new Database(t.pool),
        t.app.get(AuditRecorder),
        subject,
        { kind: 'objection', purpose: 'analytics' },
        'Consent given again',
      );
    expect(await lift()).toBe(1);
    expect(await lift()).toBe(0);
    expect(await flags(p2.id)).toEqual([
      { kind: 'objection', purpose: 'analytics', record: 'patient', lifted: true },
    ]);
    const [last] = (await eventsOfType('privacy.restriction_changed')).slice(-1);
    expect(last?.payload).toEqual({ kind: 'objection', purpose: 'analytics', active: false });
  });
});
