/**
 * Access (GDPR art. 15, HIPAA §164.524) and portability (art. 20) on the real stack: the subject's
 * rows of every table the data map links to them, as JSON and CSV in a zip streamed into
 * privacy_request_files, with the art. 15 information, their part of the audit trail (decrypted), a
 * manifest whose hashes match, no security material, no one else's data, and CSV that a spreadsheet
 * cannot be tricked into running.
 */
import { createHash } from 'node:crypto';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { JobQueue } from '../../backend/src/core/jobs/job-queue.js';
import { JobWorker } from '../../backend/src/core/jobs/job-worker.js';
import { demoPatients, demoTenants, demoUserByName } from '../../backend/src/launcher/demo-data.js';
import {
  type FulfilmentOutcome,
  FulfilmentService,
} from '../../backend/src/modules/privacy/fulfilment/fulfilment.service.js';
import { deviceIdBySerial, flush } from '../support/audit.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import {
  addTelemetry,
  fileRequest,
  jobContext,
  parseCsv,
  storedBundle,
  unzip,
} from './fulfilment-support.js';

const acme = demoTenants.acme.id;
const p1 = demoPatients.p1.id;
const subjectUser = demoUserByName('subject')?.id as string;
const FORMULA_NAME = '=HYPERLINK("http://evil.example","click")';
const TRICKY_DETAILS = '-2+3, "quoted", and a\r\nline break; @SUM(A1)';

let t: TestApp;
let service: FulfilmentService;
let cardio: string;

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

beforeAll(async () => {
  t = await createTestApp();
  service = t.app.get(FulfilmentService);
  cardio = await deviceIdBySerial(t, 'ACME-N-0002'); // monitors p1
  const p2Device = await deviceIdBySerial(t, 'ACME-S-0002');
  const operational = await deviceIdBySerial(t, 'ACME-N-0001');
  // 150 points across midnight (two daily partitions); other people's and operational data beside them.
  await addTelemetry(t, { id: cardio, tenantId: acme }, p1, '2026-11-19T22:30:00Z', 150);
  await addTelemetry(t, { id: p2Device, tenantId: acme }, demoPatients.p2.id, '2026-11-19T22:30:00Z', 20);
  await addTelemetry(t, { id: operational, tenantId: acme }, null, '2026-11-19T22:30:00Z', 10);
  await t.adminPool.query(sql.unsafe`
    INSERT INTO consent_records (tenant_id, patient_id, purpose, action, source, evidence)
    VALUES (${acme}, ${p1}, 'analytics', 'given', 'portal', 'notice v3')`);
  await t.adminPool.query(
    sql.unsafe`UPDATE users SET display_name = ${FORMULA_NAME} WHERE id = ${subjectUser}`,
  );
  await fileRequest(t, {
    tenantId: acme,
    type: 'access',
    patientId: p1,
    status: 'completed',
    details: TRICKY_DETAILS,
  });
  // A legal hold about p1: not for the requester's eyes (it may concern a dispute with them). Placed
  // through the API, so its audit event about p1, with the reason sealed inside, exists too.
  const hold = await t.request('POST', '/api/v1/privacy/legal-holds', {
    as: 'privacy',
    body: {
      scope: 'subject',
      patientId: p1,
      reason: 'Claim about a device reading',
      matter: 'Case 12',
      ownerId: demoUserByName('privacy')?.id,
    },
  });
  expect(hold.status, hold.text).toBe(201);
  // Audit events: a clinician reads p1's and p2's devices; the subject reads their own.
  const treatment = { 'x-purpose-of-use': 'treatment' };
  expect(
    (await t.request('GET', `/api/v1/devices/${cardio}`, { as: 'clinician', headers: treatment })).status,
  ).toBe(200);
  expect(
    (await t.request('GET', `/api/v1/devices/${p2Device}`, { as: 'clinician', headers: treatment })).status,
  ).toBe(200);
  expect((await t.request('GET', `/api/v1/devices/${cardio}`, { as: 'subject' })).status).toBe(200);
  await flush(t);
});
afterAll(() => t?.close());

async function access(type: 'access' | 'portability' = 'access') {
  const request = await fileRequest(t, { tenantId: acme, type, patientId: p1, userId: null });
  const context = jobContext();
  const outcome = await service.fulfil(request, context);
  const stored = await storedBundle(t, request.id);
  return { request, outcome, context, stored, files: unzip(stored.bytes) };
}

const json = (files: Map<string, Buffer>, name: string) =>
  JSON.parse((files.get(name) as Buffer).toString('utf8'));
const csv = (files: Map<string, Buffer>, name: string) =>
  parseCsv((files.get(name) as Buffer).toString('utf8'));

describe('access', () => {
  let result: Awaited<ReturnType<typeof access>>;
  beforeAll(async () => {
    result = await access();
  });

  it('stores the bundle whole and reports its size and hash', () => {
    const { outcome, stored, request } = result;
    expect(outcome.file).toEqual({
      name: `${request.reference}-access.zip`,
      bytes: stored.bytes.length,
      sha256: sha256(stored.bytes),
      contentType: 'application/zip',
    });
    expect(outcome.kept).toEqual([]);
  });

  it('leaves legal holds out of the copy, telling only the officer', () => {
    const { files, outcome } = result;
    expect(outcome.notes).toEqual([expect.stringMatching(/^Not in the copy: 1 row of legal_holds/)]);
    expect(outcome.counts).not.toHaveProperty('legal_holds');
    const everything = [...files.values()].map((f) => f.toString('utf8')).join('\n');
    expect(everything).not.toMatch(/legal_holds|legal_hold|LegalHold|Case 12|Claim about/);
  });

  it('finds the patient’s rows through every link of the data map, and no one else’s', () => {
    const { files, outcome } = result;
    const names = [...files.keys()].sort();
    expect(names).toEqual(
      expect.arrayContaining([
        'README.txt',
        'manifest.json',
        'audit-trail.json',
        'data/patients.json',
        'data/users.csv',
        'data/care_assignments.json',
        'data/devices.json',
        'data/telemetry.json',
        'data/telemetry.csv',
        'data/privacy_requests.json',
        'data/consent_records.json',
      ]),
    );
    expect(names).not.toContain('data/privacy_request_files.json');
    const telemetry = json(files, 'data/telemetry.json');
    expect(telemetry).toHaveLength(150);
    expect(new Set(telemetry.map((r: { patient_id: string }) => r.patient_id))).toEqual(new Set([p1]));
    // In time order, across both days.
    const times = telemetry.map((r: { measured_at: string }) => Date.parse(r.measured_at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(json(files, 'data/users.json').map((u: { id: string }) => u.id)).toEqual([subjectUser]);
    expect(json(files, 'data/devices.json').map((d: { id: string }) => d.id)).toEqual([cardio]);
    expect(outcome.counts).toMatchObject({
      telemetry: 150,
      users: 1,
      patients: 1,
      devices: 1,
      consent_records: 1,
    });
    expect(outcome.counts.privacy_requests).toBe(2); // the answered one and this one
  });

  it('exports personal data and row identifiers, never security material', () => {
    const { files } = result;
    const requests = json(files, 'data/privacy_requests.json');
    expect(Object.keys(requests[0])).toEqual(
      expect.arrayContaining(['id', 'contact_email', 'details', 'reference']),
    );
    expect(Object.keys(requests[0])).not.toContain('access_token_sha256');
    expect(Object.keys(requests[0])).not.toContain('status'); // not personal data, not an identifier
    expect(Object.keys(json(files, 'data/telemetry.json')[0]).sort()).toEqual(
      ['device_id', 'measured_at', 'metrics', 'patient_id', 'received_at', 'seq', 'tenant_id'].sort(),
    );
    const everything = [...files.values()].map((f) => f.toString('utf8')).join('\n');
    expect(everything).not.toContain('ab'.repeat(32)); // the requests' access-token hashes
    expect(everything).not.toMatch(/code_hash|code_salt|wrapped_key/);
  });

  it('writes the same records as JSON and as RFC 4180 CSV, with the columns as header', () => {
    const { files } = result;
    for (const name of [...files.keys()].filter((n) => n.endsWith('.csv'))) {
      const records = csv(files, name);
      const rows = json(files, name.replace(/\.csv$/, '.json')) as Array<Record<string, unknown>>;
      const [header, ...body] = records;
      expect(header, name).toEqual(Object.keys(rows[0] as object));
      expect(body, name).toHaveLength(rows.length);
      body.forEach((record, i) => {
        const expected = Object.values(rows[i] as object).map((v) =>
          v === null ? '' : typeof v === 'string' ? (/^[-=+@\t\r]/.test(v) ? `'${v}` : v) : JSON.stringify(v),
        );
        // JSON text of objects may differ in spacing: compare parsed where the value is structured.
        record.forEach((cell, j) => {
          const want = expected[j] as string;
          if (/^[[{]/.test(want)) expect(JSON.parse(cell), `${name} ${i}.${j}`).toEqual(JSON.parse(want));
          else expect(cell, `${name} ${i}.${j}`).toBe(want);
        });
      });
    }
  });

  it('prefixes cells a spreadsheet would run as a formula, and keeps quotes, commas and line breaks', () => {
    const { files } = result;
    const [header, ...users] = csv(files, 'data/users.csv');
    expect(users[0]?.[(header as string[]).indexOf('display_name')]).toBe(`'${FORMULA_NAME}`);
    const [requestHeader, ...requests] = csv(files, 'data/privacy_requests.csv');
    const details = requests.map((r) => r[(requestHeader as string[]).indexOf('details')]);
    expect(details).toContain(`'${TRICKY_DETAILS}`);
    // The JSON file keeps the value exactly.
    expect(json(files, 'data/users.json')[0].display_name).toBe(FORMULA_NAME);
  });

  it('lists every file with its size and SHA-256 in the manifest', () => {
    const { files, request } = result;
    const manifest = json(files, 'manifest.json');
    expect(manifest).toMatchObject({
      reference: request.reference,
      requestType: 'access',
      dataMapVersion: 1,
      subject: { kinds: ['patient', 'user'] },
      counts: { telemetry: 150 },
    });
    const listed = manifest.files.map((f: { name: string }) => f.name).sort();
    expect(listed).toEqual([...files.keys()].filter((n) => n !== 'manifest.json').sort());
    for (const file of manifest.files) {
      const content = files.get(file.name) as Buffer;
      expect({ name: file.name, bytes: content.length, sha256: sha256(content) }).toEqual(file);
    }
  });

  it('holds the subject’s audit trail decrypted, other people only by kind', () => {
    const trail = json(result.files, 'audit-trail.json') as Array<Record<string, any>>;
    const reads = trail.filter((e) => e.type === 'device.read');
    expect(reads.length).toBeGreaterThanOrEqual(2);
    for (const event of reads) {
      expect(event.resource).toEqual({ type: 'Device', id: cardio });
      expect(event).toMatchObject({ personalStatus: 'available', personal: { patientId: p1 } });
      expect(Object.keys(event.actor).sort()).toEqual(event.actor.you ? ['kind', 'you'] : ['kind']);
    }
    expect(reads.some((e) => e.actor.you === true && e.purposeOfUse === null)).toBe(true);
    expect(reads.some((e) => !e.actor.you && e.purposeOfUse === 'treatment')).toBe(true);
    // Nothing about the other patient, and no one's identity.
    const text = JSON.stringify(trail);
    expect(text).not.toContain(demoPatients.p2.id);
    expect(text).not.toContain(demoUserByName('clinician')?.id as string);
    expect(result.outcome.counts.audit_events).toBe(trail.length);
  });

  it('explains purposes, recipients, retention, rights and the right to complain (art. 15(1))', () => {
    const readme = (result.files.get('README.txt') as Buffer).toString('utf8');
    for (const heading of ['art. 15(1)(a)', '(b)', '(c)', '(d)', '(e)', '(f)', '(g)', '(h)', 'art. 15(2)']) {
      expect(readme).toContain(heading);
    }
    expect(readme).toContain('Monitoring patients for their care');
    expect(readme).toContain('Clinicians of the tenant with a care relationship');
    expect(readme).toMatch(/Measurements of devices that monitor a patient \(health data\)\. 90 days/);
    expect(readme).toContain('supervisory authority');
    expect(readme).toContain('data/telemetry.json and data/telemetry.csv (150 records)');
  });

  it('reports progress up to the number of records written', () => {
    const { reports } = result.context;
    const last = reports.at(-1);
    expect(last?.done).toBe(last?.total);
    expect(reports.map((r) => r.stage)).toContain('data/telemetry.csv');
    expect(JSON.stringify(reports)).not.toContain(p1);
  });
});

describe('portability', () => {
  it('hands over what the subject provided or what was observed about them, without the trail', async () => {
    const { files, outcome } = await access('portability');
    const names = [...files.keys()].sort();
    expect(names).not.toContain('audit-trail.json');
    const tables = new Set(
      names.filter((n) => n.startsWith('data/')).map((n) => n.replace(/^data\/|\.(json|csv)$/g, '')),
    );
    expect([...tables].sort()).toEqual(['consent_records', 'privacy_requests', 'telemetry', 'users']);
    expect(outcome.counts).not.toHaveProperty('devices');
    const readme = (files.get('README.txt') as Buffer).toString('utf8');
    expect(readme).toContain('portable format');
    expect(readme).not.toContain('art. 15(1)(a)');
  });
});

describe('as a job', () => {
  it('runs with the queue’s own context, its progress stored with the job', async () => {
    const request = await fileRequest(t, { tenantId: acme, type: 'access', patientId: p1 });
    const worker = t.app.get(JobWorker);
    let outcome: FulfilmentOutcome | undefined;
    worker.register('test.fulfil-access', async (context) => {
      outcome = await service.fulfil(request, context);
    });
    await t.app.get(JobQueue).enqueue(t.pool, 'test.fulfil-access', { requestId: request.id });
    expect(await worker.runOnce()).toBe(true);
    const job = await t.adminPool.one(sql.type(
      z.object({ state: z.string(), progress: z.record(z.string(), z.unknown()) }),
    )`
      SELECT state, progress FROM jobs WHERE queue = 'test.fulfil-access'`);
    expect(job.state).toBe('done');
    expect(job.progress).toEqual({
      done: job.progress.total,
      total: expect.any(Number),
      stage: 'audit-trail.json',
    });
    expect(job.progress.total).toBeGreaterThan(2 * 150);
    expect(outcome?.file?.bytes).toBeGreaterThan(0);
  });
});

describe('running again', () => {
  it('replaces the earlier bundle instead of appending to it', async () => {
    const request = await fileRequest(t, { tenantId: acme, type: 'access', patientId: p1 });
    const first: FulfilmentOutcome = await service.fulfil(request, jobContext());
    const second = await service.fulfil(request, jobContext());
    const stored = await storedBundle(t, request.id);
    expect(second.file?.bytes).toBe(stored.bytes.length);
    expect(sha256(stored.bytes)).toBe(second.file?.sha256);
    expect(second.counts).toEqual(first.counts);
    expect(unzip(stored.bytes).size).toBe(unzip(stored.bytes).size);
    const parts = await t.adminPool.oneFirst(sql.type(z.object({ n: z.number() }))`
      SELECT count(*)::int AS n FROM privacy_request_files WHERE request_id = ${request.id}`);
    expect(parts).toBe(Math.ceil(stored.bytes.length / (1024 * 1024)));
  });

  it('stops with the job when it is cancelled, and a later run writes the bundle whole', async () => {
    const request = await fileRequest(t, { tenantId: acme, type: 'access', patientId: p1 });
    const stop = new AbortController();
    const context = jobContext(stop.signal);
    context.progress = async () => stop.abort(new Error('shutting down'));
    await expect(service.fulfil(request, context)).rejects.toThrow('shutting down');
    const outcome = await service.fulfil(request, jobContext());
    const stored = await storedBundle(t, request.id);
    expect(sha256(stored.bytes)).toBe(outcome.file?.sha256);
    expect(unzip(stored.bytes).has('manifest.json')).toBe(true);
  });
});
