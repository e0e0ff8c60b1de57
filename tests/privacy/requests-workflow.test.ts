/**
 * The signed-in side of data-subject requests on the real stack: a data subject files about
 * themselves; a privacy officer files on someone's behalf, assigns, extends (the reason mailed, art.
 * 12(3)) and rejects (the reason and the right to complain mailed, art. 12(4)); If-Match, the state
 * machine and the policy hold; every step leaves one audit event with its free text sealed; a
 * failing fulfilment job leaves the request in progress. Reading: requests-reading.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SubjectVault } from '../../backend/src/core/audit/subject-vault.js';
import { JobWorker } from '../../backend/src/core/jobs/job-worker.js';
import { demoPatients, demoTenants, demoUserByName } from '../../backend/src/launcher/demo-data.js';
import { FulfilmentService } from '../../backend/src/modules/privacy/fulfilment/fulfilment.service.js';
import { entriesOf } from '../support/audit.js';
import { startTestMailCatcher, type TestMailCatcher } from '../support/mail-catcher.js';
import { createTestApp, type TestApp, type TestResponse } from '../support/test-app.js';

let t: TestApp;
let mail: TestMailCatcher;
beforeAll(async () => {
  mail = await startTestMailCatcher();
  t = await createTestApp({ env: { MAIL_URL: mail.mailUrl } });
});
afterAll(async () => {
  await t?.close();
  await mail?.stop();
});

const base = '/api/v1/privacy/requests';
const userId = (name: string) => demoUserByName(name)?.id as string;
const requestId = (res: TestResponse) => String(res.headers['x-request-id']);
const runJobs = async () => {
  while (await t.app.get(JobWorker).runOnce()) {
    /* until the queue is empty */
  }
};
const etag = (res: TestResponse) => String(res.headers.etag);
const step = (id: string, action: string, ifMatch: string, body?: unknown, as = 'privacy') =>
  t.request('POST', `${base}/${id}/${action}`, {
    as,
    headers: { 'if-match': ifMatch },
    ...(body ? { body } : {}),
  });

async function fileOnBehalf(body: Record<string, unknown> = {}) {
  const res = await t.request('POST', base, {
    as: 'privacy',
    body: { type: 'access', locale: 'en', email: `c.${randomUUID().slice(0, 8)}@example.org`, ...body },
  });
  expect(res.status, res.text).toBe(201);
  return res;
}

describe('filing while signed in', () => {
  it('files a data subject’s own request with their account as subject and proof of identity', async () => {
    const res = await t.request('POST', base, {
      as: 'subject',
      body: { type: 'portability', locale: 'ru', timeZone: 'Europe/Moscow', details: 'Мои данные' },
    });
    expect(res.status, res.text).toBe(201);
    // The subject sees only the fields the policy gives them.
    expect(Object.keys(res.body).sort()).toEqual(
      [
        'id',
        'reference',
        'type',
        'status',
        'jurisdiction',
        'receivedAt',
        'dueAt',
        'extendedDueAt',
        'extensionReason',
        'locale',
        'objectionPurposes',
        'rejectionReason',
        'outcome',
        'completedAt',
        'createdAt',
        'updatedAt',
        'version',
        'effectiveDueAt',
        'overdue',
      ].sort(),
    );
    expect(res.body).toMatchObject({ status: 'identity-verified', locale: 'ru', overdue: false });
    const row = await t.adminPool.one(sql.type(
      z.object({ subject_user_id: z.string(), subject_patient_id: z.string(), identity_method: z.string() }),
    )`
      SELECT subject_user_id, subject_patient_id, identity_method FROM privacy_requests WHERE id = ${res.body.id}`);
    expect(row).toEqual({
      subject_user_id: userId('subject'),
      subject_patient_id: demoPatients.p1.id,
      identity_method: 'signed-in',
    });
    // One event, its free text sealed under the patient's key.
    const events = (await entriesOf(t, requestId(res))).filter((e) => e.type !== 'auth.signed_in');
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event).toMatchObject({
      type: 'privacy.request_filed',
      payload: { identityMethod: 'signed-in', requestType: 'portability' },
    });
    expect(JSON.stringify(event)).not.toContain('Мои данные');
    expect(await t.app.get(SubjectVault).open(event?.sealed as never)).toMatchObject({
      details: 'Мои данные',
    });
    // Their own list shows it; they cannot file about someone else.
    const mine = await t.request('GET', `${base}?sort=-receivedAt`, { as: 'subject' });
    expect(mine.body.items.map((r: { id: string }) => r.id)).toContain(res.body.id);
    const other = await t.request('POST', base, {
      as: 'subject',
      body: { type: 'access', locale: 'en', subjectPatientId: demoPatients.p2.id },
    });
    expect(other.status).toBe(400);
    expect(other.body.errors[0].path).toBe('subjectPatientId');
  });

  it('refuses a request filed on another tenant’s portal, and takes one from the caller’s own', async () => {
    const count = () =>
      t.adminPool.oneFirst(sql.type(z.object({ n: z.number() }))`
        SELECT count(*)::int AS n FROM privacy_requests WHERE subject_user_id = ${userId('subject')}`);
    const before = await count();
    for (const tenantSlug of [demoTenants.globex.slug, 'no-such-tenant']) {
      const res = await t.request('POST', base, {
        as: 'subject',
        body: { type: 'access', locale: 'en', tenantSlug },
      });
      expect(res.status, res.text).toBe(422);
      expect(res.body.code).toBe('invalid_reference');
      expect(res.body.errors).toEqual([expect.objectContaining({ location: 'body', path: 'tenantSlug' })]);
    }
    expect(await count()).toBe(before);
    const own = await t.request('POST', base, {
      as: 'subject',
      body: { type: 'access', locale: 'en', tenantSlug: demoTenants.acme.slug },
    });
    expect(own.status, own.text).toBe(201);
    expect(await count()).toBe(before + 1);
  });

  it('files on someone’s behalf, verified by the officer at once, and mails the requester', async () => {
    const res = await fileOnBehalf({
      type: 'erasure',
      jurisdiction: 'uk-gdpr',
      subjectPatientId: demoPatients.p2.id,
      verifyIdentity: true,
      identityNote: 'Called back on the number in the file',
    });
    expect(res.body).toMatchObject({
      status: 'identity-verified',
      identityMethod: 'officer',
      jurisdiction: 'uk-gdpr',
    });
    await runJobs();
    const received = await mail.waitForMail(res.body.contactEmail, { subject: res.body.reference });
    expect(received.subject).toBe(`We have received your request ${res.body.reference}`);
  });

  it('refuses a jurisdiction that grants no such right, and roles that may not file', async () => {
    const hipaaErasure = await t.request('POST', base, {
      as: 'privacy',
      body: { type: 'erasure', jurisdiction: 'hipaa', locale: 'en' },
    });
    expect(hipaaErasure.status).toBe(400);
    expect(hipaaErasure.body.errors[0].path).toBe('type');
    const unknown = await t.request('POST', base, {
      as: 'privacy',
      body: { type: 'access', jurisdiction: 'mars', locale: 'en' },
    });
    expect(unknown.body.errors[0].path).toBe('jurisdiction');
    for (const as of ['operator', 'compliance', 'tenant-admin']) {
      const res = await t.request('POST', base, { as, body: { type: 'access', locale: 'en' } });
      expect(res.status, as).toBe(403);
      expect(res.body.permission).toBe('create:PrivacyRequest');
    }
    const foreign = await t.request('POST', base, {
      as: 'privacy',
      body: { type: 'access', locale: 'en', subjectPatientId: 'fa710000-0000-4000-8000-0000000000ff' },
    });
    expect(foreign.status).toBe(422);
    expect(foreign.body.code).toBe('invalid_reference');
  });
});

describe('the officer’s steps', () => {
  it('assigns to someone who may work the request, and only them', async () => {
    const filed = await fileOnBehalf();
    const refused = await step(filed.body.id, 'assign', etag(filed), { assigneeId: userId('compliance') });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'invalid_reference', errors: [{ path: 'assigneeId' }] });
    const assigned = await step(filed.body.id, 'assign', etag(filed), { assigneeId: userId('privacy') });
    expect(assigned.status, assigned.text).toBe(200);
    expect(assigned.body.assigneeId).toBe(userId('privacy'));
    const [event] = await entriesOf(t, requestId(assigned));
    expect(event).toMatchObject({
      type: 'privacy.request_assigned',
      payload: { changed: ['assigneeId'], after: { assigneeId: userId('privacy') } },
    });
    const queue = await t.request('GET', `${base}?assigneeId=${userId('privacy')}`, { as: 'privacy' });
    expect(queue.body.items.map((r: { id: string }) => r.id)).toContain(filed.body.id);
  });

  it('extends once from the original deadline and mails the reason (art. 12(3))', async () => {
    const filed = await fileOnBehalf({
      subjectPatientId: demoPatients.p3.id,
      verifyIdentity: true,
      identityNote: 'ID card seen',
    });
    const stale = await step(filed.body.id, 'extend', '"99"', { reason: 'x' });
    expect(stale.status).toBe(412);
    const missing = await t.request('POST', `${base}/${filed.body.id}/extend`, {
      as: 'privacy',
      body: { reason: 'x' },
    });
    expect(missing.status).toBe(428);
    const extended = await step(filed.body.id, 'extend', etag(filed), {
      reason: 'Records from three sites must be gathered',
    });
    expect(extended.status, extended.text).toBe(200);
    expect(extended.body).toMatchObject({
      status: 'extended',
      extensionReason: 'Records from three sites must be gathered',
    });
    const months = (iso: string) => new Date(iso).getUTCMonth() + new Date(iso).getUTCFullYear() * 12;
    expect(months(extended.body.extendedDueAt) - months(filed.body.dueAt)).toBeGreaterThanOrEqual(2);
    expect(extended.body.effectiveDueAt).toBe(extended.body.extendedDueAt);
    const [event] = await entriesOf(t, requestId(extended));
    expect(event).toMatchObject({
      type: 'privacy.request_extended',
      payload: { from: 'identity-verified', to: 'extended' },
    });
    expect(JSON.stringify(event)).not.toContain('three sites');
    expect(await t.app.get(SubjectVault).open(event?.sealed as never)).toEqual({
      extensionReason: 'Records from three sites must be gathered',
    });
    const again = await step(filed.body.id, 'extend', etag(extended), { reason: 'more' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('invalid_state_transition');
    await runJobs();
    const notice = await mail.waitForMail(filed.body.contactEmail, { subject: 'needs more time' });
    expect(notice.text).toContain('Why: Records from three sites must be gathered');
  });

  it('rejects with the reason and the right to complain (art. 12(4)), then refuses every step', async () => {
    const filed = await fileOnBehalf({ locale: 'de', jurisdiction: 'gdpr' });
    const rejected = await step(filed.body.id, 'reject', etag(filed), {
      reason: 'Offensichtlich unbegründet',
    });
    expect(rejected.status, rejected.text).toBe(200);
    expect(rejected.body).toMatchObject({
      status: 'rejected',
      rejectionReason: 'Offensichtlich unbegründet',
    });
    await runJobs();
    const notice = await mail.waitForMail(filed.body.contactEmail, { subject: 'abgelehnt' });
    expect(notice.text).toContain('Grund: Offensichtlich unbegründet');
    expect(notice.text).toContain('Aufsichtsbehörde');
    for (const [action, body] of [
      ['process', undefined],
      ['extend', { reason: 'x' }],
      ['reject', { reason: 'x' }],
    ] as const) {
      const res = await step(filed.body.id, action, etag(rejected), body);
      expect(res.status, action).toBe(409);
    }
  });

  it('refuses to process before identity is verified or without a subject, and verifies only with a confirmed contact or by the officer', async () => {
    const filed = await fileOnBehalf();
    expect((await step(filed.body.id, 'process', etag(filed))).status).toBe(409);
    const unconfirmed = await step(filed.body.id, 'verify-identity', etag(filed), { note: 'Looks fine' });
    expect(unconfirmed.status).toBe(409);
    const verified = await step(filed.body.id, 'verify-identity', etag(filed), {
      note: 'Passport seen at the desk',
      method: 'officer',
    });
    expect(verified.status, verified.text).toBe(200);
    expect(verified.body).toMatchObject({ status: 'identity-verified', identityMethod: 'officer' });
    const noSubject = await step(filed.body.id, 'process', etag(verified));
    expect(noSubject.status).toBe(409);
    expect(noSubject.body.detail).toMatch(/Link the data subject/);
  });

  it('keeps a request in progress while its fulfilment fails, retrying the job', async () => {
    const filed = await fileOnBehalf({
      subjectPatientId: demoPatients.p1.id,
      verifyIdentity: true,
      identityNote: 'Known',
    });
    const fulfilment = t.app.get(FulfilmentService);
    const original = fulfilment.fulfil;
    fulfilment.fulfil = async () => {
      throw Object.assign(new Error('store unreachable'), { code: 'store_unreachable' });
    };
    try {
      const processing = await step(filed.body.id, 'process', etag(filed));
      expect(processing.status).toBe(202);
      // Runs the mail and the fulfilment job; the failed job waits for its retry (backoff).
      await runJobs();
    } finally {
      fulfilment.fulfil = original;
    }
    const read = await t.request('GET', `${base}/${filed.body.id}`, { as: 'privacy' });
    expect(read.body.status).toBe('in-progress');
    expect(read.body.job).toMatchObject({ state: 'queued' });
    const job = await t.adminPool.one(sql.type(z.object({ last_error: z.string(), attempts: z.number() }))`
      SELECT last_error, attempts FROM jobs WHERE payload ->> 'requestId' = ${filed.body.id} AND queue = 'privacy.fulfil'`);
    expect(job).toEqual({ last_error: 'store_unreachable', attempts: 1 });
    // While the job is queued the request cannot be rejected: it may already be changing data.
    expect((await step(filed.body.id, 'reject', etag(read), { reason: 'x' })).status).toBe(409);
    expect((await step(filed.body.id, 'process', etag(read))).status).toBe(409);
    // Once the job has failed for good, the officer may process the request again: a new job.
    await t.adminPool.query(sql.unsafe`
      UPDATE jobs SET state = 'failed', finished_at = now() WHERE payload ->> 'requestId' = ${filed.body.id}`);
    const again = await step(filed.body.id, 'process', etag(read));
    expect(again.status, again.text).toBe(202);
    const jobs = await t.adminPool.anyFirst(sql.type(z.object({ state: z.string() }))`
      SELECT state FROM jobs WHERE payload ->> 'requestId' = ${filed.body.id} AND queue = 'privacy.fulfil' ORDER BY id`);
    expect(jobs).toEqual(['failed', 'queued']);
  });
});
