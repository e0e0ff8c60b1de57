/**
 * The public portal end to end on the real stack: a requester files a request, the code arrives in
 * the mail catcher, they verify it and follow their request; the privacy officer verifies their
 * identity, links the demo patient and processes it; the job completes it, the requester is told
 * and downloads the result. Every step leaves its history row and audit event, and neither the
 * address nor the code ever reaches the logs.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { AuditEntry } from '@custos/audit';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { JobWorker } from '../../backend/src/core/jobs/job-worker.js';
import { demoPatients, demoTenants } from '../../backend/src/launcher/demo-data.js';
import { entriesOf, flush } from '../support/audit.js';
import { startTestMailCatcher, type TestMailCatcher } from '../support/mail-catcher.js';
import { createTestApp, type TestApp, type TestResponse } from '../support/test-app.js';

class Capture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void) {
    this.lines.push(chunk.toString('utf8'));
    done();
  }
}

const logs = new Capture();
let t: TestApp;
let mail: TestMailCatcher;
beforeAll(async () => {
  mail = await startTestMailCatcher();
  t = await createTestApp({ env: { MAIL_URL: mail.mailUrl }, logDestination: logs });
});
afterAll(async () => {
  await t?.close();
  await mail?.stop();
});

const slug = demoTenants.acme.slug;
const portal = '/api/v1/privacy/portal';
const requestId = (res: TestResponse) => String(res.headers['x-request-id']);
const codeIn = (text: string) => /\b(\d{6})\b/.exec(text)?.[1] as string;
const runJobs = async () => {
  while (await t.app.get(JobWorker).runOnce()) {
    /* until the queue is empty */
  }
};
const idOf = (reference: string) =>
  t.adminPool.oneFirst(
    sql.type(z.object({ id: z.string() }))`SELECT id FROM privacy_requests WHERE reference = ${reference}`,
  );

describe('the public portal', () => {
  it('shows a tenant’s form: jurisdictions with their periods, rights and objectable purposes; 404 for no tenant', async () => {
    const res = await t.request('GET', `${portal}/${slug}`);
    expect(res.status).toBe(200);
    expect(res.body.tenant).toEqual({ slug, name: demoTenants.acme.name });
    expect(res.body.defaultJurisdiction).toBe('gdpr');
    expect(res.body.jurisdictions.find((j: { id: string }) => j.id === 'gdpr')).toMatchObject({
      answerMonths: 1,
      extensionMonths: 2,
      weekendRollover: true,
    });
    expect(res.body.jurisdictions.find((j: { id: string }) => j.id === 'hipaa')).toMatchObject({
      answerDays: 30,
      extensionDays: 30,
    });
    expect(res.body.requestTypes).toEqual([
      'access',
      'portability',
      'rectification',
      'restriction',
      'objection',
      'erasure',
    ]);
    expect(res.body.objectionPurposes.map((p: { id: string }) => p.id).sort()).toEqual([
      'analytics',
      'fleet-operations',
      'research',
    ]);
    expect((await t.request('GET', `${portal}/no-such-tenant`)).status).toBe(404);
  });

  it('takes a request from filing to a downloaded result', { timeout: 60_000 }, async () => {
    const email = `ada.${randomUUID().slice(0, 8)}@Example.org`;
    const filed = await t.request('POST', `${portal}/${slug}/requests`, {
      body: {
        type: 'access',
        email,
        locale: 'de',
        timeZone: 'Europe/Berlin',
        subjectReference: 'PT-0001',
        details: 'Alles, was Sie über mich speichern',
      },
    });
    expect(filed.status, filed.text).toBe(202);
    expect(filed.body).toMatchObject({ status: 'received', verification: 'code-sent' });
    const { reference } = filed.body;
    expect(reference).toMatch(/^DSR-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    // One month later, at the end of that day in Berlin.
    expect(new Date(filed.body.dueAt).getTime()).toBeGreaterThan(Date.now() + 27 * 86_400_000);

    const codeMail = await mail.waitForMail(email, { subject: reference });
    expect(codeMail.language).toBe('de');
    expect(codeMail.subject).toContain('Bestätigungscode');
    const code = codeIn(codeMail.text);
    expect(code).toMatch(/^\d{6}$/);
    expect(codeMail.html).toContain('<html lang="de" dir="ltr">');

    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const refused = await t.request('POST', `${portal}/requests/${reference}/verification`, {
      body: { code: wrong },
    });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'invalid_code', attemptsLeft: 4 });

    const verified = await t.request('POST', `${portal}/requests/${reference.toLowerCase()}/verification`, {
      body: { code },
    });
    expect(verified.status, verified.text).toBe(200);
    const token = verified.body.accessToken as string;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The code works once.
    expect(
      (await t.request('POST', `${portal}/requests/${reference}/verification`, { body: { code } })).status,
    ).toBe(422);

    const status = await t.request('GET', `${portal}/requests/${reference}`, {
      headers: { 'x-request-token': token },
    });
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({
      reference,
      type: 'access',
      status: 'received',
      jurisdiction: 'gdpr',
      result: null,
    });
    expect(status.body.history.map((h: { event: string }) => h.event)).toEqual([
      'filed',
      'code-sent',
      'contact-verified',
    ]);
    expect(JSON.stringify(status.body)).not.toContain(email);

    // The officer: verify the identity (the address was confirmed by code) and link the patient.
    const id = await idOf(reference);
    const read = await t.request('GET', `/api/v1/privacy/requests/${id}`, { as: 'privacy' });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      reference,
      contactEmail: email,
      details: 'Alles, was Sie über mich speichern',
    });
    const identity = await t.request('POST', `/api/v1/privacy/requests/${id}/verify-identity`, {
      as: 'privacy',
      headers: { 'if-match': String(read.headers.etag) },
      body: {
        subjectPatientId: demoPatients.p1.id,
        note: 'Patient code matches the record; address confirmed by code',
      },
    });
    expect(identity.status, identity.text).toBe(200);
    expect(identity.body).toMatchObject({
      status: 'identity-verified',
      identityMethod: 'email-code',
      subjectPatientId: demoPatients.p1.id,
    });

    const processing = await t.request('POST', `/api/v1/privacy/requests/${id}/process`, {
      as: 'privacy',
      headers: { 'if-match': String(identity.headers.etag) },
    });
    expect(processing.status, processing.text).toBe(202);
    expect(processing.body.status).toBe('in-progress');
    const started = await entriesOf(t, requestId(processing));
    expect(started.map((e) => e.type)).toEqual(['privacy.request_started']);

    await runJobs();
    const done = await t.request('GET', `${portal}/requests/${reference}`, {
      headers: { 'x-request-token': token },
    });
    expect(done.body.status).toBe('completed');
    expect(done.body.history.map((h: { event: string }) => h.event)).toEqual([
      'filed',
      'code-sent',
      'contact-verified',
      'identity-verified',
      'processing-started',
      'completed',
    ]);
    expect(done.body.result).toMatchObject({ available: true });
    expect(done.body.result.bytes).toBeGreaterThan(100);
    const expires = new Date(done.body.result.expiresAt).getTime();
    expect(expires).toBeGreaterThan(Date.now() + 29 * 86_400_000);

    const completedMail = await mail.waitForMail(email, { subject: reference, afterId: codeMail.id });
    expect(completedMail.text).toContain(`/de/portal/requests/${reference}`);

    const download = await t.request('GET', `${portal}/requests/${reference}/result`, {
      headers: { 'x-request-token': token },
    });
    expect(download.status).toBe(200);
    expect(download.headers['content-type']).toContain('application/zip');
    expect(String(download.headers['content-disposition'])).toMatch(/^attachment; filename="[^"]+\.zip"$/);
    expect(download.raw.subarray(0, 2).toString()).toBe('PK');
    expect(download.raw.length).toBe(done.body.result.bytes);
    const downloaded = await entriesOf(t, requestId(download));
    expect(downloaded).toMatchObject([
      { type: 'privacy.result_downloaded', actor: { id: `requester:${reference}` }, resource: { id } },
    ]);
    expect(downloaded[0]?.subject).toMatch(/^[0-9a-f]{64}$/);
    // The officer may download it too (recorded); without the token the portal hands out nothing.
    const officerCopy = await t.request('GET', `/api/v1/privacy/requests/${id}/result`, { as: 'privacy' });
    expect(officerCopy.status).toBe(200);
    expect(officerCopy.raw.equals(download.raw)).toBe(true);
    expect((await entriesOf(t, requestId(officerCopy))).map((e) => e.type)).toEqual([
      'privacy.result_downloaded',
    ]);
    expect((await t.request('GET', `${portal}/requests/${reference}/result`)).status).toBe(404);

    // The whole trail of the request, in order.
    await flush(t);
    const trail = await t.adminPool.any(sql.type(z.object({ entry: z.string() }))`
      SELECT entry FROM audit_events WHERE entry::jsonb -> 'resource' ->> 'id' = ${id} ORDER BY seq`);
    const types = trail.map((r) => JSON.parse(r.entry) as AuditEntry).map((e) => `${e.type}:${e.outcome}`);
    expect(types).toEqual([
      'privacy.request_filed:allowed',
      'privacy.request_code_sent:allowed',
      'privacy.identity_verified:failed',
      'privacy.identity_verified:allowed',
      'privacy.identity_verified:failed',
      'privacy.request_read:allowed',
      'privacy.identity_verified:allowed',
      'privacy.request_started:allowed',
      'privacy.request_completed:allowed',
      'privacy.result_downloaded:allowed',
      'privacy.result_downloaded:allowed',
    ]);

    // Neither the address nor the code nor the token ever reaches the logs.
    const logged = logs.lines.join('');
    expect(logged.length).toBeGreaterThan(0);
    for (const secret of [email, email.toLowerCase(), code, token, 'Alles, was Sie'])
      expect(logged).not.toContain(secret);
  });

  it('refuses an access token older than 24 hours like a wrong one; a new code gives a new token', async () => {
    const email = `eve.${randomUUID().slice(0, 8)}@example.org`;
    const { reference } = (
      await t.request('POST', `${portal}/${slug}/requests`, { body: { type: 'access', email, locale: 'en' } })
    ).body;
    const first = await mail.waitForMail(email, { subject: reference });
    const token = (
      await t.request('POST', `${portal}/requests/${reference}/verification`, {
        body: { code: codeIn(first.text) },
      })
    ).body.accessToken as string;
    const read = () =>
      t.request('GET', `${portal}/requests/${reference}`, { headers: { 'x-request-token': token } });
    expect((await read()).status).toBe(200);
    const issued = await t.adminPool.oneFirst(sql.type(z.object({ age: z.number() }))`
      SELECT extract(epoch FROM now() - access_token_issued_at)::float8 AS age FROM privacy_requests WHERE reference = ${reference}`);
    expect(issued).toBeLessThan(60);
    await t.adminPool.query(sql.unsafe`
      UPDATE privacy_requests SET access_token_issued_at = now() - interval '24 hours 1 minute' WHERE reference = ${reference}`);
    const stale = await read();
    expect(stale.status).toBe(404);
    expect(stale.body.code).toBe('not_found');
    // A token issued before this release (no issue time) is refused too.
    await t.adminPool.query(sql.unsafe`
      UPDATE privacy_requests SET access_token_issued_at = NULL WHERE reference = ${reference}`);
    expect((await read()).status).toBe(404);
    expect((await t.request('POST', `${portal}/requests/${reference}/code`)).status).toBe(202);
    const second = await mail.waitForMail(email, { subject: reference, afterId: first.id });
    const renewed = await t.request('POST', `${portal}/requests/${reference}/verification`, {
      body: { code: codeIn(second.text) },
    });
    const again = await t.request('GET', `${portal}/requests/${reference}`, {
      headers: { 'x-request-token': renewed.body.accessToken as string },
    });
    expect(again.status).toBe(200);
  });

  it('answers an unknown reference, a missing token and a wrong token alike (404), and a wrong code like an unknown reference', async () => {
    const email = `bob.${randomUUID().slice(0, 8)}@example.org`;
    const filed = await t.request('POST', `${portal}/${slug}/requests`, {
      body: { type: 'erasure', email, locale: 'en' },
    });
    const { reference } = filed.body;
    for (const headers of [{}, { 'x-request-token': 'A'.repeat(43) }] as Record<string, string>[]) {
      const res = await t.request('GET', `${portal}/requests/${reference}`, { headers });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('not_found');
    }
    const unknown = await t.request('GET', `${portal}/requests/DSR-0000-0000`, {
      headers: { 'x-request-token': 'A'.repeat(43) },
    });
    expect(unknown.body).toEqual({ ...unknown.body, code: 'not_found', status: 404 });
    const known = await t.request('POST', `${portal}/requests/${reference}/verification`, {
      body: { code: '000000' },
    });
    const made = await t.request('POST', `${portal}/requests/DSR-ZZZZ-ZZZ9/verification`, {
      body: { code: '000000' },
    });
    const strip = (body: Record<string, unknown>) => ({ ...body, requestId: undefined });
    expect(strip(known.body)).toEqual(strip(made.body));
    expect(made.body).toMatchObject({ status: 422, code: 'invalid_code', attemptsLeft: 4 });
    // A new code for an unknown reference: the same 202 as for a real one.
    const resentKnown = await t.request('POST', `${portal}/requests/${reference}/code`);
    const resentUnknown = await t.request('POST', `${portal}/requests/DSR-ZZZZ-ZZZ9/code`);
    expect([resentKnown.status, resentUnknown.status]).toEqual([202, 202]);
    expect(resentKnown.text).toBe(resentUnknown.text);
  });
});
