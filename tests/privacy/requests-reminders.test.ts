/**
 * Deadline reminders with two backend instances on one database: each overdue request is reminded
 * once a day and each request due within 7 days warned once, however many instances run the pass
 * at the same moment; reminders are recorded and mailed to whoever the policy lets work the request.
 */
import { randomUUID } from 'node:crypto';
import type { AuditEntry } from '@custos/audit';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Database } from '../../backend/src/core/database/database.js';
import { JobWorker } from '../../backend/src/core/jobs/job-worker.js';
import { demoUserByName } from '../../backend/src/launcher/demo-data.js';
import { RemindersJob } from '../../backend/src/modules/privacy/requests/reminders.job.js';
import { RequestMails } from '../../backend/src/modules/privacy/requests/request-mails.js';
import {
  type PrivacyRequestRecord,
  RequestsRepository,
} from '../../backend/src/modules/privacy/requests/requests.repository.js';
import { flush } from '../support/audit.js';
import { startTestMailCatcher, type TestMailCatcher } from '../support/mail-catcher.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

let a: TestApp;
let b: TestApp;
let mail: TestMailCatcher;
const officer = `officer.${randomUUID().slice(0, 8)}@example.org`;
const compliance = `compliance.${randomUUID().slice(0, 8)}@example.org`;

beforeAll(async () => {
  mail = await startTestMailCatcher();
  a = await createTestApp({ env: { MAIL_URL: mail.mailUrl } });
  b = await createTestApp({ sameDatabaseAs: a, env: { MAIL_URL: mail.mailUrl } });
  const setContact = (username: string, attributes: Record<string, string>) =>
    a.adminPool.query(sql.unsafe`
      UPDATE users SET attributes = ${sql.jsonb(attributes)} WHERE id = ${demoUserByName(username)?.id as string}`);
  await setContact('privacy', { email: officer, locale: 'de' });
  // Compliance officers may read requests but not work them: they get no reminders.
  await setContact('compliance', { email: compliance });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
  await mail?.stop();
});

async function requestDue(inDays: number): Promise<{ id: string; reference: string }> {
  const res = await a.request('POST', '/api/v1/privacy/requests', {
    as: 'privacy',
    body: { type: 'access', locale: 'en' },
  });
  await a.adminPool.query(sql.unsafe`
    UPDATE privacy_requests SET due_at = now() + make_interval(hours => ${Math.round(inDays * 24)}) WHERE id = ${res.body.id}`);
  return { id: res.body.id, reference: res.body.reference };
}

const bothAtOnce = async () => {
  const [x, y] = await Promise.all([a.app.get(RemindersJob).remind(), b.app.get(RemindersJob).remind()]);
  return x + y;
};

async function overdueEvents(): Promise<AuditEntry[]> {
  await flush(a);
  const rows = await a.adminPool.any(sql.type(z.object({ entry: z.string() }))`
    SELECT entry FROM audit_events WHERE entry::jsonb ->> 'type' = 'privacy.request_overdue' ORDER BY seq`);
  return rows.map((r) => JSON.parse(r.entry) as AuditEntry);
}

describe('deadline reminders', () => {
  it('reminds each overdue request once a day and warns once a week ahead, with two instances at once', async () => {
    const overdue = await requestDue(-3);
    const soon = await requestDue(3);
    await requestDue(20);

    expect(await bothAtOnce()).toBe(2);
    let events = await overdueEvents();
    expect(events.map((e) => [e.resource.id, e.payload])).toEqual(
      expect.arrayContaining([
        [overdue.id, { dueAt: expect.any(String), daysOverdue: 3 }],
        [soon.id, { dueAt: expect.any(String), daysOverdue: -3, warning: true }],
      ]),
    );
    expect(events).toHaveLength(2);
    expect(events.every((e) => e.actor.kind === 'system')).toBe(true);

    // Again at once: nothing new.
    expect(await bothAtOnce()).toBe(0);

    // A day later: the overdue one again, the warned one not (it is not overdue yet).
    await a.adminPool.query(sql.unsafe`
      UPDATE privacy_requests SET last_reminded_at = last_reminded_at - interval '25 hours' WHERE last_reminded_at IS NOT NULL`);
    expect(await bothAtOnce()).toBe(1);
    events = await overdueEvents();
    expect(events.map((e) => e.resource.id)).toEqual(
      expect.arrayContaining([overdue.id, soon.id, overdue.id]),
    );
    expect(events).toHaveLength(3);

    // The mails, in the officer's language; none to someone who may not work requests.
    while (await a.app.get(JobWorker).runOnce()) {
      /* deliver */
    }
    const reminder = await mail.waitForMail(officer, { subject: `Überfälliger Antrag ${overdue.reference}` });
    expect(reminder.text).toContain(`/de/privacy/requests/${overdue.id}`);
    await mail.waitForMail(officer, { subject: `Antrag ${soon.reference} ist bald fällig` });
    expect(mail.mailTo(officer).filter((m) => m.subject.includes(overdue.reference))).toHaveLength(2);
    expect(mail.mailTo(compliance)).toEqual([]);
  });

  it('queues one mail job per recipient and reminder, so a failed send is retried for that recipient alone', async () => {
    // A second privacy officer of the tenant, with an address.
    const second = `officer2.${randomUUID().slice(0, 8)}@example.org`;
    const secondId = await a.adminPool.oneFirst(sql.type(z.object({ id: z.string() }))`
      INSERT INTO users (external_id, issuer, tenant_id, username, roles, attributes)
      SELECT 'second-' || gen_random_uuid(), issuer, tenant_id, 'privacy-2', roles, ${sql.jsonb({ email: second })}
      FROM users WHERE id = ${demoUserByName('privacy')?.id as string}
      RETURNING id`);
    const late = await requestDue(-2);
    await bothAtOnce();
    const jobs = await a.adminPool.any(sql.type(z.object({ id: z.string(), dedupe_key: z.string() }))`
      SELECT id::text, dedupe_key FROM jobs
      WHERE queue = 'privacy.mail' AND payload ->> 'requestId' = ${late.id} ORDER BY dedupe_key`);
    const at = /:(\d{4}-[^:]+:[^:]+:[^:]+Z):overdue$/.exec(jobs[0]?.dedupe_key ?? '')?.[1] as string;
    expect(jobs.map((j) => j.dedupe_key).sort()).toEqual(
      [demoUserByName('privacy')?.id as string, secondId]
        .map((user) => `privacy.mail:${late.id}:reminder:${user}:${at}:overdue`)
        .sort(),
    );
    while (await a.app.get(JobWorker).runOnce()) {
      /* deliver */
    }
    await mail.waitForMail(officer, { subject: late.reference });
    await mail.waitForMail(second, { subject: late.reference });
    // The same reminder queued again the same day (say, after a crash) mails nobody twice.
    const request = await a.app.get(RequestsRepository).findById(late.id);
    await a.app.get(Database).transaction((tx) =>
      a.app.get(RequestMails).enqueueReminders(tx, request as PrivacyRequestRecord, {
        daysOverdue: 2,
        occasion: 'overdue',
        at,
      }),
    );
    while (await a.app.get(JobWorker).runOnce()) {
      /* deliver */
    }
    expect(mail.mailTo(second).filter((m) => m.subject.includes(late.reference))).toHaveLength(1);
    expect(mail.mailTo(officer).filter((m) => m.subject.includes(late.reference))).toHaveLength(1);
  });

  it('does not remind about answered requests, and forgets old throttle windows', async () => {
    const done = await requestDue(-5);
    await a.adminPool.query(sql.unsafe`
      UPDATE privacy_requests SET status = 'rejected', rejection_reason = 'r' WHERE id = ${done.id}`);
    await a.adminPool.query(sql.unsafe`
      INSERT INTO privacy_portal_throttle (scope, reference, window_started_at, hits)
      VALUES ('verify', 'DSR-OLD0-0000', now() - interval '2 days', 5), ('code', 'DSR-NEW0-0000', now(), 1)`);
    const before = (await overdueEvents()).length;
    await bothAtOnce();
    expect((await overdueEvents()).filter((e) => e.resource.id === done.id)).toEqual([]);
    expect((await overdueEvents()).length).toBe(before);
    const left = await a.adminPool.anyFirst(sql.type(z.object({ reference: z.string() }))`
      SELECT reference FROM privacy_portal_throttle ORDER BY reference`);
    expect(left).toEqual(['DSR-NEW0-0000']);
  });
});
