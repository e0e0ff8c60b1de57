/**
 * Bad input to the retention API, generated with fast-check: always a 4xx problem+json with a
 * stable code, never a 5xx, and nothing written (no setting, run, job or allowed audit event).
 */
import fc from 'fast-check';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  requestRunBody,
  setScheduleDaysBody,
} from '../../backend/src/modules/privacy/retention/retention.dto.js';
import {
  badIdSegment,
  badQuery,
  invalidBodies,
  junkString,
  percentEncoded,
} from '../api/support/arbitraries.js';
import { expectProblem } from '../api/support/fixtures.js';
import { createTestApp, type TestApp, type TestResponse } from '../support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  // The caller's first request records its sign-in: not part of what the properties may write.
  await t.request('GET', '/api/v1/privacy/retention/schedules', { as: 'privacy' });
});
afterAll(() => t?.close());

const runs = (numRuns: number, examples: unknown[][] = []) => ({
  numRuns,
  endOnFailure: true,
  examples: examples as never,
});

function expectClientError(res: TestResponse): void {
  expect(res.status, res.text.slice(0, 300)).toBeGreaterThanOrEqual(400);
  expect(res.status, res.text.slice(0, 300)).toBeLessThan(500);
  expectProblem(res);
}

async function digest(): Promise<string> {
  return t.adminPool.oneFirst(sql.type(z.object({ d: z.string() }))`
    SELECT concat_ws('|',
      (SELECT md5(coalesce(string_agg(r::text, ',' ORDER BY tenant_id, schedule), '')) FROM retention_settings r),
      (SELECT count(*) FROM retention_runs), (SELECT count(*) FROM jobs),
      (SELECT count(*) FROM audit_intake WHERE event::jsonb ->> 'outcome' = 'allowed')) AS d`);
}

async function writesNothing(batch: () => Promise<void>): Promise<void> {
  const before = await digest();
  await batch();
  expect(await digest()).toBe(before);
}

const routes = [
  ['PUT', '/api/v1/privacy/retention/schedules/telemetry.health', setScheduleDaysBody, { days: 30 }],
  ['POST', '/api/v1/privacy/retention/runs', requestRunBody, { dryRun: true }],
] as const;

describe.each(routes)('JSON bodies: %s %s', (method, path, schema, valid) => {
  it('refuses any body its schema rejects (days out of every bound, strings, junk members)', async () => {
    const property = fc.asyncProperty(invalidBodies(valid, schema), async (text) => {
      expectClientError(
        await t.request(method, path, {
          as: 'privacy',
          rawBody: text,
          headers: { 'content-type': 'application/json' },
        }),
      );
    });
    const examples = [
      ['{"days":0}'],
      ['{"days":1.5}'],
      ['{"days":"30"}'],
      ['{"dryRun":"false"}'],
      ['{}'],
      ['[]'],
    ];
    await writesNothing(() => fc.assert(property, runs(50, examples)));
  });

  it('refuses unparsable JSON and other media types', async () => {
    const property = fc.asyncProperty(
      fc.oneof(
        fc.string({ maxLength: 40 }).map((text) => ({ text: `{${text}`, type: 'application/json' })),
        fc.jsonValue().map((v) => ({ text: JSON.stringify(v), type: 'text/plain' })),
      ),
      async ({ text, type }) =>
        expectClientError(
          await t.request(method, path, { as: 'privacy', rawBody: text, headers: { 'content-type': type } }),
        ),
    );
    await writesNothing(() => fc.assert(property, runs(20)));
  });
});

describe('path parameters and queries', () => {
  it('PUT /schedules/:id answers 4xx for any id that is not a schedule', async () => {
    const segment = fc.oneof(badIdSegment, junkString.filter((s) => s.length > 0).map(percentEncoded));
    const property = fc.asyncProperty(segment, async (id) => {
      expectClientError(
        await t.request('PUT', `/api/v1/privacy/retention/schedules/${id}`, {
          as: 'privacy',
          body: { days: 30 },
        }),
      );
    });
    await writesNothing(() =>
      fc.assert(property, runs(40, [['made.up'], ['TELEMETRY.HEALTH'], ['telemetry.health%00']])),
    );
  });

  it('GET /runs/:id answers 4xx for any id that is not a visible run', async () => {
    const property = fc.asyncProperty(badIdSegment, async (segment) => {
      expectClientError(
        await t.request('GET', `/api/v1/privacy/retention/runs/${segment}`, { as: 'privacy' }),
      );
    });
    await writesNothing(() => fc.assert(property, runs(30)));
  });

  it('GET /runs refuses bad query strings', async () => {
    const allowed = { cursor: 'text', limit: 'text', order: ['asc', 'desc'], sort: ['startedAt'] } as const;
    const property = fc.asyncProperty(badQuery(allowed, allowed.sort), async (query) => {
      expectClientError(await t.request('GET', `/api/v1/privacy/retention/runs?${query}`, { as: 'privacy' }));
    });
    await writesNothing(() =>
      fc.assert(property, runs(40, [['limit=0'], ['sort=createdAt'], ['cursor=%%%']])),
    );
  });
});
