/**
 * Bad input to the audit API gets a 4xx problem+json with a stable code, never a 500, and an
 * export refused for bad input hands nothing out and records no export (property-based).
 */
import fc from 'fast-check';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { exportAuditBody } from '../../backend/src/modules/audit/audit.dto.js';
import { flush } from '../support/audit.js';
import { createTestApp, type TestApp, type TestResponse } from '../support/test-app.js';
import { badIdSegment, invalidBodies, junkString } from './support/arbitraries.js';
import { expectProblem } from './support/fixtures.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await flush(t);
});
afterAll(() => t?.close());

const runs = (numRuns: number) => ({ numRuns, endOnFailure: true });

function expectClientError(res: TestResponse): void {
  expect(res.status, res.text.slice(0, 300)).toBeGreaterThanOrEqual(400);
  expect(res.status, res.text.slice(0, 300)).toBeLessThan(500);
  expectProblem(res);
}

const validFilter = {
  from: '2026-01-01T00:00:00Z',
  to: '2027-01-01T00:00:00Z',
  action: 'device.read',
  outcome: 'allowed',
  subjectKind: 'patient',
  subjectId: '00000000-0000-4000-8000-000000000001',
};

/** One or two query parameters, at least one of them invalid for the search endpoint. */
const badSearchQuery = fc
  .oneof(
    fc.tuple(
      junkString.filter(
        (k) =>
          k.length > 0 &&
          !(k in validFilter) &&
          ![
            'cursor',
            'limit',
            'order',
            'tenantId',
            'actorId',
            'resourceType',
            'resourceId',
            'subject',
          ].includes(k),
      ),
      junkString,
    ),
    fc.tuple(
      fc.constantFrom('from', 'to'),
      junkString.filter((v) => Number.isNaN(Date.parse(v))),
    ),
    fc.tuple(
      fc.constant('action'),
      junkString.filter((v) => !v.includes('.')),
    ),
    fc.tuple(
      fc.constant('outcome'),
      junkString.filter((v) => !['allowed', 'denied', 'failed'].includes(v)),
    ),
    fc.tuple(
      fc.constant('subject'),
      junkString.filter((v) => !/^[0-9a-f]{64}$/.test(v)),
    ),
    fc.tuple(
      fc.constant('tenantId'),
      junkString.filter((v) => !/^[0-9a-f-]{36}$/i.test(v)),
    ),
    fc.tuple(fc.constant('limit'), fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 201 })).map(String)),
    fc.tuple(fc.constant('cursor'), junkString),
    fc.tuple(fc.constant('subjectKind'), fc.constantFrom('patient', 'user')), // without subjectId
  )
  .map(([k, v]) => new URLSearchParams([[k, v]]).toString());

describe('search', () => {
  it('answers any malformed query with a 4xx problem', async () => {
    await fc.assert(
      fc.asyncProperty(badSearchQuery, async (query) => {
        expectClientError(await t.request('GET', `/api/v1/audit/events?${query}`, { as: 'compliance' }));
      }),
      runs(120),
    );
  });

  it('refuses a period that ends before it starts', async () => {
    const res = await t.request(
      'GET',
      '/api/v1/audit/events?from=2027-01-01T00:00:00Z&to=2026-01-01T00:00:00Z',
      {
        as: 'compliance',
      },
    );
    expectProblem(res, 400);
    expect(res.body.errors[0].path).toBe('to');
  });
});

describe('path and proof parameters', () => {
  it.each([
    '/api/v1/audit/events/%s',
    '/api/v1/audit/events/%s/inclusion-proof',
    '/api/v1/audit/tree-heads/%s',
  ])('%s: any malformed segment is a 4xx', async (template) => {
    const segment = fc.oneof(
      badIdSegment,
      fc.constantFrom('-1', '1.5', '1e3', '99999999999999999999', '0x10'),
    );
    await fc.assert(
      fc.asyncProperty(segment, async (s) => {
        const res = await t.request('GET', template.replace('%s', s), { as: 'auditor' });
        expect(res.status, `${s}: ${res.text.slice(0, 200)}`).toBeLessThan(500);
        expect(res.status).toBeGreaterThanOrEqual(400);
        expectProblem(res);
      }),
      runs(40),
    );
  });

  it('consistency proofs: malformed or inverted sizes are a 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          junkString.map((v) => new URLSearchParams([['from', v]]).toString()),
          fc.constant(''),
          fc.constant('from=0'),
          fc.constant('from=5&to=2'),
          fc.tuple(fc.nat(), junkString).map(([n, v]) =>
            new URLSearchParams([
              ['from', String(n + 1)],
              ['to', v],
            ]).toString(),
          ),
        ),
        async (query) => {
          const res = await t.request('GET', `/api/v1/audit/consistency-proof?${query}`, { as: 'auditor' });
          expect(res.status, `${query}: ${res.text.slice(0, 200)}`).toBeLessThan(500);
          expect(res.status).toBeGreaterThanOrEqual(400);
          expectProblem(res);
        },
      ),
      runs(60),
    );
  });
});

describe('exports', () => {
  const exportsMade = () =>
    t.adminPool.oneFirst(
      sql.type(z.object({ n: z.coerce.number() }))`SELECT count(*) AS n FROM audit_exports`,
    );

  it('refuses any body its schema rejects, and hands nothing out', async () => {
    const before = await exportsMade();
    await fc.assert(
      fc.asyncProperty(invalidBodies(validFilter, exportAuditBody), async (text) => {
        const res = await t.request('POST', '/api/v1/audit/exports', {
          as: 'compliance',
          rawBody: text,
          headers: { 'content-type': 'application/json' },
        });
        expectClientError(res);
      }),
      runs(60),
    );
    expect(await exportsMade()).toBe(before);
  });

  it('refuses an export of another tenant’s trail with 403, and records the refusal', async () => {
    const res = await t.request('POST', '/api/v1/audit/exports', {
      as: 'compliance',
      body: { tenantId: '0a1c0000-0000-4000-8000-000000000002' },
    });
    expectProblem(res, 403);
    await flush(t);
    const denied = await t.adminPool.oneFirst(sql.type(z.object({ n: z.coerce.number() }))`
      SELECT count(*) AS n FROM audit_events WHERE type = 'audit.exported' AND outcome = 'denied'`);
    expect(denied).toBe(1);
  });
});
