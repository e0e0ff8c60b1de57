/**
 * Bad input to every data-subject request route, public and signed-in, generated with fast-check:
 * always a 4xx application/problem+json with a stable code, never a 5xx, and nothing written (the
 * requests, their codes, history, throttle windows and jobs are the same before and after).
 */
import fc from 'fast-check';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { demoTenants } from '../../backend/src/launcher/demo-data.js';
import { fileRequestBody, verificationBody } from '../../backend/src/modules/privacy/requests/portal.dto.js';
import {
  assignBody,
  createRequestBody,
  reasonBody,
  verifyIdentityBody,
} from '../../backend/src/modules/privacy/requests/requests.dto.js';
import {
  badIdSegment,
  badQuery,
  headerText,
  invalidBodies,
  junkString,
  percentEncoded,
} from '../api/support/arbitraries.js';
import { demoUserId, expectProblem } from '../api/support/fixtures.js';
import { createTestApp, type TestApp, type TestResponse } from '../support/test-app.js';

let t: TestApp;
let id: string;
let reference: string;
beforeAll(async () => {
  t = await createTestApp();
  const filed = await t.request('POST', '/api/v1/privacy/requests', {
    as: 'privacy',
    body: { type: 'access', locale: 'en', email: 'fixture@example.org' },
  });
  id = filed.body.id;
  reference = filed.body.reference;
});
afterAll(() => t?.close());

const runs = (numRuns: number) => ({ numRuns, endOnFailure: true });

function expectClientError(res: TestResponse): void {
  expect(res.status, res.text.slice(0, 300)).toBeGreaterThanOrEqual(400);
  expect(res.status, res.text.slice(0, 300)).toBeLessThan(500);
  expectProblem(res);
}

async function digest(): Promise<string> {
  return (await t.adminPool.oneFirst(sql.unsafe`
    SELECT concat_ws('|',
      (SELECT md5(coalesce(string_agg(r::text, ',' ORDER BY id), '')) FROM privacy_requests r),
      (SELECT md5(coalesce(string_agg(r::text, ',' ORDER BY id), '')) FROM privacy_request_codes r),
      (SELECT md5(coalesce(string_agg(r::text, ',' ORDER BY id), '')) FROM privacy_request_history r),
      (SELECT md5(coalesce(string_agg(r::text, ',' ORDER BY scope, reference), '')) FROM privacy_portal_throttle r),
      (SELECT md5(coalesce(string_agg(r::text, ',' ORDER BY id), '')) FROM jobs r))`)) as string;
}

async function writesNothing(batch: () => Promise<void>): Promise<void> {
  const before = await digest();
  await batch();
  expect(await digest()).toBe(before);
}

const version = async () =>
  String(await t.adminPool.oneFirst(sql.unsafe`SELECT version FROM privacy_requests WHERE id = ${id}`));

interface BodyRoute {
  name: string;
  url: () => string;
  as?: string;
  schema: z.ZodType;
  valid: Record<string, unknown>;
  ifMatch?: boolean;
}
const portal = `/api/v1/privacy/portal`;
const steps = (action: string, schema: z.ZodType, valid: Record<string, unknown>): BodyRoute => ({
  name: `POST /privacy/requests/:id/${action}`,
  url: () => `/api/v1/privacy/requests/${id}/${action}`,
  as: 'privacy',
  schema,
  valid,
  ifMatch: true,
});
const bodyRoutes: BodyRoute[] = [
  {
    name: 'POST /privacy/portal/:slug/requests',
    url: () => `${portal}/${demoTenants.acme.slug}/requests`,
    schema: fileRequestBody,
    valid: { type: 'access', email: 'valid@example.org', locale: 'en' },
  },
  {
    name: 'POST /privacy/portal/requests/:reference/verification',
    url: () => `${portal}/requests/${reference}/verification`,
    schema: verificationBody,
    valid: { code: '123456' },
  },
  {
    name: 'POST /privacy/requests',
    url: () => '/api/v1/privacy/requests',
    as: 'privacy',
    schema: createRequestBody,
    valid: { type: 'rectification', locale: 'de', rectification: { name: 'Ada' }, email: 'v@example.org' },
  },
  steps('assign', assignBody, { assigneeId: demoUserId('privacy') }),
  steps('verify-identity', verifyIdentityBody, { note: 'seen', method: 'officer' }),
  steps('extend', reasonBody, { reason: 'valid' }),
  steps('reject', reasonBody, { reason: 'valid' }),
];

describe.each(bodyRoutes)('JSON bodies: $name', (route) => {
  it('refuses any body its schema rejects', async () => {
    const property = fc.asyncProperty(invalidBodies(route.valid, route.schema), async (text) => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (route.ifMatch) headers['if-match'] = `"${await version()}"`;
      expectClientError(
        await t.request('POST', route.url(), {
          ...(route.as ? { as: route.as } : {}),
          rawBody: text,
          headers,
        }),
      );
    });
    await writesNothing(() => fc.assert(property, runs(35)));
  });
});

describe('path segments, queries and headers', () => {
  it('refuses malformed ids, references and tenant slugs', async () => {
    const urls = [
      (s: string) => `/api/v1/privacy/requests/${s}`,
      (s: string) => `/api/v1/privacy/requests/${s}/result`,
      (s: string) => `${portal}/requests/${s}`,
      (s: string) => `${portal}/requests/${s}/result`,
    ];
    const property = fc.asyncProperty(
      badIdSegment,
      fc.constantFrom(...urls.keys()),
      async (segment, which) => {
        const res = await t.request('GET', (urls[which] as (s: string) => string)(segment), {
          as: 'privacy',
        });
        expectClientError(res);
      },
    );
    const slugs = fc.asyncProperty(
      junkString.filter((s) => !/^[a-z0-9][a-z0-9-]{1,62}$/.test(s)),
      async (slug) => {
        const res = await t.request('POST', `${portal}/${percentEncoded(slug)}/requests`, {
          body: { type: 'access', email: 'x@example.org', locale: 'en' },
        });
        expectClientError(res);
        expectClientError(await t.request('GET', `${portal}/${percentEncoded(slug)}`));
      },
    );
    await writesNothing(async () => {
      await fc.assert(property, runs(60));
      await fc.assert(slugs, runs(30));
    });
  });

  it('refuses bad list queries', async () => {
    const query = badQuery(
      {
        status: ['received', 'identity-verified', 'in-progress', 'extended', 'completed', 'rejected'],
        type: ['access', 'portability', 'rectification', 'restriction', 'objection', 'erasure'],
        assigneeId: 'uuid',
        overdue: ['true', 'false'],
      },
      ['dueAt', '-receivedAt'],
    ).filter((q) => !/(^|&)order=/.test(q));
    const property = fc.asyncProperty(query, async (q) => {
      expectClientError(await t.request('GET', `/api/v1/privacy/requests?${q}`, { as: 'privacy' }));
    });
    await fc.assert(property, runs(60));
  });

  it('refuses bad If-Match values on every step, and any access token it does not know', async () => {
    const actions = ['assign', 'verify-identity', 'extend', 'reject', 'process'] as const;
    const bodies: Record<(typeof actions)[number], unknown> = {
      assign: { assigneeId: demoUserId('privacy') },
      'verify-identity': { note: 'x', method: 'officer' },
      extend: { reason: 'x' },
      reject: { reason: 'x' },
      process: undefined,
    };
    const current = await version();
    const ifMatch = fc.asyncProperty(
      headerText.filter((h) => h.trim() !== `"${current}"`),
      fc.constantFrom(...actions),
      async (header, action) => {
        const res = await t.request('POST', `/api/v1/privacy/requests/${id}/${action}`, {
          as: 'privacy',
          headers: { 'if-match': header },
          ...(bodies[action] ? { body: bodies[action] } : {}),
        });
        expectClientError(res);
      },
    );
    const tokens = fc.asyncProperty(headerText, async (token) => {
      const res = await t.request('GET', `${portal}/requests/${reference}`, {
        headers: { 'x-request-token': token },
      });
      expectClientError(res);
      expect([400, 404]).toContain(res.status);
    });
    await writesNothing(async () => {
      await fc.assert(ifMatch, runs(50));
      await fc.assert(tokens, runs(30));
    });
  });
});
