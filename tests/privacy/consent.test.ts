/**
 * Consent records through the real API (GDPR art. 7(1), HIPAA §164.508): append-only history where
 * the latest record per subject and purpose is the one in force, recorded by the privacy officer or
 * by the patient themselves, only for purposes that take consent, audited on write and on read.
 */
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { demoPatients, demoTenants, demoUserByName } from '../../backend/src/launcher/demo-data.js';
import { expectProblem } from '../api/support/fixtures.js';
import { entriesOf } from '../support/audit.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
const globexPatient = 'fa710000-0000-4000-8000-0000000000b1';
beforeAll(async () => {
  t = await createTestApp();
  await t.adminPool.query(sql.unsafe`
    INSERT INTO patients (id, tenant_id, code) VALUES (${globexPatient}, ${demoTenants.globex.id}, 'GX-0001')`);
  // A record in the other tenant that no Acme caller may ever see.
  await t.adminPool.query(sql.unsafe`
    INSERT INTO consent_records (tenant_id, patient_id, purpose, action, source)
    VALUES (${demoTenants.globex.id}, ${globexPatient}, 'analytics', 'given', 'import')`);
});
afterAll(() => t?.close());

const p1 = demoPatients.p1.id;
const p2 = demoPatients.p2.id;
const record = (as: string, body: Record<string, unknown>) =>
  t.request('POST', '/api/v1/privacy/consents', { as, body });
const subjectView = (as: string, kind: string, id: string) =>
  t.request('GET', `/api/v1/privacy/consents/subjects/${kind}/${id}`, { as });
const stateOf = (view: { current: Array<{ purpose: string; state: string }> }, purpose: string) =>
  view.current.find((c) => c.purpose === purpose)?.state;

describe('recording consent', () => {
  it('keeps every record; the latest one per purpose is in force (given → withdrawn → given)', async () => {
    const given = await record('privacy', {
      patientId: p2,
      purpose: 'research',
      action: 'given',
      evidence: 'form R-2',
    });
    expect(given.status, given.text).toBe(201);
    expect(given.body).toMatchObject({
      tenantId: demoTenants.acme.id,
      patientId: p2,
      userId: null,
      purpose: 'research',
      action: 'given',
      source: 'officer',
      evidence: 'form R-2',
      recordedBy: demoUserByName('privacy')?.id,
    });
    expect(given.headers.location).toBe(`/api/v1/privacy/consents/subjects/patient/${p2}`);
    expect(stateOf((await subjectView('privacy', 'patient', p2)).body, 'research')).toBe('given');

    expect(
      (await record('privacy', { patientId: p2, purpose: 'research', action: 'withdrawn' })).status,
    ).toBe(201);
    const view = (await subjectView('privacy', 'patient', p2)).body;
    expect(stateOf(view, 'research')).toBe('withdrawn');
    expect(stateOf(view, 'analytics')).toBe('none');
    expect(view.history.map((r: { action: string }) => r.action)).toEqual(['withdrawn', 'given']);

    expect((await record('privacy', { patientId: p2, purpose: 'research', action: 'given' })).status).toBe(
      201,
    );
    const again = (await subjectView('privacy', 'patient', p2)).body;
    expect(again.current.find((c: { purpose: string }) => c.purpose === 'research')).toMatchObject({
      state: 'given',
      source: 'officer',
    });
    expect(again.history).toHaveLength(3);
    // Append-only: no route changes or removes a record, and the database refuses it too.
    expect(
      (await t.request('DELETE', `/api/v1/privacy/consents/${given.body.id}`, { as: 'privacy' })).status,
    ).toBe(404);
    await expect(
      t.pool.query(sql.unsafe`UPDATE consent_records SET action = 'withdrawn' WHERE id = ${given.body.id}`),
    ).rejects.toThrow();
  });

  it('counts subjects per purpose by their latest record across the tenant', async () => {
    await record('privacy', { patientId: demoPatients.p3.id, purpose: 'analytics', action: 'given' });
    await record('privacy', { patientId: demoPatients.p3.id, purpose: 'analytics', action: 'withdrawn' });
    const user = demoUserByName('operator')?.id as string;
    await record('privacy', { userId: user, purpose: 'analytics', action: 'given', source: 'import' });
    const res = await t.request('GET', '/api/v1/privacy/consents/overview', { as: 'privacy' });
    expect(res.status).toBe(200);
    expect(res.body.tenantId).toBe(demoTenants.acme.id);
    const analytics = res.body.purposes.find((p: { purpose: string }) => p.purpose === 'analytics');
    // p3 withdrew; the operator's account gave; the Globex patient is another tenant's.
    expect(analytics).toMatchObject({ name: 'Analytics and service improvement', given: 1, withdrawn: 1 });
    expect(res.body.purposes.map((p: { purpose: string }) => p.purpose)).toEqual(
      expect.arrayContaining(['analytics', 'research']),
    );
  });

  it('refuses purposes that take no consent or do not exist (422 naming the field)', async () => {
    for (const purpose of ['care', 'accountability', 'marketing']) {
      const res = await record('privacy', { patientId: p2, purpose, action: 'given' });
      expectProblem(res, 422);
      expect(res.body.code).toBe('invalid_consent');
      expect(res.body.errors[0]).toMatchObject({ location: 'body', path: 'purpose' });
    }
    const badId = await record('privacy', { patientId: p2, purpose: 'Analytics!', action: 'given' });
    expectProblem(badId, 400);
    expect(badId.body.errors[0].path).toBe('purpose');
  });

  it('refuses a subject that is not in the caller’s organisation, and a source that does not fit', async () => {
    const foreign = await record('privacy', {
      patientId: globexPatient,
      purpose: 'analytics',
      action: 'given',
    });
    expectProblem(foreign, 422);
    expect(foreign.body).toMatchObject({ code: 'invalid_reference', errors: [{ path: 'patientId' }] });
    const portal = await record('privacy', {
      patientId: p2,
      purpose: 'analytics',
      action: 'given',
      source: 'portal',
    });
    expectProblem(portal, 422);
    expect(portal.body.errors[0].path).toBe('source');
    const both = await record('privacy', {
      patientId: p2,
      userId: demoUserByName('operator')?.id,
      purpose: 'analytics',
      action: 'given',
    });
    expectProblem(both, 400);
    expect(both.body.errors[0].path).toBe('userId');
  });
});

describe('the data subject', () => {
  it('records and withdraws their own consent in the portal (source portal)', async () => {
    const own = await record('subject', {
      purpose: 'analytics',
      action: 'given',
      evidence: 'portal notice v4',
    });
    expect(own.status, own.text).toBe(201);
    expect(own.body).toMatchObject({
      patientId: p1,
      source: 'portal',
      recordedBy: demoUserByName('subject')?.id,
    });
    const named = await record('subject', { patientId: p1, purpose: 'analytics', action: 'withdrawn' });
    expect(named.status).toBe(201);
    const view = await subjectView('subject', 'patient', p1);
    expect(view.status).toBe(200);
    expect(stateOf(view.body, 'analytics')).toBe('withdrawn');
    const claimsOfficer = await record('subject', {
      purpose: 'analytics',
      action: 'given',
      source: 'officer',
    });
    expectProblem(claimsOfficer, 422);
    expect(claimsOfficer.body.errors[0].path).toBe('source');
  });

  it('cannot record or read someone else’s consent, nor the tenant overview', async () => {
    const other = await record('subject', { patientId: p2, purpose: 'analytics', action: 'given' });
    expectProblem(other, 403);
    expect(other.body.permission).toBe('create:ConsentRecord');
    expectProblem(await subjectView('subject', 'patient', p2), 404);
    expectProblem(await t.request('GET', '/api/v1/privacy/consents/overview', { as: 'subject' }), 403);
    const list = await t.request('GET', '/api/v1/privacy/consents', { as: 'subject' });
    expect(list.status).toBe(200);
    expect(list.body.items.length).toBeGreaterThan(0);
    expect(list.body.items.every((r: { patientId: string }) => r.patientId === p1)).toBe(true);
  });
});

describe('reading consent', () => {
  it('pages the history newest first, filtered by subject and purpose, never another tenant’s', async () => {
    const all = await t.request('GET', '/api/v1/privacy/consents?limit=2', { as: 'privacy' });
    expect(all.status).toBe(200);
    expect(all.body.items).toHaveLength(2);
    const seen = [...all.body.items];
    for (let cursor = all.body.nextCursor; cursor; ) {
      const page = await t.request('GET', `/api/v1/privacy/consents?limit=2&cursor=${cursor}`, {
        as: 'privacy',
      });
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
    }
    const times = seen.map((r) => r.recordedAt);
    expect(times).toEqual([...times].sort().reverse());
    expect(seen.every((r) => r.tenantId === demoTenants.acme.id)).toBe(true);
    expect(new Set(seen.map((r) => r.id)).size).toBe(seen.length);
    const filtered = await t.request('GET', `/api/v1/privacy/consents?patientId=${p2}&purpose=research`, {
      as: 'privacy',
    });
    expect(filtered.body.items.length).toBe(3);
    expect(
      filtered.body.items.every(
        (r: { patientId: string; purpose: string }) => r.patientId === p2 && r.purpose === 'research',
      ),
    ).toBe(true);
  });

  it('audits a recording with the subject’s pseudonym and the evidence sealed, and every read of a subject', async () => {
    const res = await record('privacy', {
      patientId: p2,
      purpose: 'analytics',
      action: 'given',
      evidence: 'signed form 4471',
    });
    const [event] = await entriesOf(t, String(res.headers['x-request-id']));
    expect(event).toMatchObject({
      type: 'privacy.consent_recorded',
      outcome: 'allowed',
      resource: { type: 'ConsentRecord', id: res.body.id, tenantId: demoTenants.acme.id },
      payload: { purpose: 'analytics', action: 'given', source: 'officer' },
    });
    expect(event?.subject).toMatch(/^[0-9a-f]{64}$/);
    expect(event?.sealed).not.toBeNull();
    expect(JSON.stringify(event)).not.toContain('4471');

    const read = await subjectView('privacy', 'patient', p2);
    const [readEvent] = await entriesOf(t, String(read.headers['x-request-id']));
    expect(readEvent).toMatchObject({ type: 'privacy.consent_read', subject: event?.subject });
    expect(readEvent?.payload).toMatchObject({ count: read.body.history.length });

    const list = await t.request('GET', `/api/v1/privacy/consents?patientId=${p2}`, { as: 'privacy' });
    const listEvents = await entriesOf(t, String(list.headers['x-request-id']));
    expect(listEvents.map((e) => [e.type, e.subject])).toEqual([['privacy.consent_read', event?.subject]]);
  });

  it('records a refused attempt under the route’s event', async () => {
    const res = await record('operator', { patientId: p2, purpose: 'analytics', action: 'given' });
    expectProblem(res, 403);
    // The operator's first request here also signs them in.
    const events = (await entriesOf(t, String(res.headers['x-request-id']))).filter(
      (e) => e.type !== 'auth.signed_in',
    );
    expect(events.map((e) => [e.type, e.outcome, e.resource.type])).toEqual([
      ['privacy.consent_recorded', 'denied', 'ConsentRecord'],
    ]);
  });
});

describe('who may', () => {
  it.each(['compliance', 'auditor', 'operator', 'tenant-admin', 'clinician', 'admin'])(
    '%s neither records consent nor reads the overview or a subject',
    async (as) => {
      expectProblem(await record(as, { patientId: p2, purpose: 'analytics', action: 'given' }), 403);
      expectProblem(await t.request('GET', '/api/v1/privacy/consents/overview', { as }), 403);
      expectProblem(await subjectView(as, 'patient', p2), 403);
      const list = await t.request('GET', '/api/v1/privacy/consents', { as });
      expect(list.status).toBe(200);
      expect(list.body.items).toEqual([]);
    },
  );

  it('hides another tenant’s subject behind 404 and a subject that does not exist too', async () => {
    expectProblem(await subjectView('privacy', 'patient', globexPatient), 404);
    expectProblem(await subjectView('privacy', 'user', '7d1c2b8e-5a4f-4c3e-9b2a-1f0e9d8c7b6a'), 404);
    const globexRows = await t.adminPool.oneFirst(
      sql.type(
        z.object({ n: z.coerce.number() }),
      )`SELECT count(*) AS n FROM consent_records WHERE tenant_id = ${demoTenants.globex.id}`,
    );
    expect(globexRows).toBe(1);
  });
});
