/**
 * Authorization matrix of the audit API, transcribed by hand from policies/abac.yaml: every
 * endpoint called by every demo account (and anonymously), on the caller's tenant and a foreign one.
 * Oversight roles see their tenant's trail with the personal data inside; the platform admin sees
 * every tenant's trail but never the personal data; everyone else sees nothing.
 */
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { demoTenants } from '../../backend/src/launcher/demo-data.js';
import { flush, renameDemoUser } from '../support/audit.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { as, type Caller, callers, expectProblem } from './support/fixtures.js';

const acme = demoTenants.acme.id;
const globex = demoTenants.globex.id;
let t: TestApp;
let acmeSeq: number;
let globexSeq: number;
let headSize: number;

beforeAll(async () => {
  t = await createTestApp();
  await renameDemoUser(t, 'operator', 'Sealed Name');
  await t.request('GET', '/api/v1/tenants', { as: 'operator-globex' });
  headSize = (await flush(t))?.treeSize as number;
  const seqOf = (type: string, tenant: string) =>
    t.adminPool.oneFirst(sql.type(z.object({ seq: z.coerce.number() }))`
      SELECT min(seq) AS seq FROM audit_events WHERE type = ${type} AND tenant_id = ${tenant}`);
  acmeSeq = await seqOf('user.updated', acme);
  globexSeq = await seqOf('auth.signed_in', globex);
});
afterAll(() => t?.close());

type Sees = { tenants: Array<string | null>; personal: boolean } | 'nothing' | 401;
const oversight: Sees = { tenants: [acme], personal: true };
// biome-ignore format: aligned table
const search: Record<Caller, Sees> = {
  admin:             { tenants: [acme, globex, null], personal: false },
  'tenant-admin':    'nothing',
  operator:          'nothing',
  'operator-globex': 'nothing',
  clinician:         'nothing',
  compliance:        oversight,
  privacy:           oversight,
  auditor:           oversight,
  subject:           'nothing',
  anonymous:         401,
};

describe('GET /api/v1/audit/events', () => {
  it.each(callers)('%s', async (caller) => {
    const res = await t.request('GET', '/api/v1/audit/events?limit=200', as(caller));
    const expected = search[caller];
    if (expected === 401) return expectProblem(res, 401);
    expect(res.status).toBe(200);
    if (expected === 'nothing') return expect(res.body.items).toEqual([]);
    const tenants = new Set(res.body.items.map((e: { tenantId: string | null }) => e.tenantId));
    expect([...tenants].sort()).toEqual([...expected.tenants].sort());
    const sealed = res.body.items.find((e: { seq: number }) => e.seq === acmeSeq);
    if (expected.personal) expect(sealed.personal).toEqual({ displayName: 'Sealed Name' });
    else expect(sealed).not.toHaveProperty('personal');
  });
});

// ─── Single events: columns are an Acme event (with personal data) and a Globex event ───
// biome-ignore format: aligned table
const single: Record<Caller, { acme: number; globex: number }> = {
  admin:             { acme: 200, globex: 200 },
  'tenant-admin':    { acme: 404, globex: 404 },
  operator:          { acme: 404, globex: 404 },
  'operator-globex': { acme: 404, globex: 404 },
  clinician:         { acme: 404, globex: 404 },
  compliance:        { acme: 200, globex: 404 },
  privacy:           { acme: 200, globex: 404 },
  auditor:           { acme: 200, globex: 404 },
  subject:           { acme: 404, globex: 404 },
  anonymous:         { acme: 401, globex: 401 },
};

describe.each(['events/%d', 'events/%d/inclusion-proof'])('GET /api/v1/audit/%s', (template) => {
  it.each(
    callers.flatMap((c) => (['acme', 'globex'] as const).map((col): [Caller, 'acme' | 'globex'] => [c, col])),
  )('%s on %s', async (caller, column) => {
    const seq = column === 'acme' ? acmeSeq : globexSeq;
    const res = await t.request('GET', `/api/v1/audit/${template.replace('%d', String(seq))}`, as(caller));
    const status = single[caller][column];
    if (status !== 200) {
      expectProblem(res, status);
      expect(res.text).not.toContain('Sealed');
      return;
    }
    expect(res.status).toBe(200);
    if (template === 'events/%d') {
      expect(res.body.seq).toBe(seq);
      if (caller === 'admin') expect(res.body).not.toHaveProperty('personal');
    } else {
      expect(res.body.treeSize).toBeGreaterThan(seq);
    }
  });
});

// ─── The trail as a whole: heads, proofs, keys, verification (no tenant of their own) ───
const trailReaders = new Set<Caller>(['admin', 'compliance', 'privacy', 'auditor']);
const trailRoutes: Array<[string, () => string, unknown?]> = [
  ['GET', () => '/api/v1/audit/tree-heads'],
  ['GET', () => '/api/v1/audit/tree-heads/latest'],
  ['GET', () => `/api/v1/audit/tree-heads/${headSize}`],
  ['GET', () => `/api/v1/audit/consistency-proof?from=${headSize}`],
  ['GET', () => '/api/v1/audit/keys'],
  ['POST', () => '/api/v1/audit/verification', {}],
];

describe.each(trailRoutes)('%s %s', (method, url, body) => {
  it.each(callers)('%s', async (caller) => {
    const res = await t.request(method, url(), { ...as(caller), ...(body ? { body } : {}) });
    if (caller === 'anonymous') return expectProblem(res, 401);
    if (!trailReaders.has(caller)) {
      expectProblem(res, 403);
      return expect(res.body.permission).toBe('read:AuditEvent');
    }
    expect(res.status, res.text.slice(0, 200)).toBe(200);
  });
});

// ─── Exports: compliance officers and auditors, of their own tenant only ───
// biome-ignore format: aligned table
const exports: Record<Caller, { own: number; foreign: number }> = {
  admin:             { own: 403, foreign: 403 },
  'tenant-admin':    { own: 403, foreign: 403 },
  operator:          { own: 403, foreign: 403 },
  'operator-globex': { own: 403, foreign: 403 },
  clinician:         { own: 403, foreign: 403 },
  compliance:        { own: 200, foreign: 403 },
  privacy:           { own: 403, foreign: 403 },
  auditor:           { own: 200, foreign: 403 },
  subject:           { own: 403, foreign: 403 },
  anonymous:         { own: 401, foreign: 401 },
};

describe('POST /api/v1/audit/exports', () => {
  it.each(
    callers.flatMap((c) => (['own', 'foreign'] as const).map((col): [Caller, 'own' | 'foreign'] => [c, col])),
  )('%s on %s tenant', async (caller, column) => {
    const own = caller === 'operator-globex' ? globex : acme;
    const tenantId = column === 'own' ? own : own === acme ? globex : acme;
    const res = await t.request('POST', '/api/v1/audit/exports', {
      ...as(caller),
      body: caller === 'admin' ? { tenantId } : column === 'own' ? {} : { tenantId },
    });
    const status = exports[caller][column];
    if (status !== 200) {
      expectProblem(res, status);
      if (status === 403) expect(res.body.permission).toBe('export:AuditEvent');
      return;
    }
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-tar');
  });
});
