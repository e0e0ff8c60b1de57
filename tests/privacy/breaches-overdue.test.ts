/**
 * The overdue-notification reminder (GDPR art. 33(1)) with two backend instances on one database:
 * each overdue breach is recorded as `privacy.breach_notification_overdue` exactly once, however many
 * instances sweep and however often; breaches in time, notified or assessed as unlikely never are.
 */
import type { AuditEntry } from '@custos/audit';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { demoTenants } from '../../backend/src/launcher/demo-data.js';
import { BreachDeadlines } from '../../backend/src/modules/privacy/breaches/breach-deadlines.js';
import { demoUserId } from '../api/support/fixtures.js';
import { entriesAfter, lastSeq } from '../support/audit.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

let a: TestApp;
let b: TestApp;
beforeAll(async () => {
  a = await createTestApp();
  b = await createTestApp({ sameDatabaseAs: a });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

const HOUR = 3_600_000;
const hoursAgo = (h: number) => new Date(Date.now() - h * HOUR).toISOString();
const record = async (detectedHoursAgo: number, extra: Record<string, unknown> = {}) => {
  const res = await a.request('POST', '/api/v1/privacy/breaches', {
    as: 'privacy',
    body: {
      title: 'Breach',
      description: 'What happened.',
      risk: 'high',
      detectedAt: hoursAgo(detectedHoursAgo),
      ...extra,
    },
  });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; detectedAt: string };
};
const overdueEvents = (entries: AuditEntry[]) =>
  entries.filter((e) => e.type === 'privacy.breach_notification_overdue');

describe('the breach deadline sweep', () => {
  it('records each overdue breach once, across two instances sweeping at the same time', async () => {
    const late = await record(80);
    const unassessed = await record(100, { risk: 'unassessed' });
    const inTime = await record(10);
    const unlikely = await record(90, { risk: 'unlikely' });
    const notified = await record(90);
    await a.request('PATCH', `/api/v1/privacy/breaches/${notified.id}`, {
      as: 'privacy',
      headers: { 'if-match': '"1"' },
      body: { authorityNotifiedAt: hoursAgo(30) },
    });
    const globex = await a.adminPool.oneFirst(sql.type(z.object({ id: z.uuid() }))`
      INSERT INTO breaches (tenant_id, reference, title, description, risk, detected_at, created_by)
      VALUES (${demoTenants.globex.id}, 'BR-GLBX-0002', 'Globex', 'Globex breach', 'risk', now() - interval '73 hours',
              ${demoUserId('operator-globex')})
      RETURNING id`);
    const since = await lastSeq(a);

    const counts = await Promise.all([
      a.app.get(BreachDeadlines).sweep(),
      b.app.get(BreachDeadlines).sweep(),
      a.app.get(BreachDeadlines).sweep(),
      b.app.get(BreachDeadlines).sweep(),
    ]);
    expect(counts.reduce((x, y) => x + y, 0)).toBe(3);

    const events = overdueEvents(await entriesAfter(a, since));
    expect(events.map((e) => e.resource.id).sort()).toEqual([late.id, unassessed.id, globex].sort());
    const lateEvent = events.find((e) => e.resource.id === late.id);
    expect(lateEvent).toMatchObject({
      outcome: 'allowed',
      actor: { kind: 'system' },
      resource: { type: 'Breach', tenantId: demoTenants.acme.id },
      payload: { detectedAt: late.detectedAt, hoursSince: 80 },
    });
    for (const quiet of [inTime, unlikely, notified])
      expect(events.map((e) => e.resource.id)).not.toContain(quiet.id);

    // Later passes find nothing new, and a breach notified late afterwards changes nothing.
    expect(await b.app.get(BreachDeadlines).sweep()).toBe(0);
    expect(overdueEvents(await entriesAfter(a, since))).toHaveLength(3);
  });

  it('reports a breach once its risk turns out not to be unlikely after all', async () => {
    const breach = await record(75, { risk: 'unlikely' });
    expect(await a.app.get(BreachDeadlines).sweep()).toBe(0);
    const since = await lastSeq(a);
    const changed = await a.request('PATCH', `/api/v1/privacy/breaches/${breach.id}`, {
      as: 'privacy',
      headers: { 'if-match': '"1"' },
      body: { risk: 'risk' },
    });
    expect(changed.body.notificationOverdue).toBe(true);
    expect(await b.app.get(BreachDeadlines).sweep()).toBe(1);
    expect(overdueEvents(await entriesAfter(a, since)).map((e) => e.resource.id)).toEqual([breach.id]);
  });
});
