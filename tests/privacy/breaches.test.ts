/**
 * The breach register through the real API (GDPR art. 33–34, HIPAA §164.404–410): entries with a
 * reference, the 72-hour notification clock from detection, late notifications only with reasons,
 * optimistic concurrency, who may keep and read it, and what the audit trail records.
 */
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { demoTenants, demoUserByName } from '../../backend/src/launcher/demo-data.js';
import { demoUserId, expectProblem } from '../api/support/fixtures.js';
import { entriesOf } from '../support/audit.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let globexBreach: string;
beforeAll(async () => {
  t = await createTestApp();
  globexBreach = await t.adminPool.oneFirst(sql.type(z.object({ id: z.uuid() }))`
    INSERT INTO breaches (tenant_id, reference, title, description, risk, detected_at, created_by)
    VALUES (${demoTenants.globex.id}, 'BR-GLBX-0001', 'Globex breach', 'Another tenant''s', 'high',
            now() - interval '100 hours', ${demoUserId('operator-globex')})
    RETURNING id`);
});
afterAll(() => t?.close());

const HOUR = 3_600_000;
const hoursAgo = (h: number) => new Date(Date.now() - h * HOUR).toISOString();
const body = (extra: Record<string, unknown> = {}) => ({
  title: 'Backup tape lost in transit',
  description: 'A backup tape of the telemetry store did not arrive at the archive.',
  categories: ['user.device.telemetry'],
  risk: 'high',
  ...extra,
});
const create = (extra: Record<string, unknown> = {}, as = 'privacy') =>
  t.request('POST', '/api/v1/privacy/breaches', { as, body: body(extra) });
const patch = (id: string, etag: string, change: Record<string, unknown>, as = 'privacy') =>
  t.request('PATCH', `/api/v1/privacy/breaches/${id}`, { as, body: change, headers: { 'if-match': etag } });

describe('recording a breach', () => {
  it('gives it a reference and starts the 72-hour clock at detection (now by default)', async () => {
    const before = Date.now();
    const res = await create({ subjectsAffected: 120, recordsAffected: 56000, occurredAt: hoursAgo(30) });
    expect(res.status, res.text).toBe(201);
    expect(res.headers.etag).toBe('"1"');
    expect(res.headers.location).toBe(`/api/v1/privacy/breaches/${res.body.id}`);
    expect(res.body).toMatchObject({
      tenantId: demoTenants.acme.id,
      reference: expect.stringMatching(/^BR-[0-9A-Z]{4}-[0-9A-Z]{4}$/),
      status: 'open',
      risk: 'high',
      subjectsAffected: 120,
      authorityNotifiedAt: null,
      createdBy: demoUserByName('privacy')?.id,
      notificationOverdue: false,
      subjectsNotificationOverdue: false,
    });
    const detected = Date.parse(res.body.detectedAt);
    expect(detected).toBeGreaterThanOrEqual(before - 1000);
    expect(detected).toBeLessThanOrEqual(Date.now() + 1000);
    expect(Date.parse(res.body.notificationDueAt) - detected).toBe(72 * HOUR);
    expect(Date.parse(res.body.subjectsNotificationDueAt) - detected).toBe(60 * 24 * HOUR);
    const read = await t.request('GET', `/api/v1/privacy/breaches/${res.body.id}`, { as: 'auditor' });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(res.body);
  });

  it('refuses a detection in the future, an occurrence after detection and unknown categories (400)', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ detectedAt: new Date(Date.now() + 24 * HOUR).toISOString() }, 'detectedAt'],
      [{ detectedAt: hoursAgo(5), occurredAt: hoursAgo(1) }, 'occurredAt'],
      [{ categories: ['user.shoe-size'] }, 'categories.0'],
      [{ categories: ['user.name', 'user.name'] }, 'categories'],
      [{ risk: 'catastrophic' }, 'risk'],
      [{ detectedAt: '2026-01-01' }, 'detectedAt'],
    ];
    for (const [extra, path] of cases) {
      const res = await create(extra);
      expectProblem(res, 400);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
  });
});

describe('the 72-hour clock', () => {
  it('is overdue 80 hours after detection; a late notification needs reasons (422), with them it stops', async () => {
    const res = await create({ detectedAt: hoursAgo(80), risk: 'risk' });
    const { id } = res.body;
    expect(res.body.notificationOverdue).toBe(true);
    const overdue = await t.request('GET', '/api/v1/privacy/breaches?overdue=true', { as: 'compliance' });
    expect(overdue.body.items.map((b: { id: string }) => b.id)).toContain(id);
    const notOverdue = await t.request('GET', '/api/v1/privacy/breaches?overdue=false', { as: 'compliance' });
    expect(notOverdue.body.items.map((b: { id: string }) => b.id)).not.toContain(id);

    const late = await patch(id, '"1"', { authorityNotifiedAt: hoursAgo(1) });
    expectProblem(late, 422);
    expect(late.body).toMatchObject({
      code: 'late_notification_reason_required',
      errors: [{ location: 'body', path: 'lateNotificationReason' }],
    });
    const withReason = await patch(id, '"1"', {
      authorityNotifiedAt: hoursAgo(1),
      lateNotificationReason: 'The scope was only known after the forensic analysis.',
    });
    expect(withReason.status, withReason.text).toBe(200);
    expect(withReason.body).toMatchObject({ notificationOverdue: false, version: 2 });
    const after = await t.request('GET', '/api/v1/privacy/breaches?overdue=true', { as: 'compliance' });
    expect(after.body.items.map((b: { id: string }) => b.id)).not.toContain(id);
  });

  it('is not overdue when notified in time, nor when the risk is assessed as unlikely', async () => {
    const inTime = await create({ detectedAt: hoursAgo(80) });
    const notified = await patch(inTime.body.id, '"1"', { authorityNotifiedAt: hoursAgo(10) });
    expect(notified.status).toBe(200);
    expect(notified.body.notificationOverdue).toBe(false);
    const unlikely = await create({ detectedAt: hoursAgo(80), risk: 'unlikely' });
    expect(unlikely.body.notificationOverdue).toBe(false);
    const notBeforeDetection = await patch(inTime.body.id, '"2"', { authorityNotifiedAt: hoursAgo(90) });
    expectProblem(notBeforeDetection, 400);
    expect(notBeforeDetection.body.errors[0].path).toBe('authorityNotifiedAt');
  });
});

describe('updating', () => {
  it('needs If-Match and refuses a stale one', async () => {
    const { body: b } = await create();
    const missing = await t.request('PATCH', `/api/v1/privacy/breaches/${b.id}`, {
      as: 'privacy',
      body: { status: 'contained' },
    });
    expectProblem(missing, 428);
    expect(
      (await patch(b.id, '"1"', { status: 'contained', measures: 'Tape found and destroyed.' })).status,
    ).toBe(200);
    expectProblem(await patch(b.id, '"1"', { status: 'open' }), 412);
  });

  it('closes only an assessed breach whose authority notification is recorded (409 otherwise)', async () => {
    const { body: b } = await create({ risk: 'unassessed' });
    const unassessed = await patch(b.id, '"1"', { status: 'closed' });
    expectProblem(unassessed, 409);
    expect(unassessed.body.code).toBe('invalid_state_transition');
    expectProblem(await patch(b.id, '"1"', { status: 'closed', risk: 'high' }), 409);
    const closed = await patch(b.id, '"1"', {
      status: 'closed',
      risk: 'high',
      authorityNotifiedAt: new Date().toISOString(),
    });
    expect(closed.status, closed.text).toBe(200);
    expect(closed.body).toMatchObject({ status: 'closed', risk: 'high' });
  });

  it('audits recording and updating, with free text kept out of the trail', async () => {
    const created = await create({ likelyConsequences: 'Patients could be identified by Jane Roe.' });
    const [recorded] = await entriesOf(t, String(created.headers['x-request-id']));
    expect(recorded).toMatchObject({
      type: 'privacy.breach_recorded',
      outcome: 'allowed',
      resource: { type: 'Breach', id: created.body.id, tenantId: demoTenants.acme.id },
      payload: {
        after: {
          reference: created.body.reference,
          risk: 'high',
          status: 'open',
          categories: ['user.device.telemetry'],
        },
      },
    });
    expect(recorded?.payload).toMatchObject({
      changed: expect.arrayContaining(['title', 'likelyConsequences']),
    });
    expect(JSON.stringify(recorded)).not.toContain('Jane Roe');
    expect(JSON.stringify(recorded)).not.toContain('Backup tape');

    const updated = await patch(created.body.id, '"1"', { risk: 'risk', measures: 'Called Jane Roe.' });
    const [event] = await entriesOf(t, String(updated.headers['x-request-id']));
    expect(event).toMatchObject({
      type: 'privacy.breach_updated',
      payload: { changed: ['measures', 'risk'], after: { risk: 'risk' } },
    });
    expect(JSON.stringify(event)).not.toContain('Jane Roe');
  });
});

describe('the register', () => {
  it('lists newest detection first, filters by status and pages with a cursor', async () => {
    const seen: Array<{ detectedAt: string; tenantId: string; status: string }> = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: typeof seen; nextCursor: string | null } } = await t.request(
        'GET',
        `/api/v1/privacy/breaches?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        { as: 'auditor' },
      );
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.length).toBeGreaterThan(6);
    const times = seen.map((b) => b.detectedAt);
    expect(times).toEqual([...times].sort().reverse());
    expect(seen.every((b) => b.tenantId === demoTenants.acme.id)).toBe(true);
    const closed = await t.request('GET', '/api/v1/privacy/breaches?status=closed', { as: 'auditor' });
    expect(closed.body.items.length).toBeGreaterThan(0);
    expect(closed.body.items.every((b: { status: string }) => b.status === 'closed')).toBe(true);
  });
});

describe('who may', () => {
  it('lets the privacy and compliance officers keep the register, and the auditor only read it', async () => {
    const byCompliance = await create({}, 'compliance');
    expect(byCompliance.status).toBe(201);
    expect((await patch(byCompliance.body.id, '"1"', { status: 'contained' }, 'compliance')).status).toBe(
      200,
    );
    const byAuditor = await create({}, 'auditor');
    expectProblem(byAuditor, 403);
    expect(byAuditor.body.permission).toBe('create:Breach');
    const auditorPatch = await patch(byCompliance.body.id, '"2"', { status: 'open' }, 'auditor');
    expectProblem(auditorPatch, 403);
    expect(auditorPatch.body.permission).toBe('update:Breach');
  });

  it.each(['operator', 'tenant-admin', 'clinician', 'subject', 'admin'])(
    'refuses %s everything',
    async (as) => {
      const { body: b } = await create();
      expectProblem(await create({}, as), 403);
      expectProblem(await t.request('GET', `/api/v1/privacy/breaches/${b.id}`, { as }), 404);
      expectProblem(await patch(b.id, '"1"', { status: 'contained' }, as), 404);
      expect((await t.request('GET', '/api/v1/privacy/breaches', { as })).body.items).toEqual([]);
    },
  );

  it('hides another tenant’s breach behind 404', async () => {
    expectProblem(await t.request('GET', `/api/v1/privacy/breaches/${globexBreach}`, { as: 'privacy' }), 404);
    expectProblem(await patch(globexBreach, '"1"', { status: 'contained' }), 404);
    const list = await t.request('GET', '/api/v1/privacy/breaches?overdue=true', { as: 'privacy' });
    expect(list.body.items.map((b: { id: string }) => b.id)).not.toContain(globexBreach);
  });
});
