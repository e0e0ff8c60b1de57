/**
 * Reading data-subject requests on the real stack: the queue is filtered in SQL by the same policy
 * as single reads (other tenants and roles without a rule see nothing), compliance officers see no
 * patient link, reads are recorded, and the queue pages by effective due date and finds overdue ones.
 * Downloading the copy needs export: privacy officers and the subject themselves, never compliance
 * officers or auditors; a signed-in subject sees why their request was extended or rejected.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPatients, demoTenants, demoUserByName } from '../../backend/src/launcher/demo-data.js';
import { FulfilmentService } from '../../backend/src/modules/privacy/fulfilment/fulfilment.service.js';
import { entriesOf } from '../support/audit.js';
import { createTestApp, type TestApp, type TestResponse } from '../support/test-app.js';
import { fileRequest, jobContext } from './fulfilment-support.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

const base = '/api/v1/privacy/requests';
const requestId = (res: TestResponse) => String(res.headers['x-request-id']);

async function fileOnBehalf(body: Record<string, unknown> = {}) {
  const res = await t.request('POST', base, {
    as: 'privacy',
    body: { type: 'access', locale: 'en', email: `c.${randomUUID().slice(0, 8)}@example.org`, ...body },
  });
  expect(res.status, res.text).toBe(201);
  return res;
}

describe('reading', () => {
  it('filters the queue in SQL by the policy, hides health fields from compliance, and records reads', async () => {
    const filed = await fileOnBehalf({
      subjectPatientId: demoPatients.p2.id,
      verifyIdentity: true,
      identityNote: 'ok',
    });
    const compliance = await t.request('GET', `${base}/${filed.body.id}`, { as: 'compliance' });
    expect(compliance.status).toBe(200);
    expect(compliance.body).not.toHaveProperty('subjectPatientId');
    expect(compliance.body).toMatchObject({ reference: filed.body.reference, history: [{ event: 'filed' }] });
    const officer = await t.request('GET', `${base}/${filed.body.id}`, { as: 'privacy' });
    expect(officer.body.subjectPatientId).toBe(demoPatients.p2.id);
    expect(await entriesOf(t, requestId(officer))).toMatchObject([
      { type: 'privacy.request_read', resource: { type: 'PrivacyRequest', id: filed.body.id } },
    ]);
    for (const as of ['operator', 'tenant-admin', 'clinician', 'operator-globex', 'subject']) {
      expect((await t.request('GET', `${base}/${filed.body.id}`, { as })).status, as).toBe(404);
    }
    expect((await t.request('GET', base, { as: 'operator-globex' })).body.items).toEqual([]);
    expect((await t.request('GET', base, { as: 'operator' })).body.items).toEqual([]);
    const acme = (await t.request('GET', `${base}?limit=200`, { as: 'privacy' })).body.items;
    expect(acme.every((r: { tenantId: string }) => r.tenantId === demoTenants.acme.id)).toBe(true);
  });

  it('pages the queue by due date and lists overdue requests', async () => {
    // Requests under jurisdictions with different periods, so their deadlines differ.
    for (const jurisdiction of ['hipaa', 'ccpa', 'uk-gdpr']) await fileOnBehalf({ jurisdiction });
    const filed = await fileOnBehalf();
    await t.adminPool.query(
      sql.unsafe`UPDATE privacy_requests SET due_at = now() - interval '2 days' WHERE id = ${filed.body.id}`,
    );
    const overdue = await t.request('GET', `${base}?overdue=true`, { as: 'privacy' });
    expect(overdue.body.items.map((r: { id: string }) => r.id)).toContain(filed.body.id);
    expect(overdue.body.items.every((r: { overdue: boolean }) => r.overdue)).toBe(true);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: TestResponse = await t.request(
        'GET',
        `${base}?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        { as: 'privacy' },
      );
      seen.push(...page.body.items.map((r: { effectiveDueAt: string }) => r.effectiveDueAt));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...seen].sort());
    expect(seen.length).toBeGreaterThan(3);
  });
});

describe('the result and the reasons', () => {
  it('lets only those who may export download the copy: the privacy officer and the subject', async () => {
    const request = await fileRequest(t, {
      tenantId: demoTenants.acme.id,
      type: 'access',
      patientId: demoPatients.p1.id,
      userId: demoUserByName('subject')?.id as string,
    });
    const outcome = await t.app.get(FulfilmentService).fulfil(request, jobContext());
    await t.adminPool.query(sql.unsafe`
      UPDATE privacy_requests SET status = 'completed', completed_at = now(), outcome = ${sql.jsonb(outcome as never)}
      WHERE id = ${request.id}`);
    const url = `${base}/${request.id}/result`;
    for (const as of ['compliance', 'auditor']) {
      // They may read the request (its status and deadline) but not take the subject's data.
      expect((await t.request('GET', `${base}/${request.id}`, { as })).status, as).toBe(200);
      const refused = await t.request('GET', url, { as });
      expect(refused.status, as).toBe(403);
      expect(refused.body).toMatchObject({ code: 'forbidden', permission: 'export:PrivacyRequest' });
    }
    for (const as of ['privacy', 'subject']) {
      const res = await t.request('GET', url, { as });
      expect(res.status, as).toBe(200);
      expect(res.headers['content-type'], as).toBe('application/zip');
      expect(Number(res.headers['content-length']), as).toBe(outcome.file?.bytes);
    }
    expect((await t.request('GET', url, { as: 'operator' })).status).toBe(404);
  });

  it('shows a signed-in subject why their request was extended or rejected, and what was done', async () => {
    const subject = demoUserByName('subject')?.id as string;
    const extended = await fileRequest(t, { tenantId: demoTenants.acme.id, type: 'access', userId: subject });
    await t.adminPool.query(sql.unsafe`
      UPDATE privacy_requests SET extended_due_at = due_at + interval '60 days',
                                  extension_reason = 'Many records across sites'
      WHERE id = ${extended.id}`);
    const rejected = await fileRequest(t, {
      tenantId: demoTenants.acme.id,
      type: 'erasure',
      userId: subject,
    });
    await t.adminPool.query(sql.unsafe`
      UPDATE privacy_requests SET status = 'rejected', rejection_reason = 'Records must be kept by law', completed_at = now(),
                                  outcome = ${sql.jsonb({ notes: ['kept by law'] })}
      WHERE id = ${rejected.id}`);
    const one = await t.request('GET', `${base}/${extended.id}`, { as: 'subject' });
    expect(one.status).toBe(200);
    expect(one.body.extensionReason).toBe('Many records across sites');
    const other = await t.request('GET', `${base}/${rejected.id}`, { as: 'subject' });
    expect(other.body).toMatchObject({
      rejectionReason: 'Records must be kept by law',
      outcome: { notes: ['kept by law'] },
    });
    // Still not the officers' fields.
    expect(other.body).not.toHaveProperty('contactEmail');
    expect(other.body).not.toHaveProperty('subjectPatientId');
  });
});
